// One video through a backend and over the finish line: the backend writes a temp file beside
// `output`, the finish line checks it, reads its facts and renames it into place; then the poster
// and the preview are made from the finished MP4.
import { mkdtemp, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Backend } from './backends/backend.js'
import { formatsOf, type Previews } from './inputs/video-files.js'
import { finishVideo, type FinishedVideo } from './output-video/finish.js'
import { tempFileFor } from './shared/guards.js'
import type { MadeVideo } from './output-video/made-video.js'
import { openFfmpeg, type FfmpegSettings } from './media/find-ffmpeg.js'
import { makePreviews } from './output-video/previews.js'
import { cacheEntry, restoreVideo, saveVideo } from './output-video/render-cache.js'
import type { PreparedVideo } from './prepare.js'
import { DeadlineError, errorMessage } from './shared/errors.js'
import { log } from './shared/log.js'
import { summarize, type Draft } from './shared/timeline.js'

type CacheOptions = { workspace: string; explicit: boolean; apiUrl: URL }

/** One video (in each of its formats) through the backend, over the finish line, with previews. */
export async function renderVideo(
  prepared: PreparedVideo,
  backend: Backend,
  opts: {
    tempRoot: string
    signal: AbortSignal
    timeoutMinutes: number
    previews: false | FfmpegSettings
    /**
     * when the cache is on: the workspace (its staging folder), whether 'cache: true' asked for it
     * and the cloud's api-url (part of the key)
     */
    cache?: CacheOptions
  }
): Promise<MadeVideo[]> {
  const formats = formatsOf(prepared.spec)
  // one cache entry per format; the video is restored only when every format is in the cache
  const entries = opts.cache
    ? await Promise.all(
        formats.map(f =>
          cacheEntry({ ...prepared, request: { ...prepared.request, aspectRatio: f.aspectRatio } }, backend.name, {
            ...(opts.cache as CacheOptions),
            tempRoot: opts.tempRoot,
            previews: !!opts.previews
          })
        )
      )
    : []
  const restored: MadeVideo[] = []
  for (const [i, f] of formats.entries()) {
    const cache = entries[i]
    const cached = cache && (await restoreVideo(cache.key, { ...cache, output: f.output }))
    if (!cached) break
    log.info(
      `♻️ Cache hit (${cache.key}): the MP4${cached.previews ? ', poster and preview' : ''} of an earlier run, restored; nothing was rendered.`
    )
    restored.push({ name: f.name, ...cached, cacheHit: true })
  }
  if (restored.length === formats.length) return restored

  const timeoutMs = opts.timeoutMinutes * 60_000
  const deadline = Date.now() + timeoutMs
  const timer = AbortSignal.timeout(timeoutMs)
  const signal = AbortSignal.any([opts.signal, timer])
  const tempDir = await mkdtemp(join(opts.tempRoot, 'img2vid-'))
  const files = await Promise.all(formats.map(f => tempFileFor(f.output)))
  try {
    const result = await backend.render({
      images: prepared.images,
      request: prepared.request,
      videos: formats.map((f, i) => ({
        aspectRatio: f.aspectRatio,
        file: files[i],
        preview: opts.previews ? join(tempDir, `preview-${i}.webp`) : undefined
      })),
      tempDir,
      signal,
      deadline
    })
    const made: MadeVideo[] = []
    for (const [i, f] of formats.entries()) {
      const r = result.videos[i]
      const video = await finishVideo(r.video, f.output, signal)
      const previews = opts.previews ? await previewsOf(video, result.draft, opts.previews, signal, r.preview) : undefined
      const cache = entries[i]
      const m: MadeVideo = {
        name: f.name,
        video,
        videoUrl: r.videoUrl,
        sessionId: result.sessionId,
        renderId: r.renderId,
        timeline: summarize(result.draft),
        creditsAvailable: result.creditsAvailable,
        claimUrl: result.claimUrl,
        previews,
        cacheHit: false
      }
      if (cache) await saveVideo(cache.key, cache, m)
      made.push(m)
    }
    return made
  } catch (err) {
    // the deadline's own timer aborted whatever was running: say so in the action's words
    if (timer.aborted && !opts.signal.aborted && !(err instanceof DeadlineError)) {
      throw new DeadlineError(
        `The ${backend.name} backend did not finish within ${opts.timeoutMinutes} minutes ('timeout-minutes'): ${errorMessage(err)}`,
        { cause: err }
      )
    }
    throw err
  } finally {
    await Promise.all(files.map(f => rm(f, { force: true }).catch(() => undefined)))
    await rm(tempDir, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** The poster and preview; a video without them is still a video, so a failure only warns. */
async function previewsOf(
  video: FinishedVideo,
  draft: Draft,
  ffmpeg: FfmpegSettings,
  signal: AbortSignal,
  made?: string
): Promise<Previews | undefined> {
  try {
    return await makePreviews(await openFfmpeg(ffmpeg), video, draft, signal, made)
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err
    log.warning(`No poster or preview for ${basename(video.path)}: ${errorMessage(err)} (set 'previews: false' to skip them).`)
    return undefined
  }
}
