export const id = 607;
export const ids = [607];
export const modules = {

/***/ 3607:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createNemoBackend: () => (/* binding */ createNemoBackend)
});

// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./src/media/photo.ts + 1 modules
var photo = __webpack_require__(44944);
// EXTERNAL MODULE: ./src/shared/log.ts
var log = __webpack_require__(21827);
// EXTERNAL MODULE: ./src/shared/timeline.ts
var timeline = __webpack_require__(20098);
// EXTERNAL MODULE: ./src/shared/options.ts
var options = __webpack_require__(93951);
// EXTERNAL MODULE: ./src/shared/checks.ts
var checks = __webpack_require__(78976);
;// CONCATENATED MODULE: ./src/backends/nemo/auth.ts
// Links for anonymous users: the registration link that binds their work to an account, and the
// claim link that opens an anonymous session in the browser (it grants no API access, so it may be
// shown in the job summary).

/** Registration link that binds an anonymous user's work to a new account. */
function registerUrl(userId) {
    return `https://nemovideo.com/register${userId ? `?bind=${encodeURIComponent(userId)}` : ''}`;
}
async function claimLink(client, session, signal) {
    const data = await client.call('POST', '/api/auth/claim-token', {
        what: 'Creating the claim link',
        json: { task_id: session.taskId, session_id: session.sessionId },
        signal,
        idempotent: true
    });
    return (0,checks/* claimUrlFor */.tB)(data.claim_token);
}

// EXTERNAL MODULE: ./node_modules/eventsource-parser/dist/parse.js + 1 modules
var parse = __webpack_require__(46085);
// EXTERNAL MODULE: ./src/input-files/check-files.ts + 3 modules
var check_files = __webpack_require__(95085);
// EXTERNAL MODULE: ./src/shared/errors.ts
var errors = __webpack_require__(58382);
;// CONCATENATED MODULE: ./src/backends/nemo/errors.ts
// NemoVideo errors: the codes by name, typed errors whose messages say what happened and what to
// do, network failures in words, and the redaction every server string goes through.


const CODE = {
    tokenInvalid: 1001,
    sessionNotFound: 1002,
    outOfCredits: 2001,
    unsupportedFile: 4001,
    fileTooLarge: 4002
};
const HTTP = {
    missingClientId: 400,
    unauthorized: 401,
    planLimit: 402,
    notFound: 404,
    rateLimited: 429
};
class NemoError extends Error {
    code;
    httpStatus;
    constructor(message, opts = {}) {
        super(redact(message), { cause: opts.cause });
        this.name = 'NemoError';
        this.code = opts.code;
        this.httpStatus = opts.httpStatus;
    }
}
// every token this run used (the user's and each anonymous one): none may leave in any text
const secrets = new Set();
function addSecret(token) {
    if (token.length >= 8)
        secrets.add(token);
}
/** Tokens never reach a message, an output or the summary, even when a server echoes one back. */
function redact(text) {
    let out = text;
    for (const s of secrets)
        out = out.split(s).join('***');
    return out.replace(/nmv_[a-z]+_[A-Za-z0-9_-]+/g, m => `${m.split('_').slice(0, 2).join('_')}_***`);
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
            return `${what}: NemoVideo refused a file over its ${check_files/* MAX_FILE_BYTES */.gZ / 1024 / 1024} MB limit (code 4002)${said}. Downscale or recompress it.`;
    }
    if (httpStatus === HTTP.planLimit || code === HTTP.planLimit) {
        return `${what}: NemoVideo answered HTTP 402: the account's plan does not allow this (a plan/subscription limit, not credits)${said}. Upgrade the plan, or use a token of an account that can export.`;
    }
    if (httpStatus === HTTP.rateLimited || code === HTTP.rateLimited) {
        return `${what}: NemoVideo is rate limiting this runner (HTTP 429) even after waiting${said}. Try again later or lower max-parallel.`;
    }
    if (httpStatus >= 500)
        return `${what}: NemoVideo answered HTTP ${httpStatus}${said}. The service may be down; re-run the job later.`;
    const answer = code !== undefined && code !== 0 && code !== httpStatus ? `code ${code} (HTTP ${httpStatus})` : `HTTP ${httpStatus}`;
    return `${what}: NemoVideo answered ${answer}${said}.`;
}
const RESET_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT'
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
/** A network failure in words, without anything from the request (headers carry the token). */
function describeNetworkError(err, timeoutMs) {
    const code = errorCode(err);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'UND_ERR_CLOSED')
        return 'the connection was reset';
    const message = (0,errors/* errorMessage */.gJ)(err);
    return redact(code && !message.includes(code) ? `${code}: ${message}` : message);
}
/** The render ended as failed (the server's reason in the message). */
class RenderFailed extends NemoError {
}
/** The chat stream sent more than an event can be without completing one. */
class ReplyTooLarge extends NemoError {
}
/** One download attempt failed in a way another attempt may not. */
class BadDownload extends Error {
}
/** Over the size cap: no other attempt will be smaller. */
class TooLarge extends BadDownload {
}
/** A hop pointed into the runner's own network: the same URL will point there again. */
class Refused extends BadDownload {
}
/** A chat stream that broke (reset, closed, aborted by the peer) rather than failed. */
function isStreamBreak(err) {
    return isConnectionError(err) || errorCode(err) === 'UND_ERR_ABORTED';
}

;// CONCATENATED MODULE: ./src/backends/nemo/replies.ts
// The cloud's replies, read in one place: the {code, message, data} envelope every call gets, the
// render status in each shape the vendor's documents show (named as docs/nemovideo-protocol.md and
// the test server name them), what each status word means, and where a reply points at the MP4.


/**
 * A server's JSON with every string in it redacted (each token of the run as ***): where server
 * strings enter (every reply, every chat event), so that none that echoes a token reaches the
 * draft, the timeline, an output, the summary, a record or the log. Throws as JSON.parse does.
 */
function serverJson(text) {
    return JSON.parse(text, (_key, value) => (typeof value === 'string' ? redact(value) : value));
}
/**
 * Reads a reply body: `code != 0` is an error even with HTTP 200; a non-JSON body is one too.
 * Its strings are redacted (serverJson) unless `raw` (the few replies whose strings are used as
 * the server sent them: nemo/client.ts, CallOptions.raw); an error's message always is.
 */
function readEnvelope(status, text, raw = false) {
    let parsed;
    try {
        parsed = text.trim() ? (raw ? JSON.parse(text) : serverJson(text)) : undefined;
    }
    catch {
        parsed = undefined;
    }
    const json = (0,checks/* isObject */.Gv)(parsed);
    const env = (0,checks/* isObject */.Gv)(parsed) ? parsed : {};
    let code = typeof env.code === 'number' ? env.code : typeof env.code === 'string' && /^-?\d+$/.test(env.code) ? Number(env.code) : undefined;
    const said = [env.message, env.msg, env.error, env.detail].find(v => typeof v === 'string' && v.trim());
    const message = redact(said?.trim() ?? '').slice(0, 300);
    // the agent framework's own "session not found" (HTTP 404 {"detail": …}) is the protocol's 1002
    if (code === undefined && status === HTTP.notFound && typeof env.detail === 'string' && /session not found/i.test(env.detail)) {
        code = CODE.sessionNotFound;
    }
    // `success: false` alone is an error; with a data object (a failed render's status in the
    // envelope shape) it is a reply
    const refused = env.success === false && !(0,checks/* isObject */.Gv)(env.data);
    if (status >= 400 || (code !== undefined && code !== 0) || refused)
        return { ok: false, code, message, json };
    if (!json)
        return { ok: false, message: '', json: false };
    return { ok: true, data: env.data !== undefined && env.data !== null ? env.data : env, body: env };
}
/**
 * The render status shapes, by name. The test server answers in each (test/servers/nemo.ts builds
 * a reply per name, so a shape added here must be added there), and each reads the same.
 */
const STATUS_SHAPES = {
    /** top-level status with output.url: the shape every skill version agrees on */
    current: '{"taskId":…,"status":…,"progress":…,"output":{"url":…}}',
    /** top-level status with outputUrl: the vendor CLI */
    cli: '{"taskId":…,"status":…,"progress":…,"outputUrl":…}',
    /** the status inside a success envelope: a withdrawn document */
    envelope: '{"success":true,"data":{"id":…,"status":…,"progress":…,"outputUrl":…}}'
};
/**
 * Every status word a source shows, by what it means. The vendor documents pending, processing,
 * completed and failed; the rest are the words such services use. A word not here keeps the poll
 * going until the deadline, which names it.
 */
