export const id = 61;
export const ids = [61];
export const modules = {

/***/ 18061:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createNemoBackend: () => (/* binding */ createNemoBackend)
});

// UNUSED EXPORTS: NemoError

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/request.ts
var src_request = __webpack_require__(14390);
;// CONCATENATED MODULE: ./src/tuning.ts
// Timings that follow the protocol's numbers. Tests shorten them through IMG2VID_* variables;
// nothing user-facing reads these.
function ms(name, fallback) {
    const raw = process.env[name];
    const n = raw === undefined || raw === '' ? NaN : Number(raw);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
}
const tuning = {
    /** heartbeats only for this long = a stalled stream (protocol: 10 minutes) */
    get stallMs() { return ms('IMG2VID_STALL_MS', 10 * 60_000); },
    /** "⏳ Still working…" cadence (protocol: every 2 minutes) */
    get stillWorkingMs() { return ms('IMG2VID_STILL_WORKING_MS', 2 * 60_000); },
    /** wait after a 429 without Retry-After (protocol: 30 s) */
    get retryWaitMs() { return ms('IMG2VID_RETRY_WAIT_MS', 30_000); },
    /** cap on any Retry-After we honour */
    get retryWaitCapMs() { return ms('IMG2VID_RETRY_WAIT_CAP_MS', 120_000); },
    /** headers/body inactivity timeout of a plain (non-streaming) request */
    get requestTimeoutMs() { return ms('IMG2VID_REQUEST_TIMEOUT_MS', 60_000); }
};

// EXTERNAL MODULE: ./src/timeline.ts
var timeline = __webpack_require__(81472);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(24371);
;// CONCATENATED MODULE: ./src/version.ts
// Sent as X-Skill-Version; a unit test keeps it equal to package.json's version.
const VERSION = '1.0.0';

;// CONCATENATED MODULE: ./src/nemo/errors.ts
// Typed NemoVideo errors; messages say what happened and what to do, and never carry a token.
const CODE = {
    tokenInvalid: 1001,
    sessionNotFound: 1002,
    outOfCredits: 2001,
    unsupportedFile: 4001,
    fileTooLarge: 4002
};
class NemoError extends Error {
    code;
    httpStatus;
    constructor(message, opts = {}) {
        super(message, { cause: opts.cause });
        this.name = 'NemoError';
        this.code = opts.code;
        this.httpStatus = opts.httpStatus;
    }
}
/** The message for an error reply, by code, as the protocol's error table says. */
function explain(what, code, httpStatus, serverMessage) {
    const said = serverMessage ? ` (server: ${serverMessage})` : '';
    switch (code) {
        case CODE.tokenInvalid:
            return `${what}: NemoVideo rejected the token (code 1001: expired or invalid)${said}. Set a valid token in the 'token' input (NEMO_TOKEN secret), or leave it empty to use an anonymous token.`;
        case CODE.sessionNotFound:
            return `${what}: the NemoVideo session was not found (code 1002)${said}. It may have expired; re-run the job.`;
        case CODE.outOfCredits:
            return `${what}: the NemoVideo account is out of credits (code 2001)${said}.`;
        case CODE.unsupportedFile:
            return `${what}: NemoVideo refused a file type (code 4001)${said}. Use JPEG, PNG, WebP or GIF images and MP3, WAV, M4A or AAC music.`;
        case CODE.fileTooLarge:
            return `${what}: NemoVideo refused a file over its 200 MB limit (code 4002)${said}. Downscale or recompress it.`;
    }
    if (httpStatus === 402 || code === 402) {
        return `${what}: NemoVideo answered HTTP 402: the account's plan does not allow this (a plan/subscription limit, not credits)${said}. Upgrade the plan, or use a token of an account that can export.`;
    }
    if (httpStatus === 429 || code === 429)
        return `${what}: NemoVideo is rate limiting this runner (HTTP 429) even after waiting${said}. Try again later or lower max-parallel.`;
    if (httpStatus >= 500)
        return `${what}: NemoVideo answered HTTP ${httpStatus}${said}. The service may be down; re-run the job later.`;
    const answer = code !== undefined && code !== 0 && code !== httpStatus ? `code ${code} (HTTP ${httpStatus})` : `HTTP ${httpStatus}`;
    return `${what}: NemoVideo answered ${answer}${said}.`;
}

;// CONCATENATED MODULE: ./src/nemo/http.ts
// The NemoVideo HTTP client (undici): attribution headers on every request, Bearer auth, the
// {code,message,data} envelope, 429 back-off shared by every call to the same API, one retry of
// idempotent calls on 5xx/reset, and a new anonymous token on 1001.







