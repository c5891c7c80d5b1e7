// The NemoVideo HTTP client (undici): attribution headers on every request, Bearer auth, the
// {code,message,data} envelope, 429 back-off shared by every call to the same API, one retry of
// idempotent calls on 5xx/reset, and a new anonymous token on 1001.
import * as core from '@actions/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { request, type Dispatcher } from 'undici'
import { tuning } from './timings.js'
import { VERSION } from '../../shared/version.js'
import { CODE, NemoError, explain } from './errors.js'

export { CODE, NemoError } from './errors.js'

export const ATTRIBUTION = {
  'x-skill-source': 'img2vid-action',
  'x-skill-version': VERSION,
  'x-skill-platform': 'github-actions'
} as const

/** Where tokens come from; the client asks it for the header and tells it about a 1001. */
export interface TokenProvider {
  token(signal: AbortSignal): Promise<string>
  /** a 1001 arrived for `rejected`: get a new token (anonymous) or throw (a user's secret) */
  renew(rejected: string, signal: AbortSignal): Promise<void>
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
  /** headers/body inactivity limit; tuning.requestTimeoutMs unless set */
  timeoutMs?: number
}

/** A decoded reply: the envelope's `data` (or the bare object) and the whole JSON body. */
export interface Reply<T> {
  data: T
  body: Record<string, unknown>
  status: number
}

// 429 slows every call to that API down, not only the one that got it (batch videos share it)
const pausedUntil = new Map<string, number>()

/** Wait after a 429: Retry-After in seconds or as an HTTP date, else the default; capped. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim()
  let ms = tuning.retryWaitMs
  if (raw) {
    if (/^\d+(\.\d+)?$/.test(raw)) ms = Number(raw) * 1000
    else if (!Number.isNaN(Date.parse(raw))) ms = Date.parse(raw) - now
  }
  return Math.min(Math.max(ms, 0), tuning.retryWaitCapMs)
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
])
// the request never left the runner: safe to repeat whatever it was
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

export function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined
  const code = e?.code ?? e?.cause?.code
  return typeof code === 'string' ? code : undefined
}

export function isConnectionError(err: unknown): boolean {
  const code = errorCode(err)
  return code !== undefined && RESET_CODES.has(code)
}

export function neverSent(err: unknown): boolean {
  const code = errorCode(err)
  return code !== undefined && NOT_SENT_CODES.has(code)
}

/** Tokens never reach a message, even when a server echoes one back. */
export function redact(text: string): string {
  return text.replace(/nmv_[a-z]+_[A-Za-z0-9_-]+/g, m => `${m.split('_').slice(0, 2).join('_')}_***`)
}

export type Envelope =
  { ok: true; data: unknown; body: Record<string, unknown> } | { ok: false; code?: number; message: string; json: boolean }

/** Reads a reply body: `code != 0` is an error even with HTTP 200; a non-JSON body is one too. */
export function readEnvelope(status: number, text: string): Envelope {
  let parsed: unknown
  try {
    parsed = text.trim() ? JSON.parse(text) : undefined
  } catch {
    parsed = undefined
  }
  const json = !!parsed && typeof parsed === 'object' && !Array.isArray(parsed)
  const env = (json ? parsed : {}) as Record<string, unknown>
  const code =
    typeof env.code === 'number' ? env.code : typeof env.code === 'string' && /^-?\d+$/.test(env.code) ? Number(env.code) : undefined
  const said = [env.message, env.msg, env.error, env.detail].find(v => typeof v === 'string' && v.trim()) as string | undefined
  const message = redact(said?.trim() ?? '').slice(0, 300)
  // `success: false` alone is an error; with a data object (a failed render's status) it is a reply
  const refused = env.success === false && !(env.data && typeof env.data === 'object')
  if (status >= 400 || (code !== undefined && code !== 0) || refused) return { ok: false, code, message, json }
  if (!json) return { ok: false, message: '', json: false }
  return { ok: true, data: env.data !== undefined && env.data !== null ? env.data : env, body: env }
}

export class NemoHttp {
  constructor(
    readonly base: URL,
    private readonly tokens?: TokenProvider
  ) {}

  url(path: string): URL {
    return new URL(path, this.base)
  }