const STATUS_WORDS = {
    pending: 'running',
    queued: 'running',
    processing: 'running',
    rendering: 'running',
    running: 'running',
    completed: 'done',
    complete: 'done',
    succeeded: 'done',
    success: 'done',
    done: 'done',
    finished: 'done',
    failed: 'failed',
    failure: 'failed',
    error: 'failed',
    cancelled: 'failed',
    canceled: 'failed',
    timeout: 'failed'
};
const renderState = (status) => Object.hasOwn(STATUS_WORDS, status) ? STATUS_WORDS[status] : 'running';
/** The status object of a reply: the data of an envelope (when the client left it on), or the reply. */
const statusObject = (reply) => {
    const r = (0,checks/* isObject */.Gv)(reply) ? reply : {};
    return (0,checks/* isObject */.Gv)(r.data) ? r.data : r;
};
/** Where each shape (and the download endpoint's JSON answer) puts the MP4's URL, first found wins. */
function urlIn(inner) {
    const output = inner.output;
    return [
        (0,checks/* isObject */.Gv)(output) ? output.url : undefined, // current; the download endpoint's JSON
        inner.outputUrl, // cli, envelope
        inner.output_url,
        typeof output === 'string' ? output : undefined,
        inner.url,
        inner.downloadUrl,
        inner.download_url
    ].find((u) => typeof u === 'string' && u !== '');
}
/** A render status reply, in any of the STATUS_SHAPES. */
function readRenderStatus(reply) {
    const outer = (0,checks/* isObject */.Gv)(reply) ? reply : {};
    const inner = statusObject(reply);
    const p = typeof inner.progress === 'string' ? Number(inner.progress) : inner.progress;
    const progress = typeof p === 'number' && Number.isFinite(p) ? p : undefined;
    const reasonRaw = inner.error ?? inner.reason ?? inner.errorMessage ?? inner.message ?? outer.error ?? outer.message;
    const reason = typeof reasonRaw === 'string' ? reasonRaw : reasonRaw ? JSON.stringify(reasonRaw) : undefined;
    // a server's words: the status is printed, so it is redacted; both are bounded
    return {
        status: redact(String(inner.status ?? ''))
            .toLowerCase()
            .slice(0, 40),
        progress,
        url: urlIn(inner),
        // the reason only reaches a NemoError, which redacts
        reason: reason?.slice(0, 500)
    };
}
/** The MP4's URL in a JSON answer of the download endpoint (or a status reply), if it has one. */
function pointedUrl(body) {
    try {
        return urlIn(statusObject(JSON.parse(body.toString('utf8'))));
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/backends/nemo/timings.ts
// The NemoVideo protocol's timings, as the vendor documents them. Tests shorten them through
// IMG2VID_* variables; no input sets them.
function ms(name, fallback) {
    const raw = process.env[name];
    const n = raw === undefined || raw === '' ? NaN : Number(raw);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
}
const timings = {
    /** heartbeats only for this long = a stalled stream (protocol: 10 minutes) */
    get stallMs() {
        return ms('IMG2VID_STALL_MS', 10 * 60_000);
    },
    /** "⏳ Still working…" cadence (protocol: every 2 minutes) */
    get stillWorkingMs() {
        return ms('IMG2VID_STILL_WORKING_MS', 2 * 60_000);
    },
    /** wait after a 429 without Retry-After (protocol: 30 s) */
    get retryWaitMs() {
        return ms('IMG2VID_RETRY_WAIT_MS', 30_000);
    },
    /** cap on any Retry-After we honour */
    get retryWaitCapMs() {
        return ms('IMG2VID_RETRY_WAIT_CAP_MS', 120_000);
    },
    /** headers/body inactivity timeout of a plain (non-streaming) request */
    get requestTimeoutMs() {
        return ms('IMG2VID_REQUEST_TIMEOUT_MS', 60_000);
    },
    /** after a dropped or stalled stream, the first state read (vendor: 30 s) */
    get dropFirstWaitMs() {
        return ms('IMG2VID_DROP_WAIT_MS', 30_000);
    },
    /** then a read this often while the draft is unchanged (vendor: 60 s) */
    get dropRecheckMs() {
        return ms('IMG2VID_DROP_RECHECK_MS', 60_000);
    },
    /** unchanged reads before giving up (vendor: 5, about 5 minutes) */
    dropMaxReads: 5
};

;// CONCATENATED MODULE: ./src/backends/nemo/chat.ts
// One chat turn over SSE (/run_sse): Google ADK events or the older {"type":…} format, heartbeats,
// partial chunks followed by the full text (printed once), tool calls, in-stream errors, a stall
// limit, and "⏳ Still working…" while only heartbeats arrive. What a reply may grow to is capped
// (a server controls it). A message is never re-sent once it may have reached the agent: that
// would charge twice.





/** Text kept (and so printed) of one turn's reply; a real reply is a few kilobytes. */
const MAX_REPLY_CHARS = 1024 * 1024;
/** Tool calls kept of one turn. */
const MAX_TOOL_CALLS = 1000;
/** Bytes the stream may send without completing an event (one event is kilobytes). */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;
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
    /** the reply passed MAX_REPLY_CHARS */
    tooLarge = false;
    partial = '';
    legacy = '';
    kept = 0;
    constructor(print = line => log/* log */.R.info(line)) {
        this.print = print;
    }
    /** One SSE `data` payload. */
    onData(data) {
        if (!data.trim())
            return; // an empty data line is a heartbeat
        let ev;
        try {
            // the agent's text, tool calls and errors are server strings: redacted as they enter
            ev = serverJson(data);
        }
        catch {
            log/* log */.R.debug(`Ignoring an event that is not JSON: ${redact(data.slice(0, 200))}`);
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
                this.legacy += this.take(typeof ev.content === 'string' ? ev.content : typeof ev.text === 'string' ? ev.text : '');
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
                    this.partial += this.take(p.text);
                }
                else {
                    // the final event repeats the partial chunks' whole text: counted once, as the final text
                    this.kept -= this.partial.length;
                    this.partial = '';
                    this.flushText(this.take(p.text));
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
    /** Counts text against the cap; past it the reply is refused, nothing more is kept. */
    take(text) {
        if (this.tooLarge)
            return '';
        this.kept += text.length;
        if (this.kept > MAX_REPLY_CHARS) {
            this.tooLarge = true;
            return '';
        }
        return text;
    }
    tool(name, args) {
        if (this.toolCalls.length >= MAX_TOOL_CALLS) {
            this.tooLarge = true;
            return;
        }
        const n = typeof name === 'string' && name ? chat_short(name, 60) : 'tool';
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
async function chat(client, sessionId, message, signal) {
    const what = 'Sending the prompt to the agent';
    // `streaming: true`: the agent framework sends partial text events only when asked
    const body = {
        app_name: 'nemo_agent',
        user_id: 'me',
        session_id: sessionId,
        new_message: { role: 'user', parts: [{ text: message }] },
        streaming: true
    };
    const stop = new AbortController();
    const sig = AbortSignal.any([signal, stop.signal]);
    const reader = new ReplyReader();
    let stalled = false;
    let waiting = false; // a 429 wait or a token renewal is not the agent being slow
    let lastNote = reader.lastContent;
    // one watch from the moment the prompt leaves: "still working" notes, then the stall limit
    const watch = setInterval(() => {
        if (waiting)
            return;
        const now = Date.now();
        const quiet = now - reader.lastContent;
        if (quiet >= timings.stallMs) {
            stalled = true;
            stop.abort(new Error('stalled'));
        }
        else if (quiet >= timings.stillWorkingMs && now - lastNote >= timings.stillWorkingMs) {
            lastNote = now;
            log/* log */.R.info(`⏳ Still working… (${Math.round(quiet / 1000)} s without a reply; long generations take minutes)`);
        }
    }, Math.max(20, Math.min(1000, timings.stillWorkingMs / 4, timings.stallMs / 4)));
    const result = (over) => ({
        text: reader.texts.join('\n\n'),
        texts: reader.texts,
        toolCalls: reader.toolCalls,
        dropped: false,
        stalled: false,
        ...over
    });
    try {
        let start;
        try {
            start = await client.openStream('/run_sse', {
                what,
                json: body,
                signal: sig,
                timeoutMs: timings.stallMs,
                onWaiting: w => {
                    waiting = w;
                    if (!w)
                        reader.lastContent = Date.now();
                }
            });
        }
        catch (err) {
            if (signal.aborted)
                throw signal.reason ?? err;
            if (stalled)
                return result({ stalled: true });
            throw err;
        }
        if ('broken' in start) {
            if (stalled || start.headersTimeout)
                return result({ stalled: true });
            log/* log */.R.info(`${what}: the connection broke before the reply started (${start.broken}).`);
            return result({ dropped: true });
        }
        const res = start.res;
        let sinceEvent = 0;
        const parser = (0,parse/* createParser */.C)({
            onEvent: e => {
                sinceEvent = 0;
                reader.onData(e.data);
            }
        });
        const decoder = new TextDecoder();
        reader.lastContent = Date.now();
        try {
            for await (const chunk of res.body) {
                sinceEvent += chunk.length;
                if (sinceEvent > MAX_EVENT_BYTES)
                    reader.tooLarge = true;
                else
                    parser.feed(decoder.decode(chunk, { stream: true }));
                if (reader.error || reader.tooLarge)
                    break;
            }
            if (!reader.tooLarge) {
                parser.feed(decoder.decode());
                parser.reset({ consume: true }); // an event cut short of its blank line still counts
            }
        }
        catch (err) {
            if (signal.aborted)
                throw signal.reason ?? err;
            if (stalled)
                return finish(reader, result({ stalled: true }));
            if (!isStreamBreak(err))
                throw err;
            log/* log */.R.info('The chat stream broke before the server closed it.');
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
/** Prints what the reader held back; an in-stream error or an oversized reply wins over everything else. */
function finish(reader, res) {
    if (reader.tooLarge) {
        throw new ReplyTooLarge(`The agent's reply was too large (over ${MAX_REPLY_CHARS / 1048576} MB of text, ${MAX_TOOL_CALLS} tool calls or ${MAX_EVENT_BYTES / 1048576} MB without an event); stopped reading it. Re-run the job; if it keeps happening, check 'api-url'.`);
    }
    reader.finish();
    if (reader.error)
        throw new NemoError(`The agent reported an error: ${reader.error.slice(0, 500)}. Re-run the job; if it keeps failing, simplify the prompt.`);
    return { ...res, text: reader.texts.join('\n\n') };
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __webpack_require__(24371);
// EXTERNAL MODULE: ./src/shared/version.ts + 1 modules
var version = __webpack_require__(74876);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/proxy.js
var lib_proxy = __webpack_require__(19783);
// EXTERNAL MODULE: external "node:dns/promises"
var external_node_dns_promises_ = __webpack_require__(71553);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(77030);
;// CONCATENATED MODULE: ./src/backends/nemo/proxy.ts
// The runner's proxy, for every connection the cloud backend makes. Which origin goes through
// which proxy is decided by @actions/http-client's getProxyUrl, the rule of the toolkit's own parts
// (artifact, cache, tool-cache): https_proxy / HTTPS_PROXY for https, http_proxy / HTTP_PROXY for
// http, no_proxy / NO_PROXY, and loopback never through a proxy. So on a proxied self-hosted runner
// the API calls, the upload and the download go the way the artifact upload does.




/** The proxy an origin's connections go through, or undefined for a direct connection. */
function proxyFor(url) {
    const proxy = (0,lib_proxy/* getProxyUrl */.s)(url);
    if (!proxy || proxy.protocol === 'http:' || proxy.protocol === 'https:')
        return proxy;
    // 'proxy.corp:3128' without a scheme parses as a URL of scheme 'proxy.corp:'; curl, and the
    // person who wrote it, mean http://proxy.corp:3128
    try {
        return new URL(`http://${proxy.href}`);
    }
    catch {
        return undefined;
    }
}
/** A proxy as a log line may show it: its origin, never its credentials. */
const shownProxy = (proxy) => `${proxy.protocol}//${proxy.host}`;
/**
 * A dispatcher that connects each origin through the runner's proxy for it, or directly with the
 * options given (a connector of the caller's, which then sees every direct connection). A proxy's
 * credentials in its URL become its Proxy-Authorization header (undici's ProxyAgent).
 */
function proxyAware(opts = {}) {
    return new undici/* Agent */.g6({
        ...opts,
        factory: (origin, options) => {
            const proxy = proxyFor(new URL(origin));
            if (proxy)
                return new undici/* ProxyAgent */.kT({ uri: proxy.href });
            // undici's own default for a direct origin
            const direct = options;
            return direct.connections === 1 ? new undici/* Client */.Kj(origin, direct) : new undici/* Pool */.bC(origin, direct);
        }
    });
}
/**
 * The addresses a proxied host has here. Through a proxy the runner never connects to the host
 * itself, so its connector cannot check the address: the name is resolved here and checked first.
 * The proxy resolves it again, on its own network: this only keeps the runner from asking for an
 * address it would refuse itself.
 */
async function addressesOf(hostname) {
    const host = hostname.replace(/^\[|\]$/g, '');
    if ((0,external_node_net_.isIP)(host))
        return [host];
    return (await (0,external_node_dns_promises_.lookup)(host, { all: true })).map(a => a.address);
}

;// CONCATENATED MODULE: ./src/backends/nemo/client.ts
// The one NemoVideo client: every request goes through it, the SSE stream and downloads included.
// It owns the token (a user's secret, or an anonymous one fetched with X-Client-Id and renewed on
// 1001), the attribution headers, Bearer auth only to the API origin, the {code,message,data}
// envelope, the 429 pause shared by every call of the run, one retry of idempotent calls on
// 5xx/reset, the size cap of JSON replies, and redaction of every server string (each reply's
// strings as it is read, replies.ts; the chat's events in chat.ts, by the same serverJson).










const ATTRIBUTION = {
    'x-skill-source': 'img2vid-action',
    'x-skill-version': version/* VERSION */.x,
    'x-skill-platform': 'github-actions'
};
/** An envelope reply is kilobytes; a body past this is not a NemoVideo reply (and would exhaust memory). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Wait after a 429: Retry-After in seconds or as an HTTP date, else the default; capped. */
function retryAfterMs(header, now = Date.now()) {
    const raw = (Array.isArray(header) ? header[0] : header)?.trim();
    let ms = timings.retryWaitMs;
    if (raw) {
        if (/^\d+(\.\d+)?$/.test(raw))
            ms = Number(raw) * 1000;
        else if (!Number.isNaN(Date.parse(raw)))
            ms = Date.parse(raw) - now;
    }
    return Math.min(Math.max(ms, 0), timings.retryWaitCapMs);
}
/** Reads a body up to `max` bytes; past that the connection is dropped and the reply refused. */
async function readCapped(body, max, what) {
    const chunks = [];
    let size = 0;
    for await (const chunk of body) {
        size += chunk.length;
        if (size > max) {
            body.destroy();
            throw new NemoError(`${what}: NemoVideo's reply is over ${max / 1048576} MB, which no API reply is; not reading it. Check that 'api-url' points at the NemoVideo API.`);
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
// 429 slows every call to that API down, not only the one that got it (batch videos share it)
const pausedUntil = new Map();
/** Every API call of the run goes through one dispatcher: the runner's proxy when it has one. */
let apiDispatcher;
const dispatcher = () => (apiDispatcher ??= proxyAware());
class NemoClient {
    cfg;
    base;
    /** anon_… user id of an anonymous token, for the registration link */
    userId;
    current;
    pending;
    clientId;
    constructor(cfg) {
        this.cfg = cfg;
        this.base = cfg.apiUrl;
        if (cfg.token) {
            core/* setSecret */.Pq(cfg.token);
            addSecret(cfg.token);
            this.current = cfg.token;
        }
        this.clientId = cfg.clientId.trim() || (0,external_node_crypto_.randomUUID)();
        const proxy = proxyFor(this.base);
        if (proxy)
            log/* log */.R.info(`NemoVideo: through the proxy ${shownProxy(proxy)} (the runner's ${this.base.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'}).`);
    }
    /** True when the run uses an anonymous token (no user token was given). */
    get anonymous() {
        return !this.cfg.token;
    }
    url(path) {
        return new URL(path, this.base);
    }
    /** Attribution on every request; the token only to the API origin (downloads may go elsewhere). */
    async headersFor(url, signal, extra = {}, auth = true) {
        const h = { ...ATTRIBUTION, ...extra };
        if (auth && url.origin === this.base.origin)
            h.authorization = `Bearer ${await this.token(signal)}`;
        return h;
    }
    /** A JSON call; returns the envelope's `data` (or the bare object). */
    async call(method, path, opts) {
        return (await this.send(method, path, opts)).data;
    }
    /** A JSON call; returns `data` and the whole body (some replies put fields at the top level). */
    async send(method, path, opts) {
        const out = await this.exchange(method, path, opts, false);
        if ('reply' in out)
            return out.reply;
        throw new Error('unreachable: a JSON call has no stream');
    }
    /**
     * Opens an SSE request (POST, JSON body, `Accept: text/event-stream`). It is repeated only when
     * the server refused it before streaming (429, 1001): nothing was charged then. A break after the
     * request may have left is handed back as `broken`, never repeated: the caller judges it by the
     * session state.
     */
    async openStream(path, opts) {
        const out = await this.exchange('POST', path, { ...opts, headers: { accept: 'text/event-stream', ...opts.headers } }, true, opts.onWaiting);
        if ('reply' in out)
            throw new Error('unreachable: a stream is never a JSON reply');
        return out;
    }
    async exchange(method, path, opts, stream, onWaiting = () => undefined) {
        let rateRetried = false;
        let faultRetried = false;
        let authRetried = false;
        const timeout = opts.timeoutMs ?? timings.requestTimeoutMs;
        const retryFault = async (why, waitMs) => {
            faultRetried = true;
            log/* log */.R.info(`${opts.what}: ${why}; retrying once.`);
            await (0,promises_.setTimeout)(waitMs, undefined, { signal: opts.signal });
        };
        const url = this.url(path);
        for (;;) {
            onWaiting(true);
            await this.waitForRateLimit(opts.signal);
            const headers = await this.headersFor(url, opts.signal, stream ? { ...opts.headers } : { accept: 'application/json', ...opts.headers }, opts.auth !== false);
            onWaiting(false);
            const sentToken = headers.authorization?.slice('Bearer '.length);
            let body = opts.body?.();
            if (opts.json !== undefined) {
                body = JSON.stringify(opts.json);
                headers['content-type'] = 'application/json';
            }
            let res;
            try {
                // a stream has no body timeout: the caller's stall watch and the job deadline bound it
                res = await (0,undici/* request */.Em)(url, {
                    method,
                    headers,
                    body,
                    signal: opts.signal,
                    headersTimeout: timeout,
                    bodyTimeout: stream ? 0 : timeout,
                    dispatcher: dispatcher()
                });
            }
            catch (err) {
                if (opts.signal.aborted)
                    throw opts.signal.reason ?? err;
                if (err instanceof NemoError)
                    throw err; // raised by our own request body (an upload)
                const reason = describeNetworkError(err, timeout);
                if (!faultRetried && (neverSent(err) || (opts.idempotent && isConnectionError(err)))) {
                    await retryFault(`connection problem (${reason})`, Math.min(500, timings.retryWaitMs));
                    continue;
                }
                // only a connection that never opened proves a stream's request never left
                if (stream && !neverSent(err))
                    return { broken: reason, headersTimeout: /no answer within/.test(reason) };
                throw new NemoError(`${opts.what}: could not reach NemoVideo at ${this.base.origin} (${reason}). Check 'api-url' and the runner's network, then re-run the job.`, { cause: err });
            }
            const type = String(res.headers['content-type'] ?? '').toLowerCase();
            // a gateway may drop the content type of a stream; only JSON is read as an envelope
            if (stream && res.statusCode === 200 && !type.includes('json'))
                return { res };
            let text;
            try {
                text = await readCapped(res.body, MAX_JSON_BYTES, opts.what);
            }
            catch (err) {
                if (opts.signal.aborted)
                    throw opts.signal.reason ?? err;
                if (err instanceof NemoError)
                    throw err;
                if (stream)
                    return { broken: describeNetworkError(err, timeout), headersTimeout: false };
                throw new NemoError(`${opts.what}: the reply broke off (${describeNetworkError(err, timeout)}).`, { cause: err });
            }
            const status = res.statusCode;
            const env = readEnvelope(status, text, opts.raw);
            if (env.ok) {
                if (stream)
                    throw new NemoError(`${opts.what}: NemoVideo answered with JSON instead of an event stream. Check that 'api-url' points at the NemoVideo API.`);
                return { reply: { data: env.data, body: env.body, status } };
            }
            if (status === HTTP.rateLimited) {
                // on the token endpoint a 429 is the vendor's limit on anonymous tokens: waiting won't help
                if (!rateRetried && opts.auth !== false) {
                    rateRetried = true;
                    const wait = retryAfterMs(res.headers['retry-after']);
                    this.pause(wait);
                    log/* log */.R.info(`${opts.what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`);
                    continue;
                }
                throw new NemoError(explain(opts.what, env.code, status, env.message), { code: env.code, httpStatus: status });
            }
            const rejected = env.code === CODE.tokenInvalid || (status === HTTP.unauthorized && env.code === undefined);
            if (rejected && opts.auth !== false && sentToken && !authRetried) {
                authRetried = true;
                onWaiting(true);
                await this.renew(sentToken, opts.signal);
                continue;
            }
            if (status >= 500 && opts.idempotent && !faultRetried) {
                await retryFault(`NemoVideo answered HTTP ${status}`, Math.min(1000, timings.retryWaitMs));
                continue;
            }
            // a gateway error may come after the agent got the prompt: the state decides, not a resend
            if (stream && status >= 500 && env.code === undefined)
                return { broken: `NemoVideo answered HTTP ${status}`, headersTimeout: false };
            if (status < 400 && env.code === undefined && !env.json) {
                throw new NemoError(`${opts.what}: NemoVideo answered HTTP ${status} with a body that is not JSON. Check that 'api-url' points at the NemoVideo API.`, {
                    httpStatus: status
                });
            }
            const code = rejected ? CODE.tokenInvalid : env.code;
            throw new NemoError(explain(opts.what, code, status, env.message), { code, httpStatus: status });
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
    // ---- the token
    async token(signal) {
        if (this.current)
            return this.current;
        // concurrent callers share one anonymous token
        this.pending ??= this.fetchAnonymous(signal).finally(() => (this.pending = undefined));
        return this.pending;
    }
    /** A 1001 arrived for `rejected`: a new anonymous token, or a failure for a user's secret. */
    async renew(rejected, signal) {
        if (!this.anonymous) {
            throw new NemoError("NemoVideo rejected the token from the 'token' input / NEMO_TOKEN secret (code 1001: expired or invalid). Create a new token and update the secret, or remove it to use an anonymous token.", { code: CODE.tokenInvalid });
        }
        if (this.current !== rejected)
            return; // another call already renewed it
        log/* log */.R.info('The anonymous NemoVideo token was rejected (code 1001); fetching a new one.');
        this.current = undefined;
        await this.token(signal);
    }
    async fetchAnonymous(signal) {
        if (!this.cfg.allowAnonymous) {
            throw new NemoError("No NemoVideo token: set the 'token' input (or env NEMO_TOKEN) from a secret, or set 'allow-anonymous: true'.");
        }
        const what = 'Getting an anonymous NemoVideo token';
        const ask = () => this.call('POST', '/api/auth/anonymous-token', { what, auth: false, headers: { 'x-client-id': this.clientId }, signal, raw: true });
        let data;
        try {
            data = await ask();
        }
        catch (err) {
            if (err instanceof NemoError && err.httpStatus === HTTP.rateLimited) {
                throw new NemoError(`${what}: NemoVideo refused a new anonymous token (HTTP 429): it gives one per client id and about 10 per IP address per 7 days, and runners share addresses. Add a NEMO_TOKEN secret and pass it as 'token'.`, { httpStatus: HTTP.rateLimited, cause: err });
            }
            // HTTP 400 means the X-Client-Id did not arrive (a proxy may strip it): send it again, once
            if (!(err instanceof NemoError && err.httpStatus === HTTP.missingClientId))
                throw err;
            log/* log */.R.info(`${what}: HTTP 400 (X-Client-Id missing?); sending it again.`);
            data = await ask();
        }
        if (typeof data.token !== 'string' || !data.token)
            throw new NemoError(`${what}: the reply has no token. Set the 'token' input from a secret instead.`);
        core/* setSecret */.Pq(data.token);
        addSecret(data.token);
        this.current = data.token;
        this.userId = typeof data.user_id === 'string' && /^[\w.-]{1,100}$/.test(data.user_id) ? data.user_id : undefined;
        log/* log */.R.info(`Using an anonymous NemoVideo token${typeof data.credits === 'number' ? ` (${data.credits} credits)` : ''}.`);
        return data.token;
    }
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: ./src/media/mp4.ts + 3 modules
var mp4 = __webpack_require__(46325);
// EXTERNAL MODULE: ./src/media/errors.ts
var media_errors = __webpack_require__(77581);
// EXTERNAL MODULE: ./src/shared/guards.ts
var guards = __webpack_require__(62675);
// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(78877);
// EXTERNAL MODULE: external "node:vm"
var external_node_vm_ = __webpack_require__(30714);
;// CONCATENATED MODULE: ./src/shared/transfer-memory.ts
// Bounds the memory a long transfer holds in buffers it is done with. Node gives each socket read
// (and each file read here) a buffer of its own, outside V8's heap; V8 frees the unused ones at
// its next collection, which on a fast transfer comes only after about 64 MB of them have piled up
// (its trigger for memory outside the heap), with more arriving while it runs. A young-generation
// collection every 16 MB keeps the pile near that: a 500 MiB download over loopback peaked at
// 160-174 MB of RSS in a bare undici or node:http client, and at about 115 MB with this, in the
// same time (npm run bench -- --only=transfers keeps the figure).
//
// V8 has no API for this: the documented way is the --expose-gc flag, set here once at run time,
// which gives contexts created afterwards a gc() function; the one made here is the only one used.
// If a Node ever refuses it, transfers simply run without the bound.


const EVERY_BYTES = 16 * 1024 * 1024;
let collect;
function minorGc() {
    if (collect === undefined) {
        try {
            (0,external_node_v8_.setFlagsFromString)('--expose-gc');
            const gc = (0,external_node_vm_.runInNewContext)('typeof gc === "function" ? gc : undefined');
            collect = typeof gc === 'function' ? gc : null;
        }
        catch {
            collect = null;
        }
    }
    return collect;
}
/** Count a transfer's bytes through this: every 16 MB, the buffers it is done with are freed. */
function transferMemoryBound() {
    const gc = minorGc();
    let since = 0;
    return bytes => {
        since += bytes;
        if (since < EVERY_BYTES || !gc)
            return;
        since = 0;
        gc({ type: 'minor' });
    };
}
/** Whether this Node lets the bound work (the bench's memory figure depends on it). */
const transferMemoryBoundActive = () => minorGc() !== null;

// EXTERNAL MODULE: ./src/shared/file-caps.ts
var file_caps = __webpack_require__(79581);
;// CONCATENATED MODULE: ./src/backends/nemo/download.ts
// The rendered MP4, streamed into the job's temp file. Every byte goes through the MP4 inspector
// as it is written, so a body that is not a whole MP4 (truncated, cut short without a
// Content-Length, a web page) is known at its last byte and retried; the finish line gets the
// facts without reading the file again. Authorization goes only to the API origin, also across
// redirects; only https (or loopback http) is followed, and no hop may connect into the runner's
// own network (guards.ts says which addresses). The URL is reported with every token as ***.















/** a JSON answer of the fallback endpoint (`{output:{url}}`) is small */
const download_MAX_JSON_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;
/** One per API: its origin and whether it is loopback decide what the connector lets through. */
const agents = new Map();
/**
 * The dispatcher of every download. Its connector checks the address each connection goes to: an
 * IP literal (as the URL parser normalised it: 0xa.1 is 10.0.0.1) before connecting, a name in the
 * lookup the socket connects with (guardedLookup), so what is checked is what is connected to. The
 * API's own origin is exempt: the user chose it, and every API call goes there with the token.
 * Loopback is allowed only when api-url is loopback; plain http must land on loopback.
 */
function downloadAgent(api, resolve) {
    const allowLoopback = (0,guards/* isLoopbackHost */.cW)(api.hostname);
    const httpsRefusal = (address) => (0,guards/* addressRefusal */.V4)(address, allowLoopback);
    const httpRefusal = (address) => httpsRefusal(address) ?? ((0,guards/* isLoopbackAddress */.Ow)(address) ? undefined : 'not a loopback address (plain http goes only to loopback)');
    const guarded = {
        'https:': { refusal: httpsRefusal, connect: (0,undici/* buildConnector */.gU)({ lookup: (0,guards/* guardedLookup */.rN)(httpsRefusal, resolve) }) },
        'http:': { refusal: httpRefusal, connect: (0,undici/* buildConnector */.gU)({ lookup: (0,guards/* guardedLookup */.rN)(httpRefusal, resolve) }) }
    };
    const direct = (0,undici/* buildConnector */.gU)({});
    const apiEndpoint = endpoint(api.protocol, api.hostname, api.port);
    // a proxied hop never reaches this connector: downloadOnce checks its host before it is sent
    return proxyAware({
        connect: (opts, callback) => {
            if (endpoint(opts.protocol, opts.hostname, opts.port) === apiEndpoint)
                return direct(opts, callback);
            const rules = guarded[opts.protocol];
            if (!rules)
                return callback(new errors/* RefusedDestination */.rN(opts.hostname, opts.hostname, 'not reached over http or https'), null);
            // net.connect skips the lookup for an IP literal: it is checked here
            const host = opts.hostname.replace(/^\[|\]$/g, '');
            const why = (0,external_node_net_.isIP)(host) ? rules.refusal(host) : undefined;
            if (why)
                return callback(new errors/* RefusedDestination */.rN(host, host, why), null);
            rules.connect(opts, callback);
        }
    });
}
/**
 * A hop that goes through the runner's proxy: the connector never sees where it leads, so its host
 * is checked here as the connector checks a direct one. A name this runner cannot resolve is left
 * to the proxy (a proxied network often resolves only through it); a name that resolves here to an
 * address of the runner's own network is refused.
 */
async function checkProxiedHop(url, api) {
    if (!proxyFor(url) || endpoint(url.protocol, url.hostname, url.port) === endpoint(api.protocol, api.hostname, api.port))
        return;
    const addresses = await addressesOf(url.hostname).catch(() => []);
    for (const address of addresses) {
        const why = (0,guards/* addressRefusal */.V4)(address, (0,guards/* isLoopbackHost */.cW)(api.hostname));
        if (why)
            throw new errors/* RefusedDestination */.rN(url.hostname, address, why);
    }
}
function endpoint(protocol, hostname, port) {
    return `${protocol}//${hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${port || (protocol === 'https:' ? '443' : '80')}`;
}
function agentFor(api) {
    let agent = agents.get(api.origin);
    if (!agent)
        agents.set(api.origin, (agent = downloadAgent(api)));
    return agent;
}
/** The refusal behind a failed request (undici may wrap it, autoSelectFamily aggregate it). */
function refusalIn(err, depth = 0) {
    if (err instanceof errors/* RefusedDestination */.rN)
        return err;
    if (!err || typeof err !== 'object' || depth > 3)
        return undefined;
    const e = err;
    for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
        const found = refusalIn(inner, depth + 1);
        if (found)
            return found;
    }
    return undefined;
}
const decode = (text, plus) => {
    try {
        return decodeURIComponent(plus ? text.replace(/\+/g, ' ') : text);
    }
    catch {
        return text;
    }
};
/** One part of a URL with every token this run used as ***, also when the part carries it URI-encoded. */
function scrub(part, plus = false) {
    const decoded = decode(part, plus);
    const clean = redact(decoded);
    return clean === decoded ? part : encodeURIComponent(clean);
}
/**
 * The download URL as the action reports it (video-url, videos, the job summary, the cache
 * record): a server may echo the run's token into it (a signed-URL scheme, a misconfigured CDN),
 * and no output may carry a token. Raw anywhere, or URI-encoded in a path segment, a query name
 * or value or the fragment, it becomes ***; user info is never reported.
 */
function reportedUrl(url) {
    let u;
    try {
        u = new URL(redact(url.href));
    }
    catch {
        return `${url.protocol}//***`;
    }
    if (u.username || u.password) {
        u.username = '***';
        u.password = '';
    }
    u.pathname = u.pathname
        .split('/')
        .map(s => scrub(s))
        .join('/');
    if (u.search) {
        u.search = u.search
            .slice(1)
            .split('&')
            .map(pair => {
            const at = pair.indexOf('=');
            return at < 0 ? scrub(pair, true) : `${scrub(pair.slice(0, at), true)}=${scrub(pair.slice(at + 1), true)}`;
        })
            .join('&');
    }
    if (u.hash)
        u.hash = scrub(u.hash.slice(1));
    return u.href;
}
/**
 * One download of `url` into `file` (truncated first). Follows redirects and, once, a JSON body
 * that points at the MP4 (`{output:{url}}`, as one gateway's download endpoint answers).
 */
async function download(client, url, file, signal) {
    const timeout = timings.requestTimeoutMs;
    let received = 0;
    let expected;
    let current = url;
    let pointers = 0;
    // what led to `current`, for a refusal's message (the first hop of the fallback is the API's
    // origin, never refused)
    let whence = "the render's download URL";
    const dispatcher = agentFor(client.base);
    try {
        for (let hop = 0;; hop++) {
            if (!(0,guards/* isAllowedUrl */.y2)(current))
                throw new BadDownload(`refusing to download from ${current.protocol}//${current.host}: only https (or loopback http) is allowed`);
            await checkProxiedHop(current, client.base);
            const headers = await client.headersFor(current, signal);
            let redirect;
            let statusCode = 0;
            let json;
            const inspector = new mp4/* Mp4Inspector */.d();
            const bound = transferMemoryBound();
            received = 0;
            expected = undefined;
            await (0,undici/* stream */.Td)(current, { method: 'GET', headers, signal, headersTimeout: timeout, bodyTimeout: timeout, dispatcher }, ({ statusCode: code, headers: h }) => {
                statusCode = code;
                if (statusCode >= 300 && statusCode < 400 && h.location) {
                    redirect = String(h.location);
                    return discard();
                }
                if (statusCode !== 200)
                    return discard();
                const len = Number(h['content-length']);
                expected = h['content-length'] !== undefined && Number.isFinite(len) ? len : undefined;
                if (/json/i.test(String(h['content-type'] ?? ''))) {
                    json = [];
                    return download_collect(json, download_MAX_JSON_BYTES);
                }
                if (expected !== undefined && expected > file_caps/* MAX_VIDEO_BYTES */.T)
                    throw new TooLarge(`the video is ${expected} bytes, over the ${file_caps/* MAX_VIDEO_BYTES */.T} byte cap`);
                return fileSink(file, chunk => {
                    received += chunk.length;
                    if (received > file_caps/* MAX_VIDEO_BYTES */.T)
                        throw new TooLarge(`the download passed the ${file_caps/* MAX_VIDEO_BYTES */.T} byte cap`);
                    inspector.update(chunk);
                    bound(chunk.length);
                });
            });
            if (redirect) {
                if (hop >= MAX_REDIRECTS)
                    throw new BadDownload(`too many redirects (more than ${MAX_REDIRECTS})`);
                whence = `a redirect from ${current.hostname}`;
                current = new URL(redirect, current);
                continue;
            }
            if (statusCode !== 200)
                throw new BadDownload(`HTTP ${statusCode}`);
            if (json) {
                const next = pointedUrl(Buffer.concat(json));
                if (!next || pointers++ > 0)
                    throw new BadDownload('the body is JSON without a usable output.url');
                whence = `the URL in the JSON answer from ${current.hostname}`;
                current = new URL(next, current);
                continue;
            }
            if (expected !== undefined && received !== expected)
                throw new BadDownload(`truncated: ${received} of ${expected} bytes arrived`);
            try {
                return { facts: await inspector.finish(signal), url: reportedUrl(current) };
            }
            catch (err) {
                if (err instanceof media_errors/* BadMp4Error */.ph)
                    throw new BadDownload(`the body is ${err.message}`);
                throw err;
            }
        }
    }
    catch (err) {
        if (signal.aborted)
            throw signal.reason ?? err;
        if (err instanceof BadDownload)
            throw err;
        const refused = refusalIn(err);
        if (refused) {
            const at = (0,external_node_net_.isIP)(current.hostname.replace(/^\[|\]$/g, '')) ? current.hostname : `${current.hostname} (${refused.address})`;
            throw new Refused(`${whence} points at ${at}, ${refused.reason}: refused`);
        }
        const got = received > 0 || expected !== undefined ? ` after ${received}${expected !== undefined ? ` of ${expected}` : ''} bytes` : '';
        const what = isConnectionError(err) && received > 0 ? 'truncated: the connection closed' : describeNetworkError(err, timeout);
        throw new BadDownload(`${what}${got}`, { cause: err });
    }
}
/**
 * The rendered MP4 in `file`: the render's URL, once more on a bad download, then the API's
 * download endpoint; otherwise a failure that names every attempt. Over the cap is final.
 */
async function downloadVideo(client, renderId, url, file, signal) {
    const fallback = client.url(`/api/render/proxy/${encodeURIComponent(renderId)}/download`);
    let primary;
    try {
        primary = url ? new URL(url, client.base) : undefined;
    }
    catch {
        log/* log */.R.info(`Render ${renderId} gave an unusable URL; using the download endpoint.`);
    }
    const attempts = primary ? [primary, primary, fallback] : [fallback, fallback];
    const errors = [];
    for (let i = 0; i < attempts.length; i++) {
        const target = attempts[i];
        try {
            const started = Date.now();
            const got = await download(client, target, file, signal);
            log/* log */.R.info(`⬇️  ${(got.facts.info.size / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
            return got;
        }
        catch (err) {
            if (!(err instanceof BadDownload))
                throw err;
            errors.push(`${target === fallback ? 'fallback' : 'download'}: ${err.message}`); // NemoError redacts
            if (err instanceof TooLarge)
                break;
            // the same URL would be refused again: on to the next different one
            if (err instanceof Refused)
                while (attempts[i + 1] === target)
                    i++;
            if (i < attempts.length - 1) {
                log/* log */.R.info(`The download failed (${redact(err.message)}); ${attempts[i + 1] === fallback ? 'trying the fallback download endpoint' : 'retrying'}.`);
            }
        }
    }
    throw new NemoError(`Could not download render ${renderId}: ${errors.join('; ')}. Nothing was written to the output. Re-run the job.`);
}
function discard() {
    return new external_node_stream_.Writable({ write: (_c, _e, cb) => cb() });
}
function download_collect(into, max) {
    let size = 0;
    return new external_node_stream_.Writable({
        write(chunk, _e, cb) {
            size += chunk.length;
            if (size > max)
                return cb(new BadDownload(`the JSON answer is over ${max} bytes`));
            into.push(chunk);
            cb();
        }
    });
}
/**
 * Chunks go straight to the file with a synchronous write: no second queue, no thread-pool hop per
 * chunk, and each buffer is released as soon as it is on disk; undici pauses the socket while a
 * write runs, which is the back-pressure.
 */
function fileSink(file, onChunk) {
    const fd = (0,external_node_fs_.openSync)(file, 'w');
    let open = true;
    const close = () => {
        if (open)
            (0,external_node_fs_.closeSync)(fd);
        open = false;
    };
    return new external_node_stream_.Writable({
        highWaterMark: 1 << 20,
        write(chunk, _enc, cb) {
            try {
                onChunk(chunk);
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
}

;// CONCATENATED MODULE: ./src/backends/nemo/instruction.ts
// The request as the cloud agent reads it: the options compiled into one precise instruction
// appended to the first prompt turn, and the checks of the draft the agent produced against them.


/** The options as one instruction appended to the first turn; empty when none were given. */
function compileInstruction(req, uploaded = []) {
    const lines = [];
    if (uploaded.length)
        lines.push(`Use the uploaded images in this order: ${uploaded.join(', ')}.`);
    if (req.duration !== undefined)
        lines.push(`Total video length: exactly ${req.duration} seconds.`);
    if (req.aspectRatio) {
        const { width, height } = (0,options/* canvasSize */.IL)(req.aspectRatio, req.resolution);
        lines.push(`Aspect ratio ${req.aspectRatio}, canvas ${width}x${height}.`);
    }
    else {
        lines.push(`Resolution ${req.resolution}.`);
    }
    if (req.transition === 'none')
        lines.push('No transitions: hard cuts between images.');
    else if (req.transition)
        lines.push(`Use ${req.transition} transitions between images.`);
    if (req.title)
        lines.push(`Show the title text ${JSON.stringify(req.title)} at the start.`);
    const captions = (req.captions ?? []).flatMap((c, i) => c ? [`image ${i + 1}${uploaded[i] ? ` (${uploaded[i]})` : ''}: ${JSON.stringify(c)}`] : []);
    if (captions.length)
        lines.push(`Show a caption text over each of these images while it is on screen, at the bottom: ${captions.join('; ')}.`);
    if (req.music && 'file' in req.music)
        lines.push(`Use the uploaded audio file ${req.music.file.name} as background music for the whole video.`);
    else if (req.music)
        lines.push(`Add background music: ${req.music.description}.`);
    if (lines.length === 0)
        return '';
    return ['Requirements (follow exactly):', ...lines.map(l => `- ${l}`)].join('\n');
}
/** The first turn carries the compiled requirements; the rest are sent as written. */
function turnsToSend(req, uploaded = []) {
    const instruction = compileInstruction(req, uploaded);
    const turns = req.turns.length ? [...req.turns] : ['Make a video from the uploaded images.'];
    if (instruction)
        turns[0] = `${turns[0]}\n\n${instruction}`;
    return turns;
}
/** What in the draft misses the request; empty when it fits. */
function checkDraft(req, draft) {
    const problems = [];
    if (req.duration !== undefined) {
        const got = (0,timeline/* draftDurationMs */.qe)(draft) / 1000;
        if (Math.abs(got - req.duration) > req.duration * 0.1) {
            problems.push(`the video is ${got.toFixed(1)} s long but ${req.duration} s were asked for (±10%)`);
        }
    }
    const has = (tt) => draft.t.some(t => Number(t.tt) === tt && Array.isArray(t.sg) && t.sg.length > 0);
    if (req.music && !has(timeline/* TRACK_AUDIO */.dM))
        problems.push('there is no music track but background music was asked for');
    if (req.captions?.some(Boolean) && !req.title && !has(timeline/* TRACK_TEXT */.Wf))
        problems.push('there is no text track but captions were asked for');
    if (req.title && !has(timeline/* TRACK_TEXT */.Wf))
        problems.push(`there is no title text track but the title ${JSON.stringify(req.title)} was asked for`);
    return problems;
}
/** The single corrective turn sent when a check fails. */
function correctiveTurn(problems) {
    return `Please fix the timeline: ${problems.join('; ')}. Keep everything else as it is.`;
}

;// CONCATENATED MODULE: ./src/backends/nemo/render.ts
// Export and poll; the status replies are read by replies.ts. Cancel is best effort only: it
// comes from a withdrawn document, and the service may finish the render anyway.






/** the longest a 429-slowed poll interval grows to */
const MAX_POLL_BACKOFF_MS = 60_000;
/** poll failures in a row (after the client's own retry) before giving up on a render */
const MAX_POLL_FAILURES = 3;
function newRenderId() {
    return `render_${Date.now().toString(36)}_${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
}
/** Starts an export; a refused or duplicate id (or a failed attempt) gets one more try with a new id. */
async function startExport(client, sessionId, draft, signal) {
    for (let attempt = 1;; attempt++) {
        const id = newRenderId();
        try {
            await client.call('POST', '/api/render/proxy/lambda', {
                what: 'Starting the export',
                json: { id, sessionId, draft, output: { format: 'mp4', quality: 'high' } },
                signal
            });
            return id;
        }
        catch (err) {
            if (signal.aborted || attempt >= 2 || !(err instanceof NemoError))
                throw err;
            // the vendor: "on failure, a new id, retry once" (an HTTP 200 error envelope is a failure too).
            // Export is free and a new id never collides; a plan limit (402), a lost session (1002) or
            // missing credits (2001) will not change by trying again
            const final = err.httpStatus === HTTP.planLimit ||
                err.code === CODE.sessionNotFound ||
                err.code === CODE.outOfCredits ||
                err.code === CODE.tokenInvalid;
            if (final)
                throw err;
            log/* log */.R.info(`The export with id ${id} was refused (${err.message}); trying once more with a new id.`);
        }
    }
}
async function cancelRender(client, id) {
    try {
        // the job's signal is usually aborted by now: the cancel gets a short budget of its own
        await client.call('POST', `/api/render/proxy/lambda/${encodeURIComponent(id)}/cancel`, {
            what: 'Cancelling the render',
            signal: AbortSignal.timeout(3000),
            timeoutMs: 2000,
            idempotent: true
        });
        log/* log */.R.info(`Cancelled render ${id}.`);
    }
    catch (err) {
        log/* log */.R.info(`Could not cancel render ${id}: ${err.message}`);
    }
}
/**
 * Polls until the render completes and returns its URL (empty when the server gave none). Throws
 * RenderFailed on `failed`. Past the deadline, or when the job is cancelled, it cancels the render;
 * a missed deadline names the render and its last progress.
 */
async function waitForRender(client, id, opts) {
    let last = { status: 'pending' };
    const pastDeadline = () => new errors/* DeadlineError */.j3(`Render ${id} did not complete before the deadline ('timeout-minutes'); last status ${last.status || 'unknown'}${last.progress !== undefined ? ` at ${Math.round(last.progress)}%` : ''}. Raise 'timeout-minutes' or re-run the job.`);
    let lastLogged = '';
    let interval = opts.intervalMs;
    let failures = 0;
    let cancelled = false;
    const cancel = async () => {
        if (cancelled)
            return;
        cancelled = true;
        await cancelRender(client, id);
    };
    try {
        for (;;) {
            try {
                const reply = await client.call('GET', `/api/render/proxy/lambda/${encodeURIComponent(id)}`, {
                    what: `Polling render ${id}`,
                    signal: opts.signal,
                    idempotent: true,
                    // the MP4's URL is fetched as the server gave it, a token in it too (a signed URL)
                    raw: true
                });
                last = readRenderStatus(reply);
                failures = 0;
            }
            catch (err) {
                if (opts.signal.aborted || !(err instanceof NemoError))
                    throw err;
                const status = err.httpStatus;
                if (status === HTTP.rateLimited) {
                    // the client already waited once; polling slower is the back-off
                    interval = Math.min(interval * 2, MAX_POLL_BACKOFF_MS);
                    log/* log */.R.info(`Render ${id}: polling too fast (HTTP 429); polling every ${(interval / 1000).toFixed(1)} s now.`);
                }
                else if ((status === undefined || status >= 500) && ++failures < MAX_POLL_FAILURES) {
                    log/* log */.R.info(`Render ${id}: the status could not be read (${err.message}); trying again.`);
                }
                else {
                    throw err;
                }
            }
            const line = `${last.status || 'unknown'}${last.progress !== undefined ? ` ${Math.round(last.progress)}%` : ''}`;
            if (line !== lastLogged)
                log/* log */.R.info(`🎞  Render ${id}: ${line}`);
            lastLogged = line;
            const state = renderState(last.status);
            switch (state) {
                case 'done':
                    if (!last.url)
                        log/* log */.R.info(`Render ${id} completed without a URL; using the download endpoint.`);
                    return last.url ?? '';
                case 'failed':
                    throw new RenderFailed(`Render ${id} ${last.status}: ${last.reason ?? 'no reason given'}.`);
                case 'running':
                    break;
                default:
                    throw new Error(`unhandled render state ${state}`);
            }
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

;// CONCATENATED MODULE: ./src/backends/nemo/session.ts

/** Session ids are long numeric strings, task ids short tokens: nothing else belongs in a URL or an output. */
const ID = /^[A-Za-z0-9._-]{1,128}$/;
async function createSession(client, language, signal) {
    const what = 'Creating the NemoVideo session';
    // not repeated on a 5xx or a broken connection: a second POST would make a second session
    const { data, body } = await client.send('POST', '/api/tasks/me/with-session/nemo_agent', {
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
    // the ids go into URLs, outputs and the summary: only the shape an id has is accepted
    const sid = String(sessionId);
    const tid = taskId === undefined || taskId === null ? '' : String(taskId);
    if (!ID.test(sid) || (tid !== '' && !ID.test(tid))) {
        throw new NemoError(`${what}: the reply's session or task id is not an id (letters, digits, '.', '_', '-'; at most 128). Check that 'api-url' points at the NemoVideo API.`);
    }
    return { sessionId: sid, taskId: tid };
}

;// CONCATENATED MODULE: ./src/backends/nemo/state.ts
// What the agent left in the session (the timeline draft), and the account's credits.



async function readDraft(client, sessionId, signal) {
    const data = await client.call('GET', `/api/state/nemo_agent/me/${encodeURIComponent(sessionId)}/latest`, {
        what: 'Reading the session state',
        signal,
        idempotent: true
    });
    // data.state.draft per the protocol; a state object given directly is accepted too
    const state = (data.state && typeof data.state === 'object' ? data.state : data);
    try {
        return (0,timeline/* readDraftValue */.lg)(state.draft);
    }
    catch (err) {
        if (!(err instanceof errors/* DraftError */.OH))
            throw err;
        throw new NemoError(`Reading the session state: ${err.message}, larger than any timeline the action renders. Re-run the job; if it keeps happening, simplify the prompt.`);
    }
}
async function readCredits(client, signal) {
    const data = await client.call('GET', '/api/credits/balance/simple', {
        what: 'Reading the credit balance',
        signal,
        idempotent: true
    });
    const n = typeof data.available === 'string' ? Number(data.available) : data.available;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

;// CONCATENATED MODULE: ./src/backends/nemo/upload.ts
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
        const bound = transferMemoryBound();
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
                        bound(n);
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
async function uploadFiles(client, sessionId, files, signal) {
    const total = files.reduce((n, f) => n + f.size, 0);
    const mb = (n) => (n / 1048576).toFixed(n < 10 * 1048576 ? 2 : 1);
    let done = 0;
    let nextReport = 0.1;
    const started = Date.now();
    const form = multipart(files, n => {
        done += n;
        if (total > 0 && done / total >= nextReport) {
            log/* log */.R.info(`⬆️  ${Math.floor((done / total) * 100)}% (${mb(done)} of ${mb(total)} MB)`);
            nextReport = Math.floor((done / total) * 10 + 1) / 10;
        }
    });
    log/* log */.R.info(`Uploading ${files.length} file${files.length === 1 ? '' : 's'} (${mb(total)} MB).`);
    const data = await client.call('POST', `/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`, {
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
        timeoutMs: Math.max(timings.requestTimeoutMs, 300_000)
    });
    const secs = Math.max((Date.now() - started) / 1000, 0.001);
    log/* log */.R.info(`Uploaded ${mb(total)} MB in ${secs.toFixed(1)} s (${mb(total / secs)} MB/s).`);
    const listed = Array.isArray(data.files) ? data.files : [];
    if (listed.length !== files.length) {
        log/* log */.R.info(`NemoVideo listed ${listed.length} of the ${files.length} uploaded files; the agent is told the local names.`);
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

;// CONCATENATED MODULE: ./src/backends/nemo/nemo-backend.ts
// The nemo backend: session → upload → chat turns → state checks (one corrective turn) → export →
// poll → download into the job's temp file. Session loss is recovered once; a dropped or stalled
// stream is judged by the state, as the vendor documents (the agent keeps working for minutes
// after a disconnect), and never by re-sending (that would charge twice).
















function createNemoBackend(cfg) {
    // one client for every video of the run: one token, one 429 pause
    const client = new NemoClient(cfg);
    return {
        name: 'nemo',
        async render(job) {
            try {
                // HEIC, AVIF, rotated and wide-gamut photos as JPEGs the service shows as a viewer does
                const { files, converted } = await (0,photo/* photosForUpload */.q5)(job.images, job.tempDir);
                if (converted.length)
                    log/* log */.R.info(`Converted to upright sRGB JPEG before the upload: ${converted.join('; ')}.`);
                job = { ...job, images: files };
                try {
                    return await conversation(client, cfg, job);
                }
                catch (err) {
                    if (!(err instanceof NemoError && err.code === CODE.sessionNotFound) || job.signal.aborted)
                        throw err;
                    log/* log */.R.warning('The NemoVideo session was lost (code 1002): starting a new session, uploading again and re-sending the request, once.');
                    return await conversation(client, cfg, job);
                }
            }
            catch (err) {
                throw withHints(err, client);
            }
        }
    };
}
function withHints(err, client) {
    if (err instanceof NemoError && err.code === CODE.outOfCredits) {
        const hint = client.anonymous
            ? ` Anonymous tokens get 100 credits; register to get more: ${registerUrl(client.userId)} and set the 'token' input from a secret.`
            : ' Top up the account, or use the token of an account with credits.';
        return new NemoError(err.message + hint, { code: err.code, httpStatus: err.httpStatus, cause: err });
    }
    return err;
}
async function conversation(client, cfg, job) {
    const { signal, request } = job;
    const session = await log/* log */.R.block('Session', async () => {
        const s = await createSession(client, request.language, signal);
        log/* log */.R.info(`Session ${s.sessionId}${s.taskId ? ` (task ${s.taskId})` : ''}.`);
        return s;
    });
    const files = request.music && 'file' in request.music ? [...job.images, request.music.file] : job.images;
    const uploaded = await log/* log */.R.block('Upload', () => uploadFiles(client, session.sessionId, files, signal));
    const imageNames = uploaded.slice(0, job.images.length).map(f => f.filename);
    const turns = turnsToSend(request, imageNames);
    const asked = [
        request.title && 'the title',
        request.captions?.some(Boolean) && `${request.captions.filter(Boolean).length} captions`
    ].filter(Boolean);
    if (asked.length)
        log/* log */.R.info(`The cloud is asked in the prompt for ${asked.join(' and ')}; how it draws them is the service's.`);
    const title = (n) => `Agent: turn ${n} of ${turns.length}`;
    let draft;
    for (const [i, text] of turns.entries())
        draft = await turn(client, session, title(i + 1), text, draft, signal);
    // earlier turns may only talk; the last one must leave a timeline
    if (!draft || !(0,timeline/* hasSegments */.JM)(draft)) {
        throw new NemoError(`${title(turns.length)}: the agent replied but the session has no draft to export (no timeline with segments). Rephrase the prompt, e.g. say which images to use and how long the video should be, then re-run the job.`);
    }
    let problems = checkDraft(request, draft);
    if (problems.length) {
        log/* log */.R.info(`The draft misses the request: ${problems.join('; ')}. Sending one corrective turn.`);
        const corrected = await turn(client, session, `Agent: turn ${turns.length + 1} (correction)`, correctiveTurn(problems), draft, signal);
        if (corrected && (0,timeline/* hasSegments */.JM)(corrected))
            draft = corrected;
        problems = checkDraft(request, draft);
        if (problems.length)
            log/* log */.R.warning(`The draft still misses the request after one correction: ${problems.join('; ')}. Rendering it as it is.`);
    }
    const finalDraft = draft;
    // one chat, then one export per format: export is free, the chat is what costs credits
    const many = job.videos.length > 1;
    const videos = [];
    const ignored = [];
    for (const v of job.videos) {
        const aspect = v.aspectRatio ?? request.aspectRatio;
        const canvas = many && aspect ? (0,options/* canvasSize */.IL)(aspect, request.resolution) : undefined;
        // each format's canvas goes into the draft's metadata; one format exports the draft as the agent left it
        const draft = canvas ? { ...finalDraft, m: { ...finalDraft.m, width: canvas.width, height: canvas.height } } : finalDraft;
        const made = await exportVideo(client, cfg, session, draft, v.file, job, canvas ? `Render ${aspect}` : 'Render');
        videos.push(made);
        const got = offCanvas(made, canvas);
        if (got) {
            log/* log */.R.warning(`NemoVideo rendered ${aspect} as ${got}: it did not take the canvas from the draft. Making ${aspect} in a session of its own (that chat costs credits).`);
            ignored.push(v);
        }
    }
    for (const v of ignored) {
        const own = await conversation(client, cfg, { ...job, request: { ...request, aspectRatio: v.aspectRatio }, videos: [{ file: v.file }] });
        videos[job.videos.indexOf(v)] = own.videos[0];
        const still = offCanvas(own.videos[0], v.aspectRatio && (0,options/* canvasSize */.IL)(v.aspectRatio, request.resolution));
        if (still)
            log/* log */.R.warning(`NemoVideo rendered ${v.aspectRatio} as ${still} in its own session too; keeping that video as it is.`);
    }
    const creditsAvailable = await readCredits(client, signal).catch(err => {
        log/* log */.R.info(`Could not read the credit balance: ${err.message}`);
        return undefined;
    });
    if (creditsAvailable !== undefined)
        log/* log */.R.info(`Credits left: ${creditsAvailable}.`);
    let claimUrl;
    if (client.anonymous) {
        claimUrl = await claimLink(client, session, signal).catch(err => {
            log/* log */.R.warning(`No claim link for the anonymous session: ${err.message}`);
            return undefined;
        });
    }
    return {
        videos,
        sessionId: session.sessionId,
        draft: finalDraft,
        creditsAvailable,
        claimUrl
    };
}
const sameDraft = (a, b) => JSON.stringify(a) === JSON.stringify(b);
/**
 * One chat turn, then the state. A silent turn (tool calls only) is confirmed and summarised from
 * the state. After a dropped or stalled stream the agent keeps working on the server: as the
 * vendor documents, wait, read the state, and read again while the draft is unchanged, up to a
 * limit; the prompt is never re-sent.
 */
async function turn(client, session, title, text, before, signal) {
    return log/* log */.R.block(title, async () => {
        const res = await chat(client, session.sessionId, text, signal);
        let draft = await (res.dropped || res.stalled
            ? awaitDraft(client, session, before, res, signal)
            : readDraft(client, session.sessionId, signal));
        const ready = !!draft && (0,timeline/* hasSegments */.JM)(draft);
        if (!ready) {
            log/* log */.R.info(res.text
                ? 'No timeline yet.'
                : `The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}) and there is no timeline yet.`);
            return draft;
        }
        if (!res.text) {
            log/* log */.R.info(`The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}); the draft ${sameDraft(draft, before) ? 'did not change' : 'changed'}.`);
        }
        draft = draft;
        log/* log */.R.info((0,timeline/* describe */.q0)((0,timeline/* summarize */.eh)(draft)));
        return draft;
    });
}
/** The draft after a broken stream: the first read after a wait, then one a period while unchanged. */
async function awaitDraft(client, session, before, res, signal) {
    const how = res.stalled ? `sent only heartbeats for ${formatMs(timings.stallMs)}` : 'broke';
    log/* log */.R.info(`The chat stream ${how}; the agent keeps working on the server, so the prompt is not re-sent (that would charge twice). Reading the session state in ${formatMs(timings.dropFirstWaitMs)}.`);
    await (0,promises_.setTimeout)(timings.dropFirstWaitMs, undefined, { signal });
    for (let read = 1;; read++) {
        const draft = await readDraft(client, session.sessionId, signal);
        if (draft && (0,timeline/* hasSegments */.JM)(draft) && !sameDraft(draft, before)) {
            log/* log */.R.warning(`The chat stream ${how}, but the agent finished: the session state has an updated draft (read ${read}); going on with it.`);
            return draft;
        }
        if (read >= timings.dropMaxReads)
            break;
        log/* log */.R.info(`Read ${read} of ${timings.dropMaxReads}: the draft has not changed yet; reading again in ${formatMs(timings.dropRecheckMs)}.`);
        await (0,promises_.setTimeout)(timings.dropRecheckMs, undefined, { signal });
    }
    throw new NemoError(`The agent did not finish after the stream ${res.stalled ? 'stalled' : 'dropped'}: the draft was unchanged in ${timings.dropMaxReads} reads of the session state over ${formatMs(timings.dropFirstWaitMs + (timings.dropMaxReads - 1) * timings.dropRecheckMs)}. The prompt was not re-sent (that would charge twice); re-run the job.`);
}
function formatMs(ms) {
    return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${(ms / 1000).toFixed(1)} s`;
}
/** One export of `draft` into `file`: a failed render is exported once more with a new id. */
async function exportVideo(client, cfg, session, draft, file, job, title) {
    const { signal } = job;
    return log/* log */.R.block(title, async () => {
        for (let attempt = 1;; attempt++) {
            const id = await startExport(client, session.sessionId, draft, signal);
            log/* log */.R.info(`Export started: ${id}.`);
            let url;
            try {
                url = await waitForRender(client, id, { intervalMs: cfg.pollIntervalMs, deadline: job.deadline, signal });
            }
            catch (err) {
                if (signal.aborted || !(err instanceof RenderFailed) || attempt >= 2)
                    throw err;
                log/* log */.R.warning(`${err.message} Exporting once more with a new render id.`);
                continue;
            }
            const got = await downloadVideo(client, id, url, file, signal);
            return { video: { file, facts: got.facts }, videoUrl: got.url, renderId: id };
        }
    });
}
/** "W×H" when the video's shape differs from the canvas asked for (beyond 2 %), else undefined. */
function offCanvas(made, canvas) {
    const info = made.video.facts?.info;
    if (!canvas || !info)
        return undefined;
    const want = canvas.width / canvas.height;
    return Math.abs(info.width / info.height - want) > 0.02 * want ? `${info.width}×${info.height}` : undefined;
}


/***/ }),

/***/ 44944:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  z7: () => (/* binding */ decodePhoto),
  mB: () => (/* binding */ heicToPng),
  RX: () => (/* binding */ isPhotoType),
  XU: () => (/* binding */ photoInfo),
  q5: () => (/* binding */ photosForUpload)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./src/media/image-info.ts
var image_info = __webpack_require__(81086);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
;// CONCATENATED MODULE: ./src/media/sharp.ts
// sharp (libvips) in its WebAssembly build, loaded from beside the bundle where `npm run build`
// puts it (scripts/vendor-sharp.mjs), or from dist/ when the sources run under tsx. Loaded on first
// use only: runs that decode no photo do not pay its start (~0.3 s).


const ENTRY = 'sharp/node_modules/sharp/dist/index.mjs';
let loaded;
function loadSharp() {
    loaded ??= (async () => {
        const candidates = [new URL(`./${ENTRY}`, import.meta.url), new URL(`../../dist/${ENTRY}`, import.meta.url)];
        const found = candidates.find(u => (0,external_node_fs_.existsSync)(u));
        if (!found)
            throw new Error(`sharp's WebAssembly build is missing beside the action (${ENTRY}): run 'npm run build'.`);
        // webpackIgnore: the bundler leaves this import to Node (it is a file beside the bundle, not in it)
        const mod = (await import(/* webpackIgnore: true */ (0,external_node_url_.pathToFileURL)(found.pathname).href));
        const sharp = mod.default;
        // one photo at a time per decode; libvips' own cache would hold every photo's pixels
        sharp.cache(false);
        return sharp;
    })();
    return loaded;
}

// EXTERNAL MODULE: ./src/media/errors.ts
var errors = __webpack_require__(77581);
;// CONCATENATED MODULE: ./src/media/photo.ts
// Photos decoded the way a colour-managed viewer shows them, for both backends: upright (EXIF
// orientation, all eight values; HEIF's own rotation), converted from their ICC profile (Display
// P3, Adobe RGB, CMYK) to sRGB, 8 bits per channel, and shrunk on load to the size they are shown
// at. libvips does the work (sharp's WebAssembly build, src/media/sharp.ts); HEIC, whose HEVC
// codec libvips' build leaves out, is decoded by libheif's WebAssembly build first.






/** The still types decoded here (GIFs and animated WebPs go to ffmpeg, which plays them). */
const PHOTO_TYPES = ['jpg', 'png', 'webp', 'heic', 'avif'];
const isPhotoType = (type) => PHOTO_TYPES.includes(type);
/**
 * The most pixels a photo may have (a 100 MP camera's; a 12 MP phone photo is 12): a small file
 * that claims 60000×60000 pixels would otherwise take 14 GB to decode.
 */
const MAX_PIXELS = 100_000_000;
/** HEIC/HEIF through libheif (transformations applied), as RGBA with the file's ICC profile. */
async function decodeHeif(path, name) {
    const libheif = await heifModule();
    const decoder = new libheif.HeifDecoder();
    const images = decoder.decode(await (0,promises_.readFile)(path));
    const image = images[0];
    if (!image)
        throw new errors/* PhotoError */.To(`${name} holds no image libheif can decode`);
    try {
        const width = image.get_width();
        const height = image.get_height();
        if (width * height > MAX_PIXELS)
            throw new errors/* PhotoError */.To(`${name} is ${width}×${height}, more than ${MAX_PIXELS / 1e6} MP`);
        const rgba = Buffer.alloc(width * height * 4);
        const shown = await new Promise(resolve => image.display({ data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height }, resolve));
        if (!shown)
            throw new errors/* PhotoError */.To(`${name}: libheif could not decode its image`);
        return { width, height, alpha: !!image.has_alpha_channel(), rgba, icc: heifProfile(libheif, image) };
    }
    finally {
        for (const im of images)
            im.free();
    }
}
let libheifModule;
function heifModule() {
    // the build with its WebAssembly inline: one chunk of the bundle, loaded on the first HEIC only
    libheifModule ??= __webpack_require__.e(/* import() */ 602).then(__webpack_require__.bind(__webpack_require__, 54602)).then(m => m.default());
    return libheifModule;
}
/** The image's ICC profile ('prof' or 'rICC'), read through libheif's C API; undefined for nclx or none. */
function heifProfile(libheif, image) {
    const handle = image.handle.$$?.ptr;
    if (!handle)
        return undefined;
    const type = libheif._heif_image_handle_get_color_profile_type(handle);
    if (type !== 0x70726f66 && type !== 0x72494343)
        return undefined;
    const size = libheif._heif_image_handle_get_raw_color_profile_size(handle);
    if (size <= 0 || size > 1 << 20)
        return undefined;
    // heif_error is returned through a pointer first (the WebAssembly ABI for a struct result)
    const error = libheif._malloc(16);
    const out = libheif._malloc(size);
    try {
        libheif._heif_image_handle_get_raw_color_profile(error, handle, out);
        return Buffer.from(libheif.HEAPU8.slice(out, out + size));
    }
    finally {
        libheif._free(out);
        libheif._free(error);
    }
}
/**
 * A HEIC/HEIF photo as a PNG file (lossless, with its ICC profile in an iCCP chunk), which the
 * rest of the pipeline reads like any other: libvips' build has no HEVC decoder.
 */
async function heicToPng(path, name, output) {
    const h = await decodeHeif(path, name);
    const sharp = await loadSharp();
    let image = sharp(h.rgba, { raw: { width: h.width, height: h.height, channels: 4 } });
    if (!h.alpha)
        image = image.removeAlpha();
    const png = await image.png({ compressionLevel: 1 }).toBuffer();
    await (0,promises_.writeFile)(output, h.icc ? withIccp(png, h.icc) : png, { flag: 'wx', mode: 0o600 });
}
/** The PNG with `icc` in an iCCP chunk right after IHDR (the PNG spec's place for it). */
function withIccp(png, icc) {
    const body = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), (0,external_node_zlib_.deflateSync)(icc)]);
    const chunk = Buffer.alloc(12 + body.length);
    chunk.writeUInt32BE(body.length, 0);
    chunk.write('iCCP', 4, 'latin1');
    body.copy(chunk, 8);
    chunk.writeUInt32BE((0,external_node_zlib_.crc32)(chunk.subarray(4, 8 + body.length)), 8 + body.length);
    // the 8-byte signature and the 25-byte IHDR chunk come first
    return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}
/** The file as libvips opens it; HEIC must have been made a PNG by heicToPng() first. */
function source(path, type) {
    if (type === 'heic')
        throw new errors/* PhotoError */.To('a HEIC photo is decoded by heicToPng() first');
    return path;
}
const SHARP_OPTIONS = { limitInputPixels: MAX_PIXELS, failOn: 'error' };
/** Size as shown, transparency, orientation and profile of a photo. */
async function photoInfo(path, type, name) {
    const sharp = await loadSharp();
    try {
        const m = await sharp(source(path, type), SHARP_OPTIONS).metadata();
        const orientation = m.orientation ?? 1;
        const changes = [];
        if (type === 'avif')
            changes.push('decoded from AVIF');
        if (orientation !== 1)
            changes.push(`turned upright (EXIF orientation ${orientation})`);
        const profile = m.icc ? profileName(m.icc) : undefined;
        if (m.space === 'cmyk')
            changes.push(`CMYK${profile ? ` (${profile})` : ''} → sRGB`);
        else if (profile && !/srgb|iec61966/i.test(profile))
            changes.push(`${profile} → sRGB`);
        if (m.depth && !/char$/.test(m.depth))
            changes.push('16 → 8 bits');
        return {
            width: m.autoOrient?.width ?? m.width ?? 0,
            height: m.autoOrient?.height ?? m.height ?? 0,
            alpha: !!m.hasAlpha,
            orientation,
            profile,
            changes
        };
    }
    catch (err) {
        throw photoError(err, name);
    }
}
/**
 * The photo upright and in sRGB as raw 8-bit RGB or RGBA, halved as often as it stays at least as
 * large as `box` needs (covered, or fitted inside): a JPEG is then shrunk while it is decoded (its
 * DCT scaled, not resampled), and ffmpeg makes the last, exact scale as it does for every still.
 */
async function decodePhoto(path, type, name, box, 
/** the size as shown, when photoInfo() has measured it already */
shown) {
    const sharp = await loadSharp();
    try {
        const { width, height } = shown ?? (await photoInfo(path, type, name));
        const need = box.fit === 'cover' ? Math.max(box.width / width, box.height / height) : Math.min(box.width / width, box.height / height);
        let shrink = 1;
        while (shrink < 8 && need * shrink * 2 <= 1)
            shrink *= 2;
        let image = sharp(source(path, type), SHARP_OPTIONS).autoOrient();
        if (shrink > 1)
            image = image.resize({ width: Math.round(width / shrink), height: Math.round(height / shrink), fit: 'fill' });
        const { data, info } = await image.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== 3 && info.channels !== 4)
            throw new errors/* PhotoError */.To(`${name} decoded to ${info.channels} channels`);
        return { data, width: info.width, height: info.height, channels: info.channels };
    }
    catch (err) {
        throw photoError(err, name);
    }
}
/** The photo as an upright sRGB JPEG (for a backend that takes JPEG, PNG, WebP and GIF only). */
async function photoAsJpeg(path, type, name, output) {
    const sharp = await loadSharp();
    try {
        await sharp(source(path, type), SHARP_OPTIONS)
            .autoOrient()
            .toColourspace('srgb')
            .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
            .toFile(output);
    }
    catch (err) {
        throw photoError(err, name);
    }
}
/** The profile's description tag ('desc', v2 text or v4 'mluc'), when it has one. */
function profileName(icc) {
    if (icc.length < 132)
        return undefined;
    const count = Math.min(icc.readUInt32BE(128), 100);
    for (let i = 0; i < count; i++) {
        const at = 132 + i * 12;
        if (at + 12 > icc.length)
            return undefined;
        if (icc.toString('latin1', at, at + 4) !== 'desc')
            continue;
        const off = icc.readUInt32BE(at + 4);
        const len = icc.readUInt32BE(at + 8);
        if (off + len > icc.length || len < 12)
            return undefined;
        const tag = icc.subarray(off, off + len);
        const kind = tag.toString('latin1', 0, 4);
        if (kind === 'desc')
            return clean(tag.toString('latin1', 12, 12 + Math.min(tag.readUInt32BE(8), len - 12)));
        if (kind === 'mluc' && len >= 28) {
            const size = tag.readUInt32BE(20);
            const start = tag.readUInt32BE(24);
            if (start + size <= len)
                return clean(Buffer.from(tag.subarray(start, start + size))
                    .swap16()
                    .toString('utf16le'));
        }
        return undefined;
    }
    return undefined;
}
function clean(s) {
    const t = s
        .replace(/\0+$/, '')
        .replace(/[^\p{L}\p{N} ._()-]/gu, '')
        .trim();
    return t.slice(0, 60) || undefined;
}
function photoError(err, name) {
    if (err instanceof errors/* PhotoError */.To)
        return err;
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (/pixel limit/i.test(why))
        return new errors/* PhotoError */.To(`${name} has more than ${MAX_PIXELS / 1e6} MP: scale it down first, e.g. 'vipsthumbnail ${name} -s 8000'.`);
    return new errors/* PhotoError */.To(`${name} could not be decoded (${why}): open it in an image editor and save it again as JPEG or PNG.`);
}
/**
 * The images as a backend that takes JPEG, PNG, WebP and GIF as they are shows them: a HEIC or
 * AVIF photo, or one that a viewer turns upright or converts from its profile, becomes an upright
 * sRGB JPEG in `tempDir` (named like the photo, with .jpg); the others are sent as they are.
 */
async function photosForUpload(images, tempDir) {
    const files = [];
    const converted = [];
    for (const [i, f] of images.entries()) {
        if (!isPhotoType(f.type)) {
            files.push(f);
            continue;
        }
        // a plain photo (no orientation, profile, CMYK or 16 bits in its header) is sent as it is,
        // without loading libvips
        if (f.type !== 'heic' && f.type !== 'avif' && !(0,image_info/* mayNeedViewer */.IR)(await (0,image_info/* readImageInfo */.Kl)(f.path, f.type))) {
            files.push(f);
            continue;
        }
        let path = f.path;
        let type = f.type;
        const changes = [];
        if (type === 'heic') {
            path = (0,external_node_path_.join)(tempDir, `upload-${i}.png`);
            await heicToPng(f.path, f.name, path);
            type = 'png';
            changes.push('HEIC');
        }
        const info = await photoInfo(path, type, f.name);
        changes.push(...info.changes);
        if (!changes.length) {
            files.push(f);
            continue;
        }
        const jpeg = (0,external_node_path_.join)(tempDir, `upload-${i}.jpg`);
        await photoAsJpeg(path, type, f.name, jpeg);
        if (path !== f.path)
            await (0,promises_.rm)(path, { force: true });
        const base = f.name.replace(/\.[^.]*$/, '');
        // the names stay unique: IMG_1.heic beside IMG_1.jpg is sent as IMG_1-heic.jpg
        const name = images.some(o => o !== f && o.name.toLowerCase() === `${base}.jpg`.toLowerCase()) ? `${base}-${f.type}.jpg` : `${base}.jpg`;
        files.push({ ...f, path: jpeg, name, type: 'jpg', mime: 'image/jpeg', size: (await (0,promises_.stat)(jpeg)).size });
        converted.push(`${f.name} → ${name} (${changes.join(', ')})`);
    }
    return { files, converted };
}


/***/ })

};
