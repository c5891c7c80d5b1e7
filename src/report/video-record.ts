// The record of one video of a manifest: what the run knows of each of its formats (the made
// video, as MadeVideo holds it) or its error, with its files named relative to the record's
// folder. A matrix job writes it beside the MP4 (video-files.ts:recordPath) and uploads it in the
// video's artifact; collect/ reads it back from the downloaded artifact and has the same MadeVideo
// again, for the same outputs, summary and release block, without probing anything.
//
// A record comes back from an artifact that any job of the run could have uploaded: it is read as
// untrusted, bounded in size and count, every field checked against its type, and its files must
// be plain names of regular files beside it.
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { VIDEO_NAME } from '../inputs/manifest.js'
import { BACKENDS, type BackendName } from '../shared/options.js'
import type { VideoInfo } from '../media/mp4.js'
import type { MadeVideo } from '../output-video/made-video.js'
import { count, fields, fileName, flag, hex64, isObject, optional, text, timeline } from '../shared/checks.js'
import { writeFileBeside } from '../shared/guards.js'
import { RecordError } from './errors.js'
import type { VideoOutcome } from './run-report.js'

/** The record's format; a reader refuses any other. */
const RECORD_FORMAT = 'img2vid-record/1'
/** A record is a few KB (a timeline of a long video, a few formats): anything larger is not one. */
const MAX_RECORD_BYTES = 256 * 1024
/** Formats of one video: at most the four aspect ratios. */
const MAX_ENTRIES = 4

/** A made video as recorded: MadeVideo with its files as names beside the record. */
type RecordedVideo = Omit<MadeVideo, 'name' | 'video' | 'previews'> & {
  file: string
  info: VideoInfo
  sha256: string
  poster?: string
  preview?: string
}

interface RecordEntry {
  name: string
  made?: RecordedVideo
  error?: string
  skipped?: boolean
}

export interface VideoRecord {
  format: typeof RECORD_FORMAT
  backend: BackendName
  /** the manifest entry's name */
  video: string
  entries: RecordEntry[]
}

/** The record of a video's outcomes (one per format, or its failure). */
export function recordOf(video: string, backend: BackendName, outcomes: VideoOutcome[]): VideoRecord {
  const entries = outcomes.map((o): RecordEntry => {
    if (!o.made) return { name: o.name, error: o.error, skipped: o.skipped }
    const { name: _, video: v, previews, ...rest } = o.made
    return {
      name: o.name,
      made: {
        ...rest,
        file: basename(v.path),
        info: v.info,
        sha256: v.sha256,
        poster: previews && basename(previews.posterPath),
        preview: previews && basename(previews.previewPath)
      }
    }
  })
  return { format: RECORD_FORMAT, backend, video, entries }
}

/**
 * Written whole or not at all, as every file beside the user's is (writeFileBeside): a temp file
 * of a random name created exclusively, then renamed. A name the writer could be made to predict
 * (`<record>.<pid>.tmp`) let a checkout's planted link send the record over any file it could reach.
 */
export async function writeRecord(path: string, record: VideoRecord): Promise<void> {
  await writeFileBeside(path, `${JSON.stringify(record, null, 2)}\n`)
}

/** A recorded video as the run that made it had it, its files absolute beside the record. */
export function outcomesOf(record: VideoRecord, dir: string): VideoOutcome[] {
  return record.entries.map((e): VideoOutcome => {
    if (!e.made) return { name: e.name, error: e.error ?? 'not made', skipped: !!e.skipped, links: {} }
    const { file, info, sha256, poster, preview, ...rest } = e.made
    const made: MadeVideo = {
      ...rest,
      name: e.name,
      video: { path: join(dir, file), info, sha256 },
      previews: poster && preview ? { posterPath: join(dir, poster), previewPath: join(dir, preview) } : undefined
    }
    return { name: e.name, made, links: {} }
  })
}

const info = fields<VideoInfo>({ duration: count, width: count, height: count, videoCodec: text, audioCodec: optional(text), size: count })
/** Every field of a recorded video, by its type: a field added to MadeVideo fails to compile here. */
const recorded = fields<RecordedVideo>({
  file: fileName,
  info,
  sha256: hex64,
  poster: optional(fileName),
  preview: optional(fileName),
  videoUrl: text,
  sessionId: text,
  renderId: text,
  timeline,
  creditsAvailable: optional(count),
  claimUrl: optional(text),
  cacheHit: flag
})

/**
 * A record read back. Throws RecordError naming the file and what is wrong; the files it names
 * must be regular files beside it.
 */
export async function readRecord(path: string): Promise<VideoRecord> {
  const shown = basename(path)
  const bad = (why: string): RecordError => new RecordError(`${shown} is not a video record of this action: ${why}.`)
  const s = await stat(path)
  if (!s.isFile()) throw bad('it is not a file')
  if (s.size > MAX_RECORD_BYTES) throw bad(`it is ${s.size} bytes, and a record is at most ${MAX_RECORD_BYTES}`)
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch {
    throw bad('it is not JSON')
  }
  if (!isObject(raw) || raw.format !== RECORD_FORMAT) throw bad(`its format is not ${RECORD_FORMAT}`)
  const backend = raw.backend as BackendName
  if (!BACKENDS.includes(backend)) throw bad(`its backend is not one of ${BACKENDS.join(', ')}`)
  const video = raw.video
  if (typeof video !== 'string' || !VIDEO_NAME.test(video)) throw bad("its 'video' is not a video name")
  const entries = raw.entries
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES)
    throw bad(`it does not hold 1 to ${MAX_ENTRIES} entries`)
  const formatName = new RegExp(`^${video.replace(/\./g, '\\.')}-\\d{2,5}x\\d{2,5}$`)
  const entry = fields<RecordEntry>({
    name: n => n === video || (typeof n === 'string' && formatName.test(n)),
    made: optional(recorded),
    error: optional(text),
    skipped: optional(flag)
  })
  const dir = dirname(path)
  for (const e of entries) {
    if (!entry(e)) throw bad(`an entry is not a format of '${video}' with the fields of a made video or an error`)
    const made = (e as RecordEntry).made
    if (!made === !(e as RecordEntry).error) throw bad(`entry '${(e as RecordEntry).name}' must hold either the made video or its error`)
    for (const file of made ? [made.file, made.poster, made.preview] : []) {
      if (file === undefined) continue
      const f = await stat(join(dir, file)).catch(() => undefined)
      if (!f?.isFile()) throw bad(`it names ${file}, which is not a file beside it`)
    }
  }
  return { format: RECORD_FORMAT, backend, video, entries: entries as RecordEntry[] }
}
