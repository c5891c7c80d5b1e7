// The record of one video of a manifest: what the run knows of each of its formats (the made
// video, as MadeVideo holds it) or its error, with its files named relative to the record's
// folder. A matrix job writes it beside the MP4 (video-files.ts:recordPath) and uploads it in the
// video's artifact; collect/ reads it back from the downloaded artifact and has the same MadeVideo
// again, for the same outputs, summary and release block, without probing anything.
//
// A record comes back from an artifact that any job of the run could have uploaded: it is read as
// untrusted, bounded in size and count, every field checked against its type, its entries named
// as a job names a video's formats, and its files named as a job names them (a release asset is
// named after them) and regular files beside it; the MP4 must have the size and SHA-256 recorded.
// Its links are reported only when they are links the action itself makes (dropForeignLinks).
import { lstat, readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { VIDEO_NAME } from '../inputs/manifest.js'
import { ASPECT_RATIOS, BACKENDS, canvasSize, RESOLUTIONS, type BackendName } from '../shared/options.js'
import { previewPaths } from '../inputs/video-files.js'
import type { VideoInfo } from '../media/mp4.js'
import type { MadeVideo } from '../output-video/made-video.js'
import {
  claimUrlRefusal,
  count,
  fields,
  fileName,
  flag,
  hex64,
  isObject,
  optional,
  text,
  timeline,
  videoUrlRefusal
} from '../shared/checks.js'
import { writeFileBeside } from '../shared/guards.js'
import { sha256File } from '../shared/sha256.js'
import { oneLine } from '../shared/untrusted.js'
import { RecordError } from './errors.js'
import type { VideoOutcome } from './run-report.js'

/** The record's format; a reader refuses any other. */
const RECORD_FORMAT = 'img2vid-record/1'
/** A record is a few KB (a timeline of a long video, a few formats): anything larger is not one. */
export const MAX_RECORD_BYTES = 256 * 1024
/** Formats of one video: at most the four aspect ratios. */
const MAX_ENTRIES = 4
/** A record's file name: `<stem>.img2vid.json`, beside the MP4 `<stem>.mp4` (video-files.ts:recordPath). */
export const RECORD_SUFFIX = '.img2vid.json'
/**
 * What a format's name adds to its video's: `-<width>x<height>` of a canvas the action makes
 * (video-files.ts:formatsOf), one of the four aspect ratios at 720p or 1080p.
 */
const FORMAT_SUFFIXES = new Set(ASPECT_RATIOS.flatMap(a => RESOLUTIONS.map(r => canvasSize(a, r))).map(c => `-${c.width}x${c.height}`))

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
 * The files a job writes for the entry `name` of the video `video`, whose record is
 * `<stem>.img2vid.json`: the MP4 `<stem>.mp4`, or `<stem>-<w>x<h>.mp4` for a format, and the poster
 * and preview beside it (video-files.ts: recordPath, formatsOf, previewPaths). A release asset is
 * named after the entry and these files' endings, so no other name is read.
 */
function recordedFiles(stem: string, video: string, name: string): { file: string; poster: string; preview: string } {
  const file = `${stem}${name.slice(video.length)}.mp4`
  const { posterPath, previewPath } = previewPaths(file)
  return { file, poster: posterPath, preview: previewPath }
}

/** Thrown for a record that is not one this action wrote; `video` is its video, when it got that far. */
export class RefusedRecord extends RecordError {
  constructor(
    message: string,
    readonly video?: string
  ) {
    super(message)
  }
}

/**
 * A record read back. Throws RecordError naming the file and what is wrong (a RefusedRecord with
 * the video's name once that is known): its entries must be the video's formats, named as a job
 * names them; the files it names must be the ones a job writes for them, regular files beside it,
 * and the MP4 of the size and SHA-256 recorded (hashed here: what collect publishes is what it
 * reports).
 */
export async function readRecord(path: string): Promise<VideoRecord> {
  const shown = basename(path)
  // the video's name, once the record is read that far: a refusal after that is said of the video
  const known: { video?: string } = {}
  const bad = (why: string): RecordError =>
    new RefusedRecord(`${oneLine(shown, 160)} is not a video record of this action: ${why}.`, known.video)
  if (!shown.endsWith(RECORD_SUFFIX) || shown === RECORD_SUFFIX) throw bad(`its name does not end in ${RECORD_SUFFIX}`)
  const stem = shown.slice(0, -RECORD_SUFFIX.length)
  const s = await lstat(path)
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
  if (typeof raw.video !== 'string' || !VIDEO_NAME.test(raw.video)) throw bad("its 'video' is not a video name")
  const video = raw.video
  known.video = video
  const entries = raw.entries
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES)
    throw bad(`it does not hold 1 to ${MAX_ENTRIES} entries`)
  const own = video
  const entry = fields<RecordEntry>({
    name: n => typeof n === 'string' && n.startsWith(own) && (n === own || FORMAT_SUFFIXES.has(n.slice(own.length))),
    made: optional(recorded),
    error: optional(text),
    skipped: optional(flag)
  })
  const dir = dirname(path)
  const names = new Set<string>()
  for (const e of entries) {
    if (!entry(e))
      throw bad(
        `an entry is not a format of '${video}' (named '${video}' or '${video}-<width>x<height>' at a size the action makes) with the fields of a made video or an error`
      )
    const { name, made, error } = e as RecordEntry
    if (names.has(name)) throw bad(`it holds the entry '${name}' twice`)
    names.add(name)
    if (!made === !error) throw bad(`entry '${name}' must hold either the made video or its error`)
    if (!made) continue
    const want = recordedFiles(stem, video, name)
    if (made.file !== want.file) throw bad(`entry '${name}' names the MP4 ${oneLine(made.file, 100)}, not ${want.file}`)
    if ((made.poster === undefined) !== (made.preview === undefined))
      throw bad(`entry '${name}' names a poster or a preview without the other`)
    if (made.poster !== undefined && (made.poster !== want.poster || made.preview !== want.preview))
      throw bad(
        `entry '${name}' names the poster and preview ${oneLine(`${made.poster}, ${made.preview}`, 200)}, not ${want.poster}, ${want.preview}`
      )
    for (const file of [made.file, made.poster, made.preview]) {
      if (file === undefined) continue
      const f = await lstat(join(dir, file)).catch(() => undefined)
      if (!f?.isFile()) throw bad(`it names ${file}, which is not a file beside it`)
      if (file === made.file && f.size !== made.info.size) throw bad(`${file} is ${f.size} bytes, and the record says ${made.info.size}`)
    }
    if ((await sha256File(join(dir, made.file))) !== made.sha256) throw bad(`${made.file} does not have the SHA-256 the record says`)
  }
  return { format: RECORD_FORMAT, backend, video, entries: entries as RecordEntry[] }
}

/**
 * Drops the links of a record that the action would not report for a video it did not download:
 * a video-url must be the cloud's, on `apiUrl`'s host, and a claim link the service's own
 * (shared/checks.ts holds both rules, a cache hit's too). Returns what was dropped, for one warning.
 */
export function dropForeignLinks(record: VideoRecord, apiUrl: URL): string[] {
  const dropped: string[] = []
  for (const e of record.entries) {
    if (!e.made) continue
    const url = videoUrlRefusal(e.made.videoUrl, apiUrl)
    if (url) {
      dropped.push(`'${e.name}': its video-url (${url})`)
      e.made.videoUrl = ''
    }
    const claim = e.made.claimUrl === undefined ? undefined : claimUrlRefusal(e.made.claimUrl)
    if (claim) {
      dropped.push(`'${e.name}': its claim link (${claim})`)
      delete e.made.claimUrl
    }
  }
  return dropped
}
