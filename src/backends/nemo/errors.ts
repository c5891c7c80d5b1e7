// NemoVideo errors: the codes by name, typed errors whose messages say what happened and what to
// do, network failures in words, and the redaction every server string goes through.
import { MAX_FILE_BYTES } from '../../input-files/check-files.js'
import { errorMessage } from '../../shared/errors.js'
export const CODE = {
  tokenInvalid: 1001,
  sessionNotFound: 1002,
  outOfCredits: 2001,
  unsupportedFile: 4001,
  fileTooLarge: 4002
} as const

export const HTTP = {
  missingClientId: 400,
  unauthorized: 401,
  planLimit: 402,
  notFound: 404,
  rateLimited: 429
} as const

export class NemoError extends Error {
  readonly code?: number
  readonly httpStatus?: number
  constructor(message: string, opts: { code?: number; httpStatus?: number; cause?: unknown } = {}) {
    super(redact(message), { cause: opts.cause })
    this.name = 'NemoError'
    this.code = opts.code
    this.httpStatus = opts.httpStatus
  }
}

// every token this run used (the user's and each anonymous one): none may leave in any text
const secrets = new Set<string>()

export function addSecret(token: string): void {
  if (token.length >= 8) secrets.add(token)
}

/** Tokens never reach a message, an output or the summary, even when a server echoes one back. */
export function redact(text: string): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('***')
  return out.replace(/nmv_[a-z]+_[A-Za-z0-9_-]+/g, m => `${m.split('_').slice(0, 2).join('_')}_***`)
}

/** The message for an error reply, by code, as the protocol's error table says. */
export function explain(what: string, code: number | undefined, httpStatus: number, serverMessage: string): string {
  const said = serverMessage ? ` (server: ${serverMessage})` : ''
  switch (code) {
    case CODE.tokenInvalid:
      return `${what}: NemoVideo rejected the token (code 1001: expired or invalid)${said}. Set a valid token in the 'token' input (NEMO_TOKEN secret), or leave it empty to use an anonymous token.`
    case CODE.sessionNotFound:
      return `${what}: the NemoVideo session was not found (code 1002)${said}. It may have expired; re-run the job.`
    case CODE.outOfCredits:
      return `${what}: the NemoVideo account is out of credits (code 2001)${said}.`
    case CODE.unsupportedFile:
      return `${what}: NemoVideo refused a file type (code 4001)${said}. Use JPEG, PNG, WebP or GIF images and MP3, WAV, M4A or AAC music.`
    case CODE.fileTooLarge:
      return `${what}: NemoVideo refused a file over its ${MAX_FILE_BYTES / 1024 / 1024} MB limit (code 4002)${said}. Downscale or recompress it.`
  }
  if (httpStatus === HTTP.planLimit || code === HTTP.planLimit) {
    return `${what}: NemoVideo answered HTTP 402: the account's plan does not allow this (a plan/subscription limit, not credits)${said}. Upgrade the plan, or use a token of an account that can export.`
  }
  if (httpStatus === HTTP.rateLimited || code === HTTP.rateLimited) {
    return `${what}: NemoVideo is rate limiting this runner (HTTP 429) even after waiting${said}. Try again later or lower max-parallel.`
  }
  if (httpStatus >= 500) return `${what}: NemoVideo answered HTTP ${httpStatus}${said}. The service may be down; re-run the job later.`
  const answer = code !== undefined && code !== 0 && code !== httpStatus ? `code ${code} (HTTP ${httpStatus})` : `HTTP ${httpStatus}`
  return `${what}: NemoVideo answered ${answer}${said}.`
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

function errorCode(err: unknown): string | undefined {
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

/** A network failure in words, without anything from the request (headers carry the token). */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const code = errorCode(err)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'UND_ERR_CLOSED') return 'the connection was reset'
  const message = errorMessage(err)
  return redact(code && !message.includes(code) ? `${code}: ${message}` : message)
}

/** The render ended as failed (the server's reason in the message). */
export class RenderFailed extends NemoError {}

/** The chat stream sent more than an event can be without completing one. */
export class ReplyTooLarge extends NemoError {}

/** One download attempt failed in a way another attempt may not. */
export class BadDownload extends Error {}
/** Over the size cap: no other attempt will be smaller. */
export class TooLarge extends BadDownload {}
/** A hop pointed into the runner's own network: the same URL will point there again. */
export class Refused extends BadDownload {}

/** A chat stream that broke (reset, closed, aborted by the peer) rather than failed. */
export function isStreamBreak(err: unknown): boolean {
  return isConnectionError(err) || errorCode(err) === 'UND_ERR_ABORTED'
}