const ATTRIBUTION = {
    'x-skill-source': 'img2vid-action',
    'x-skill-version': VERSION,
    'x-skill-platform': 'github-actions'
};
// 429 slows every call to that API down, not only the one that got it (batch videos share it)
const pausedUntil = new Map();
/** Wait after a 429: Retry-After in seconds or as an HTTP date, else the default; capped. */
function retryAfterMs(header, now = Date.now()) {
    const raw = (Array.isArray(header) ? header[0] : header)?.trim();
    let ms = tuning.retryWaitMs;
    if (raw) {
        if (/^\d+(\.\d+)?$/.test(raw))
            ms = Number(raw) * 1000;
        else if (!Number.isNaN(Date.parse(raw)))
            ms = Date.parse(raw) - now;
    }
    return Math.min(Math.max(ms, 0), tuning.retryWaitCapMs);
}
const RESET_CODES = new Set([
    'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'
]);
// the request never left the runner: safe to repeat whatever it was
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
function errorCode(err) {
    const e = err;
    const code = e?.code ?? e?.cause?.code;
    return typeof code === 'string' ? code : undefined;
}
function isConnectionError(err) {
    const code = errorCode(err);
    return code !== undefined && RESET_CODES.has(code);
}
function neverSent(err) {
    const code = errorCode(err);
    return code !== undefined && NOT_SENT_CODES.has(code);
}
/** Tokens never reach a message, even when a server echoes one back. */
function redact(text) {
    return text.replace(/nmv_[a-z]+_[A-Za-z0-9_-]+/g, m => `${m.split('_').slice(0, 2).join('_')}_***`);
}
/** Reads a reply body: `code != 0` is an error even with HTTP 200; a non-JSON body is one too. */
function readEnvelope(status, text) {
    let parsed;
    try {
        parsed = text.trim() ? JSON.parse(text) : undefined;
    }
    catch {
        parsed = undefined;
    }
    const json = !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
    const env = (json ? parsed : {});
    const code = typeof env.code === 'number' ? env.code : typeof env.code === 'string' && /^-?\d+$/.test(env.code) ? Number(env.code) : undefined;
    const said = [env.message, env.msg, env.error, env.detail].find(v => typeof v === 'string' && v.trim());
    const message = redact(said?.trim() ?? '').slice(0, 300);
    // `success: false` alone is an error; with a data object (a failed render's status) it is a reply
    const refused = env.success === false && !(env.data && typeof env.data === 'object');
    if (status >= 400 || (code !== undefined && code !== 0) || refused)
        return { ok: false, code, message, json };
    if (!json)
        return { ok: false, message: '', json: false };
    return { ok: true, data: env.data !== undefined && env.data !== null ? env.data : env, body: env };
}
class NemoHttp {
    base;
    tokens;
    constructor(base, tokens) {
        this.base = base;
        this.tokens = tokens;
    }
    url(path) {
        return new URL(path, this.base);
    }
    async headers(opts) {
        const h = { ...ATTRIBUTION, ...opts.extra };
        if (opts.auth !== false && this.tokens)
            h.authorization = `Bearer ${await this.tokens.token(opts.signal)}`;
        return h;
    }
    /** A JSON call; returns the envelope's `data` (or the bare object). */
    async call(method, path, opts) {
        return (await this.send(method, path, opts)).data;
    }
    /** A JSON call; returns `data` and the whole body (some replies put fields at the top level). */
    async send(method, path, opts) {
        let rateRetried = false;
        let faultRetried = false;
        let authRetried = false;
        const timeout = opts.timeoutMs ?? tuning.requestTimeoutMs;
        const retryFault = async (why, waitMs) => {
            faultRetried = true;
            core/* info */.pq(`${opts.what}: ${why}; retrying once.`);
            await (0,promises_.setTimeout)(waitMs, undefined, { signal: opts.signal });
        };
        for (;;) {
            await this.waitForRateLimit(opts.signal);
            const headers = await this.headers({ auth: opts.auth, signal: opts.signal, extra: { accept: 'application/json', ...opts.headers } });
            const sentToken = headers.authorization?.slice('Bearer '.length);
            let body = opts.body?.();
            if (opts.json !== undefined) {
                body = JSON.stringify(opts.json);
                headers['content-type'] = 'application/json';
            }
            let status;
            let text;
            let retryAfter;
            try {
                const res = await (0,undici/* request */.Em)(this.url(path), { method, headers, body, signal: opts.signal, headersTimeout: timeout, bodyTimeout: timeout });
                status = res.statusCode;
                retryAfter = res.headers['retry-after'];
                text = await res.body.text();
            }
            catch (err) {
                if (opts.signal.aborted)
                    throw opts.signal.reason ?? err;
                if (err instanceof NemoError)
                    throw err; // raised by our own request body (an upload)
                const reason = describeNetworkError(err, timeout);
                if (!faultRetried && (neverSent(err) || (opts.idempotent && isConnectionError(err)))) {
                    await retryFault(`connection problem (${reason})`, Math.min(500, tuning.retryWaitMs));
                    continue;
                }
                throw new NemoError(`${opts.what}: could not reach NemoVideo at ${this.base.origin} (${reason}). Check 'api-url' and the runner's network, then re-run the job.`, { cause: err });
            }
            const env = readEnvelope(status, text);
            if (env.ok)
                return { data: env.data, body: env.body, status };
            if (status === 429) {
                if (!rateRetried) {
                    rateRetried = true;
                    const wait = retryAfterMs(retryAfter);
                    this.pause(wait);
                    core/* info */.pq(`${opts.what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`);
                    continue;
                }
                throw new NemoError(explain(opts.what, env.code, status, env.message), { code: env.code, httpStatus: status });
            }
            if (env.code === CODE.tokenInvalid && opts.auth !== false && this.tokens && sentToken && !authRetried) {
                authRetried = true;
                await this.tokens.renew(sentToken, opts.signal);
                continue;
            }
            if (status >= 500 && opts.idempotent && !faultRetried) {
                await retryFault(`NemoVideo answered HTTP ${status}`, Math.min(1000, tuning.retryWaitMs));
                continue;
            }
            if (status < 400 && env.code === undefined && !env.json) {
                throw new NemoError(`${opts.what}: NemoVideo answered HTTP ${status} with a body that is not JSON. Check that 'api-url' points at the NemoVideo API.`, { httpStatus: status });
            }
            throw new NemoError(explain(opts.what, env.code, status, env.message), { code: env.code, httpStatus: status });
        }
    }
    /** Holds back every call to this API for `ms` (after a 429). */
    pause(ms) {
        const key = this.base.origin;
        pausedUntil.set(key, Math.max(pausedUntil.get(key) ?? 0, Date.now() + ms));
    }
    async waitForRateLimit(signal) {
        const wait = (pausedUntil.get(this.base.origin) ?? 0) - Date.now();
        if (wait > 0)
            await (0,promises_.setTimeout)(wait, undefined, { signal });
    }
}
/** A network failure in words, without anything from the request (headers carry the token). */
function describeNetworkError(err, timeoutMs) {
    const code = errorCode(err);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'UND_ERR_CLOSED')
        return 'the connection was reset';
    const message = err instanceof Error ? err.message : String(err);
    return redact(code && !message.includes(code) ? `${code}: ${message}` : message);
}

;// CONCATENATED MODULE: ./src/nemo/auth.ts
// The token: a user's secret, or an anonymous one fetched with X-Client-Id. Every token is
// masked in the log the moment it is known. Also the claim link for anonymous sessions.



