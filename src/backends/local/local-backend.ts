// The local backend: the same request rendered by ffmpeg on the runner. No token, no
// network. The MP4 goes to the temp file the job names; the finish line checks and renames it.
import { randomBytes } from 'node:crypto'
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { FfmpegError } from '../../media/errors.js'
import type { Ffmpeg } from '../../media/ffmpeg.js'
import { openFfmpeg, type FfmpegSettings } from '../../media/find-ffmpeg.js'
import { previewSeconds } from '../../media/preview-format.js'
import { log } from '../../shared/log.js'
import { runPool } from '../../shared/pool.js'
import { describe, summarize, type Draft } from '../../shared/timeline.js'
import {
  audioArgs,
  checkTransition,
  chooseFit,
  clipFrames,
  concatList,
  fillsFrame,
  layoutClips,
  loopsAnimation,
  MAX_ANIMATION_BYTES,
  MAX_BITRATE,
  muxArgs,
  overMaxBitrate,
  prepareArgs,
  segmentArgs,
  segmentGraph,
  segments,
  type ClipLayout,
  type GraphFiles,
  type PrepareSpec
} from './filtergraph.js'
import { firstWebpFrame, mayNeedViewer, parseImageInfo, readImageInfo, type ImageInfo } from '../../media/image-info.js'
import { decodePhoto, heicToPng, isPhotoType, photoInfo, type PhotoType } from '../../media/photo.js'
import { drawOverlays, overlayItems } from './overlays.js'
import { correctedGain, loudnessGain, measureArgs, parseR128, TOLERANCE, TRUE_PEAK_MAX, type R128 } from './loudness.js'
import { describeHints, makePlan, planToDraft, readPrompt, type LocalPlan, type PromptHints } from './plan.js'
import type { VideoRequest } from '../../request/request.js'

export interface InspectedImages {
  paths: string[]
  /** the type of what is at paths[i] (a HEIC's PNG is 'png') */
  types: string[]
  infos: (ImageInfo | undefined)[]
  /** decoded upright and in sRGB by src/media/photo.ts before ffmpeg frames it: the stills a viewer would turn or convert (HEIC, AVIF, EXIF orientation, a non-sRGB profile, CMYK, 16 bits) */
  photos: boolean[]
}

/**
 * What is known of each photo before rendering, once per job (every format of the video reads the
 * same photos): a HEIC is decoded here, to photo-i.png in `tempDir` (an animated WebP's first
 * frame to frame-i.webp), which removeInspected() removes; notes in the log for what a person should know.
 */
async function inspectImages(clips: LocalPlan['clips'], tempDir: string): Promise<InspectedImages> {
  const out: InspectedImages = { paths: [], types: [], infos: [], photos: [] }
  for (const [i, c] of clips.entries()) {
    let path = c.path
    let type = c.type ?? ''
    // the header tells a WebP's animation, and whether a viewer would show the photo otherwise
    // than stored (turned, from a profile): only then is libvips loaded and the photo measured by it
    let info = type === 'heic' || type === 'avif' ? undefined : await readImageInfo(c.path, type)
    let photo = false
    if (info?.animated && type === 'webp') {
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
    } else if (isPhotoType(type) && !info?.animated && mayNeedViewer(info)) {
      const changes: string[] = []
      if (type === 'heic') {
        path = join(tempDir, `photo-${i}.png`)
        await heicToPng(c.path, c.name, path)
        type = 'png'
        changes.push('decoded from HEIC')
      }
      const p = await photoInfo(path, type as PhotoType, c.name)
      changes.push(...p.changes)
      if (changes.length) log.info(`${c.name}: ${changes.join(', ')}.`)
      info = { width: p.width, height: p.height, alpha: p.alpha, animated: false }
      // a plain sRGB JPEG, PNG or WebP shown as stored goes to ffmpeg as before, which decodes it
      // natively (a JPEG at 1/2, 1/4 or 1/8 size): libvips in WebAssembly is ~25 % slower at it
      photo = changes.length > 0
    }
    out.paths.push(path)
    out.types.push(type)
    out.infos.push(info)
    out.photos.push(photo)
  }
  return out
}

/** The files inspectImages() wrote (a HEIC's PNG, an animated WebP's first frame). */
async function removeInspected(images: InspectedImages, tempDir: string): Promise<void> {
  await Promise.all(images.paths.flatMap((_p, i) => [`photo-${i}.png`, `frame-${i}.webp`].map(f => rm(join(tempDir, f), { force: true }))))
}

