// The one NemoVideo client: every request goes through it, the SSE stream and downloads included.
// It owns the token (a user's secret, or an anonymous one fetched with X-Client-Id and renewed on
// 1001), the attribution headers, Bearer auth only to the API origin, the {code,message,data}
// envelope, the 429 pause shared by every call of the run, one retry of idempotent calls on
// 5xx/reset, the size cap of JSON replies, and redaction of every server string (each reply's
// strings as it is read, replies.ts; the chat's events in chat.ts, by the same serverJson).
import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { request, type Dispatcher } from 'undici'
import { log } from '../../shared/log.js'
import { VERSION } from '../../shared/version.js'
import { CODE, HTTP, NemoError, addSecret, describeNetworkError, explain, isConnectionError, neverSent } from './errors.js'
import { proxyAware, proxyFor, shownProxy } from './proxy.js'
import { readEnvelope } from './replies.js'
import { timings } from './timings.js'

export const ATTRIBUTION = {
  'x-skill-source': 'img2vid-action',
  'x-skill-version': VERSION,
  'x-skill-platform': 'github-actions'
} as const

/** An envelope reply is kilobytes; a body past this is not a NemoVideo reply (and would exhaust memory). */
const MAX_JSON_BYTES = 16 * 1024 * 1024

export interface ClientConfig {
  apiUrl: URL
  /** a user's token; empty: anonymous, when allowed */
  token: string
  allowAnonymous: boolean
  clientId: string
}

export interface CallOptions {
  /** for messages: what the call was doing, e.g. "Creating the session" */
  what: string
  json?: unknown
  /** a fresh body per attempt (a retried stream must start again) */
  body?: () => Dispatcher.DispatchOptions['body']
  headers?: Record<string, string>
  signal: AbortSignal
  /** false for the anonymous-token call */
  auth?: boolean
  /** safe to send twice (GETs, cancel); a POST that creates or charges is not */
  idempotent?: boolean
  /** headers/body inactivity limit; timings.requestTimeoutMs unless set */
  timeoutMs?: number
  /**
   * The reply's strings as the server sent them; every other reply has each token of the run as
   * *** in every string (replies.ts, serverJson). Only for the anonymous token's reply (it is the
   * token) and a render's status (its URL is fetched as given, and reported through reportedUrl;
   * its status word is redacted where it is read, its reason by the error that carries it).
   */
  raw?: boolean
}

/** A decoded reply: the envelope's `data` (or the bare object) and the whole JSON body. */
export interface Reply<T> {
  data: T
  body: Record<string, unknown>
  status: number
}

/** How an SSE request ended before its events: the open stream, or a break the caller judges by state. */
export type StreamStart = { res: Dispatcher.ResponseData } | { broken: string; headersTimeout: boolean }

