// One video through a backend and over the finish line: the backend writes a temp file beside
// `output`, the finish line checks it, reads its facts and renames it into place; then the poster
// and the preview are made from the finished MP4.
import { mkdtemp, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Backend } from './backends/backend.js'
import { findFfmpeg } from './backends/local/ffmpeg.js'
import { finishVideo, tempFileFor, type FinishedVideo } from './output-video/finish.js'
import { makePreviews, type Previews } from './output-video/previews.js'
import { cacheEntry, restoreVideo, saveVideo } from './output-video/render-cache.js'
import type { PreparedVideo } from './prepare.js'
import { DeadlineError, errorMessage } from './shared/errors.js'
import { log } from './shared/log.js'
import { summarize, type Draft, type TimelineSummary } from './shared/timeline.js'

/** A video that is at its `output`, with what the backend said about it. */
export interface MadeVideo {
  name: string
  video: FinishedVideo
  /** where the cloud served it; empty for local */
  videoUrl: string
  sessionId: string
  renderId: string
  timeline: TimelineSummary
  creditsAvailable?: number
  claimUrl?: string
  /** the poster and preview beside the MP4, when made */
  previews?: Previews
  /** restored from the cache: nothing was rendered */
  cacheHit: boolean
}

export async function renderVideo(
  prepared: PreparedVideo,
  backend: Backend,
  opts: {
    tempRoot: string
    signal: AbortSignal
    timeoutMinutes: number
    previews: false | { ffmpegPath?: string }
    /** when the cache is on: the workspace (its staging folder) and whether 'cache: true' asked for it */
    cache?: { workspace: string; explicit: boolean }
  }
): Promise<MadeVideo> {
  const { spec } = prepared
  const cache = opts.cache && (await cacheEntry(prepared, backend.name, { ...opts.cache, previews: !!opts.previews }))
  const cached = cache && (await restoreVideo(cache.key, { ...cache, output: spec.output }))
  if (cached) {
    log.info(
      `♻️ Cache hit (${cache.key}): the MP4${cached.previews ? ', poster and preview' : ''} of an earlier run, restored; nothing was rendered.`
    )
    return { name: spec.name, ...cached, cacheHit: true }
  }
  const timeoutMs = opts.timeoutMinutes * 60_000
  const deadline = Date.now() + timeoutMs
  const timer = AbortSignal.timeout(timeoutMs)
  const signal = AbortSignal.any([opts.signal, timer])
  const tempDir = await mkdtemp(join(opts.tempRoot, 'img2vid-'))
  const videoFile = await tempFileFor(spec.output)
  try {
    const result = await backend.render({ images: prepared.images, request: prepared.request, videoFile, tempDir, signal, deadline })
    const video = await finishVideo(result.video, spec.output)
    const previews = opts.previews ? await previewsOf(video, result.draft, opts.previews.ffmpegPath, signal) : undefined
    if (cache) await saveVideo(cache.key, cache, { ...result, video, previews })
    return {
      name: spec.name,
      video,
      videoUrl: result.videoUrl,
      sessionId: result.sessionId,
      renderId: result.renderId,
      timeline: summarize(result.draft),
      creditsAvailable: result.creditsAvailable,
      claimUrl: result.claimUrl,
      previews,
      cacheHit: false
    }
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
    await rm(videoFile, { force: true }).catch(() => undefined)
    await rm(tempDir, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** The poster and preview; a video without them is still a video, so a failure only warns. */
async function previewsOf(
  video: FinishedVideo,
  draft: Draft,
  ffmpegPath: string | undefined,
  signal: AbortSignal
): Promise<Previews | undefined> {
  try {
    return await makePreviews(await findFfmpeg(ffmpegPath), video, draft, signal)
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err
    log.warning(`No poster or preview for ${basename(video.path)}: ${errorMessage(err)} (set 'previews: false' to skip them).`)
    return undefined
  }
}
