// The plan action: reads a manifest, checks every video as a render would (inputs, files, what
// each job writes), and hands a job matrix to `strategy.matrix: ${{ fromJSON(...) }}`. Nothing is
// rendered and no tool is needed.
import * as core from '@actions/core'
import { errorMessage } from '../shared/errors.js'
import { log } from '../shared/log.js'
import { PlanOutput } from '../shared/contract.js'
import { planManifest } from './plan.js'

export async function run(): Promise<void> {
  try {
    const plan = await planManifest()
    core.setOutput(PlanOutput.matrix, JSON.stringify(plan.matrix))
    core.setOutput(PlanOutput.names, JSON.stringify(plan.names))
    core.setOutput(PlanOutput.count, String(plan.names.length))
    core.setOutput(PlanOutput.jobs, String(plan.matrix.include.length))
    log.info(
      `📋 ${plan.names.length} video${plan.names.length === 1 ? '' : 's'} of ${plan.manifest}, checked: ${plan.matrix.include.length} job${plan.matrix.include.length === 1 ? '' : 's'} of at most ${plan.perJob} video${plan.perJob === 1 ? '' : 's'}.`
    )
  } catch (err) {
    core.setFailed(errorMessage(err))
  }
}
