// The NemoVideo HTTP client (undici): attribution headers on every request, Bearer auth, the
// {code,message,data} envelope, 429 back-off shared by every call in the process, one retry of
// idempotent calls on 5xx/reset, and a new anonymous token on 1001.
import * as core from '@actions/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { request, type Dispatcher } from 'undici'
import { tuning } from '../tuning.js'
import { VERSION } from '../version.js'
import { CODE, NemoError, explain } from './errors.js'

export const ATTRIBUTION = {
  'x-skill-source': 'img2vid-action',
  'x-skill-version': VERSION,
  'x-skill-platform': 'github-actions'
} as const

/** Where tokens come from; http.ts asks it for the header and tells it about a 1001. */
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
  timeoutMs?: number
}

// 429 slows every call of this process down, not only the one that got it (batch runs share it).
let pausedUntil = 0

export function retryAfterMs(header: string | string[] | undefined): number {
  const raw = Array.isArray(header) ? header[0] : header
  let ms = tuning.retryWaitMs
  if (raw) {
    const secs = Number(raw)
    if (Number.isFinite(secs)) ms = secs * 1000
    else if (!Number.isNaN(Date.parse(raw))) ms = Date.parse(raw) - Date.now()
  }
  return Math.min(Math.max(ms, 0), tuning.retryWaitCapMs)
}

const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code
  return typeof code === 'string' && RESET_CODES.has(code)
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
    let rateRetried = false
    let faultRetried = false
    let authRetried = false
    for (;;) {
      await this.waitForRateLimit(opts.signal)
      const headers = await this.headers({ auth: opts.auth, signal: opts.signal, extra: { accept: 'application/json', ...opts.headers } })
      const sentToken = headers.authorization?.slice('Bearer '.length)
      let body = opts.body?.()
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json)
        headers['content-type'] = 'application/json'
      }
      let res: Dispatcher.ResponseData
      try {
        res = await request(this.url(path), {
          method,
          headers,
          body,
          signal: opts.signal,
          headersTimeout: opts.timeoutMs ?? tuning.requestTimeoutMs,
          bodyTimeout: opts.timeoutMs ?? tuning.requestTimeoutMs
        })
      } catch (err) {
        if (opts.signal.aborted) throw opts.signal.reason ?? err
        if (opts.idempotent && !faultRetried && isConnectionError(err)) {
          faultRetried = true
          core.info(`${opts.what}: connection problem (${(err as Error).message}); retrying once.`)
          await sleep(500, undefined, { signal: opts.signal })
          continue
        }
        throw new NemoError(`${opts.what}: could not reach NemoVideo at ${this.base.origin} (${(err as Error).message}).`, { cause: err })
      }
      const text = await res.body.text().catch(() => '')
      let parsed: unknown
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        parsed = undefined
      }
      const env = (parsed && typeof parsed === 'object' ? parsed : {}) as { code?: unknown; message?: unknown; msg?: unknown; data?: unknown }
      const code = typeof env.code === 'number' ? env.code : typeof env.code === 'string' && /^\d+$/.test(env.code) ? Number(env.code) : undefined
      const serverMessage = String(env.message ?? env.msg ?? '').slice(0, 300)
      const status = res.statusCode

      if (status === 429) {
        if (!rateRetried) {
          rateRetried = true
          const wait = retryAfterMs(res.headers['retry-after'])
          pausedUntil = Math.max(pausedUntil, Date.now() + wait)
          core.info(`${opts.what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`)
          continue
        }
        throw new NemoError(explain(opts.what, code, status, serverMessage), { code, httpStatus: status })
      }
      if (code === CODE.tokenInvalid && opts.auth !== false && this.tokens && sentToken && !authRetried) {
        authRetried = true
        await this.tokens.renew(sentToken, opts.signal)
        continue
      }
      if (status >= 500 && opts.idempotent && !faultRetried) {
        faultRetried = true
        core.info(`${opts.what}: NemoVideo answered HTTP ${status}; retrying once.`)
        await sleep(1000, undefined, { signal: opts.signal })
        continue
      }
      if (status >= 400 || (code !== undefined && code !== 0)) {
        throw new NemoError(explain(opts.what, code, status, serverMessage), { code, httpStatus: status })
      }
      if (parsed === undefined) throw new NemoError(`${opts.what}: NemoVideo answered HTTP ${status} with a body that is not JSON.`, { httpStatus: status })
      return ('data' in env && env.data !== undefined && env.data !== null ? env.data : parsed) as T
    }
  }

  async waitForRateLimit(signal: AbortSignal): Promise<void> {
    const wait = pausedUntil - Date.now()
    if (wait > 0) await sleep(wait, undefined, { signal })
  }
}
