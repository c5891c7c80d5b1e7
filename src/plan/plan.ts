// The plan of a manifest onto a job matrix: which videos each job makes ('only'), checked first
// with the render's own rules and messages, so that a typo fails one step, not 200 jobs.
import * as core from '@actions/core'
import { Reader, readManifestVideos, writtenFilesProblems } from '../inputs/get-inputs.js'
import { InputError } from '../inputs/errors.js'
import { Input, PLAN_DEFAULTS, PlanInput, PlanOutput, withDefaults } from '../shared/contract.js'
import { realDir } from '../inputs/workspace-paths.js'
import { prepareVideos } from '../prepare.js'
import { log } from '../shared/log.js'

/** A job matrix holds at most 256 jobs (GitHub's limit). */
const MAX_JOBS = 256
/** A job's output is at most 1 MB: the matrix and the names must each fit in one. */
const MAX_OUTPUT_BYTES = 1024 * 1024

export interface Plan {
  manifest: string
  /** every video name, in manifest order */
  names: string[]
  perJob: number
  /** for strategy.matrix: one entry per job, `only` its videos */
  matrix: { include: { only: string }[] }
}

export async function planManifest(env: NodeJS.ProcessEnv = process.env): Promise<Plan> {
  const r = new Reader(withDefaults(name => core.getInput(name), PLAN_DEFAULTS))
  const workspace = realDir(env.GITHUB_WORKSPACE || process.cwd())
  const tempDir = realDir(env.RUNNER_TEMP || (env.TMPDIR ?? '/tmp'))
  const manifest = r.get(Input.manifest).trim()
  if (!manifest) throw new InputError([`Input '${Input.manifest}' is required: the YAML file listing the videos, such as 'videos.yml'.`])
  // 'auto' (or empty) reads as undefined; a number is checked against the contract's range
  const asked = r.number(PlanInput.perJob)
  const previews = r.bool(Input.previews)
  const uploadArtifact = r.bool(Input.uploadArtifact)

  const { videos, order } = readManifestVideos(r, { workspace, tempDir }, manifest, { planned: true })
  if (r.problems.length) throw new InputError(r.problems)

  // one video per job unless asked; more per job when one each would pass the matrix's limit
  let perJob = asked ?? 1
  if (Math.ceil(order.length / perJob) > MAX_JOBS) {
    const needed = Math.ceil(order.length / MAX_JOBS)
    log.info(
      `${order.length} videos at ${perJob} per job would need ${Math.ceil(order.length / perJob)} jobs, over a matrix's ${MAX_JOBS}: ${needed} per job instead.`
    )
    perJob = needed
  }
  const groups: string[][] = []
  for (let i = 0; i < order.length; i += perJob) groups.push(order.slice(i, i + perJob))

  // what each job writes, checked as that job will check it (two jobs may write the same path)
  const byName = new Map(videos.map(v => [v.name, v]))
  for (const g of groups) {
    r.problems.push(
      ...writtenFilesProblems(
        g.map(n => byName.get(n)).filter(v => v !== undefined),
        { workspace, tempDir, manifestPath: manifest, previews, records: uploadArtifact }
      )
    )
  }
  if (r.problems.length) throw new InputError(r.problems)
  // the files, checked as the jobs check them: their error, word for word
  await prepareVideos({ videos, batch: true, workspace }, { list: false })

  const plan: Plan = { manifest, names: order, perJob, matrix: { include: groups.map(g => ({ only: g.join(',') })) } }
  for (const [output, value] of [
    [PlanOutput.matrix, plan.matrix],
    [PlanOutput.names, plan.names]
  ] as const) {
    const bytes = Buffer.byteLength(JSON.stringify(value))
    if (bytes > MAX_OUTPUT_BYTES)
      throw new InputError([
        `${manifest}: the '${output}' output would be ${bytes} bytes, over a job output's 1 MB: use shorter names, or split the manifest.`
      ])
  }
  return plan
}