/** A warning for each photo so much smaller than the plan's canvas that it will look blurred. */
function warnSmall(plan: LocalPlan, images: InspectedImages): void {
  for (const [i, info] of images.infos.entries())
    if (info && info.width * 4 <= plan.width && info.height * 4 <= plan.height)
      log.warning(
        `${plan.clips[i].name} is ${info.width}×${info.height}, much smaller than the ${plan.width}×${plan.height} video: it is enlarged ${Math.round(
          Math.min(plan.width / info.width, plan.height / info.height)
        )}× and will look blurred.`
      )
}

/** How many stills may be prepared ahead of the oldest segment not yet made, at least (each is a few MB on disk). */
const AHEAD = 8

interface Still {
  file: string
  w: number
  h: number
  /** an animation whose still file holds fewer frames than the clip shows: played in a loop */
  loops: boolean
}

/**
 * Decodes each photo once into its own raw still file (two ffmpeg runs at a time, at most AHEAD
 * clips ahead of the first clip given to `progress()`, and always up to the last one given);
 * still(i) resolves when clip i's file is written, and rejects once any still has failed.
 */
function prepareStills(
  ffmpeg: Ffmpeg,
  plan: LocalPlan,
  tempDir: string,
  layout: ClipLayout[],
  images: InspectedImages,
  signal: AbortSignal
): { still: (i: number) => Promise<Still>; progress: (first: number, last: number) => void; stop: () => void } {
  const ready = layout.map(() => {
    const r = {} as { promise: Promise<Still>; resolve: (s: Still) => void; reject: (e: unknown) => void }
    r.promise = new Promise<Still>((resolve, reject) => Object.assign(r, { resolve, reject }))
    r.promise.catch(() => {})
    return r
  })
  let next = 0
  let limit = AHEAD
  let waiting: (() => void)[] = []
  const wake = (): void => {
    for (const w of waiting) w()
    waiting = []
  }
  let stopped = false
  const worker = async (): Promise<void> => {
    while (next < plan.clips.length && !stopped) {
      if (next > limit) {
        await new Promise<void>(r => waiting.push(r))
        continue
      }
      const i = next++
      const c = layout[i]
      const info = images.infos[i]
      const file = join(tempDir, `still-${i}.yuv`)
      // a panorama that pans is shown at the frame's height (width) and crossed, not fitted inside
      const fit = c.motion.kind === 'pan' && c.motion.panorama ? 'cover' : chooseFit(plan.fit, info ?? {}, plan)
      const spec: PrepareSpec = {
        path: images.paths[i],
        type: images.types[i],
        width: info?.width,
        height: info?.height,
        fit,
        background: plan.background,
        alpha: info?.alpha,
        w: c.w,
        h: c.h,
        count: c.count,
        fps: plan.fps
      }
      const pixels = join(tempDir, `photo-${i}.rgb`)
      try {
        if (images.photos[i]) {
          // upright, sRGB and shrunk to the still's size (never enlarged) before ffmpeg frames it
          // the upright size inspectImages() measured: libvips does not read the header again
          const d = await decodePhoto(
            images.paths[i],
            images.types[i] as PhotoType,
            plan.clips[i].name,
            { width: c.w, height: c.h, fit: fillsFrame(fit) ? 'cover' : 'inside' },
            info
          )
          await writeFile(pixels, d.data, { mode: 0o600 })
          Object.assign(spec, {
            path: pixels,
            alpha: d.channels === 4,
            pixels: { format: d.channels === 4 ? 'rgba' : 'rgb24', width: d.width, height: d.height }
          })
        }
        const fh = await open(file, 'w')
        let written: number
        try {
          ;({ written } = await ffmpeg.run(prepareArgs(spec), { signal, stdout: { file: fh } }))
        } finally {
          await fh.close()
        }
        await rm(pixels, { force: true })
        const want = c.count * c.w * c.h * 1.5
        if (written !== want)
          throw new FfmpegError(
            `${plan.clips[i].name} could not be decoded by ffmpeg (${written} of ${want} bytes); convert it to JPEG or PNG first, e.g. 'ffmpeg -i ${plan.clips[i].name} out.png'.`
          )
        ready[i].resolve({ file, w: c.w, h: c.h, loops: loopsAnimation(c) })
      } catch (err) {
        // every segment waiting for a still hears of it, not only the one that needs this one
        for (const r of ready.slice(i)) r.reject(err)
        stopped = true
        wake()
      }
    }
  }
  void Promise.all([worker(), worker()])
  return {
    still: i => ready[i].promise,
    progress: (first, last) => {
      limit = Math.max(limit, first + AHEAD, last)
      wake()
    },
    stop: () => {
      stopped = true
      wake()
    }
  }
}

