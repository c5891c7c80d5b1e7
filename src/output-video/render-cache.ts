// No render paid twice: a content key over everything that decides a video, and the finished files
// (MP4, poster, preview and a small record of the render) kept with @actions/cache under it. A
// re-run with the same key restores them instead of rendering. The cache is a saving, never a
// requirement: every problem with it only warns, and the video is rendered as if there were none.
//
// An entry is untrusted input: anyone who can save an entry that a run reads chooses its bytes. So
// a hit is checked as a render's result is, and more: the archive is unpacked into a private
// folder, never the workspace (cache-archive.ts), only the action's own files are taken, the MP4
// must have the shape and length a render of this request has, the poster and preview must be
// what the action makes, and no output comes from the entry's record unchecked.
//
// Saving goes through a staging folder in the workspace, `.img2vid-cache/<key>/`: the cache entry's
// paths are then the same on every run (the toolkit's cache version is a hash of them), whatever
// the video's `output`. The folder is removed once the files are saved.
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, lstat, mkdir, mkdtemp, open, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseImageInfo } from '../media/image-info.js'
import { ASPECT_RATIOS, canvasSize, type BackendName } from '../shared/options.js'
import { PREVIEW, previewTries } from '../media/preview-format.js'
import type { PreparedVideo } from '../prepare.js'
import type { VideoRequest } from '../request/request.js'
import { errorMessage } from '../shared/errors.js'
import { tempFileFor } from '../shared/guards.js'
import { log } from '../shared/log.js'
import { sha256File } from '../shared/sha256.js'
import { oneLine } from '../shared/untrusted.js'
import { VERSION } from '../shared/version.js'
import type { Member } from './cache-archive.js'
import type { FinishedVideo } from './finish.js'
import type { MadeVideo } from './made-video.js'
import { fields, isReportedUrl, text, timeline, videoUrlRefusal, type Check } from '../shared/checks.js'
import { inspectFile, type VideoInfo } from '../media/mp4.js'
import { previewPaths, type Previews } from '../inputs/video-files.js'
import { EntryRefused } from './errors.js'
import { MAX_POSTER_BYTES, MAX_VIDEO_BYTES } from '../shared/file-caps.js'

/** The staging folder of a save, relative to the workspace. */
const CACHE_DIR = '.img2vid-cache'
/** The files of an entry, inside `.img2vid-cache/<key>/`. */
const FILES = { video: 'video.mp4', poster: 'poster.jpg', preview: 'preview.webp', record: 'img2vid.json' } as const
/**
 * What each file of an entry may weigh: the MP4 the cloud download's cap (2 GiB, nemo/download.ts;
 * a local render is far smaller), the poster a JPEG frame of at most 1920×1920, the preview its
 * own cap, the record a few ids and the timeline's summary (64 tracks of short texts at most).
 */
const MAX_BYTES = { video: MAX_VIDEO_BYTES, poster: MAX_POSTER_BYTES, preview: PREVIEW.maxBytes, record: 1024 * 1024 } as const
/** Bumped when what an entry holds changes: older entries are then missed, never misread. */
const LAYOUT = 2
const ID = /^[A-Za-z0-9._-]{0,128}$/
/**
 * The longest video a request without `duration` makes: the `duration` input's maximum (600 s),
 * or more with many images (the local backend gives each a few seconds; 30 s each is generous).
 */
const MAX_SECONDS = 600
const MAX_SECONDS_PER_IMAGE = 30

/**
 * The made video's fields a hit does not read from the record: its files (checked and placed on
 * their own), the hit itself, and what belongs to the run that rendered rather than to the video
 * (the account's credits then, a claim link for that run's anonymous session).
 */
type NotRecorded = 'name' | 'video' | 'previews' | 'cacheHit' | 'creditsAvailable' | 'claimUrl'
/** Every other field of a made video: what the render said, kept beside it so a hit reports the same. */
type RecordedOutputs = Omit<MadeVideo, NotRecorded>
/** Each recorded field by its type: a field added to MadeVideo fails to compile here until it is recorded or named above. */
const RECORDED: { [K in keyof Required<RecordedOutputs>]: Check } = { videoUrl: text, sessionId: text, renderId: text, timeline }
const recordedOutputs = fields<RecordedOutputs>(RECORDED)

interface RenderRecord {
  layout: number
  key: string
  sha256: string
  outputs: RecordedOutputs
}

