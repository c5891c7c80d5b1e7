// The local backend: the same request rendered by one ffmpeg run on the runner. No token, no
// network; the MP4 goes to a temp file beside `output` and is renamed into place when whole.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { describe, summarize } from '../../shared/timeline.js'
import { readVideoInfo } from '../../output-video/mp4.js'
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

/** Renders a plan to `output` (temp file, check, rename); the graph goes through a script file. */
export async function renderPlan(ffmpeg: string, plan: LocalPlan, output: string, tempDir: string, signal: AbortSignal): Promise<void> {
  const files: { titleFile?: string; fontFile?: string } = {}
  if (plan.title) {
    files.fontFile = findFont()
    if (!files.fontFile) core.warning('No font found for the title; rendering without it.')
    files.titleFile = join(tempDir, 'title.txt')
    await writeFile(files.titleFile, plan.title.text)
  }
  const { graph, audioOut } = buildGraph(plan, files)
  const graphFile = join(tempDir, 'graph.txt')
  await writeFile(graphFile, graph)
  const tmp = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.part.mp4`)
  core.startGroup(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`)
  const started = Date.now()
  try {
    core.info(`Filtergraph (${graphFile}):\n${graph}`)
    await runFfmpeg(ffmpeg, buildArgs(plan, graphFile, tmp, !!audioOut), { totalSeconds: plan.total, signal })
    await readVideoInfo(tmp)
    await rename(tmp, output)
    core.info(`Rendered in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  } finally {
    core.endGroup()
  }
}

export function createLocalBackend(opts: { ffmpegPath?: string }): Backend {
  return {
    name: 'local',
    async render(job: RenderJob): Promise<RenderResult> {
      const ffmpeg = await findFfmpeg(opts.ffmpegPath)
      const plan = makePlan(job.request, job.images)
      const draft = planToDraft(plan)
      core.info(describe(summarize(draft)))
      await renderPlan(ffmpeg, plan, job.output, job.tempDir, job.signal)
      const id = randomBytes(6).toString('hex')
      return { videoPath: job.output, videoUrl: '', sessionId: `local-${id}`, renderId: `render_local_${id}`, draft }
    }
  }
}
