// No render paid twice: a content key over everything that decides a video, and the finished files
// (MP4, poster, preview and a small record of the render) kept with @actions/cache under it. A
// re-run with the same key restores them instead of rendering. The cache is a saving, never a
// requirement: every problem with it only warns, and the video is rendered as if there were none.
//
// The files go through a staging folder in the workspace, `.img2vid-cache/<key>/`: the cache
// entry's paths are then the same on every run (the toolkit's cache version is a hash of them),
// whatever the video's `output`, and a restore that is broken or incomplete never touches the
// output's paths. The folder is removed once the files are placed (or saved).
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, link, lstat, mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BackendName } from '../inputs/options.js'
import type { PreparedVideo } from '../prepare.js'
import { errorMessage } from '../shared/errors.js'
import { isAllowedUrl } from '../shared/guards.js'
import { log } from '../shared/log.js'
import { readDraftValue, summarize, type Draft, type TimelineSummary } from '../shared/timeline.js'
import { VERSION } from '../shared/version.js'
import { tempFileFor, type FinishedVideo } from './finish.js'
import { inspectFile } from '../media/mp4.js'
import { previewPaths, type Previews } from '../inputs/video-files.js'

/** The staging folder, relative to the workspace. */
export const CACHE_DIR = '.img2vid-cache'
/** The files of an entry, inside `.img2vid-cache/<key>/`. */
const FILES = { video: 'video.mp4', poster: 'poster.jpg', preview: 'preview.webp', record: 'img2vid.json' } as const
/** Bumped when what an entry holds changes: older entries are then missed, never misread. */
const LAYOUT = 1
const MAX_RECORD_BYTES = 16 * 1024 * 1024
const ID = /^[A-Za-z0-9._-]{0,128}$/

/** What the render said about the video, kept beside it so a cache hit reports the same. */
interface RenderRecord {
  layout: number
  key: string
  sha256: string
  videoUrl: string
  sessionId: string
  renderId: string
  draft: Draft
}

/** The files restored at the video's paths, and the render they came from. */
export interface CachedVideo {
  video: FinishedVideo
  previews?: Previews
  videoUrl: string
  sessionId: string
  renderId: string
  timeline: TimelineSummary
}