/** The cache entry of one video (one format): its key, and what a hit is checked against. */
export interface CacheSlot {
  key: string
  workspace: string
  /** the runner's temp folder: a hit is unpacked in a private folder inside it */
  tempRoot: string
  previews: boolean
  backend: BackendName
  /** the cloud's origin: part of the key, and the only host a hit's video-url may point at */
  apiUrl?: URL
  /** the request of this format */
  request: VideoRequest
  images: number
}

/** The files restored at the video's paths, and the render they came from. */
export type CachedVideo = RecordedOutputs & { video: FinishedVideo; previews?: Previews }

/** JSON with object keys sorted and undefined left out: the same value always gives the same text. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The cloud service a key is for: the api-url's origin and path, as URL normalises them. */
const serviceOf = (apiUrl: URL): string => `${apiUrl.origin}${apiUrl.pathname}`

/**
 * `img2vid-<backend>-<sha256>` over: each image (its name as sent and the SHA-256 of its bytes, in
 * order), the music file (name and bytes) or description, the prompt turns, every other option of
 * the request, the backend and, for the cloud, its api-url (a staging API's video is not
 * production's), whether previews are made and the action's version. The paths of files and of
 * `output` are not part of it: the same content anywhere is the same video.
 */
export async function contentKey(
  prepared: PreparedVideo,
  backend: BackendName,
  opts: { previews: boolean; apiUrl?: URL }
): Promise<string> {
  const { request } = prepared
  const images = []
  for (const f of prepared.images) images.push({ name: f.name, sha256: await sha256File(f.path) })
  const music =
    request.music && 'file' in request.music
      ? { file: { name: request.music.file.name, sha256: await sha256File(request.music.file.path) } }
      : request.music
  const api = backend === 'nemo' && opts.apiUrl ? serviceOf(opts.apiUrl) : undefined
  const parts = {
    action: VERSION,
    layout: LAYOUT,
    backend,
    api,
    images,
    request: { ...request, music },
    extras: { previews: opts.previews }
  }
  return `img2vid-${backend}-${createHash('sha256').update(canonical(parts)).digest('hex')}`
}

type CacheLib = typeof import('@actions/cache')
let lib: Promise<CacheLib> | undefined
/** Loaded on first use: a run without the cache does not load it. */
const cacheLib = (): Promise<CacheLib> => (lib ??= import('@actions/cache'))
type ArchiveLib = typeof import('./cache-archive.js')
let archiveModule: Promise<ArchiveLib> | undefined
const archiveLib = (): Promise<ArchiveLib> => (archiveModule ??= import('./cache-archive.js'))

/** Why the cache service cannot be used here, or undefined when it can. */
async function cacheUnavailable(): Promise<string | undefined> {
  try {
    if ((await cacheLib()).isFeatureAvailable()) return undefined
  } catch (err) {
    return `the cache client did not load: ${errorMessage(err)}`
  }
  return 'the runner gives no cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL is not set)'
}

let unavailableSaid = false

/**
 * The cache entry of a video: its key and what a hit is checked against, or undefined when the
 * runner has no cache service (said once per run: a warning when 'cache: true' asked for it, a
 * log line for 'auto').
 */
export async function cacheEntry(
  prepared: PreparedVideo,
  backend: BackendName,
  opts: { workspace: string; tempRoot: string; previews: boolean; explicit: boolean; apiUrl: URL }
): Promise<CacheSlot | undefined> {
  const why = await cacheUnavailable()
  if (why) {
    if (!unavailableSaid) {
      unavailableSaid = true
      if (opts.explicit) log.warning(`'cache: true', but ${why}: every video is rendered.`)
      else log.info(`Cache: off, ${why}.`)
    }
    return undefined
  }
  try {
    const apiUrl = backend === 'nemo' ? opts.apiUrl : undefined
    return {
      key: await contentKey(prepared, backend, { previews: opts.previews, apiUrl }),
      workspace: opts.workspace,
      tempRoot: opts.tempRoot,
      previews: opts.previews,
      backend,
      apiUrl,
      request: prepared.request,
      images: prepared.images.length
    }
  } catch (err) {
    log.warning(`No cache key (${errorMessage(err)}): the video is rendered and not saved.`)
    return undefined
  }
}

/**
 * The canvases a render of `request` may have: its aspect ratio's (each one when it sets none: the
 * prompt or the cloud's agent then picks) at its resolution, and at 720p when that is 1080p (a
 * prompt may ask the local backend for 720p).
 */
function canvases(request: VideoRequest): { width: number; height: number }[] {
  const aspects = request.aspectRatio ? [request.aspectRatio] : ASPECT_RATIOS
  const resolutions = request.resolution === '1080p' ? (['1080p', '720p'] as const) : (['720p'] as const)
  return aspects.flatMap(a => resolutions.map(r => canvasSize(a, r)))
}