/** A progress reporter for the log: a line every 10% or, when there is news, every 10 s. */
function progressLog(totalSeconds: number): (seconds: number) => void {
  let lastPct = -1
  let lastLog = 0
  return secs => {
    const pct = Math.min(100, Math.floor((secs / totalSeconds) * 100))
    const now = Date.now()
    if (pct >= lastPct + 10 || (now - lastLog > 10_000 && pct > lastPct)) {
      log.info(`🎞  ffmpeg ${pct}% (${secs.toFixed(1)} of ${totalSeconds.toFixed(1)} s)`)
      lastPct = pct
      lastLog = now
    }
  }
}

/** `work`, or the abort's reason as soon as `signal` aborts (its listener removed either way). */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason
  let onAbort = (): void => {}
  const stopped = new Promise<never>((_resolve, reject) => (onAbort = () => reject(signal.reason)))
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await Promise.race([work, stopped])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** At most this many segments are encoded at once (each holds an x264 and two stills). */
const MAX_ENCODERS = 8

/**
 * x264 threads for a segment: its share of the cores by length (one for the usual short segment,
 * more for the long first one on a big runner); x264's own choice when it is the only segment.
 */
export function encoderThreads(frames: number, total: number, cores: number, count: number): number {
  if (count === 1) return 0
  return Math.min(cores, Math.max(1, Math.round((cores * frames) / total)))
}

/**
 * The sound track: the music encoded as the video carries it; with a loudness, measured first (as
 * the video carries it) and encoded with the gain that brings it there, then measured as encoded
 * and, when the encoder moved it off the target or over the peak, encoded once more with the
 * gain corrected. Audio only: each run takes a fraction of the segments' time.
 */
async function renderSound(
  ffmpeg: Ffmpeg,
  music: NonNullable<LocalPlan['music']>,
  total: number,
  file: string,
  signal: AbortSignal
): Promise<R128 | undefined> {
  const target = music.loudness
  if (target === undefined) {
    await ffmpeg.run(audioArgs(music, total, file), { signal })
    return undefined
  }
  const measure = async (args: string[]): Promise<R128> => {
    const r128 = parseR128((await ffmpeg.run(args, { signal })).stderr)
    if (!r128)
      throw new FfmpegError(
        `ffmpeg's loudness meter (ebur128) gave no reading of ${music.name}; set 'loudness: off' to keep the music as it is.`
      )
    return r128
  }
  const source = await measure(measureArgs(music, total))
  let gain = loudnessGain(source, target)
  await ffmpeg.run(audioArgs(music, total, file, gain.db), { signal })
  let encoded = await measure(measureArgs({ path: file, type: 'mp4' }))
  const again = correctedGain(gain, encoded, target)
  if (again) {
    gain = again
    await ffmpeg.run(audioArgs(music, total, file, gain.db), { signal })
    encoded = await measure(measureArgs({ path: file, type: 'mp4' }))
  }
  const level = (m: R128): string => `${m.integrated.toFixed(1)} LUFS, true peak ${m.truePeak.toFixed(1)} dBTP`
  if (gain.silent) log.info(`Music ${music.name}: silent (${level(source)}); left as it is.`)
  else
    log.info(
      `Music ${music.name}: ${level(source)} → ${level(encoded)} (${gain.db >= 0 ? '+' : ''}${gain.db.toFixed(1)} dB; input 'loudness' ${target} LUFS).`
    )
  if (gain.peakBound && target - encoded.integrated > TOLERANCE)
    log.info(
      `Music ${music.name}: its peaks stand ${(source.truePeak - source.integrated).toFixed(1)} dB above its loudness, so it is turned up only until they reach ${TRUE_PEAK_MAX} dBTP (${encoded.integrated.toFixed(1)} LUFS, not ${target}): no limiter squashes it. A lower 'loudness' keeps it level with that.`
    )
  return encoded
}

