// The README's manifest and matrix examples, word for word, through the built action with every
// action.yml default set as the runner sets it. The YAML comes from README.md itself; expressions
// are substituted as the runner would (a test token for the secret, one matrix value).
import assert from 'node:assert/strict'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { runAction, sandbox, type Sandbox } from './helpers/action.js'
import { makeImage } from './helpers/media.js'
import { unzipEntries } from './helpers/zip.js'
import { startNemoServer, type NemoServer } from './servers/nemo.js'
import { startResultsServer, type ResultsServer } from './servers/results.js'

const README = resolve(import.meta.dirname, '../README.md')
const TOKEN = 'nmv_usr_readme_example_7f3a'

let nemo: NemoServer
let results: ResultsServer
before(async () => {
  nemo = await startNemoServer({ config: { credits: 100_000, userTokens: [TOKEN], renderPolls: 0 } })
  results = await startResultsServer()
})
after(async () => {
  await Promise.all([nemo.close(), results.close()])
})

/** Every ```yaml block of the README, in order. */
async function yamlBlocks(): Promise<string[]> {
  const text = await readFile(README, 'utf8')
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(m => m[1])
}

/** The manifest example, the step that uses it, and the matrix workflow. */
async function examples(): Promise<{ manifest: string; step: string; matrix: string }> {
  const blocks = await yamlBlocks()
  const at = blocks.findIndex(b => b.startsWith('# videos.yml\n'))
  assert.ok(at >= 0, 'the README has a manifest example starting with "# videos.yml"')
  const matrix = blocks.find(b => /^\s+matrix:/m.test(b) && /manifest: videos\.yml/.test(b))
  assert.ok(matrix, 'the README has a matrix example')
  return { manifest: blocks[at], step: blocks[at + 1], matrix }
}

/** A step's `with:`, expressions evaluated the way the runner does for these values. */
function withOf(step: { with?: Record<string, unknown> }, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(step.with ?? {})) {
    out[k] = String(v).replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, expr: string) => {
      assert.ok(expr in values, `no value for the expression ${expr}`)
      return values[expr]
    })
  }
  return out
}

/** A workspace holding videos.yml and every file it names. */
async function workspace(manifest: string): Promise<Sandbox> {
  const b = await sandbox()
  await writeFile(join(b.workspace, 'videos.yml'), manifest)
  for (const [i, dir] of ['products/sneakers', 'products/boots', 'products'].entries()) {
    await mkdir(join(b.workspace, dir), { recursive: true })
    await copyFile(await makeImage({ seed: 40 + i }), join(b.workspace, dir, `${i + 1}.jpg`))
  }
  await mkdir(join(b.workspace, 'prompts'))
  await writeFile(join(b.workspace, 'prompts', 'boots.txt'), 'Rugged boots in the rain, 15 seconds')
  return b
}

const env = (): Record<string, string> => ({ ...results.env, NEMO_API_URL: nemo.url, IMG2VID_RETRY_WAIT_MS: '200' })

describe('README examples, word for word', () => {
  it('the manifest example: each entry without output writes <name>.mp4, the entry prompt-file replaces the fallbacks', async () => {
    const { manifest, step } = await examples()
    const steps = parse(step) as Array<{ uses: string; with: Record<string, unknown> }>
    const inputs = withOf(steps[0], { 'secrets.NEMO_TOKEN': TOKEN })
    assert.equal(inputs.manifest, 'videos.yml')
    const since = nemo.requests.length
    const b = await workspace(manifest)
    const r = await runAction({ box: b, env: env(), inputs })
    assert.equal(r.code, 0, r.all)
    assert.match(r.stdout, /Backend: nemo \(token from input 'token'\)\./)
    const videos = JSON.parse(r.outputs.videos) as Array<Record<string, string | boolean>>
    assert.deepEqual(
      videos.map(v => [v.name, v.ok, v['video-path']]),
      [
        ['sneakers-en', true, join(b.workspace, 'sneakers-en.mp4')],
        ['sneakers-de', true, join(b.workspace, 'sneakers-de.mp4')],
        ['boots', true, join(b.workspace, 'out/boots.mp4')]
      ]
    )
    const chats = nemo.requests
      .slice(since)
      .filter(q => q.route === 'chat')
      .map(q => JSON.stringify(q.json))
    assert.ok(
      chats.some(c => c.includes('Rugged boots in the rain')),
      'the boots prompt came from prompts/boots.txt'
    )
    assert.ok(!chats.some(c => c.includes('A clean product video')), 'no entry used the fallback prompt')
    const artifact = results.artifacts.find(a => a.name === 'img2vid' && a.finalized)
    assert.ok(artifact?.zip)
    // each video with its poster and preview
    const files = (stem: string): string[] => [`${stem}.mp4`, `${stem}.poster.jpg`, `${stem}.preview.webp`]
    assert.deepEqual([...(await unzipEntries(artifact.zip)).keys()].sort(), [
      ...files('out/boots'),
      ...files('sneakers-de'),
      ...files('sneakers-en')
    ])
  })

  it('the matrix example, for one matrix value, without images', async () => {
    const { manifest, matrix } = await examples()
    const workflow = parse(matrix) as {
      jobs: Record<string, { strategy: { matrix: { name: string[] } }; steps: Array<{ uses: string; with?: Record<string, unknown> }> }>
    }
    const job = Object.values(workflow.jobs)[0]
    const step = job.steps.find(s => s.uses.includes('img2vid-action'))
    assert.ok(step)
    const name = job.strategy.matrix.name[1]
    const inputs = withOf(step, { 'matrix.name': name, 'secrets.NEMO_TOKEN': TOKEN })
    assert.equal(inputs.images, undefined, 'the example leaves images out')
    const b = await workspace(manifest)
    const r = await runAction({ box: b, env: env(), inputs })
    assert.equal(r.code, 0, r.all)
    const videos = JSON.parse(r.outputs.videos) as Array<Record<string, string>>
    assert.deepEqual(
      videos.map(v => [v.name, v['video-path']]),
      [[name, join(b.workspace, `${name}.mp4`)]]
    )
    assert.ok(results.artifacts.some(a => a.name === `video-${name}` && a.finalized))
  })
})