/** A URL this action would have reported: https (http only to loopback), bounded. */
function isUrl(text: string): boolean {
  if (text.length > 4096 || /\s/.test(text)) return false
  try {
    return isAllowedUrl(new URL(text))
  } catch {
    return false
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

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

/**
 * `img2vid-<backend>-<sha256>` over: each image (its name as sent and the SHA-256 of its bytes, in
 * order), the music file (name and bytes) or description, the prompt turns, every other option of
 * the request, the backend, `extras` (whether previews are made) and the action's version. The
 * paths of files and of `output` are not part of it: the same content anywhere is the same video.
 */
export async function contentKey(prepared: PreparedVideo, backend: BackendName, extras: Record<string, unknown>): Promise<string> {
  const { request } = prepared
  const images = []
  for (const f of prepared.images) images.push({ name: f.name, sha256: await sha256File(f.path) })
  const music =
    request.music && 'file' in request.music
      ? { file: { name: request.music.file.name, sha256: await sha256File(request.music.file.path) } }
      : request.music
  const parts = { action: VERSION, layout: LAYOUT, backend, images, request: { ...request, music }, extras }
  return `img2vid-${backend}-${createHash('sha256').update(canonical(parts)).digest('hex')}`
}

type CacheLib = typeof import('@actions/cache')
let lib: Promise<CacheLib> | undefined
/** Loaded on first use: a run without the cache does not load it. */
const cacheLib = (): Promise<CacheLib> => (lib ??= import('@actions/cache'))

/** Why the cache service cannot be used here, or undefined when it can. */
export async function cacheUnavailable(): Promise<string | undefined> {
  try {
    if ((await cacheLib()).isFeatureAvailable()) return undefined
  } catch (err) {
    return `the cache client did not load: ${errorMessage(err)}`
  }
  return 'the runner gives no cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL is not set)'
}

let unavailableSaid = false

/**
 * The cache entry of a video: its key, or undefined when the runner has no cache service (said
 * once per run: a warning when 'cache: true' asked for it, a log line for 'auto').
 */
export async function cacheEntry(
  prepared: PreparedVideo,
  backend: BackendName,
  opts: { workspace: string; previews: boolean; explicit: boolean }
): Promise<{ key: string; workspace: string; previews: boolean } | undefined> {
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
    return { key: await contentKey(prepared, backend, { previews: opts.previews }), workspace: opts.workspace, previews: opts.previews }
  } catch (err) {
    log.warning(`No cache key (${errorMessage(err)}): the video is rendered and not saved.`)
    return undefined
  }
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

/** The entry's paths as the cache client takes them: relative to the workspace, '/' separated. */
const entryPaths = (key: string, previews: boolean): string[] =>
  (previews ? Object.values(FILES) : [FILES.video, FILES.record]).map(f => `${CACHE_DIR}/${key}/${f}`)

/** Moves a file (a copy when the rename crosses file systems). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    await copyFile(from, to)
    await rm(from, { force: true })
  }
}

/**
 * Restores the entry of `key` and places its files at `output` (and the previews beside it). A
 * miss, a cache service that fails or an entry that is not whole (a file missing, an MP4 that is
 * not a whole MP4 or not the one recorded) gives undefined: the video is then rendered.
 */
export async function restoreVideo(
  key: string,
  opts: { workspace: string; output: string; previews: boolean }
): Promise<CachedVideo | undefined> {
  return exclusive(key, async () => {
    let dir: string | undefined
    try {
      dir = await staging(opts.workspace, key)
      const { restoreCache } = await cacheLib()
      const hit = await restoreCache(entryPaths(key, opts.previews), key)
      if (hit !== key) {
        log.info(`Cache: no entry for ${key}; rendering.`)
        return undefined
      }
      const problem = (text: string): undefined => {
        log.warning(`The cache entry ${key} is not whole (${text}): rendering instead.`)
        return undefined
      }

      let record: RenderRecord
      try {
        const text = await readFile(join(dir, FILES.record), 'utf8')
        if (text.length > MAX_RECORD_BYTES) return problem('its record is too large')
        record = JSON.parse(text) as RenderRecord
      } catch (err) {
        return problem(`its record: ${errorMessage(err)}`)
      }
      const draft = readDraftValue(record.draft)
      const ids = [record.videoUrl, record.sessionId, record.renderId]
      if (record.layout !== LAYOUT || record.key !== key || !draft || ids.some(v => typeof v !== 'string')) {
        return problem('its record is not one this version wrote')
      }
      if (!ID.test(record.sessionId) || !ID.test(record.renderId) || !(record.videoUrl === '' || isUrl(record.videoUrl))) {
        return problem('its record holds ids or a URL this action would not write')
      }

      const staged = join(dir, FILES.video)
      let facts
      try {
        facts = await inspectFile(staged)
      } catch (err) {
        return problem(`the MP4: ${errorMessage(err)}`)
      }
      if (facts.sha256 !== record.sha256) return problem('the MP4 is not the one recorded')
      const paths = opts.previews ? previewPaths(opts.output) : undefined
      if (paths) {
        for (const f of [FILES.poster, FILES.preview]) {
          const st = await lstat(join(dir, f)).catch(() => undefined)
          if (!st?.isFile() || st.size === 0) return problem(`${f} is missing`)
        }
      }

      // whole: into place, the MP4 through a temp file beside `output` like a render's
      const temp = await tempFileFor(opts.output)
      try {
        await move(staged, temp)
        await rename(temp, opts.output)
      } finally {
        await rm(temp, { force: true })
      }
      if (paths) {
        await move(join(dir, FILES.poster), paths.posterPath)
        await move(join(dir, FILES.preview), paths.previewPath)
      }
      return {
        video: { path: opts.output, ...facts },
        previews: paths,
        videoUrl: record.videoUrl,
        sessionId: record.sessionId,
        renderId: record.renderId,
        timeline: summarize(draft)
      }
    } catch (err) {
      log.warning(`The cache could not be read (${errorMessage(err)}): rendering instead.`)
      return undefined
    } finally {
      if (dir) await removeStaging(opts.workspace, dir)
    }
  })
}

/** Saves a freshly made video under `key`. A failure only warns: the video is made either way. */
export async function saveVideo(
  key: string,
  opts: { workspace: string; previews: boolean },
  made: { video: FinishedVideo; previews?: Previews; videoUrl: string; sessionId: string; renderId: string; draft: Draft }
): Promise<boolean> {
  if (opts.previews && !made.previews) {
    log.info(`Cache: not saved (the poster or preview was not made, and a re-run must restore both).`)
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
      const record: RenderRecord = {
        layout: LAYOUT,
        key,
        sha256: made.video.sha256,
        videoUrl: made.videoUrl,
        sessionId: made.sessionId,
        renderId: made.renderId,
        draft: made.draft
      }
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