/** Wait after a 429: Retry-After in seconds or as an HTTP date, else the default; capped. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim()
  let ms = timings.retryWaitMs
  if (raw) {
    if (/^\d+(\.\d+)?$/.test(raw)) ms = Number(raw) * 1000
    else if (!Number.isNaN(Date.parse(raw))) ms = Date.parse(raw) - now
  }
  return Math.min(Math.max(ms, 0), timings.retryWaitCapMs)
}

/** Reads a body up to `max` bytes; past that the connection is dropped and the reply refused. */
async function readCapped(body: Dispatcher.ResponseData['body'], max: number, what: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > max) {
      body.destroy()
      throw new NemoError(
        `${what}: NemoVideo's reply is over ${max / 1048576} MB, which no API reply is; not reading it. Check that 'api-url' points at the NemoVideo API.`
      )
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

// 429 slows every call to that API down, not only the one that got it (batch videos share it)
const pausedUntil = new Map<string, number>()

/** Every API call of the run goes through one dispatcher: the runner's proxy when it has one. */
let apiDispatcher: Dispatcher | undefined
const dispatcher = (): Dispatcher => (apiDispatcher ??= proxyAware())

export class NemoClient {
  readonly base: URL
  /** anon_… user id of an anonymous token, for the registration link */
  userId?: string
  private current?: string
  private pending?: Promise<string>
  private readonly clientId: string

  constructor(private readonly cfg: ClientConfig) {
    this.base = cfg.apiUrl
    if (cfg.token) {
      core.setSecret(cfg.token)
      addSecret(cfg.token)
      this.current = cfg.token
    }
    this.clientId = cfg.clientId.trim() || randomUUID()
    const proxy = proxyFor(this.base)
    if (proxy)
      log.info(
        `NemoVideo: through the proxy ${shownProxy(proxy)} (the runner's ${this.base.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'}).`
      )
  }

  /** True when the run uses an anonymous token (no user token was given). */
  get anonymous(): boolean {
    return !this.cfg.token
  }

  url(path: string): URL {
    return new URL(path, this.base)
  }

  /** Attribution on every request; the token only to the API origin (downloads may go elsewhere). */
  async headersFor(url: URL, signal: AbortSignal, extra: Record<string, string> = {}, auth = true): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...ATTRIBUTION, ...extra }
    if (auth && url.origin === this.base.origin) h.authorization = `Bearer ${await this.token(signal)}`
    return h
  }

  /** A JSON call; returns the envelope's `data` (or the bare object). */
  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, opts: CallOptions): Promise<T> {
    return (await this.send<T>(method, path, opts)).data
  }

  /** A JSON call; returns `data` and the whole body (some replies put fields at the top level). */
  async send<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, opts: CallOptions): Promise<Reply<T>> {
    const out = await this.exchange(method, path, opts, false)
    if ('reply' in out) return out.reply as Reply<T>
    throw new Error('unreachable: a JSON call has no stream')
  }

  /**
   * Opens an SSE request (POST, JSON body, `Accept: text/event-stream`). It is repeated only when
   * the server refused it before streaming (429, 1001): nothing was charged then. A break after the
   * request may have left is handed back as `broken`, never repeated: the caller judges it by the
   * session state.
   */
  async openStream(
    path: string,
    opts: Omit<CallOptions, 'idempotent' | 'body'> & { onWaiting?: (waiting: boolean) => void }
  ): Promise<StreamStart> {
    const out = await this.exchange(
      'POST',
      path,
      { ...opts, headers: { accept: 'text/event-stream', ...opts.headers } },
      true,
      opts.onWaiting
    )
    if ('reply' in out) throw new Error('unreachable: a stream is never a JSON reply')
    return out
  }

  private async exchange(
    method: 'GET' | 'POST',
    path: string,
    opts: CallOptions,
    stream: boolean,
    onWaiting: (waiting: boolean) => void = () => undefined
  ): Promise<{ reply: Reply<unknown> } | StreamStart> {
    let rateRetried = false
    let faultRetried = false
    let authRetried = false
    const timeout = opts.timeoutMs ?? timings.requestTimeoutMs
    const retryFault = async (why: string, waitMs: number): Promise<void> => {
      faultRetried = true
      log.info(`${opts.what}: ${why}; retrying once.`)
      await sleep(waitMs, undefined, { signal: opts.signal })
    }
    const url = this.url(path)
    for (;;) {
      onWaiting(true)
      await this.waitForRateLimit(opts.signal)
      const headers = await this.headersFor(
        url,
        opts.signal,
        stream ? { ...opts.headers } : { accept: 'application/json', ...opts.headers },
        opts.auth !== false
      )
      onWaiting(false)
      const sentToken = headers.authorization?.slice('Bearer '.length)
      let body = opts.body?.()
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json)
        headers['content-type'] = 'application/json'
      }
      let res: Dispatcher.ResponseData
      try {
        // a stream has no body timeout: the caller's stall watch and the job deadline bound it
        res = await request(url, {
          method,
          headers,
          body,
          signal: opts.signal,
          headersTimeout: timeout,
          bodyTimeout: stream ? 0 : timeout,
          dispatcher: dispatcher()
        })
      } catch (err) {
        if (opts.signal.aborted) throw opts.signal.reason ?? err
        if (err instanceof NemoError) throw err // raised by our own request body (an upload)
        const reason = describeNetworkError(err, timeout)
        if (!faultRetried && (neverSent(err) || (opts.idempotent && isConnectionError(err)))) {
          await retryFault(`connection problem (${reason})`, Math.min(500, timings.retryWaitMs))
          continue
        }
        // only a connection that never opened proves a stream's request never left
        if (stream && !neverSent(err)) return { broken: reason, headersTimeout: /no answer within/.test(reason) }
        throw new NemoError(
          `${opts.what}: could not reach NemoVideo at ${this.base.origin} (${reason}). Check 'api-url' and the runner's network, then re-run the job.`,
          { cause: err }
        )
      }
      const type = String(res.headers['content-type'] ?? '').toLowerCase()
      // a gateway may drop the content type of a stream; only JSON is read as an envelope
      if (stream && res.statusCode === 200 && !type.includes('json')) return { res }
      let text: string
      try {
        text = await readCapped(res.body, MAX_JSON_BYTES, opts.what)
      } catch (err) {
        if (opts.signal.aborted) throw opts.signal.reason ?? err
        if (err instanceof NemoError) throw err
        if (stream) return { broken: describeNetworkError(err, timeout), headersTimeout: false }
        throw new NemoError(`${opts.what}: the reply broke off (${describeNetworkError(err, timeout)}).`, { cause: err })
      }
      const status = res.statusCode
      const env = readEnvelope(status, text, opts.raw)
      if (env.ok) {
        if (stream)
          throw new NemoError(
            `${opts.what}: NemoVideo answered with JSON instead of an event stream. Check that 'api-url' points at the NemoVideo API.`
          )
        return { reply: { data: env.data, body: env.body, status } }
      }

      if (status === HTTP.rateLimited) {
        // on the token endpoint a 429 is the vendor's limit on anonymous tokens: waiting won't help
        if (!rateRetried && opts.auth !== false) {
          rateRetried = true
          const wait = retryAfterMs(res.headers['retry-after'])
          this.pause(wait)
          log.info(`${opts.what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`)
          continue
        }
        throw new NemoError(explain(opts.what, env.code, status, env.message), { code: env.code, httpStatus: status })
      }
      const rejected = env.code === CODE.tokenInvalid || (status === HTTP.unauthorized && env.code === undefined)
      if (rejected && opts.auth !== false && sentToken && !authRetried) {
        authRetried = true
        onWaiting(true)
        await this.renew(sentToken, opts.signal)
        continue
      }
      if (status >= 500 && opts.idempotent && !faultRetried) {
        await retryFault(`NemoVideo answered HTTP ${status}`, Math.min(1000, timings.retryWaitMs))
        continue
      }
      // a gateway error may come after the agent got the prompt: the state decides, not a resend
      if (stream && status >= 500 && env.code === undefined) return { broken: `NemoVideo answered HTTP ${status}`, headersTimeout: false }
      if (status < 400 && env.code === undefined && !env.json) {
        throw new NemoError(
          `${opts.what}: NemoVideo answered HTTP ${status} with a body that is not JSON. Check that 'api-url' points at the NemoVideo API.`,
          {
            httpStatus: status
          }
        )
      }
      const code = rejected ? CODE.tokenInvalid : env.code
      throw new NemoError(explain(opts.what, code, status, env.message), { code, httpStatus: status })
    }
  }

  /** Holds back every call to this API for `ms` (after a 429). */
  pause(ms: number): void {
    const key = this.base.origin
    pausedUntil.set(key, Math.max(pausedUntil.get(key) ?? 0, Date.now() + ms))
  }

  private async waitForRateLimit(signal: AbortSignal): Promise<void> {
    const wait = (pausedUntil.get(this.base.origin) ?? 0) - Date.now()
    if (wait > 0) await sleep(wait, undefined, { signal })
  }

  // ---- the token

  private async token(signal: AbortSignal): Promise<string> {
    if (this.current) return this.current
    // concurrent callers share one anonymous token
    this.pending ??= this.fetchAnonymous(signal).finally(() => (this.pending = undefined))
    return this.pending
  }

  /** A 1001 arrived for `rejected`: a new anonymous token, or a failure for a user's secret. */
  private async renew(rejected: string, signal: AbortSignal): Promise<void> {
    if (!this.anonymous) {
      throw new NemoError(
        "NemoVideo rejected the token from the 'token' input / NEMO_TOKEN secret (code 1001: expired or invalid). Create a new token and update the secret, or remove it to use an anonymous token.",
        { code: CODE.tokenInvalid }
      )
    }
    if (this.current !== rejected) return // another call already renewed it
    log.info('The anonymous NemoVideo token was rejected (code 1001); fetching a new one.')
    this.current = undefined
    await this.token(signal)
  }

  private async fetchAnonymous(signal: AbortSignal): Promise<string> {
    if (!this.cfg.allowAnonymous) {
      throw new NemoError("No NemoVideo token: set the 'token' input (or env NEMO_TOKEN) from a secret, or set 'allow-anonymous: true'.")
    }
    const what = 'Getting an anonymous NemoVideo token'
    const ask = (): Promise<{ token?: unknown; user_id?: unknown; credits?: unknown }> =>
      this.call('POST', '/api/auth/anonymous-token', { what, auth: false, headers: { 'x-client-id': this.clientId }, signal, raw: true })
    let data: Awaited<ReturnType<typeof ask>>
    try {
      data = await ask()
    } catch (err) {
      if (err instanceof NemoError && err.httpStatus === HTTP.rateLimited) {
        throw new NemoError(
          `${what}: NemoVideo refused a new anonymous token (HTTP 429): it gives one per client id and about 10 per IP address per 7 days, and runners share addresses. Add a NEMO_TOKEN secret and pass it as 'token'.`,
          { httpStatus: HTTP.rateLimited, cause: err }
        )
      }
      // HTTP 400 means the X-Client-Id did not arrive (a proxy may strip it): send it again, once
      if (!(err instanceof NemoError && err.httpStatus === HTTP.missingClientId)) throw err
      log.info(`${what}: HTTP 400 (X-Client-Id missing?); sending it again.`)
      data = await ask()
    }
    if (typeof data.token !== 'string' || !data.token)
      throw new NemoError(`${what}: the reply has no token. Set the 'token' input from a secret instead.`)
    core.setSecret(data.token)
    addSecret(data.token)
    this.current = data.token
    this.userId = typeof data.user_id === 'string' && /^[\w.-]{1,100}$/.test(data.user_id) ? data.user_id : undefined
    log.info(`Using an anonymous NemoVideo token${typeof data.credits === 'number' ? ` (${data.credits} credits)` : ''}.`)
    return data.token
  }
}
