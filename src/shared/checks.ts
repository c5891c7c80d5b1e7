// Checks of untrusted JSON by type: a record read back from an artifact or a cache entry. `fields`
// takes a table with an entry for every field of the type, so a field added to the type fails to
// compile until it is checked, and refuses fields the type does not have. And the links such a
// record may hand on: which the action reports for a video it did not download itself.
import { TRACK_LABELS, type TimelineSummary, type TrackKind } from './timeline.js'
import { basename } from 'node:path'
import { isAllowedUrl } from './guards.js'

/** The longest text a record holds in one field. */
const MAX_TEXT = 8 * 1024

export type Check = (v: unknown) => boolean
export const text: Check = v => typeof v === 'string' && v.length <= MAX_TEXT
export const optional =
  (c: Check): Check =>
  v =>
    v === undefined || c(v)
export const count: Check = v => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e12
export const flag: Check = v => typeof v === 'boolean'
export const fileName: Check = v =>
  typeof v === 'string' && v !== '' && v === basename(v) && v !== '.' && v !== '..' && !v.includes('\\') && v.length <= 255
export const hex64: Check = v => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
export const fields =
  <T>(table: { [K in keyof Required<T>]: Check }): Check =>
  v =>
    isObject(v) && Object.keys(table).every(k => table[k as keyof T](v[k])) && Object.keys(v).every(k => k in table)
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const kinds = Object.keys(TRACK_LABELS) as TrackKind[]
const track: Check = v =>
  fields<TimelineSummary['tracks'][number]>({
    kind: k => kinds.includes(k as TrackKind),
    label: l => isObject(v) && l === TRACK_LABELS[v.kind as TrackKind],
    name: text,
    start: count,
    end: count,
    segments: count,
    volume: optional(count)
  })(v)
/** A timeline summary as src/shared/timeline.ts:summarize makes it. */
export const timeline = fields<TimelineSummary>({
  duration: count,
  width: optional(count),
  height: optional(count),
  title: optional(text),
  tracks: t => Array.isArray(t) && t.length <= 64 && t.every(track)
})

/** A URL as the action reports one: https (http only to loopback), no whitespace, at most 4 KiB. */
export function isReportedUrl(text: string): boolean {
  if (text.length > 4096 || /\s/.test(text)) return false
  try {
    return isAllowedUrl(new URL(text))
  } catch {
    return false
  }
}

/**
 * Why a recorded video-url is not reported by a run that did not download the video (a cache hit,
 * collect/), or undefined when it is: the cloud's download link, a reported URL on the api-url's
 * host. A record could otherwise put a link of its choosing (javascript:, a look-alike page) in
 * the outputs and the job summary; the MP4 itself is at the video's path either way.
 */
export function videoUrlRefusal(url: string, apiUrl: URL | undefined): string | undefined {
  if (url === '') return undefined
  if (!isReportedUrl(url)) return 'not an https URL'
  const host = new URL(url).hostname
  if (!apiUrl || host !== apiUrl.hostname) return `on ${host}, not on the api-url's host${apiUrl ? ` (${apiUrl.hostname})` : ''}`
  return undefined
}

/** The NemoVideo web app, where a person claims an anonymous session. */
const NEMO_WEB_ORIGIN = 'https://nemovideo.com'
const CLAIM_PAGE = `${NEMO_WEB_ORIGIN}/workspace/claim?ct=`
/** A claim token as the link carries it: URL-safe as it is, so the link is the page and the token. */
const CLAIM_TOKEN = /^[\w.-]{1,200}$/

/** The claim link of a claim token the service sent (backends/nemo/auth.ts), or undefined for a token it would not carry. */
export function claimUrlFor(token: unknown): string | undefined {
  return typeof token === 'string' && CLAIM_TOKEN.test(token) ? `${CLAIM_PAGE}${token}` : undefined
}

/** Why a recorded claim link is not shown, or undefined when it is one claimUrlFor makes. */
export function claimUrlRefusal(url: string): string | undefined {
  return url.startsWith(CLAIM_PAGE) && claimUrlFor(url.slice(CLAIM_PAGE.length)) === url
    ? undefined
    : `not a claim link on ${NEMO_WEB_ORIGIN}`
}