/** Renders a plan into `videoFile`: stills, then segments encoded side by side, then one mux. */
export async function renderPlan(
  ffmpeg: Ffmpeg,
  plan: LocalPlan,
  videoFile: string,
  tempDir: string,
  signal: AbortSignal,
  opts: {
    /** where the preview goes, made from the first seconds of frames on the way */
    preview?: string
    cores?: number
    /** whether a missing font may be installed (off unless the inputs say so) */
    installMissing?: boolean
    /** the job's inspectImages() of plan.clips; without it the photos are inspected (and cleaned up) here */
    images?: InspectedImages
  } = {}
): Promise<void> {
  const { preview, cores = availableParallelism() } = opts
  checkTransition(plan.transition, ffmpeg)
  // the title's and captions' fonts checked and each drawn before anything is rendered: a
  // character no font has fails the run here
  const files: GraphFiles = {
    overlays: await drawOverlays(overlayItems(plan), plan.width, plan.height, tempDir, { installMissing: opts.installMissing ?? false })
  }
  await log.block(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`, async () => {
    const started = Date.now()
    const images = opts.images ?? (await inspectImages(plan.clips, tempDir))
    warnSmall(plan, images)
    const layout = layoutClips(
      plan,
      clipFrames(plan),
      images.infos.map(i => ({ animated: i?.animated, width: i?.width, height: i?.height }))
    )
    for (const [i, c] of layout.entries()) {
      const info = images.infos[i]
      if (c.motion.kind === 'pan' && c.motion.panorama && info) {
        const horizontal = c.motion.dir === 'left' || c.motion.dir === 'right'
        // its length at the frame's height (width), against what the pan passes over
        const length = horizontal ? (info.width * plan.height) / info.height : (info.height * plan.width) / info.width
        const shown = Math.min(1, (c.motion.travel + (horizontal ? plan.width : plan.height)) / length)
        log.info(
          `${plan.clips[i].name} is a panorama (${info.width}×${info.height}): the camera pans across ${Math.round(shown * 100)} % of it in ${(c.frames / plan.fps).toFixed(1)} s${shown < 0.98 ? ' (a longer duration shows more of it)' : ''}.`
        )
      }
      if (loopsAnimation(c))
        log.info(
          `${plan.clips[i].name} is animated and on screen for ${(c.frames / plan.fps).toFixed(1)} s: its first ${(c.count / plan.fps).toFixed(1)} s play in a loop (${MAX_ANIMATION_BYTES / 1048576} MB of frames at most per animation).`
        )
    }
    const leadFrames = preview ? Math.ceil(previewSeconds(plan.total) * plan.fps) : 0
    const parts = segments(plan, layout, { cores, leadFrames })
    // the preview comes from the first segment's frames when it is long enough (with many short
    // clips it is not: the preview is then made from the MP4 after the render)
    const early = preview && parts[0].frames >= leadFrames ? preview : undefined
    const graphs = parts.map((seg, i) => segmentGraph(seg, plan, files, ffmpeg, !!early && i === 0))
    log.debug(`Segment ${Math.min(2, parts.length)} of ${parts.length}:\n${graphs[Math.min(1, parts.length - 1)]}`)
    const names = parts.map((_s, i) => `segment-${i}.mp4`)
    const listFile = join(tempDir, 'segments.txt')
    const audioFile = plan.music ? join(tempDir, 'audio.m4a') : undefined
    const totalFrames = parts.reduce((s, p) => s + p.frames, 0)
    // each still is deleted once every segment that reads it is done
    const readers = layout.map((_c, i) => parts.filter(p => p.clips.includes(i)).length)
    const finished = parts.map(() => false)
    const workers = Math.min(cores, MAX_ENCODERS, parts.length)
    // stills are made for the segments being encoded and the next one, at least AHEAD clips ahead
    const window = (oldest: number): [number, number] =>
      oldest < parts.length
        ? [parts[oldest].clips[0], parts[Math.min(oldest + workers, parts.length - 1)].clips.at(-1) ?? 0]
        : [layout.length, layout.length]
    const stills = prepareStills(ffmpeg, plan, tempDir, layout, images, signal)
    stills.progress(...window(0))
    const progress = progressLog(plan.total)
    let framesDone = 0
    const capped: { frames: number; mbps: number }[] = []
    const encode = async (i: number, poolSignal: AbortSignal): Promise<void> => {
      const part = parts[i]
      // a segment waiting for its stills stops when another one has failed
      const inputs = await unlessAborted(Promise.all(part.clips.map(c => stills.still(c))), poolSignal)
      const byClip: Still[] = []
      part.clips.forEach((c, j) => (byClip[c] = inputs[j]))
      const threads = encoderThreads(part.frames, totalFrames, cores, parts.length)
      const file = join(tempDir, names[i])
      const args = (held: boolean): string[] =>
        segmentArgs(part, byClip, plan, graphs[i], file, {
          threads,
          preview: i === 0 ? early : undefined,
          overlays: files.overlays,
          capped: held
        })
      await ffmpeg.run(args(false), { signal: poolSignal })
      const { size } = await stat(file)
      if (overMaxBitrate(size, part.frames, plan.fps)) {
        // rare (a grainy photo): this stretch again, held to the cap (MAX_BITRATE says why not always)
        capped.push({ frames: part.frames, mbps: (size * 8 * plan.fps) / part.frames / 1e6 })
        await ffmpeg.run(args(true), { signal: poolSignal })
      }
      finished[i] = true
      framesDone += part.frames
      progress(framesDone / plan.fps)
      await Promise.all(part.clips.filter(c => --readers[c] === 0).map(c => rm(byClip[c].file, { force: true })))
      const oldest = finished.indexOf(false)
      stills.progress(...window(oldest < 0 ? parts.length : oldest))
    }
    try {
      await writeFile(
        listFile,
        concatList(
          parts.map((p, i) => ({ name: names[i], frames: p.frames })),
          plan.fps
        )
      )
      // the sound is encoded beside the segments; a failure of either stops the other
      const stop = new AbortController()
      const both = AbortSignal.any([signal, stop.signal])
      const sound = plan.music && audioFile ? renderSound(ffmpeg, plan.music, plan.total, audioFile, both) : undefined
      sound?.catch((err: unknown) => stop.abort(err))
      const results = await runPool([...parts.keys()], workers, encode, { failFast: true, signal: both })
      const failed = results.find(r => !r.ok && !r.skipped)
      if (failed && !failed.ok) stop.abort(failed.error)
      await sound
      if (signal.aborted) throw signal.reason
      if (failed && !failed.ok) throw failed.error
      await ffmpeg.run(muxArgs(plan, listFile, videoFile, audioFile), { signal })
      if (capped.length) {
        const seconds = capped.reduce((t, c) => t + c.frames, 0) / plan.fps
        log.info(
          `${seconds.toFixed(1)} of ${plan.total.toFixed(1)} s of the video came out above ${MAX_BITRATE / 1e6} Mb/s (up to ${Math.max(...capped.map(c => c.mbps)).toFixed(1)} Mb/s: fine detail or grain in motion) and ${capped.length === 1 ? 'was' : 'were'} encoded again, held to ${MAX_BITRATE / 1e6} Mb/s for the platforms.`
        )
      }
    } catch (err) {
      // nothing half-written is left behind, whatever ffmpeg managed to write before it failed
      await Promise.all([videoFile, preview].map(f => f && rm(f, { force: true })))
      throw err
    } finally {
      stills.stop()
      await Promise.all([
        ...layout.flatMap((_c, i) => [`still-${i}.yuv`, `photo-${i}.rgb`].map(f => rm(join(tempDir, f), { force: true }))),
        !opts.images && removeInspected(images, tempDir),
        ...names.map(n => rm(join(tempDir, n), { force: true })),
        rm(listFile, { force: true }),
        ...(files.overlays ?? []).map(d => rm(d.file, { force: true })),
        audioFile && rm(audioFile, { force: true })
      ])
    }
    log.info(`Rendered in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  })
}

