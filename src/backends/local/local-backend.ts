// The local backend: the same request rendered by one ffmpeg run on the runner. No token, no
// network. The MP4 goes to the temp file the job names; the finish line checks and renames it.
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { log } from '../../shared/log.js'
import { describe, summarize, type Draft } from '../../shared/timeline.js'
import { FfmpegError, findFfmpeg, runFfmpeg } from './ffmpeg.js'
import {
  buildArgs,
  buildGraph,
  chooseFit,
  clipFrames,
  layoutClips,
  prepareArgs,
  segmentArgs,
  segments,
  type ClipLayout
} from './filtergraph.js'
import { firstWebpFrame, parseImageInfo, readImageInfo, type ImageInfo } from './images.js'
import { chooseFont } from './fonts.js'
import { describeHints, makePlan, planToDraft, readPrompt, type LocalPlan, type PromptHints } from './plan.js'
import type { VideoRequest } from '../../request/request.js'

export { findFont } from './fonts.js'

/** What is known of each photo before rendering; notes in the log for what a person should know. */
export async function inspectImages(plan: LocalPlan, tempDir: string): Promise<{ paths: string[]; infos: (ImageInfo | undefined)[] }> {
  const paths: string[] = []
  const infos: (ImageInfo | undefined)[] = []
  for (const [i, c] of plan.clips.entries()) {
    let path = c.path
    let info = await readImageInfo(c.path, c.type ?? '')
    if (info?.animated && c.type === 'webp') {
      // ffmpeg 5.x has no animated WebP decoder: the first frame, as a still WebP
      const first = firstWebpFrame(await readFile(c.path))
      if (!first)
        throw new FfmpegError(
          `${c.name} is an animated WebP whose frames cannot be read; convert it first, e.g. 'img2webp' to a still WebP or 'convert ${c.name} out.gif' (ImageMagick).`
        )
      path = join(tempDir, `frame-${i}.webp`)
      await writeFile(path, first)
      info = parseImageInfo(first, 'webp') ?? info
      info = { ...info, animated: false }
      log.info(`${c.name} is an animated WebP: the local backend shows its first frame (use a GIF to have it play).`)
    }
    if (info && info.width * 4 <= plan.width && info.height * 4 <= plan.height)
      log.warning(
        `${c.name} is ${info.width}×${info.height}, much smaller than the ${plan.width}×${plan.height} video: it is enlarged ${Math.round(
          Math.min(plan.width / info.width, plan.height / info.height)
        )}× and will look blurred.`
      )
    paths.push(path)
    infos.push(info)
  }
  return { paths, infos }
}

/** How many stills may be prepared ahead of the segment being made (each is a few MB on disk). */
const AHEAD = 8

interface Still {
  file: string
  w: number
  h: number
}

/**
 * Decodes each photo once into its own raw still file (two ffmpeg runs at a time, at most AHEAD
 * clips ahead of `progress()`); still(i) resolves when clip i's file is written.
 */
function prepareStills(
  ffmpeg: string,
  plan: LocalPlan,
  tempDir: string,
  layout: ClipLayout[],
  images: { paths: string[]; infos: (ImageInfo | undefined)[] },
  signal: AbortSignal
): { still: (i: number) => Promise<Still>; progress: (segment: number) => void; stop: () => void } {
  const ready = layout.map(() => {
    const r = {} as { promise: Promise<Still>; resolve: (s: Still) => void; reject: (e: unknown) => void }
    r.promise = new Promise<Still>((resolve, reject) => Object.assign(r, { resolve, reject }))
    r.promise.catch(() => {})
    return r
  })
  let next = 0
  let done = -1
  let wake: (() => void) | undefined
  let stopped = false
  const worker = async (): Promise<void> => {
    while (next < plan.clips.length && !stopped) {
      if (next > done + AHEAD) {
        await new Promise<void>(r => (wake = r))
        continue
      }
      const i = next++
      const c = layout[i]
      const info = images.infos[i]
      const file = join(tempDir, `still-${i}.yuv`)
      const spec = {
        path: images.paths[i],
        type: plan.clips[i].type ?? '',
        width: info?.width,
        height: info?.height,
        fit: chooseFit(plan.fit, info ?? {}, plan),
        background: plan.background,
        alpha: info?.alpha,
        w: c.w,
        h: c.h,
        count: c.count,
        fps: plan.fps
      }
      try {
        const fh = await open(file, 'w')
        let written: number
        try {
          written = await pipeFfmpeg(ffmpeg, prepareArgs(spec), fh, 0, signal)
        } finally {
          await fh.close()
        }
        const want = c.count * c.w * c.h * 1.5
        if (written !== want)
          throw new FfmpegError(
            `${plan.clips[i].name} could not be decoded by ffmpeg (${written} of ${want} bytes); convert it to JPEG or PNG first, e.g. 'ffmpeg -i ${plan.clips[i].name} out.png'.`
          )
        ready[i].resolve({ file, w: c.w, h: c.h })
      } catch (err) {
        ready[i].reject(err)
        stopped = true
      }
    }
  }
  void Promise.all([worker(), worker()])
  return {
    still: i => ready[i].promise,
    progress: segment => {
      done = segment
      const w = wake
      wake = undefined
      w?.()
    },
    stop: () => {
      stopped = true
      wake?.()
    }
  }
}