/**
 * Why a video is not one a render of this request makes, or undefined. Its shape: the local
 * backend renders a canvas exactly; the cloud may scale it, so its aspect ratio within 2 % (the
 * cloud backend's own off-canvas rule) and no side over the canvas's. Its length: within 10 % (at
 * least 1 s) of `duration`, the tolerance the cloud's draft is held to; without one, up to the
 * longest a request makes. A cloud video off its canvas or length is kept by a render (with a
 * warning), but is not saved, and an entry holding one is not restored.
 */
export function unlikeRequest(slot: Pick<CacheSlot, 'backend' | 'request' | 'images'>, info: VideoInfo): string | undefined {
  const { width: w, height: h, duration } = info
  const fits = (c: { width: number; height: number }): boolean =>
    slot.backend === 'local'
      ? w === c.width && h === c.height
      : w <= c.width && h <= c.height && Math.abs(w / h - c.width / c.height) <= 0.02 * (c.width / c.height)
  if (!(w > 0 && h > 0) || !canvases(slot.request).some(fits)) {
    const scaled = slot.backend === 'nemo' ? ', nor its shape scaled down' : ''
    if (!slot.request.aspectRatio) {
      const sizes = canvases(slot.request).map(c => `${c.width}×${c.height}`)
      return `the MP4 is ${w}×${h}, not a canvas this request can have (${sizes.join(', ')}${scaled})`
    }
    const { width, height } = canvasSize(slot.request.aspectRatio, slot.request.resolution)
    return `the MP4 is ${w}×${h}, not the ${width}×${height} canvas this request asks for${scaled}`
  }
  const want = slot.request.duration
  if (want !== undefined) {
    if (Math.abs(duration - want) > Math.max(1, 0.1 * want)) return `the MP4 is ${duration} s long; the request asks for ${want} s`
  } else {
    const most = Math.max(MAX_SECONDS, slot.images * MAX_SECONDS_PER_IMAGE)
    if (!(duration > 0 && duration <= most))
      return `the MP4 is ${duration} s long; a request of ${slot.images} images makes at most ${most} s`
  }
  return undefined
}

/** The first `n` bytes of a file, its last two and its size. */
async function ends(path: string, n: number): Promise<{ bytes: Buffer; last: Buffer; size: number }> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const bytes = Buffer.alloc(Math.min(n, size))
    const last = Buffer.alloc(Math.min(2, size))
    await fh.read(bytes, 0, bytes.length, 0)
    await fh.read(last, 0, last.length, size - last.length)
    return { bytes, last, size }
  } finally {
    await fh.close()
  }
}

/** The poster as the action makes it: a whole JPEG (SOI … EOI) of one frame of the MP4, at its size. */
async function posterProblem(path: string, video: VideoInfo): Promise<string | undefined> {
  const { bytes, last } = await ends(path, 64 * 1024)
  if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) return 'poster.jpg is not a JPEG'
  if (!(last[0] === 0xff && last[1] === 0xd9)) return 'poster.jpg is not a whole JPEG'
  const info = parseImageInfo(bytes, 'jpg')
  if (!info || info.width !== video.width || info.height !== video.height) {
    return `poster.jpg is ${info ? `${info.width}×${info.height}` : 'of no size'}, not the MP4's ${video.width}×${video.height}`
  }
  return undefined
}

/**
 * The preview as the action makes it (preview-format.ts): a whole animated WebP within the size
 * cap, one of the widths the action tries, the MP4's shape.
 */
async function previewProblem(path: string, video: VideoInfo): Promise<string | undefined> {
  const { bytes, size } = await ends(path, 64)
  if (size > PREVIEW.maxBytes) return `preview.webp is ${size} bytes, over the ${PREVIEW.maxBytes} byte cap`
  const ascii = (a: number, b: number): string => bytes.toString('latin1', a, b)
  if (bytes.length < 30 || ascii(0, 4) !== 'RIFF' || ascii(8, 12) !== 'WEBP') return 'preview.webp is not a WebP'
  if (bytes.readUInt32LE(4) + 8 !== size) return 'preview.webp is not a whole WebP'
  const info = parseImageInfo(bytes, 'webp')
  if (!info?.animated) return 'preview.webp is not an animated WebP'
  const widths = previewTries(video.width).map(t => t.width)
  const height = (info.width * video.height) / video.width
  if (!widths.includes(info.width) || Math.abs(info.height - height) > 2) {
    return `preview.webp is ${info.width}×${info.height}, not a preview of a ${video.width}×${video.height} video`
  }
  return undefined
}