/**
 * One line in the log saying what the planner took from the prompt; a warning when it took
 * nothing, or when the session language is not English (only a few phrasings are read).
 * `formats`: the job's videos carry their own aspect ratios (input 'aspect-ratio' set, one ratio or several).
 */
function reportPrompt(request: VideoRequest, formats = false): PromptHints {
  const prompt = request.turns.join('\n')
  const hints = readPrompt(prompt)
  const overridden: Partial<Record<keyof PromptHints, string>> = {}
  if (request.duration !== undefined) Object.assign(overridden, { duration: 'duration', perImage: 'duration' })
  else if (hints.duration !== undefined && hints.perImage !== undefined) overridden.perImage = 'the whole duration'
  if (request.aspectRatio || formats) overridden.aspectRatio = 'aspect-ratio'
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

export function createLocalBackend(opts: FfmpegSettings): Backend {
  return {
    name: 'local',
    async render(job: RenderJob): Promise<RenderResult> {
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
      const plans = job.videos.map(v => makePlan(v.aspectRatio ? { ...request, aspectRatio: v.aspectRatio } : request, job.images))
      // only a request that can be rendered looks for ffmpeg (and installs it): a plan's problem
      // (a duration too short for the photos) is said before anything is installed
      const ffmpeg = await openFfmpeg(opts)
      // the photos are read (a HEIC decoded) once for every format
      const images = await inspectImages(plans[0].clips, job.tempDir)
      try {
        for (const [i, v] of job.videos.entries()) {
          if (i === 0) {
            draft = planToDraft(plans[i])
            log.info(describe(summarize(draft)))
          }
          await renderPlan(ffmpeg, plans[i], v.file, job.tempDir, job.signal, {
            preview: v.preview,
            installMissing: opts.installMissing,
            images
          })
        }
      } finally {
        await removeInspected(images, job.tempDir)
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