  async headers(opts: { auth?: boolean; signal: AbortSignal; extra?: Record<string, string> }): Promise<Record<string, string>> {
    const h: Record<string, string> = { ...ATTRIBUTION, ...opts.extra }
    if (opts.auth !== false && this.tokens) h.authorization = `Bearer ${await this.tokens.token(opts.signal)}`
    return h
  }

  /** A JSON call; returns the envelope's `data` (or the bare object). */
  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, opts: CallOptions): Promise<T> {
    return (await this.send<T>(method, path, opts)).data
  }

  /** A JSON call; returns `data` and the whole body (some replies put fields at the top level). */
  async send<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, opts: CallOptions): Promise<Reply<T>> {
    let rateRetried = false
    let faultRetried = false
    let authRetried = false
    const timeout = opts.timeoutMs ?? tuning.requestTimeoutMs
    const retryFault = async (why: string, waitMs: number): Promise<void> => {
      faultRetried = true
      core.info(`${opts.what}: ${why}; retrying once.`)
      await sleep(waitMs, undefined, { signal: opts.signal })
    }
    for (;;) {
      await this.waitForRateLimit(opts.signal)
      const headers = await this.headers({ auth: opts.auth, signal: opts.signal, extra: { accept: 'application/json', ...opts.headers } })
      const sentToken = headers.authorization?.slice('Bearer '.length)
      let body = opts.body?.()
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json)
        headers['content-type'] = 'application/json'
      }
      let status: number
      let text: string
      let retryAfter: string | string[] | undefined
      try {
        const res = await request(this.url(path), {
          method,
          headers,
          body,
          signal: opts.signal,
          headersTimeout: timeout,
          bodyTimeout: timeout
        })
        status = res.statusCode
        retryAfter = res.headers['retry-after']
        text = await res.body.text()
      } catch (err) {
        if (opts.signal.aborted) throw opts.signal.reason ?? err
        if (err instanceof NemoError) throw err // raised by our own request body (an upload)
        const reason = describeNetworkError(err, timeout)
        if (!faultRetried && (neverSent(err) || (opts.idempotent && isConnectionError(err)))) {
          await retryFault(`connection problem (${reason})`, Math.min(500, tuning.retryWaitMs))
          continue
        }
        throw new NemoError(
          `${opts.what}: could not reach NemoVideo at ${this.base.origin} (${reason}). Check 'api-url' and the runner's network, then re-run the job.`,
          { cause: err }
        )
      }

      const env = readEnvelope(status, text)
      if (env.ok) return { data: env.data as T, body: env.body, status }

      if (status === 429) {
        if (!rateRetried) {
          rateRetried = true
          const wait = retryAfterMs(retryAfter)
          this.pause(wait)
          core.info(`${opts.what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`)
          continue
        }
        throw new NemoError(explain(opts.what, env.code, status, env.message), { code: env.code, httpStatus: status })
      }
      if (env.code === CODE.tokenInvalid && opts.auth !== false && this.tokens && sentToken && !authRetried) {
        authRetried = true
        await this.tokens.renew(sentToken, opts.signal)
        continue
      }
      if (status >= 500 && opts.idempotent && !faultRetried) {
        await retryFault(`NemoVideo answered HTTP ${status}`, Math.min(1000, tuning.retryWaitMs))
        continue
      }
      if (status < 400 && env.code === undefined && !env.json) {
        throw new NemoError(
          `${opts.what}: NemoVideo answered HTTP ${status} with a body that is not JSON. Check that 'api-url' points at the NemoVideo API.`,
          { httpStatus: status }
        )
      }
      throw new NemoError(explain(opts.what, env.code, status, env.message), { code: env.code, httpStatus: status })
    }
  }

  /** Holds back every call to this API for `ms` (after a 429). */
  pause(ms: number): void {
    const key = this.base.origin
    pausedUntil.set(key, Math.max(pausedUntil.get(key) ?? 0, Date.now() + ms))
  }

  async waitForRateLimit(signal: AbortSignal): Promise<void> {
    const wait = (pausedUntil.get(this.base.origin) ?? 0) - Date.now()
    if (wait > 0) await sleep(wait, undefined, { signal })
  }
}

/** A network failure in words, without anything from the request (headers carry the token). */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const code = errorCode(err)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'UND_ERR_CLOSED') return 'the connection was reset'
  const message = err instanceof Error ? err.message : String(err)
  return redact(code && !message.includes(code) ? `${code}: ${message}` : message)
}