/**
 * The recorded video-url as a hit reports it: the cloud's download link on the api-url's host,
 * else empty (shared/checks.ts:videoUrlRefusal, collect/'s rule too: an entry must not make the
 * action report a link of its choosing; the MP4 itself is at `path`, and an old signed link may
 * have expired anyway).
 */
function hitVideoUrl(slot: Pick<CacheSlot, 'apiUrl'>, url: string): string {
  const refused = videoUrlRefusal(url, slot.apiUrl)
  if (!refused) return url
  log.info(`Cache: the entry's video-url is ${oneLine(refused, 200)}: 'video-url' is left empty; the MP4 is at 'path'.`)
  return ''
}

/** One video at a time per key: two videos of a batch with the same content share the staging folder. */
const busy = new Map<string, Promise<unknown>>()
async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = busy.get(key) ?? Promise.resolve()
  const run = before.then(fn, fn)
  const done = run.catch(() => undefined)
  busy.set(key, done)
  try {
    return await run
  } finally {
    if (busy.get(key) === done) busy.delete(key)
  }
}

/** A fresh, empty staging folder for `key` (never through a link planted in the workspace). */
async function staging(workspace: string, key: string): Promise<string> {
  const root = join(workspace, CACHE_DIR)
  await mkdir(root, { recursive: true })
  const st = await lstat(root)
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error(`${CACHE_DIR} in the workspace is not a folder`)
  const dir = join(root, key)
  await rm(dir, { recursive: true, force: true })
  // recursive: another video may have just removed the (then empty) root
  await mkdir(dir, { recursive: true })
  return dir
}

async function removeStaging(workspace: string, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined)
  // the root goes too when no other video uses it
  await rmdir(join(workspace, CACHE_DIR)).catch(() => undefined)
}

/** The files of an entry: the MP4 and the record, and the poster and preview when made. */
const entryFiles = (previews: boolean): (keyof typeof FILES)[] =>
  previews ? ['video', 'poster', 'preview', 'record'] : ['video', 'record']
/** The entry's paths as the cache client takes them: relative to the workspace, '/' separated. */
const entryPaths = (key: string, previews: boolean): string[] => entryFiles(previews).map(f => `${CACHE_DIR}/${key}/${FILES[f]}`)
/** The members an entry's archive may hold: exactly its paths, each under its cap. */
const members = (key: string, previews: boolean): Member[] =>
  entryFiles(previews).map(f => ({ name: `${CACHE_DIR}/${key}/${FILES[f]}`, file: FILES[f], maxBytes: MAX_BYTES[f] }))

/** Moves a file (a copy when the rename crosses file systems, onto a name that must not exist yet). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    await copyFile(from, to, constants.COPYFILE_EXCL)
    await rm(from, { force: true })
  }
}

/** Moves a restored file to `to` through a fresh temp file beside it, renamed into place. */
async function place(from: string, to: string): Promise<void> {
  const temp = await tempFileFor(to)
  try {
    await move(from, temp)
    await rename(temp, to)
  } finally {
    await rm(temp, { force: true })
  }
}

/** Why the files of an entry are not what the action makes for this request, or undefined. */
async function filesProblem(slot: CacheSlot, info: VideoInfo, files?: { poster: string; preview: string }): Promise<string | undefined> {
  const unlike = unlikeRequest(slot, info)
  if (unlike) return unlike
  if (files) return (await posterProblem(files.poster, info)) ?? (await previewProblem(files.preview, info))
  return undefined
}

/**
 * Restores the entry of `key` and places its files at `output` (and the previews beside it). The
 * entry is untrusted (see cache-archive.ts): downloaded and unpacked into a fresh private folder
 * under the runner's temp folder, never the workspace; then its record, its MP4 (whole, the one
 * recorded, and the shape and length a render of this request has) and its poster and preview
 * (as the action makes them) are checked. A miss, a cache service that fails or an entry that is
 * not whole or not the action's gives undefined: the video is then rendered.
 */
