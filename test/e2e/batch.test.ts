// Batch: a manifest of videos through the built action, against the loopback NemoVideo server
// and results service; the concurrency bound is read from the server's request log.
import { assertWellFormedHtml } from '../helpers/html.js'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runAction, sandbox, type Sandbox } from '../helpers/action.js'
import { makeImage } from '../helpers/media.js'
import { unzipEntries } from '../helpers/zip.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const BATCH_TOKEN = 'nmv_usr_batch_e2e_4b1f'
let nemo: NemoServer
let results: ResultsServer
before(async () => {
  nemo = await startNemoServer({ config: { credits: 100_000, renderPolls: 1, userTokens: [BATCH_TOKEN] } })
  // a video whose prompt says FAIL gets an empty timeline: it fails at export time
  nemo.config.agent = t => (/FAIL/.test(t.message) ? { text: 'I could not build anything.', draft: { t: [] } } : {})
  results = await startResultsServer()
})
after(async () => {
  await Promise.all([nemo.close(), results.close()])
})

const MANIFEST = `# three videos, one per product
videos:
  - name: sneakers
    images: [products/sneakers/*.jpg]
    prompt: Upbeat sneaker promo
    duration: 6
  - name: boots
    images: products/boots/*.jpg
    prompt: FAIL on purpose
  - name: sandals
    images:
      - products/sandals/*.jpg
    prompt: Summer sandals
    aspect-ratio: "9:16"
    output: out/sandals-vertical.mp4
`

async function workspace(manifest = MANIFEST): Promise<Sandbox> {
  const b = await sandbox()
  for (const [i, p] of ['sneakers', 'boots', 'sandals'].entries()) {
    await mkdir(join(b.workspace, 'products', p), { recursive: true })
    await copyFile(await makeImage({ seed: 10 + i }), join(b.workspace, 'products', p, '1.jpg'))
  }
  await writeFile(join(b.workspace, 'videos.yml'), manifest)
  return b
}

const run = (b: Sandbox, inputs: Record<string, string> = {}): ReturnType<typeof runAction> =>
  runAction({
    box: b,
    env: { ...results.env, IMG2VID_RETRY_WAIT_MS: '200' },
    inputs: {
      manifest: 'videos.yml',
      images: 'unused/*.jpg',
      prompt: 'fallback prompt',
      'api-url': nemo.url,
      'poll-interval': '1',
      token: BATCH_TOKEN,
      'artifact-name': 'promo-videos',
      'allow-anonymous': 'true',
      ...inputs
    }
  })

