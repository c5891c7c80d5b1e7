// The timeline draft in NemoVideo's short-key form (t/tt/sg/d/m), shared by both backends,
// and its human/JSON summary. Cloud segments are loosely specified, so reading is tolerant.
import { DraftError } from './errors.js'

export const TRACK_VIDEO = 0
export const TRACK_AUDIO = 1
export const TRACK_TEXT = 7

export interface Segment {
  /** start on the timeline, ms */
  st?: number
  /** duration, ms */
  d?: number
  /** display name (clip, song) */
  n?: string
  /** text of a text segment */
  txt?: string
  /** volume 0..1 of an audio segment */
  v?: number
  /** source: uploaded file name, CDN URL or local path */
  src?: string
  [key: string]: unknown
}

interface Track {
  tt: number
  sg: Segment[]
  n?: string
  [key: string]: unknown
}

interface DraftMeta {
  title?: string
  width?: number
  height?: number
  [key: string]: unknown
}

export interface Draft {
  t: Track[]
  /** total duration, ms */
  d?: number
  m?: DraftMeta
  [key: string]: unknown
}

export type TrackKind = 'video' | 'audio' | 'text' | 'other'
/** How the summary names a track of each kind. */
export const TRACK_LABELS: Record<TrackKind, string> = { video: 'Video', audio: 'BGM', text: 'Title', other: 'Track' }

interface TrackSummary {
  kind: TrackKind
  label: string
  name: string
  start: number
  end: number
  segments: number
  volume?: number
}

export interface TimelineSummary {
  duration: number
  width?: number
  height?: number
  title?: string
  tracks: TrackSummary[]
}

function num(...values: unknown[]): number | undefined {
  for (const v of values) {
    if (typeof v === 'number' && Number.isFinite(v)) return v
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  }
  return undefined
}

/** A name or text of the draft, bounded: it goes into the log, outputs and the summary. */
const MAX_TEXT = 200

function str(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v !== 'string' || v.trim() === '') continue
    const t = v.trim()
    return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t
  }
  return undefined
}

export function trackKind(tt: unknown): TrackKind {
  const n = num(tt)
  if (n === TRACK_VIDEO) return 'video'
  if (n === TRACK_AUDIO) return 'audio'
  if (n === TRACK_TEXT) return 'text'
  return 'other'
}

/** Start and end of a segment in ms, tolerant of the key spellings seen in drafts. */
export function segmentSpan(sg: Segment): { start: number; end: number } {
  const start = num(sg.st, sg.s, sg.start, sg.startTime, sg.start_time) ?? 0
  const dur = num(sg.d, sg.dur, sg.duration)
  const end = num(sg.et, sg.end, sg.endTime, sg.end_time) ?? (dur !== undefined ? start + dur : start)
  return { start, end }
}

function segmentName(sg: Segment): string | undefined {
  return str(sg.txt, sg.text, sg.content, sg.n, sg.name, sg.title)
}

/** A draft is a server's data: its size is bounded before anything walks it. */
const DRAFT_LIMITS = { tracks: 100, segments: 20_000, jsonChars: 8 * 1024 * 1024 } as const

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** True when the value has the draft's shape: `t` a list of tracks, each an object whose `sg` is a list of objects. */
function isDraft(value: unknown): value is Draft {
  return (
    isObject(value) &&
    Array.isArray(value.t) &&
    value.t.every(t => isObject(t) && (t.sg === undefined || (Array.isArray(t.sg) && t.sg.every(isObject))))
  )
}

/**
 * A draft as the state holds it (an object, or JSON text): undefined when it has not the draft's
 * shape; a DraftError when it is larger than any real timeline.
 */
export function readDraftValue(value: unknown): Draft | undefined {
  let v = value
  if (typeof v === 'string') {
    if (v.length > DRAFT_LIMITS.jsonChars) throw new DraftError(`the draft is over ${DRAFT_LIMITS.jsonChars / 1048576} MB`)
    try {
      v = JSON.parse(v)
    } catch {
      return undefined
    }
  }
  if (!isDraft(v)) return undefined
  if (v.t.length > DRAFT_LIMITS.tracks) throw new DraftError(`the draft has ${v.t.length} tracks (at most ${DRAFT_LIMITS.tracks})`)
  const segments = v.t.reduce((n, t) => n + (t.sg?.length ?? 0), 0)
  if (segments > DRAFT_LIMITS.segments) throw new DraftError(`the draft has ${segments} segments (at most ${DRAFT_LIMITS.segments})`)
  for (const t of v.t) t.sg ??= []
  return v
}

export function hasSegments(draft: Draft | undefined): boolean {
  return !!draft && draft.t.some(t => Array.isArray(t.sg) && t.sg.length > 0)
}

/** Total duration in ms: the draft's `d`, else the end of the last segment. */
export function draftDurationMs(draft: Draft): number {
  const d = num(draft.d)
  if (d !== undefined && d > 0) return d
  let end = 0
  for (const t of draft.t) for (const sg of t.sg ?? []) end = Math.max(end, segmentSpan(sg).end)
  return end
}

const round1 = (ms: number): number => Math.round(ms / 100) / 10

export function summarize(draft: Draft): TimelineSummary {
  const tracks: TrackSummary[] = []
  for (const t of draft.t) {
    const sgs = Array.isArray(t.sg) ? t.sg : []
    if (sgs.length === 0) continue
    const kind = trackKind(t.tt)
    let start = Infinity
    let end = -Infinity
    for (const sg of sgs) {
      const span = segmentSpan(sg)
      start = Math.min(start, span.start)
      end = Math.max(end, span.end)
    }
    const names = sgs.map(segmentName).filter((n): n is string => !!n)
    const label = TRACK_LABELS[kind]
    const name =
      kind === 'video' && sgs.length > 1
        ? `${sgs.length} clips`
        : (str(t.n) ?? names[0] ?? (kind === 'audio' ? 'audio' : kind === 'text' ? '' : 'clip'))
    const volume = kind === 'audio' ? num(sgs[0].v, sgs[0].vol, sgs[0].volume) : undefined
    tracks.push({
      kind,
      label,
      name,
      start: round1(start),
      end: round1(end),
      segments: sgs.length,
      ...(volume !== undefined ? { volume: volume > 1 ? volume / 100 : volume } : {})
    })
  }
  const m = draft.m ?? {}
  return {
    duration: round1(draftDurationMs(draft)),
    width: num(m.width, m.w),
    height: num(m.height, m.h),
    title: str(m.title),
    tracks
  }
}

/** `Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)` */
export function describe(summary: TimelineSummary): string {
  const parts = summary.tracks.map((t, i) => {
    const span = `${t.start}-${t.end}s`
    const extra = t.volume !== undefined ? `, ${Math.round(t.volume * 100)}%` : ''
    const name = t.kind === 'text' ? `"${t.name}"` : t.name
    return `${i + 1}. ${t.label}: ${name} (${span}${extra})`
  })
  const n = summary.tracks.length
  return `Timeline (${n} track${n === 1 ? '' : 's'}): ${parts.join(' ')}`
}
