// The sub-actions' action.yml files against the code: their inputs are the names the code reads,
// their defaults the main action's, their outputs the ones the code sets.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { CollectInput, CollectOutput } from '../src/collect/inputs.js'
import { Input, VIDEO_KEYS } from '../src/inputs/get-inputs.js'
import { PlanInput, PlanOutput } from '../src/plan/plan.js'
import { JOB_ARTIFACTS } from '../src/shared/artifact-names.js'
import { ACTION_YML, SUB_ACTIONS } from './helpers/action.js'

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}
const read = (path: string): ActionYml => parse(readFileSync(path, 'utf8')) as ActionYml

describe('the sub-actions and the code are one contract', () => {
  const main = read(ACTION_YML)
  it('plan: the manifest, per-job and the fallbacks the render jobs give, with their defaults', () => {
    const plan = read(SUB_ACTIONS.plan.yml)
    const fallbacks = [...VIDEO_KEYS, Input.previews, Input.uploadArtifact]
    assert.deepEqual(Object.keys(plan.inputs).sort(), [Input.manifest, PlanInput.perJob, ...fallbacks].sort())
    for (const k of fallbacks) assert.equal(plan.inputs[k].default, main.inputs[k].default, k)
    assert.deepEqual(Object.keys(plan.outputs).sort(), Object.values(PlanOutput).sort())
    assert.deepEqual(plan.runs, { using: main.runs.using, main: '../dist/plan/index.js' })
  })
  it("collect: its inputs, the main action's defaults for the shared ones, the outputs it sets", () => {
    const collect = read(SUB_ACTIONS.collect.yml)
    assert.deepEqual(Object.keys(collect.inputs).sort(), Object.values(CollectInput).sort())
    for (const k of [Input.releaseNotes, Input.overwrite, Input.githubToken])
      assert.equal(collect.inputs[k].default, main.inputs[k].default, k)
    assert.equal(collect.inputs[CollectInput.pattern].default, JOB_ARTIFACTS)
    // the videos' outputs as the main action has them for a manifest, and collect's own
    for (const k of ['videos', 'backend', 'artifact-id', 'artifact-url', 'cache-hit', 'credits-available', ...Object.values(CollectOutput)])
      assert.ok(k in collect.outputs, k)
    assert.deepEqual(collect.runs, { using: main.runs.using, main: '../dist/collect/index.js' })
  })
})
