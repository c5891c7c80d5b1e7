// Checks of untrusted JSON by type: a record read back from an artifact or a cache entry. `fields`
// takes a table with an entry for every field of the type, so a field added to the type fails to
// compile until it is checked, and refuses fields the type does not have.
import { TRACK_LABELS, type TimelineSummary, type TrackKind } from './timeline.js'
import { basename } from 'node:path'

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