export async function restoreVideo(key: string, opts: CacheSlot & { output: string }): Promise<CachedVideo | undefined> {
  return exclusive(key, async () => {
    let dir: string | undefined
    try {
      dir = await mkdtemp(join(opts.tempRoot, 'img2vid-cache-'))
      const archive = join(dir, 'entry.archive')
      const miss = await (await archiveLib()).downloadEntry(entryPaths(key, opts.previews), key, archive)
      if (miss) {
        log.info(`Cache: ${miss}; rendering.`)
        return undefined
      }
      const problem = (text: string): undefined => {
        log.warning(`The cache entry ${key} is not whole (${text}): rendering instead.`)
        return undefined
      }
      const files = join(dir, 'files')
      await mkdir(files)
      try {
        await (await archiveLib()).unpackEntry(archive, files, members(key, opts.previews))
      } catch (err) {
        if (!(err instanceof EntryRefused)) throw err
        log.warning(
          `The cache entry ${key} is not one this action wrote (${errorMessage(err)}): nothing of it was used; rendering instead.`
        )
        return undefined
      }
      await rm(archive, { force: true })

      let record: RenderRecord
      try {
        record = JSON.parse(await readFile(join(files, FILES.record), 'utf8')) as RenderRecord
      } catch (err) {
        return problem(`its record: ${errorMessage(err)}`)
      }
      if (record?.layout !== LAYOUT || record.key !== key || typeof record.sha256 !== 'string' || !recordedOutputs(record.outputs)) {
        return problem('its record is not one this version wrote')
      }
      const { outputs } = record
      if (!ID.test(outputs.sessionId) || !ID.test(outputs.renderId) || !(outputs.videoUrl === '' || isReportedUrl(outputs.videoUrl))) {
        return problem('its record holds ids or a URL this action would not write')
      }

      const staged = join(files, FILES.video)
      let facts
      try {
        facts = await inspectFile(staged)
      } catch (err) {
        return problem(`the MP4: ${errorMessage(err)}`)
      }
      if (facts.sha256 !== record.sha256) return problem('the MP4 is not the one recorded')
      const paths = opts.previews ? previewPaths(opts.output) : undefined
      const previews = paths && { poster: join(files, FILES.poster), preview: join(files, FILES.preview) }
      const wrong = await filesProblem(opts, facts.info, previews)
      if (wrong) return problem(wrong)

      // whole: into place, each file through a temp file beside its path like a render's
      await place(staged, opts.output)
      if (paths && previews) {
        await place(previews.poster, paths.posterPath)
        await place(previews.preview, paths.previewPath)
      }
      return {
        video: { path: opts.output, ...facts },
        previews: paths,
        ...outputs,
        videoUrl: hitVideoUrl(opts, outputs.videoUrl)
      }
    } catch (err) {
      log.warning(`The cache entry ${key} could not be restored (${errorMessage(err)}): rendering instead.`)
      return undefined
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined)
    }
  })
}

/** Saves a freshly made video under `key`. A failure only warns: the video is made either way. */
export async function saveVideo(key: string, opts: CacheSlot, made: MadeVideo): Promise<boolean> {
  if (opts.previews && !made.previews) {
    log.info(`Cache: not saved (the poster or preview was not made, and a re-run must restore both).`)
    return false
  }
  // what a hit would refuse is not saved: the re-run would only download it to render again
  const files = made.previews && { poster: made.previews.posterPath, preview: made.previews.previewPath }
  const wrong = await filesProblem(opts, made.video.info, files || undefined).catch((err: unknown) => errorMessage(err))
  if (wrong) {
    log.info(`Cache: not saved (${wrong}): a hit would not accept it, so a re-run renders it again.`)
    return false
  }
  return exclusive(key, async () => {
    let dir: string | undefined
    try {
      dir = await staging(opts.workspace, key)
      // hard links when the output shares the workspace's file system: nothing is copied
      const place = async (from: string, name: string): Promise<void> => {
        await link(from, join(dir as string, name)).catch(() => copyFile(from, join(dir as string, name)))
      }
      await place(made.video.path, FILES.video)
      if (made.previews) {
        await place(made.previews.posterPath, FILES.poster)
        await place(made.previews.previewPath, FILES.preview)
      }
      const outputs = Object.fromEntries(Object.keys(RECORDED).map(k => [k, made[k as keyof RecordedOutputs]])) as RecordedOutputs
      const record: RenderRecord = { layout: LAYOUT, key, sha256: made.video.sha256, outputs }
      await writeFile(join(dir, FILES.record), JSON.stringify(record))
      const { saveCache } = await cacheLib()
      const id = await saveCache(entryPaths(key, opts.previews), key)
      if (id === -1) return false
      log.info(`💾 Saved to the cache as ${key}: a re-run with the same inputs restores this video instead of rendering it.`)
      return true
    } catch (err) {
      log.warning(`The video was not saved to the cache (${errorMessage(err)}); it is made all the same.`)
      return false
    } finally {
      if (dir) await removeStaging(opts.workspace, dir)
    }
  })
}
