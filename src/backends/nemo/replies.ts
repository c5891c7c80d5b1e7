// The cloud's replies, read in one place: the {code, message, data} envelope every call gets, the
// render status in each shape the vendor's documents show (named as docs/nemovideo-protocol.md and
// the test server name them), what each status word means, and where a reply points at the MP4.
import { isObject } from '../../shared/checks.js'
import { CODE, HTTP, redact } from './errors.js'

export type Envelope =
  { ok: true; data: unknown; body: Record<string, unknown> } | { ok: false; code?: number; message: string; json: boolean }

/**
 * A server's JSON with every string in it redacted (each token of the run as ***): where server
 * strings enter (every reply, every chat event), so that none that echoes a token reaches the
 * draft, the timeline, an output, the summary, a record or the log. Throws as JSON.parse does.
 */
export function serverJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? redact(value) : value))
}

/**
 * Reads a reply body: `code != 0` is an error even with HTTP 200; a non-JSON body is one too.
 * Its strings are redacted (serverJson) unless `raw` (the few replies whose strings are used as
 * the server sent them: nemo/client.ts, CallOptions.raw); an error's message always is.
 */
export function readEnvelope(status: number, text: string, raw = false): Envelope {
  let parsed: unknown
  try {
    parsed = text.trim() ? (raw ? JSON.parse(text) : serverJson(text)) : undefined
  } catch {
    parsed = undefined
  }
  const json = isObject(parsed)
  const env: Record<string, unknown> = isObject(parsed) ? parsed : {}
  let code =
    typeof env.code === 'number' ? env.code : typeof env.code === 'string' && /^-?\d+$/.test(env.code) ? Number(env.code) : undefined
  const said = [env.message, env.msg, env.error, env.detail].find(v => typeof v === 'string' && v.trim()) as string | undefined
  const message = redact(said?.trim() ?? '').slice(0, 300)
  // the agent framework's own "session not found" (HTTP 404 {"detail": …}) is the protocol's 1002
  if (code === undefined && status === HTTP.notFound && typeof env.detail === 'string' && /session not found/i.test(env.detail)) {
    code = CODE.sessionNotFound
  }
  // `success: false` alone is an error; with a data object (a failed render's status in the
  // envelope shape) it is a reply
  const refused = env.success === false && !isObject(env.data)
  if (status >= 400 || (code !== undefined && code !== 0) || refused) return { ok: false, code, message, json }
  if (!json) return { ok: false, message: '', json: false }
  return { ok: true, data: env.data !== undefined && env.data !== null ? env.data : env, body: env }
}

/**
 * The render status shapes, by name. The test server answers in each (test/servers/nemo.ts builds
 * a reply per name, so a shape added here must be added there), and each reads the same.
 */
export const STATUS_SHAPES = {
  /** top-level status with output.url: the shape every skill version agrees on */
  current: '{"taskId":…,"status":…,"progress":…,"output":{"url":…}}',
  /** top-level status with outputUrl: the vendor CLI */
  cli: '{"taskId":…,"status":…,"progress":…,"outputUrl":…}',
  /** the status inside a success envelope: a withdrawn document */
  envelope: '{"success":true,"data":{"id":…,"status":…,"progress":…,"outputUrl":…}}'
} as const
export type StatusShape = keyof typeof STATUS_SHAPES

/** What a render status word means: still going, done (the MP4 is ready) or failed. */
export type RenderState = 'running' | 'done' | 'failed'

/**
 * Every status word a source shows, by what it means. The vendor documents pending, processing,
 * completed and failed; the rest are the words such services use. A word not here keeps the poll
 * going until the deadline, which names it.
 */
export const STATUS_WORDS = {
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
} as const satisfies Record<string, RenderState>
export type StatusWord = keyof typeof STATUS_WORDS

export const renderState = (status: string): RenderState =>
  Object.hasOwn(STATUS_WORDS, status) ? STATUS_WORDS[status as StatusWord] : 'running'

export interface RenderStatus {
  status: string
  progress?: number
  url?: string
  reason?: string
}

/** The status object of a reply: the data of an envelope (when the client left it on), or the reply. */
const statusObject = (reply: unknown): Record<string, unknown> => {
  const r = isObject(reply) ? reply : {}
  return isObject(r.data) ? r.data : r
}

/** Where each shape (and the download endpoint's JSON answer) puts the MP4's URL, first found wins. */
function urlIn(inner: Record<string, unknown>): string | undefined {
  const output = inner.output
  return [
    isObject(output) ? output.url : undefined, // current; the download endpoint's JSON
    inner.outputUrl, // cli, envelope
    inner.output_url,
    typeof output === 'string' ? output : undefined,
    inner.url,
    inner.downloadUrl,
    inner.download_url
  ].find((u): u is string => typeof u === 'string' && u !== '')
}

/** A render status reply, in any of the STATUS_SHAPES. */
export function readRenderStatus(reply: unknown): RenderStatus {
  const outer = isObject(reply) ? reply : {}
  const inner = statusObject(reply)
  const p = typeof inner.progress === 'string' ? Number(inner.progress) : inner.progress
  const progress = typeof p === 'number' && Number.isFinite(p) ? p : undefined
  const reasonRaw = inner.error ?? inner.reason ?? inner.errorMessage ?? inner.message ?? outer.error ?? outer.message
  const reason = typeof reasonRaw === 'string' ? reasonRaw : reasonRaw ? JSON.stringify(reasonRaw) : undefined
  // a server's words: the status is printed, so it is redacted; both are bounded
  return {
    status: redact(String(inner.status ?? ''))
      .toLowerCase()
      .slice(0, 40),
    progress,
    url: urlIn(inner),
    // the reason only reaches a NemoError, which redacts
    reason: reason?.slice(0, 500)
  }
}

/** The MP4's URL in a JSON answer of the download endpoint (or a status reply), if it has one. */
export function pointedUrl(body: Buffer): string | undefined {
  try {
    return urlIn(statusObject(JSON.parse(body.toString('utf8'))))
  } catch {
    return undefined
  }
}
