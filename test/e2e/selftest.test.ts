// The self-test job of .github/workflows/self-test.yml, run here: the `video` step's `with:` inputs
// (read from the workflow file, with action.yml's defaults filled in as the runner does) go through
// dist/index.js, then the workflow's own "Check the outputs" script runs with bash on the outputs.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { sha256File } from '../../src/shared/sha256.js'
import { runAction, sandbox, type ActionRun } from '../helpers/action.js'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '../..')

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}
interface Workflow {
  jobs: Record<string, { 'runs-on': string; strategy?: { matrix?: { os?: string[] } }; steps: Step[] }>
}

const workflow = parse(await readFile(join(root, '.github/workflows/self-test.yml'), 'utf8')) as Workflow
const job = workflow.jobs['self-test']
const actionStep = job.steps.find(s => s.uses === './')
const checkStep = job.steps.find(s => s.run !== undefined && s.env && Object.values(s.env).some(v => v.includes('steps.video.outputs')))
const uploadStep = job.steps.find(s => s.uses?.startsWith('actions/upload-artifact@'))

/** The inputs the runner hands the action: the step's `with:` plus action.yml's plain defaults. */
async function runnerInputs(given: Record<string, unknown>): Promise<Record<string, string>> {
  const action = parse(await readFile(join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: unknown }> }
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.default !== undefined && !String(spec.default).includes('${{')) inputs[name] = String(spec.default)
  }
  for (const [name, value] of Object.entries(given)) {
    assert.ok(name in action.inputs, `self-test.yml passes '${name}', which action.yml does not declare`)
    inputs[name] = String(value)
  }
  return inputs
}

/** `${{ steps.video.outputs.x }}` → the output's value; any other expression is not expected here. */
function resolveExpr(value: string, outputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const m = /^steps\.video\.outputs\.([\w-]+)$/.exec(expr)
    assert.ok(m, `unexpected expression in self-test.yml: ${expr}`)
    return outputs[m[1]] ?? ''
  })
}

describe('self-test workflow, run locally through dist/', () => {
  it('the workflow has the action step, the check and the upload, on every Ubuntu runner (x64, arm64) and macOS', () => {
    assert.ok(actionStep?.with, 'a step with uses: ./ and with:')
    assert.equal(actionStep.id, 'video')
    assert.equal(actionStep.with.backend, 'local')
    assert.ok(checkStep?.run, 'a run step checking steps.video.outputs')
    assert.ok(uploadStep?.with, 'an actions/upload-artifact step')
    assert.equal(uploadStep.with.path, '${{ steps.video.outputs.video-path }}')
    assert.deepEqual(job.strategy?.matrix?.os, ['ubuntu-22.04', 'ubuntu-24.04', 'ubuntu-latest', 'ubuntu-24.04-arm', 'macos-latest'])
  })

  let result: ActionRun
  it('renders the example photos with the workflow inputs', { timeout: 180_000 }, async () => {
    const box = await sandbox()
    await cp(join(root, 'examples'), join(box.workspace, 'examples'), { recursive: true })
    result = await runAction({ inputs: await runnerInputs(actionStep?.with ?? {}), box, timeoutMs: 170_000 })
    assert.equal(result.code, 0, result.stdout + result.stderr)
    const o = result.outputs
    assert.equal(o.backend, 'local')
    assert.equal(o.width, '1280')
    assert.equal(o.height, '720')
    assert.ok(Math.abs(Number(o.duration) - 6) <= 0.2, `duration ${o.duration}`)
    assert.match(o.sha256, /^[0-9a-f]{64}$/)
    assert.equal(o.sha256, await sha256File(o['video-path']))
  })

  it("passes the workflow's own check step (bash, with the step's env)", async t => {
    if (!result || result.code !== 0) return t.skip('the render failed')
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' }
    for (const [k, v] of Object.entries(checkStep?.env ?? {})) env[k] = resolveExpr(v, result.outputs)
    // GitHub's default shell for `run:` on Linux
    const { stdout } = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', checkStep?.run ?? 'false'], {
      env,
      cwd: result.workspace
    })
    assert.match(stdout, /width=1280 height=720 backend=local/)
    // and the check really checks: a wrong sha256 fails it
    await assert.rejects(
      run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', checkStep?.run ?? 'false'], {
        env: { ...env, SHA256: '0'.repeat(64) },
        cwd: result.workspace
      })
    )
  })
})