/** Runs ffmpeg with stdout written into `fh` from `position`; returns the bytes written. */
async function pipeFfmpeg(bin: string, args: string[], fh: FileHandle, position: number, signal: AbortSignal): Promise<number> {
  if (signal.aborted) throw signal.reason
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const kill = (): void => void child.kill('SIGKILL')
  signal.addEventListener('abort', kill, { once: true })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)))
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve(code))
  })
  let written = 0
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      await fh.write(chunk, 0, chunk.length, position + written)
      written += chunk.length
    }
    const code = await closed
    if (signal.aborted) throw signal.reason
    if (code !== 0)
      throw new FfmpegError(`ffmpeg failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`)
    return written
  } finally {
    signal.removeEventListener('abort', kill)
  }
}

/** Runs one segment's ffmpeg with its stdout straight into `out` (the encoder's stdin). */
async function runSegment(bin: string, args: string[], out: Writable, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason
  const child = spawn(bin, args, { stdio: ['ignore', out, 'pipe'] })
  const kill = (): void => void child.kill('SIGKILL')
  signal.addEventListener('abort', kill, { once: true })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)))
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', c => resolve(c))
    })
    if (signal.aborted) throw signal.reason
    if (code !== 0)
      throw new FfmpegError(`ffmpeg failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`)
  } finally {
    signal.removeEventListener('abort', kill)
  }
}

/** Renders a plan into `videoFile`: stills, then segments piped into one encoder. */
export async function renderPlan(
  ffmpeg: string,
  plan: LocalPlan,
  videoFile: string,
  tempDir: string,
  signal: AbortSignal,
  /** where the preview goes, made from the first seconds of frames on the way */
  preview?: string
): Promise<void> {
  const files: { titleFile?: string; fontFile?: string } = {}
  if (plan.title) {
    files.fontFile = await chooseFont(plan.title.text, tempDir)
    if (!files.fontFile) log.warning('No font found for the title; rendering without it.')
    files.titleFile = join(tempDir, 'title.txt')
    await writeFile(files.titleFile, plan.title.text)
  }
  await log.block(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`, async () => {
    const started = Date.now()
    const images = await inspectImages(plan, tempDir)
    const layout = layoutClips(
      plan,
      clipFrames(plan),
      images.infos.map(i => ({ animated: i?.animated }))
    )
    const parts = segments(plan, layout)
    const { graph, audioOut } = buildGraph(plan, files, !!preview)
    const graphFile = join(tempDir, 'graph.txt')
    await writeFile(graphFile, graph)
    log.debug(`Encoder filtergraph (${graphFile}):\n${graph}\nSegment 2 of ${parts.length}:\n${(parts[1] ?? parts[0]).graph}`)
    const stills = prepareStills(ffmpeg, plan, tempDir, layout, images, signal)
    const feed = async (stdin: Writable): Promise<void> => {
      let closed = false
      stdin.once('close', () => (closed = true))
      for (const part of parts) {
        const inputs = await Promise.all(part.clips.map(i => stills.still(i)))
        if (closed) return
        const byClip: Still[] = []
        part.clips.forEach((c, j) => (byClip[c] = inputs[j]))
        await runSegment(ffmpeg, segmentArgs(part, byClip, plan.fps), stdin, signal)
        // every still but the last one's (its tail opens the next segment) is done with
        const last = part.clips.at(-1) ?? 0
        await Promise.all(part.clips.filter(c => c < last).map(c => rm(byClip[c].file, { force: true })))
        stills.progress(last)
      }
    }
    try {
      // nothing half-written is left behind, whatever ffmpeg managed to write before it failed
      await runFfmpeg(ffmpeg, buildArgs(plan, graphFile, videoFile, !!audioOut, preview), {
        totalSeconds: plan.total,
        signal,
        failOn: /drawtext/i,
        feed
      }).catch(async (err: unknown) => {
        await Promise.all([videoFile, preview].map(f => f && rm(f, { force: true })))
        throw err
      })
    } finally {
      stills.stop()
      await Promise.all(layout.map((_c, i) => rm(join(tempDir, `still-${i}.yuv`), { force: true })))
    }
    log.info(`Rendered in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  })
}