describe('batch end to end', () => {
  it('makes each video in its own session, at most max-parallel at once, and fails at the end naming the failed one', async () => {
    const since = nemo.requests.length
    const b = await workspace()
    // an anonymous token (one per client id, as the vendor allows): fetched once for all three videos
    const r = await run(b, { 'max-parallel': '2', token: '', 'allow-anonymous': 'true', 'client-id': 'batch-e2e' })
    assert.equal(r.code, 1, r.all)
    // a failed video's row has cells without values: still valid HTML
    assertWellFormedHtml(r.summary)
    assert.match(
      r.stdout,
      /::error::1 of 3 videos failed:%0A- boots: Agent: turn 1 of 1: the agent replied but the session has no draft to export/
    )

    const videos = JSON.parse(r.outputs.videos) as Array<Record<string, string | boolean>>
    assert.deepEqual(
      videos.map(v => [v.name, v.ok]),
      [
        ['sneakers', true],
        ['boots', false],
        ['sandals', true]
      ]
    )
    assert.equal(videos[0]['video-path'], join(b.workspace, 'sneakers.mp4'))
    assert.equal(videos[2]['video-path'], join(b.workspace, 'out/sandals-vertical.mp4'))
    assert.equal(JSON.parse(videos[0].timeline as string).duration, 6)

    // its own session per video, one token for all
    const mine = nemo.requests.slice(since)
    const sessions = mine.filter(q => q.route === 'session')
    assert.equal(sessions.length, 3)
    assert.equal(mine.filter(q => q.route === 'anonymous-token').length, 1)
    const chats = mine
      .filter(q => q.route === 'chat')
      .map(q => q.json as { session_id: string; new_message: { parts: { text: string }[] } })
    assert.equal(new Set(chats.map(c => c.session_id)).size, 3)
    assert.ok(
      chats.some(c => /canvas 1080x1920/.test(c.new_message.parts[0].text)),
      'per-video aspect ratio reached the agent'
    )

    // concurrency: a video is in flight from its session request to its last request that names
    // its session or one of its renders (upload, chat, state, export, poll, download, claim)
    const spans = chats.map(c => {
      const renders = mine
        .filter(q => q.route === 'export' && (q.json as { sessionId: string }).sessionId === c.session_id)
        .map(q => (q.json as { id: string }).id)
      const keys = [c.session_id, ...renders]
      const reqs = mine.filter(q => keys.some(k => q.path.includes(k) || JSON.stringify(q.json ?? '').includes(k)))
      const first = Math.min(...reqs.map(q => q.at))
      const created = Math.max(...sessions.filter(q => q.at <= first).map(q => q.at))
      return { from: created, to: Math.max(...reqs.map(q => q.at)) }
    })
    const peak = Math.max(...spans.map(s => spans.filter(o => o.from <= s.from && s.from <= o.to).length))
    assert.ok(peak <= 2, `at most 2 videos at once (saw ${peak})`)
    assert.equal(peak, 2, 'and two did run together')

    // one artifact with both good videos, each with its poster and preview
    const artifact = results.artifacts.find(a => a.name === 'promo-videos' && a.finalized)
    assert.ok(artifact?.zip)
    const entries = await unzipEntries(artifact.zip)
    const withPreviews = (stem: string): string[] => [`${stem}.img2vid.json`, `${stem}.mp4`, `${stem}.poster.jpg`, `${stem}.preview.webp`]
    // and the failed video's record, with its error, for collect
    assert.deepEqual([...entries.keys()].sort(), [
      'boots.img2vid.json',
      ...withPreviews('out/sandals-vertical'),
      ...withPreviews('sneakers')
    ])
    const failed = JSON.parse(String(entries.get('boots.img2vid.json'))) as { video: string; entries: { name: string; error: string }[] }
    assert.equal(failed.video, 'boots')
    assert.match(failed.entries[0].error, /the session has no draft to export/)
    const sha = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex')
    assert.equal(sha(entries.get('sneakers.mp4') as Buffer), sha(await readFile(join(b.workspace, 'sneakers.mp4'))))
    assert.match(r.summary, /sneakers[\s\S]*❌ failed[\s\S]*sandals/)
  })

  it('with fail-fast, stops at the first failure', async () => {
    const since = nemo.requests.length
    const b = await workspace(
      MANIFEST.replace('name: sneakers', 'name: first').replace(
        /- name: boots\n {4}images: products\/boots\/\*\.jpg\n {4}prompt: FAIL on purpose\n/,
        ''
      )
    )
    await writeFile(
      join(b.workspace, 'ff.yml'),
      '- name: broken\n  images: products/boots/*.jpg\n  prompt: FAIL now\n- name: later\n  images: products/sandals/*.jpg\n  prompt: never made\n'
    )
    const r = await run(b, { manifest: 'ff.yml', 'max-parallel': '1', 'fail-fast': 'true', 'upload-artifact': 'false' })
    assert.equal(r.code, 1)
    const videos = JSON.parse(r.outputs.videos) as Array<{ name: string; ok: boolean; error?: string }>
    assert.match(videos[1].error ?? '', /not started: an earlier video failed \(fail-fast\)/)
    assert.equal(nemo.requests.slice(since).filter(q => q.route === 'session').length, 1)
  })

  it('makes only the named video with `only` (for a matrix of jobs), one artifact per video', async () => {
    const b = await workspace()
    const r = await run(b, { only: 'sandals', 'artifact-per-video': 'true' })
    assert.equal(r.code, 0, r.all)
    const videos = JSON.parse(r.outputs.videos) as Array<{ name: string }>
    assert.deepEqual(
      videos.map(v => v.name),
      ['sandals']
    )
    assert.ok(results.artifacts.some(a => a.name === 'promo-videos-sandals' && a.finalized))
  })

  it('reports manifest errors with file, line, entry and key before anything runs', async () => {
    const before = nemo.requests.length
    const b = await workspace(
      'videos:\n  - name: a\n    imagez: x/*.jpg\n  - name: a\n    duration: 9000\n  - name: c\n    images: nothing/*.jpg\n'
    )
    const r = await run(b)
    assert.equal(r.code, 1)
    const err = decodeURIComponent((/::error::(.*)/.exec(r.stdout)?.[1] ?? '').replace(/%0A/g, '\n'))
    assert.match(err, /videos\.yml:3: video 'a': unknown key 'imagez' \(did you mean 'images'\?\)/)
    assert.match(err, /videos\.yml:4: video 'a': the name is already used on line 2/)
    assert.match(err, /videos\.yml:5: video 'a', key 'duration' must be a number of seconds from 1 to 600/)
    assert.equal(nemo.requests.length, before, 'no request was sent')
    const missing = await run(await workspace('- name: c\n  images: nothing/*.jpg\n  prompt: x\n'))
    assert.match(missing.stdout, /::error::videos\.yml:2: video 'c', key 'images': no file matched 'nothing\/\*\.jpg'/)
  })
})