class Tokens {
    cfg;
    http;
    current;
    pending;
    clientId;
    /** anon_… user id of an anonymous token, for the registration link */
    userId;
    constructor(cfg, http) {
        this.cfg = cfg;
        this.http = http;
        if (cfg.token) {
            core/* setSecret */.Pq(cfg.token);
            this.current = cfg.token;
        }
        this.clientId = cfg.clientId.trim() || (0,external_node_crypto_.randomUUID)();
    }
    bind(http) {
        this.http = http;
    }
    get anonymous() {
        return !this.cfg.token;
    }
    async token(signal) {
        if (this.current)
            return this.current;
        // concurrent callers share one anonymous token
        this.pending ??= this.fetchAnonymous(signal).finally(() => (this.pending = undefined));
        return this.pending;
    }
    async renew(rejected, signal) {
        if (!this.anonymous) {
            throw new NemoError("NemoVideo rejected the token from the 'token' input / NEMO_TOKEN secret (code 1001: expired or invalid). Create a new token and update the secret, or remove it to use an anonymous token.", { code: 1001 });
        }
        if (this.current !== rejected)
            return; // another call already renewed it
        core/* info */.pq('The anonymous NemoVideo token was rejected (code 1001); fetching a new one.');
        this.current = undefined;
        await this.token(signal);
    }
    async fetchAnonymous(signal) {
        if (!this.cfg.allowAnonymous) {
            throw new NemoError("No NemoVideo token: set the 'token' input (or env NEMO_TOKEN) from a secret, or set 'allow-anonymous: true'.");
        }
        if (!this.http)
            throw new Error('Tokens used before bind()');
        const http = this.http;
        const what = 'Getting an anonymous NemoVideo token';
        const ask = () => http.call('POST', '/api/auth/anonymous-token', { what, auth: false, headers: { 'x-client-id': this.clientId }, signal });
        let data;
        try {
            data = await ask();
        }
        catch (err) {
            // HTTP 400 means the X-Client-Id did not arrive (a proxy may strip it): send it again, once
            if (!(err instanceof NemoError && err.httpStatus === 400))
                throw err;
            core/* info */.pq(`${what}: HTTP 400 (X-Client-Id missing?); sending it again.`);
            data = await ask();
        }
        if (typeof data.token !== 'string' || !data.token)
            throw new NemoError(`${what}: the reply has no token. Set the 'token' input from a secret instead.`);
        core/* setSecret */.Pq(data.token);
        this.current = data.token;
        this.userId = typeof data.user_id === 'string' ? data.user_id : undefined;
        core/* info */.pq(`Using an anonymous NemoVideo token${typeof data.credits === 'number' ? ` (${data.credits} credits)` : ''}.`);
        return data.token;
    }
}
/** Registration link that binds an anonymous user's work to a new account. */
function registerUrl(userId) {
    return `https://nemovideo.com/register${userId ? `?bind=${encodeURIComponent(userId)}` : ''}`;
}
/** A browser link to claim an anonymous session; it grants no API access, so it may be shown. */
async function claimLink(http, session, signal) {
    const data = await http.call('POST', '/api/auth/claim-token', {
        what: 'Creating the claim link',
        json: { task_id: session.taskId, session_id: session.sessionId },
        signal,
        idempotent: true
    });
    return typeof data.claim_token === 'string' && data.claim_token ? `https://nemovideo.com/workspace/claim?ct=${encodeURIComponent(data.claim_token)}` : undefined;
}

// EXTERNAL MODULE: ./node_modules/eventsource-parser/dist/parse.js + 1 modules
var parse = __webpack_require__(46085);
;// CONCATENATED MODULE: ./src/nemo/chat.ts
// One chat turn over SSE (/run_sse): Google ADK events or the older {"type":…} format, heartbeats,
// partial chunks followed by the full text (printed once), tool calls, in-stream errors, a stall
// limit, and "⏳ Still working…" while only heartbeats arrive. A message is never re-sent once it
// may have reached the agent: that would charge twice.