/**
 * One line in the log saying what the planner took from the prompt; a warning when it took
 * nothing, or when the session language is not English (only a few phrasings are read).
 */
export function reportPrompt(request: VideoRequest, formats = false): PromptHints {
  const prompt = request.turns.join('\n')
  const hints = readPrompt(prompt)
  const overridden: Partial<Record<keyof PromptHints, string>> = {}
  if (request.duration !== undefined) Object.assign(overridden, { duration: 'duration', perImage: 'duration' })
  else if (hints.duration !== undefined && hints.perImage !== undefined) overridden.perImage = 'the whole duration'
  if (request.aspectRatio || formats) overridden.aspectRatio = formats ? 'formats' : 'aspect-ratio'
  if (request.resolution !== '1080p') overridden.resolution = 'resolution'
  if (request.transition) overridden.transition = 'transition'
  if (request.title !== undefined) overridden.title = 'title'
  const understood = describeHints(hints, overridden)
  const language = request.language.trim().toLowerCase()
  if (!/^en\b/.test(language))
    log.warning(
      `input 'language' is '${request.language}': the local backend does not translate; it reads only the duration, time per photo, orientation, resolution, transitions, motion and a quoted title from the prompt, in English, German, Spanish, French, Portuguese, Chinese or Japanese (README: "What the local backend reads in the prompt").`
    )
  if (understood) log.info(`Understood from the prompt: ${understood}`)
  else if (prompt.trim())
    log.warning(
      `The local backend understood nothing in the prompt ("${prompt.length > 80 ? `${prompt.slice(0, 77)}…` : prompt}"): it reads the duration, time per photo, orientation, resolution, transitions, motion and a quoted title (README: "What the local backend reads in the prompt"); the rest comes from the inputs and defaults.`
    )
  return hints
}

export function createLocalBackend(opts: { ffmpegPath?: string }): Backend {
  return {
    name: 'local',
    async render(job: RenderJob): Promise<RenderResult> {
      const ffmpeg = await findFfmpeg(opts.ffmpegPath)
      let request = job.request
      if (request.music && 'description' in request.music) {
        log.warning(
          `input 'music': '${request.music.description}' is a description; the local backend needs an audio file, so the video has no music.`
        )
        request = { ...request, music: undefined }
      }
      // one plan per format (the same photos, timing and title, framed for each canvas), one render each
      reportPrompt(
        request,
        job.videos.some(v => v.aspectRatio)
      )
      const id = randomBytes(6).toString('hex')
      let draft: Draft | undefined
      for (const [i, v] of job.videos.entries()) {
        const plan = makePlan(v.aspectRatio ? { ...request, aspectRatio: v.aspectRatio } : request, job.images)
        if (i === 0) {
          draft = planToDraft(plan)
          log.info(describe(summarize(draft)))
        }
        await renderPlan(ffmpeg, plan, v.file, job.tempDir, job.signal, v.preview)
      }
      return {
        videos: job.videos.map((v, i) => ({
          video: { file: v.file },
          videoUrl: '',
          renderId: `render_local_${id}${job.videos.length > 1 ? `_${i + 1}` : ''}`,
          preview: v.preview
        })),
        sessionId: `local-${id}`,
        draft: draft as Draft
      }
    }
  }
}
