// The local backend: the same request rendered by one ffmpeg run on the runner. No token, no
// network. The MP4 goes to the temp file the job names; the finish line checks and renames it.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { log } from '../../shared/log.js'
import { describe, summarize } from '../../shared/timeline.js'
import { FfmpegError, findFfmpeg, runFfmpeg } from './ffmpeg.js'
import { buildArgs, buildGraph, chooseFit, clipFrames, layoutClips, prepareArgs, type ImageFacts } from './filtergraph.js'
import { firstWebpFrame, parseImageInfo, readImageInfo, type ImageInfo } from './images.js'
import { makePlan, planToDraft, type LocalPlan } from './plan.js'

const SYSTEM_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
  'C:\\Windows\\Fonts\\arialbd.ttf'
]

/** The shipped font: walk up from this module (src/local/ in tests, dist/ when bundled). */
export function findFont(): string | undefined {
  let dir = import.meta.dirname
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'fonts', 'DejaVuSans-Bold.ttf')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return SYSTEM_FONTS.find(f => existsSync(f))
}

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

/** Decodes each photo once into one raw stream of small frames (two ffmpeg runs at a time). */
async function prepareStills(
  ffmpeg: string,
  plan: LocalPlan,
  tempDir: string,
  signal: AbortSignal
): Promise<{ file: string; width: number; height: number; facts: ImageFacts[] }> {
  const { paths, infos } = await inspectImages(plan, tempDir)
  const facts = infos.map(i => ({ animated: i?.animated }))
  const frames = clipFrames(plan)
  const layout = layoutClips(plan, frames, facts)
  const file = join(tempDir, 'stills.yuv')
  const frameBytes = layout.width * layout.height * 1.5
  const fh = await open(file, 'w')
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < plan.clips.length) {
        const i = next++
        const c = layout.clips[i]
        const info = infos[i]
        const spec = {
          path: paths[i],
          type: plan.clips[i].type ?? '',
          width: info?.width,
          height: info?.height,
          fit: chooseFit(plan.fit, info ?? {}, plan),
          background: plan.background,
          w: c.w,
          h: c.h,
          frameW: layout.width,
          frameH: layout.height,
          count: c.count,
          fps: plan.fps
        }
        const written = await pipeFfmpeg(ffmpeg, prepareArgs(spec), fh, c.start * frameBytes, signal)
        if (written !== c.count * frameBytes)
          throw new FfmpegError(
            `${plan.clips[i].name} could not be decoded by ffmpeg (${written} of ${c.count * frameBytes} bytes); convert it to JPEG or PNG first, e.g. 'ffmpeg -i ${plan.clips[i].name} out.png'.`
          )
      }
    }
    await Promise.all([worker(), worker()])
  } finally {
    await fh.close()
  }
  return { file, width: layout.width, height: layout.height, facts }
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

/** Renders a plan into `videoFile`; the graph goes through a script file. */
export async function renderPlan(ffmpeg: string, plan: LocalPlan, videoFile: string, tempDir: string, signal: AbortSignal): Promise<void> {
  const files: { titleFile?: string; fontFile?: string } = {}
  if (plan.title) {
    files.fontFile = findFont()
    if (!files.fontFile) log.warning('No font found for the title; rendering without it.')
    files.titleFile = join(tempDir, 'title.txt')
    await writeFile(files.titleFile, plan.title.text)
  }
  await log.block(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`, async () => {
    const started = Date.now()
    const stills = await prepareStills(ffmpeg, plan, tempDir, signal)
    const { graph, audioOut } = buildGraph(plan, files, stills.facts)
    const graphFile = join(tempDir, 'graph.txt')
    await writeFile(graphFile, graph)
    log.debug(`Filtergraph (${graphFile}):\n${graph}`)
    try {
      // nothing half-written is left behind, whatever ffmpeg managed to write before it failed
      await runFfmpeg(ffmpeg, buildArgs(plan, graphFile, videoFile, !!audioOut, stills), {
        totalSeconds: plan.total,
        signal,
        failOn: /drawtext/i
      }).catch(async (err: unknown) => {
        await rm(videoFile, { force: true })
        throw err
      })
    } finally {
      await rm(stills.file, { force: true })
    }
    log.info(`Rendered in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  })
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
      const plan = makePlan(request, job.images)
      const draft = planToDraft(plan)
      log.info(describe(summarize(draft)))
      await renderPlan(ffmpeg, plan, job.videoFile, job.tempDir, job.signal)
      const id = randomBytes(6).toString('hex')
      return { video: { file: job.videoFile }, videoUrl: '', sessionId: `local-${id}`, renderId: `render_local_${id}`, draft }
    }
  }
}
