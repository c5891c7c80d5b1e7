// The matrix scenario: a 24-video local manifest rendered in one job (max-parallel 2) against the
// same manifest planned onto 8 jobs (dist/plan, per-job 3), the jobs run one after another, each in
// a checkout of its own and timed alone, then collected (dist/collect). A real matrix takes the
// plan, its longest job and collect: that wall time is compared with the one job's.
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { runAction, sandbox, type ActionRun, type Sandbox } from '../test/helpers/action.js'
import { startResultsServer } from '../test/servers/results.js'

export interface MatrixFigures {
  oneJob: number
  plan: number
  jobs: number[]
  collect: number
}

const PHOTOS = ['01-evening-glow.jpg', '02-forest-path.jpg'].map(f => resolve(import.meta.dirname, '../examples', f))

export async function matrixScenario(opts: { videos: number; jobs: number }): Promise<MatrixFigures> {
  const names = Array.from({ length: opts.videos }, (_, i) => `v${String(i + 1).padStart(2, '0')}`)
  const checkout = async (): Promise<Sandbox> => {
    const b = await sandbox()
    await writeFile(join(b.workspace, 'videos.yml'), names.map(n => `- name: ${n}\n`).join(''))
    await mkdir(join(b.workspace, 'photos'))
    for (const [i, p] of PHOTOS.entries()) await copyFile(p, join(b.workspace, 'photos', `${i}.jpg`))
    return b
  }
  const fallbacks = { manifest: 'videos.yml', images: 'photos/*.jpg', prompt: 'Product video' }
  const render = { ...fallbacks, backend: 'local', duration: '3', resolution: '720p', cache: 'false', 'max-parallel': '2' }
  const timed = async (f: () => Promise<ActionRun>): Promise<[ActionRun, number]> => {
    const start = performance.now()
    const r = await f()
    return [r, (performance.now() - start) / 1000]
  }
  const made = (r: ActionRun): number => (JSON.parse(r.outputs.videos ?? '[]') as { ok: boolean }[]).filter(v => v.ok).length
  const must = (r: ActionRun, what: string, videos?: number): void => {
    if (r.code !== 0 || (videos !== undefined && made(r) !== videos)) throw new Error(`${what} failed:\n${r.all.slice(-3000)}`)
  }

  const single = await startResultsServer()
  const matrix = await startResultsServer()
  try {
    const oneBox = await checkout()
    const [one, oneJob] = await timed(() => runAction({ box: oneBox, env: single.env, inputs: render, timeoutMs: 900_000 }))
    must(one, 'the one job', names.length)

    const planBox = await checkout()
    const perJob = String(Math.ceil(names.length / opts.jobs))
    const [planned, plan] = await timed(() =>
      runAction({ box: planBox, env: matrix.env, action: 'plan', inputs: { ...fallbacks, 'per-job': perJob } })
    )
    must(planned, 'the plan')
    const include = (JSON.parse(planned.outputs.matrix) as { include: { only: string }[] }).include
    const jobs: number[] = []
    for (const m of include) {
      const jobBox = await checkout()
      const [r, s] = await timed(() => runAction({ box: jobBox, env: matrix.env, inputs: { ...render, only: m.only }, timeoutMs: 900_000 }))
      must(r, `the job of ${m.only}`, m.only.split(',').length)
      jobs.push(s)
    }
    const [collected, collect] = await timed(() =>
      runAction({ env: matrix.env, action: 'collect', inputs: { names: planned.outputs.names }, timeoutMs: 300_000 })
    )
    must(collected, 'collect', names.length)
    return { oneJob, plan, jobs, collect }
  } finally {
    await Promise.all([single.close(), matrix.close()])
  }
}
