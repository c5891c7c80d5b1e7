// The local backend: the same request rendered by one ffmpeg run on the runner. No token, no
// network. The MP4 goes to the temp file the job names; the finish line checks and renames it.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { log } from '../../shared/log.js'
import { describe, summarize, type Draft } from '../../shared/timeline.js'
import { findFfmpeg, runFfmpeg } from './ffmpeg.js'
import { buildArgs, buildGraph } from './filtergraph.js'
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

/** Renders a plan into `videoFile`; the graph goes through a script file. */
export async function renderPlan(ffmpeg: string, plan: LocalPlan, videoFile: string, tempDir: string, signal: AbortSignal): Promise<void> {
  const files: { titleFile?: string; fontFile?: string } = {}
  if (plan.title) {
    files.fontFile = findFont()
    if (!files.fontFile) log.warning('No font found for the title; rendering without it.')
    files.titleFile = join(tempDir, 'title.txt')
    await writeFile(files.titleFile, plan.title.text)
  }
  const { graph, audioOut } = buildGraph(plan, files)
  const graphFile = join(tempDir, 'graph.txt')
  await writeFile(graphFile, graph)
  await log.block(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`, async () => {
    const started = Date.now()
    log.debug(`Filtergraph (${graphFile}):\n${graph}`)
    // nothing half-written is left behind, whatever ffmpeg managed to write before it failed
    await runFfmpeg(ffmpeg, buildArgs(plan, graphFile, videoFile, !!audioOut), {
      totalSeconds: plan.total,
      signal,
      failOn: /drawtext/i
    }).catch(async (err: unknown) => {
      await rm(videoFile, { force: true })
      throw err
    })
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
      // one plan per format (the same photos, timing and title, framed for each canvas), one render each
      const id = randomBytes(6).toString('hex')
      let draft: Draft | undefined
      for (const [i, v] of job.videos.entries()) {
        const plan = makePlan(v.aspectRatio ? { ...request, aspectRatio: v.aspectRatio } : request, job.images)
        if (i === 0) {
          draft = planToDraft(plan)
          log.info(describe(summarize(draft)))
        }
        await renderPlan(ffmpeg, plan, v.file, job.tempDir, job.signal)
      }
      return {
        videos: job.videos.map((v, i) => ({
          video: { file: v.file },
          videoUrl: '',
          renderId: `render_local_${id}${job.videos.length > 1 ? `_${i + 1}` : ''}`
        })),
        sessionId: `local-${id}`,
        draft: draft as Draft
      }
    }
  }
}