const TEMPORARY_ISSUE = /I encountered a temporary issue\b[^]*$/i;
const present = (v) => v !== undefined && v !== null && v !== '';
const chat_short = (v, max = 80) => {
    if (v === undefined || v === null)
        return '';
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
/**
 * Turns the events of one reply into printed lines and a result. Pure apart from `print`, so the
 * event formats can be tested without a server.
 */
class ReplyReader {
    print;
    texts = [];
    toolCalls = [];
    error;
    /** when the last event that was not a heartbeat arrived */
    lastContent = Date.now();
    partial = '';
    legacy = '';
    constructor(print = line => core/* info */.pq(line)) {
        this.print = print;
    }
    /** One SSE `data` payload. */
    onData(data) {
        if (!data.trim())
            return; // an empty data line is a heartbeat
        let ev;
        try {
            ev = JSON.parse(data);
        }
        catch {
            core/* debug */.Yz(`Ignoring an event that is not JSON: ${redact(data.slice(0, 200))}`);
            return;
        }
        if (!ev || typeof ev !== 'object')
            return;
        if (ev.type === 'heartbeat' || ev.type === 'ping')
            return;
        if (present(ev.error)) {
            this.error = typeof ev.error === 'string' ? ev.error : chat_short(ev.error, 500);
            return;
        }
        if (present(ev.errorCode) || present(ev.errorMessage)) {
            this.error = `${String(ev.errorMessage ?? 'error')}${present(ev.errorCode) ? ` (${String(ev.errorCode)})` : ''}`;
            return;
        }
        this.lastContent = Date.now();
        // the older format: {"type":"text"|"tool_call"|"tool_result"|"error",…}
        if (typeof ev.type === 'string') {
            if (ev.type === 'text') {
                this.legacy += typeof ev.content === 'string' ? ev.content : typeof ev.text === 'string' ? ev.text : '';
            }
            else if (ev.type === 'tool_call') {
                this.flushLegacy();
                const tool = (ev.tool && typeof ev.tool === 'object' ? ev.tool : {});
                this.tool(ev.name ?? ev.tool_name ?? tool.name ?? (typeof ev.tool === 'string' ? ev.tool : undefined), ev.args ?? ev.arguments ?? ev.input ?? tool.args);
            }
            else if (ev.type === 'tool_result') {
                this.flushLegacy();
            }
            else if (ev.type === 'error') {
                this.error = chat_short(ev.message ?? ev.content ?? 'error', 500);
            }
            return;
        }
        // ADK: {"content":{"parts":[…]},"author":…,"partial":true?}
        const content = (ev.content && typeof ev.content === 'object' ? ev.content : {});
        const parts = (Array.isArray(content.parts) ? content.parts : []);
        for (const p of parts) {
            if (!p || typeof p !== 'object')
                continue;
            if (typeof p.text === 'string') {
                if (ev.author === 'system' && /^\s*Error:/.test(p.text)) {
                    this.error = p.text.trim();
                }
                else if (ev.partial === true) {
                    this.partial += p.text;
                }
                else {
                    // the final event repeats the partial chunks' whole text
                    this.partial = '';
                    this.flushText(p.text);
                }
            }
            else if (p.functionCall) {
                this.tool(p.functionCall.name, p.functionCall.args);
            }
        }
    }
    /** The stream ended: print what was still held back. */
    finish() {
        this.flushLegacy();
        this.flushText(this.partial);
        this.partial = '';
    }
    tool(name, args) {
        const n = typeof name === 'string' && name ? name : 'tool';
        this.toolCalls.push(n);
        const a = chat_short(args);
        this.print(`🔧 ${n}${a ? ` ${a}` : ''}`);
    }
    flushLegacy() {
        this.flushText(this.legacy);
        this.legacy = '';
    }
    flushText(text) {
        let t = text.trim();
        // a known trailing note after a normal reply; alone it is the reply and is kept
        const note = TEMPORARY_ISSUE.exec(t);
        if (note && (note.index > 0 || this.texts.length > 0))
            t = t.slice(0, note.index).trim();
        if (!t)
            return;
        this.texts.push(t);
        for (const line of t.split('\n'))
            this.print(`💬 ${line}`);
    }
}
async function chat(http, sessionId, message, signal, tokens) {
    const what = 'Sending the prompt to the agent';
    const payload = JSON.stringify({ app_name: 'nemo_agent', user_id: 'me', session_id: sessionId, new_message: { parts: [{ text: message }] } });
    const stop = new AbortController();
    const sig = AbortSignal.any([signal, stop.signal]);
    const notSent = ' The prompt was not sent (nothing was charged); re-run the job.';
    let rateRetried = false;
    let authRetried = false;
    const reader = new ReplyReader();
    let stalled = false;
    let waiting = false; // a 429 wait is not the agent being slow
    let lastNote = reader.lastContent;
    // one watch from the moment the prompt leaves: "still working" notes, then the stall limit
    const watch = setInterval(() => {
        if (waiting)
            return;
        const now = Date.now();
        const quiet = now - reader.lastContent;
        if (quiet >= tuning.stallMs) {
            stalled = true;
            stop.abort(new Error('stalled'));
        }
        else if (quiet >= tuning.stillWorkingMs && now - lastNote >= tuning.stillWorkingMs) {
            lastNote = now;
            core/* info */.pq(`⏳ Still working… (${Math.round(quiet / 1000)} s without a reply; long generations take minutes)`);
        }
    }, Math.max(20, Math.min(1000, tuning.stillWorkingMs / 4, tuning.stallMs / 4)));
    const result = (over) => ({
        text: reader.texts.join('\n\n'),
        texts: reader.texts,
        toolCalls: reader.toolCalls,
        dropped: false,
        stalled: false,
        ...over
    });
    try {
        // repeated only when the server refused it before streaming (429, 1001): nothing was charged
        let res;
        for (;;) {
            waiting = true;
            await http.waitForRateLimit(signal);
            const headers = await http.headers({ signal, extra: { accept: 'text/event-stream', 'content-type': 'application/json' } });
            waiting = false;
            reader.lastContent = Date.now();
            try {
                // no body timeout: the stall watch and the job deadline bound the stream
                res = await (0,undici/* request */.Em)(http.url('/run_sse'), { method: 'POST', headers, body: payload, signal: sig, headersTimeout: tuning.stallMs, bodyTimeout: 0 });
            }
            catch (err) {
                if (signal.aborted)
                    throw signal.reason ?? err;
                if (stalled || errorCode(err) === 'UND_ERR_HEADERS_TIMEOUT')
                    return result({ stalled: true });
                // only a connection that never opened proves the prompt never left; any later break may
                // have reached the agent, so the caller judges it by the session state, never by re-sending
                if (neverSent(err))
                    throw new NemoError(`${what}: could not reach NemoVideo (${describeNetworkError(err, tuning.stallMs)}).${notSent}`, { cause: err });
                core/* info */.pq(`${what}: the connection broke before the reply started (${describeNetworkError(err, tuning.stallMs)}).`);
                return result({ dropped: true });
            }
            const type = String(res.headers['content-type'] ?? '').toLowerCase();
            // a gateway may drop the content type of a stream; only JSON is read as an envelope
            if (res.statusCode === 200 && !type.includes('json'))
                break;
            const env = readEnvelope(res.statusCode, await res.body.text().catch(() => ''));
            if (env.ok)
                throw new NemoError(`${what}: NemoVideo answered with JSON instead of an event stream. Check that 'api-url' points at the NemoVideo API.`);
            if (res.statusCode === 429 && !rateRetried) {
                rateRetried = true;
                const wait = retryAfterMs(res.headers['retry-after']);
                http.pause(wait);
                core/* info */.pq(`${what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`);
                continue;
            }
            if (env.code === CODE.tokenInvalid && tokens && !authRetried) {
                authRetried = true;
                waiting = true;
                await tokens.renew(headers.authorization.slice('Bearer '.length), signal);
                continue;
            }
            if (res.statusCode >= 500 && env.code === undefined) {
                // a gateway error may come after the agent got the prompt: the state decides, not a resend
                core/* info */.pq(`${what}: NemoVideo answered HTTP ${res.statusCode} before the reply started.`);
                return result({ dropped: true });
            }
            throw new NemoError(explain(what, env.code, res.statusCode, env.message), { code: env.code, httpStatus: res.statusCode });
        }
        const parser = (0,parse/* createParser */.C)({ onEvent: e => reader.onData(e.data), maxBufferSize: 16 * 1024 * 1024 });
        const decoder = new TextDecoder();
        reader.lastContent = Date.now();
        try {
            for await (const chunk of res.body) {
                parser.feed(decoder.decode(chunk, { stream: true }));
                if (reader.error)
                    break;
            }
            parser.feed(decoder.decode());
            parser.reset({ consume: true }); // an event cut short of its blank line still counts
        }
        catch (err) {
            if (signal.aborted)
                throw signal.reason ?? err;
            if (stalled)
                return finish(reader, result({ stalled: true }));
            if (!isConnectionError(err) && !/terminated|aborted|socket|closed/i.test(err.message))
                throw err;
            core/* info */.pq('The chat stream broke before the server closed it.');
            return finish(reader, result({ dropped: true }));
        }
        finally {
            res.body.destroy();
        }
        return finish(reader, result({}));
    }
    finally {
        clearInterval(watch);
    }
}
/** Prints what the reader held back; an in-stream error wins over everything else. */
function finish(reader, res) {
    reader.finish();
    if (reader.error)
        throw new NemoError(`The agent reported an error: ${redact(reader.error).slice(0, 500)}. Re-run the job; if it keeps failing, simplify the prompt.`);
    return { ...res, text: reader.texts.join('\n\n') };
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./src/urls.ts
var urls = __webpack_require__(75769);
;// CONCATENATED MODULE: ./src/nemo/render.ts
// Export, poll and download. Both status shapes are accepted (A: {success,data:{status,outputUrl}},
// B: {taskId,status,output:{url}}). The MP4 is streamed to a temp file beside `output`, checked,
// and renamed into place only when whole: `output` never holds a partial file.











const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
/** the longest a 429-slowed poll interval grows to */
const MAX_POLL_BACKOFF_MS = 60_000;
/** poll failures in a row (after the client's own retry) before giving up on a render */
const MAX_POLL_FAILURES = 3;
const DONE = new Set(['completed', 'complete', 'succeeded', 'success', 'done', 'finished']);
const FAILED = new Set(['failed', 'failure', 'error', 'cancelled', 'canceled', 'timeout']);
function newRenderId() {
    return `render_${Date.now().toString(36)}_${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
}
/** Reads either status shape (and the envelope around shape A, when the client left it on). */
function parseStatus(reply) {
    const inner = (reply.data && typeof reply.data === 'object' ? reply.data : reply);
    const output = (inner.output && typeof inner.output === 'object' ? inner.output : {});
    const url = [inner.outputUrl, inner.output_url, output.url, typeof inner.output === 'string' ? inner.output : undefined, inner.url, inner.downloadUrl, inner.download_url].find(u => typeof u === 'string' && u);
    const p = typeof inner.progress === 'string' ? Number(inner.progress) : inner.progress;
    const progress = typeof p === 'number' && Number.isFinite(p) ? p : undefined;
    const reasonRaw = inner.error ?? inner.reason ?? inner.errorMessage ?? inner.message ?? reply.error ?? reply.message;
    const reason = typeof reasonRaw === 'string' ? reasonRaw : reasonRaw ? JSON.stringify(reasonRaw) : undefined;
    return { status: String(inner.status ?? '').toLowerCase(), progress, url, reason };
}
/** Starts an export; a refused or duplicate id (or a failed attempt) gets one more try with a new id. */
async function startExport(http, sessionId, draft, signal) {
    for (let attempt = 1;; attempt++) {
        const id = newRenderId();
        try {
            await http.call('POST', '/api/render/proxy/lambda', {
                what: 'Starting the export',
                json: { id, sessionId, draft, output: { format: 'mp4', quality: 'high' } },
                signal
            });
            return id;
        }
        catch (err) {
            if (signal.aborted || attempt >= 2 || !(err instanceof NemoError))
                throw err;
            // export is free and a new id never collides, so a second start is safe; a plan limit
            // (402), a lost session or missing credits will not change by trying again
            const status = err.httpStatus;
            const retryable = status === 400 || status === 409 || status === 422 || (status !== undefined && status >= 500) || isConnectionError(err.cause);
            if (!retryable || status === 402 || err.code === 1002 || err.code === 2001)
                throw err;
            core/* info */.pq(`The export with id ${id} was refused (${err.message}); trying once more with a new id.`);
        }
    }
}
async function cancelRender(http, id) {
    try {
        // the job's signal is usually aborted by now: the cancel gets a short budget of its own
        await http.call('POST', `/api/render/proxy/lambda/${encodeURIComponent(id)}/cancel`, {
            what: 'Cancelling the render',
            signal: AbortSignal.timeout(3000),
            timeoutMs: 2000,
            idempotent: true
        });
        core/* info */.pq(`Cancelled render ${id}.`);
    }
    catch (err) {
        core/* info */.pq(`Could not cancel render ${id}: ${err.message}`);
    }
}
class RenderFailed extends NemoError {
}
/**
 * Polls until the render completes and returns its URL (empty when the server gave none). Throws
 * RenderFailed on `failed`. Past the deadline, or when the job is cancelled, it cancels the render;
 * a missed deadline names the render and its last progress.
 */
async function waitForRender(http, id, opts) {
    let last = { status: 'pending' };
    const pastDeadline = () => new NemoError(`Render ${id} did not complete before the deadline ('timeout-minutes'); last status ${last.status || 'unknown'}${last.progress !== undefined ? ` at ${Math.round(last.progress)}%` : ''}. Raise 'timeout-minutes' or re-run the job.`);
    let lastLogged = '';
    let interval = opts.intervalMs;
    let failures = 0;
    let cancelled = false;
    const cancel = async () => {
        if (cancelled)
            return;
        cancelled = true;
        await cancelRender(http, id);
    };
    try {
        for (;;) {
            try {
                const reply = await http.call('GET', `/api/render/proxy/lambda/${encodeURIComponent(id)}`, { what: `Polling render ${id}`, signal: opts.signal, idempotent: true });
                last = parseStatus(reply);
                failures = 0;
            }
            catch (err) {
                if (opts.signal.aborted || !(err instanceof NemoError))
                    throw err;
                const status = err.httpStatus;
                if (status === 429) {
                    // the client already waited once; polling slower is the back-off
                    interval = Math.min(interval * 2, MAX_POLL_BACKOFF_MS);
                    core/* info */.pq(`Render ${id}: polling too fast (HTTP 429); polling every ${(interval / 1000).toFixed(1)} s now.`);
                }
                else if ((status === undefined || status >= 500) && ++failures < MAX_POLL_FAILURES) {
                    core/* info */.pq(`Render ${id}: the status could not be read (${err.message}); trying again.`);
                }
                else {
                    throw err;
                }
            }
            const line = `${last.status || 'unknown'}${last.progress !== undefined ? ` ${Math.round(last.progress)}%` : ''}`;
            if (line !== lastLogged)
                core/* info */.pq(`🎞  Render ${id}: ${line}`);
            lastLogged = line;
            if (DONE.has(last.status)) {
                if (!last.url)
                    core/* info */.pq(`Render ${id} completed without a URL; using the download endpoint.`);
                return last.url ?? '';
            }
            if (FAILED.has(last.status))
                throw new RenderFailed(`Render ${id} ${last.status}: ${last.reason ?? 'no reason given'}.`);
            if (Date.now() + interval > opts.deadline) {
                await cancel();
                throw pastDeadline();
            }
            await (0,promises_.setTimeout)(interval, undefined, { signal: opts.signal });
        }
    }
    catch (err) {
        if (!opts.signal.aborted || cancelled)
            throw err;
        // cancelled, or the job's own timer fired first: do not leave the render running
        await cancel();
        if (Date.now() >= opts.deadline - 250)
            throw pastDeadline();
        throw opts.signal.reason ?? err;
    }
}
class BadDownload extends Error {
}
/**
 * Streams `url` to a temp file beside `output`, checks it (length, MP4 signature, size cap) and
 * renames it into place. Authorization goes only to the API origin, also across redirects.
 */
async function download(http, url, output, signal) {
    const tmp = (0,external_node_path_.join)((0,external_node_path_.dirname)(output), `.${(0,external_node_path_.basename)(output)}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.part`);
    const timeout = tuning.requestTimeoutMs;
    let received = 0;
    let expected;
    try {
        let current = url;
        for (let hop = 0;; hop++) {
            if (!(0,urls/* isAllowedUrl */.y)(current))
                throw new BadDownload(`refusing to download from ${current.origin}: only https (or loopback http) is allowed`);
            // redirects are followed here, not by undici, so the token never leaves the API origin
            const sameOrigin = current.origin === http.base.origin;
            const headers = await http.headers({ auth: sameOrigin, signal });
            let redirect;
            let statusCode = 0;
            received = 0;
            expected = undefined;
            await (0,undici/* stream */.Td)(current, { method: 'GET', headers, signal, headersTimeout: timeout, bodyTimeout: timeout }, ({ statusCode: code, headers: h }) => {
                statusCode = code;
                if (statusCode >= 300 && statusCode < 400 && h.location) {
                    redirect = String(h.location);
                    return discard();
                }
                if (statusCode !== 200)
                    return discard();
                const len = Number(h['content-length']);
                expected = h['content-length'] !== undefined && Number.isFinite(len) ? len : undefined;
                if (expected !== undefined && expected > MAX_DOWNLOAD_BYTES)
                    throw new BadDownload(`the video is ${expected} bytes, over the ${MAX_DOWNLOAD_BYTES} byte cap`);
                // chunks go straight to the file with a synchronous write: no second queue, no thread-pool
                // hop per chunk, and each buffer is released as soon as it is on disk; undici pauses the
                // socket while a write runs, which is the back-pressure
                const fd = (0,external_node_fs_.openSync)(tmp, 'w');
                let open = true;
                const close = () => {
                    if (open)
                        (0,external_node_fs_.closeSync)(fd);
                    open = false;
                };
                return new external_node_stream_.Writable({
                    highWaterMark: 1 << 20,
                    write(chunk, _enc, cb) {
                        received += chunk.length;
                        if (received > MAX_DOWNLOAD_BYTES)
                            return cb(new BadDownload(`the download passed the ${MAX_DOWNLOAD_BYTES} byte cap`));
                        try {
                            for (let off = 0; off < chunk.length;)
                                off += (0,external_node_fs_.writeSync)(fd, chunk, off);
                            cb();
                        }
                        catch (err) {
                            cb(err);
                        }
                    },
                    final(cb) {
                        try {
                            close();
                            cb();
                        }
                        catch (err) {
                            cb(err);
                        }
                    },
                    destroy(err, cb) {
                        try {
                            close();
                        }
                        catch {
                            // the error being reported matters more than a failed close
                        }
                        cb(err);
                    }
                });
            });
            if (redirect) {
                if (hop >= 5)
                    throw new BadDownload('too many redirects (more than 5)');
                current = new URL(redirect, current);
                continue;
            }
            if (statusCode !== 200)
                throw new BadDownload(`HTTP ${statusCode}`);
            if (expected !== undefined && received !== expected)
                throw new BadDownload(`truncated: ${received} of ${expected} bytes arrived`);
            await checkMp4Signature(tmp);
            await (0,external_node_fs_promises_.rename)(tmp, output);
            return received;
        }
    }
    catch (err) {
        await (0,external_node_fs_promises_.rm)(tmp, { force: true });
        if (signal.aborted)
            throw signal.reason ?? err;
        if (err instanceof BadDownload)
            throw err;
        const got = received > 0 || expected !== undefined ? ` after ${received}${expected !== undefined ? ` of ${expected}` : ''} bytes` : '';
        const what = isConnectionError(err) && received > 0 ? 'truncated: the connection closed' : describeNetworkError(err, timeout);
        throw new BadDownload(`${what}${got}`, { cause: err });
    }
}
/**
 * The rendered MP4 at `output`: the render's URL, once more on a bad download, then the API's
 * download endpoint; otherwise a failure that names every attempt.
 */
async function downloadVideo(http, renderId, url, output, signal) {
    const fallback = http.url(`/api/render/proxy/${encodeURIComponent(renderId)}/download`);
    let primary;
    try {
        primary = url ? new URL(url, http.base) : undefined;
    }
    catch {
        core/* info */.pq(`Render ${renderId} gave an unusable URL; using the download endpoint.`);
    }
    const attempts = primary ? [primary, primary, fallback] : [fallback, fallback];
    const errors = [];
    for (const [i, target] of attempts.entries()) {
        try {
            const started = Date.now();
            const bytes = await download(http, target, output, signal);
            core/* info */.pq(`⬇️  ${(bytes / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
            return;
        }
        catch (err) {
            if (!(err instanceof BadDownload))
                throw err;
            errors.push(`${target === fallback ? 'fallback' : 'download'}: ${err.message}`);
            if (i < attempts.length - 1)
                core/* info */.pq(`The download failed (${err.message}); ${attempts[i + 1] === fallback ? 'trying the fallback download endpoint' : 'retrying'}.`);
        }
    }
    throw new NemoError(`Could not download render ${renderId}: ${errors.join('; ')}. Nothing was written to '${output}'. Re-run the job.`);
}
function discard() {
    return new external_node_stream_.Writable({ write: (_c, _e, cb) => cb() });
}
async function checkMp4Signature(path) {
    const fh = await (0,external_node_fs_promises_.open)(path, 'r');
    try {
        const head = Buffer.alloc(8);
        const { bytesRead } = await fh.read(head, 0, 8, 0);
        if (bytesRead < 8 || head.toString('latin1', 4, 8) !== 'ftyp')
            throw new BadDownload('the body is not an MP4 (no ftyp box)');
    }
    finally {
        await fh.close();
    }
}

;// CONCATENATED MODULE: ./src/nemo/session.ts
// The session the whole conversation happens in.

async function createSession(http, language, signal) {
    const what = 'Creating the NemoVideo session';
    // not repeated on a 5xx or a broken connection: a second POST would make a second session
    const { data, body } = await http.send('POST', '/api/tasks/me/with-session/nemo_agent', {
        what,
        json: { task_name: 'project', language },
        signal
    });
    // some replies carry the ids at the top level instead of under data
    const pick = (...keys) => {
        for (const src of [data, body])
            for (const k of keys)
                if (src?.[k] !== undefined && src[k] !== null && src[k] !== '')
                    return src[k];
        return undefined;
    };
    const sessionId = pick('session_id', 'sessionId');
    const taskId = pick('task_id', 'taskId');
    if (typeof sessionId !== 'string' && typeof sessionId !== 'number') {
        throw new NemoError(`${what}: the reply has no session_id. Check that 'api-url' points at the NemoVideo API.`);
    }
    return { sessionId: String(sessionId), taskId: taskId === undefined ? '' : String(taskId) };
}

;// CONCATENATED MODULE: ./src/nemo/state.ts
// What the agent left in the session (the timeline draft), and the account's credits.

async function readState(http, sessionId, signal) {
    const data = await http.call('GET', `/api/state/nemo_agent/me/${encodeURIComponent(sessionId)}/latest`, {
        what: 'Reading the session state',
        signal,
        idempotent: true
    });
    // data.state.draft per the protocol; a state object given directly is accepted too
    const state = (data.state && typeof data.state === 'object' ? data.state : data);
    let draft = state.draft;
    if (typeof draft === 'string') {
        try {
            draft = JSON.parse(draft);
        }
        catch {
            draft = undefined;
        }
    }
    return { draft: (0,timeline/* isDraft */.Qx)(draft) ? draft : undefined, raw: state };
}
async function readCredits(http, signal) {
    const data = await http.call('GET', '/api/credits/balance/simple', { what: 'Reading the credit balance', signal, idempotent: true });
    const n = typeof data.available === 'string' ? Number(data.available) : data.available;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

;// CONCATENATED MODULE: ./src/nemo/upload.ts
// One multipart upload of every file, streamed from disk with back-pressure: the body is an
// async generator of boundary lines and file chunks with an exact Content-Length, so nothing is
// buffered whole and undici pulls only as fast as the socket drains.






const CHUNK = 1 << 20;
function multipart(files, onBytes = () => undefined) {
    const boundary = `----img2vid${(0,external_node_crypto_.randomBytes)(16).toString('hex')}`;
    const quote = (s) => s.replace(/[\r\n"\\]/g, c => encodeURIComponent(c));
    const heads = files.map(f => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${quote(f.name)}"\r\nContent-Type: ${f.mime}\r\n\r\n`));
    const crlf = Buffer.from('\r\n');
    const tail = Buffer.from(`--${boundary}--\r\n`);
    const length = heads.reduce((n, h, i) => n + h.length + files[i].size + crlf.length, 0) + tail.length;
    // the parts in order: boundary heads and CRLFs as buffers, files as {file}
    const items = [...files.flatMap((f, i) => [heads[i], f, crlf]), tail];
    const body = () => {
        let at = 0;
        let fd = -1;
        let left = 0;
        const closeFile = () => {
            if (fd >= 0)
                (0,external_node_fs_.closeSync)(fd);
            fd = -1;
        };
        // synchronous 1 MiB reads straight into push(): no async iterator or wrapper stream between
        // the disk and undici, and push() returning false is the back-pressure
        return new external_node_stream_.Readable({
            highWaterMark: CHUNK,
            read() {
                try {
                    for (;;) {
                        const item = items[at];
                        if (item === undefined)
                            return void this.push(null);
                        if (Buffer.isBuffer(item)) {
                            at++;
                            if (!this.push(item))
                                return;
                            continue;
                        }
                        if (fd < 0) {
                            fd = (0,external_node_fs_.openSync)(item.path, 'r');
                            left = item.size;
                        }
                        if (left === 0) {
                            closeFile();
                            at++;
                            continue;
                        }
                        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
                        const n = (0,external_node_fs_.readSync)(fd, buf, 0, buf.length, null);
                        // never past the announced size: a file that changed would break the Content-Length
                        if (n === 0)
                            throw new NemoError(`${item.name} changed size while it was being uploaded (${item.size} → ${item.size - left} bytes).`);
                        left -= n;
                        onBytes(n);
                        if (!this.push(n === buf.length ? buf : buf.subarray(0, n)))
                            return;
                    }
                }
                catch (err) {
                    this.destroy(err);
                }
            },
            destroy(err, cb) {
                closeFile();
                cb(err);
            }
        });
    };
    return { body, length, contentType: `multipart/form-data; boundary=${boundary}` };
}
async function uploadFiles(http, sessionId, files, signal) {
    const total = files.reduce((n, f) => n + f.size, 0);
    const mb = (n) => (n / 1048576).toFixed(n < 10 * 1048576 ? 2 : 1);
    let done = 0;
    let nextReport = 0.1;
    const started = Date.now();
    const form = multipart(files, n => {
        done += n;
        if (total > 0 && done / total >= nextReport) {
            core/* info */.pq(`⬆️  ${Math.floor((done / total) * 100)}% (${mb(done)} of ${mb(total)} MB)`);
            nextReport = Math.floor((done / total) * 10 + 1) / 10;
        }
    });
    core/* info */.pq(`Uploading ${files.length} file${files.length === 1 ? '' : 's'} (${mb(total)} MB).`);
    const data = await http.call('POST', `/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`, {
        what: 'Uploading the files',
        body: () => {
            done = 0;
            nextReport = 0.1;
            return form.body();
        },
        headers: { 'content-type': form.contentType, 'content-length': String(form.length) },
        signal,
        // uploads are not charged; a repeat at worst lists a file twice in the session
        idempotent: true,
        // inactivity limit; the server may digest large files a while before it answers
        timeoutMs: Math.max(tuning.requestTimeoutMs, 300_000)
    });
    const secs = Math.max((Date.now() - started) / 1000, 0.001);
    core/* info */.pq(`Uploaded ${mb(total)} MB in ${secs.toFixed(1)} s (${mb(total / secs)} MB/s).`);
    const listed = Array.isArray(data.files) ? data.files : [];
    if (listed.length !== files.length) {
        core/* info */.pq(`NemoVideo listed ${listed.length} of the ${files.length} uploaded files; the agent is told the local names.`);
    }
    // the server may rename files; the agent knows them by the names it reports
    return files.map((f, i) => {
        const r = listed.length === files.length ? listed[i] : undefined;
        const name = typeof r?.filename === 'string' && r.filename ? r.filename : f.name;
        return {
            filename: name,
            fileType: typeof r?.file_type === 'string' ? r.file_type : undefined,
            cdnUrl: typeof r?.cdn_url === 'string' ? r.cdn_url : undefined
        };
    });
}

;// CONCATENATED MODULE: ./src/nemo/backend.ts
// The nemo backend: token → session → upload → chat turns → state checks (one corrective turn)
// → export → poll → download. Session loss is recovered once; a dropped stream is judged by
// the state, never by re-sending (that would charge twice).












function createNemoBackend(cfg) {
    const tokens = cfg.tokens ?? new Tokens(cfg);
    const http = new NemoHttp(cfg.apiUrl, tokens);
    tokens.bind(http);
    return {
        name: 'nemo',
        async render(job) {
            try {
                try {
                    return await conversation(http, tokens, cfg, job);
                }
                catch (err) {
                    if (!(err instanceof NemoError && err.code === CODE.sessionNotFound) || job.signal.aborted)
                        throw err;
                    core/* warning */.$e('The NemoVideo session was lost (code 1002): starting a new session, uploading again and re-sending the request, once.');
                    return await conversation(http, tokens, cfg, job);
                }
            }
            catch (err) {
                throw withHints(err, tokens);
            }
        }
    };
}
function withHints(err, tokens) {
    if (err instanceof NemoError && err.code === CODE.outOfCredits) {
        const hint = tokens.anonymous
            ? ` Anonymous tokens get 100 credits; register to get more: ${registerUrl(tokens.userId)} and set the 'token' input from a secret.`
            : ' Top up the account, or use the token of an account with credits.';
        return new NemoError(err.message + hint, { code: err.code, httpStatus: err.httpStatus, cause: err });
    }
    return err;
}
async function group(name, fn) {
    core/* startGroup */.Oh(name);
    try {
        return await fn();
    }
    finally {
        core/* endGroup */.N4();
    }
}
async function conversation(http, tokens, cfg, job) {
    const { signal, request } = job;
    const session = await group('Session', async () => {
        const s = await createSession(http, request.language, signal);
        core/* info */.pq(`Session ${s.sessionId}${s.taskId ? ` (task ${s.taskId})` : ''}.`);
        return s;
    });
    const files = request.music && 'file' in request.music ? [...job.images, request.music.file] : job.images;
    const uploaded = await group('Upload', () => uploadFiles(http, session.sessionId, files, signal));
    const imageNames = uploaded.slice(0, job.images.length).map(f => f.filename);
    const turns = (0,src_request/* turnsToSend */.kx)(request, imageNames);
    const title = (n) => `Agent: turn ${n} of ${turns.length}`;
    let draft;
    for (const [i, text] of turns.entries())
        draft = await turn(http, tokens, session, title(i + 1), text, draft, signal);
    // earlier turns may only talk; the last one must leave a timeline
    if (!draft || !(0,timeline/* hasSegments */.JM)(draft)) {
        throw new NemoError(`${title(turns.length)}: the agent replied but the session has no draft to export (no timeline with segments). Rephrase the prompt, e.g. say which images to use and how long the video should be, then re-run the job.`);
    }
    let problems = (0,src_request/* checkDraft */.Qs)(request, draft);
    if (problems.length) {
        core/* info */.pq(`The draft misses the request: ${problems.join('; ')}. Sending one corrective turn.`);
        const corrected = await turn(http, tokens, session, `Agent: turn ${turns.length + 1} (correction)`, (0,src_request/* correctiveTurn */.qr)(problems), draft, signal);
        if (corrected && (0,timeline/* hasSegments */.JM)(corrected))
            draft = corrected;
        problems = (0,src_request/* checkDraft */.Qs)(request, draft);
        if (problems.length)
            core/* warning */.$e(`The draft still misses the request after one correction: ${problems.join('; ')}. Rendering it as it is.`);
    }
    const finalDraft = draft;
    const { renderId, videoUrl } = await group('Render', async () => {
        for (let attempt = 1;; attempt++) {
            const id = await startExport(http, session.sessionId, finalDraft, signal);
            core/* info */.pq(`Export started: ${id}.`);
            let url;
            try {
                url = await waitForRender(http, id, { intervalMs: cfg.pollIntervalMs, deadline: job.deadline, signal });
            }
            catch (err) {
                if (signal.aborted || !(err instanceof RenderFailed) || attempt >= 2)
                    throw err;
                core/* warning */.$e(`${err.message} Exporting once more with a new render id.`);
                continue;
            }
            await downloadVideo(http, id, url, job.output, signal);
            return { renderId: id, videoUrl: url };
        }
    });
    const creditsAvailable = await readCredits(http, signal).catch(err => {
        core/* info */.pq(`Could not read the credit balance: ${err.message}`);
        return undefined;
    });
    if (creditsAvailable !== undefined)
        core/* info */.pq(`Credits left: ${creditsAvailable}.`);
    let claimUrl;
    if (tokens.anonymous) {
        claimUrl = await claimLink(http, session, signal).catch(err => {
            core/* warning */.$e(`No claim link for the anonymous session: ${err.message}`);
            return undefined;
        });
    }
    return { videoPath: job.output, videoUrl, sessionId: session.sessionId, renderId, draft: finalDraft, creditsAvailable, claimUrl };
}
/**
 * One chat turn, then the state. A silent turn (tool calls only) is confirmed and summarised from
 * the state; a dropped or stalled stream is judged by the state and never re-sent.
 */
async function turn(http, tokens, session, title, text, before, signal) {
    return group(title, async () => {
        const res = await chat(http, session.sessionId, text, signal, tokens);
        const { draft } = await readState(http, session.sessionId, signal);
        const ready = !!draft && (0,timeline/* hasSegments */.JM)(draft);
        const changed = ready && JSON.stringify(draft) !== JSON.stringify(before);
        if (res.stalled) {
            throw new NemoError(`The agent sent only heartbeats (or nothing) for ${formatMs(tuning.stallMs)}; treating the stream as stalled. ` +
                (ready ? 'A draft exists, but the agent may still be editing it. ' : 'No draft exists yet. ') +
                'The prompt was not re-sent (that would charge twice); re-run the job.');
        }
        if (res.dropped) {
            if (!changed)
                throw new NemoError('The chat stream broke before the agent changed the draft. The prompt was not re-sent (that would charge twice); re-run the job.');
            core/* warning */.$e('The chat stream broke, but the session state has an updated draft; going on with it.');
        }
        if (!ready) {
            core/* info */.pq(res.text ? 'No timeline yet.' : `The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}) and there is no timeline yet.`);
            return draft;
        }
        if (!res.text)
            core/* info */.pq(`The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}); the draft ${changed ? 'changed' : 'did not change'}.`);
        core/* info */.pq((0,timeline/* describe */.q0)((0,timeline/* summarize */.eh)(draft)));
        return draft;
    });
}
function formatMs(ms) {
    return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${(ms / 1000).toFixed(1)} s`;
}


/***/ })

};
