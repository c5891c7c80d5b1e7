// The built action (dist/index.js) against the loopback NemoVideo server, run as the runner runs it.
import assert from 'node:assert/strict'
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'
import { assertWellFormedHtml } from '../helpers/html.js'
import { runAction, sandbox, type Sandbox, PACKAGE_VERSION } from '../helpers/action.js'
import { makeAudio, makeImage, sha256 } from '../helpers/media.js'
import type { Draft } from '../../src/shared/timeline.js'

const USER_TOKEN = 'nmv_usr_e2e_secret_7f3a9c'
const fast = { IMG2VID_RETRY_WAIT_MS: '200', IMG2VID_STILL_WORKING_MS: '1000', IMG2VID_STALL_MS: '5000' }

async function workspaceWithImages(count = 3): Promise<Sandbox> {
  const box = await sandbox()
  await mkdir(join(box.workspace, 'photos'))
  for (let i = 1; i <= count; i++) await copyFile(await makeImage({ seed: i }), join(box.workspace, 'photos', `${i}.jpg`))
  await copyFile(await makeAudio(), join(box.workspace, 'song.mp3'))
  return box
}

const baseInputs = (server: NemoServer): Record<string, string> => ({
  images: 'photos/*.jpg',
  prompt: 'A bright spring promo for our new sneakers',
  'api-url': server.url,
  'poll-interval': '1',
  'upload-artifact': 'false',
  output: 'out/promo.mp4',
  'allow-anonymous': 'true'
})

describe('nemo backend end to end', () => {
  let server: NemoServer
  before(async () => {
    server = await startNemoServer({ config: { userTokens: [USER_TOKEN], credits: 100_000 } })
  })
  after(() => server.close())

  it('makes the MP4 with a user token: bytes, outputs, headers, uploads, prompt, draft', async () => {
    const box = await workspaceWithImages()
    const first = server.requests.length
    const run = await runAction({
      box,
      env: fast,
      inputs: {
        ...baseInputs(server),
        token: USER_TOKEN,
        duration: '9',
        'aspect-ratio': '9:16',
        title: 'Spring Drop',
        music: 'song.mp3',
        transition: 'fade'
      }
    })
    assert.equal(run.code, 0, run.all)
    const out = join(box.workspace, 'out/promo.mp4')
    assert.equal(await sha256(out), server.mp4.sha256, 'the MP4 is what the server served')

    const o = run.outputs
    assert.equal(o['video-path'], out)
    assert.equal(o.sha256, server.mp4.sha256)
    assert.equal(Number(o.size), server.mp4.size)
    assert.equal(Number(o.width), 320)
    assert.equal(Number(o.height), 180)
    assert.ok(Number(o.duration) > 0)
    assert.equal(o.backend, 'nemo')
    assert.match(o['session-id'], /^\d{10,}$/)
    assert.match(o['render-id'], /^render_/)
    assert.match(o['video-url'], new RegExp(`^${server.cdnUrl}/`))
    assert.ok(o['credits-available'] !== '' && Number.isFinite(Number(o['credits-available'])))
    const timeline = JSON.parse(o.timeline) as { tracks: { kind: string }[] }
    assert.deepEqual(timeline.tracks.map(t => t.kind).sort(), ['audio', 'text', 'video'])

    const mine = server.requests.slice(first)
    for (const r of mine.filter(r => r.origin === 'api')) {
      assert.equal(r.headers.authorization, `Bearer ${USER_TOKEN}`, `${r.method} ${r.path}`)
      assert.equal(r.headers['x-skill-source'], 'img2vid-action')
      assert.equal(r.headers['x-skill-version'], PACKAGE_VERSION)
      assert.equal(r.headers['x-skill-platform'], 'github-actions')
      assert.ok(!r.path.includes(USER_TOKEN))
    }
    assert.ok(
      mine.filter(r => r.origin === 'cdn').every(r => r.headers.authorization === undefined),
      'no Authorization at the CDN'
    )
    assert.equal(mine.filter(r => r.route === 'anonymous-token').length, 0)

    const sid = o['session-id']
    const uploads = server.uploads.filter(u => u.sessionId === sid)
    const local = await Promise.all([1, 2, 3].map(i => sha256(join(box.workspace, 'photos', `${i}.jpg`))))
    assert.deepEqual(
      uploads.filter(u => u.filename.endsWith('.jpg')).map(u => u.sha256),
      local,
      'images arrived byte-identical, in order'
    )
    assert.equal(uploads.find(u => u.filename === 'song.mp3')?.sha256, await sha256(join(box.workspace, 'song.mp3')))
    assert.ok(uploads.every(u => u.field === 'files'))

    const chat = mine
      .filter(r => r.route === 'chat')
      .map(r => (r.json as { new_message: { parts: { text: string }[] } }).new_message.parts[0].text)
    assert.match(chat[0], /A bright spring promo for our new sneakers/)
    assert.match(chat[0], /exactly 9 seconds/)
    assert.match(chat[0], /Aspect ratio 9:16, canvas 1080x1920/)
    assert.match(chat[0], /title text "Spring Drop"/)
    assert.match(chat[0], /song\.mp3/)
    assert.match(chat[0], /fade transitions/)
    const chatBody = mine.find(r => r.route === 'chat')?.json as Record<string, unknown>
    assert.equal(chatBody.app_name, 'nemo_agent')
    assert.equal(chatBody.user_id, 'me')
    assert.equal(chatBody.session_id, sid)

    const exportBody = mine.find(r => r.route === 'export')?.json as { id: string; sessionId: string; draft: Draft; output: unknown }
    assert.equal(exportBody.sessionId, sid)
    assert.deepEqual(exportBody.output, { format: 'mp4', quality: 'high' })
    assert.equal(exportBody.id, o['render-id'])
    assert.ok(
      exportBody.draft.t.some(t => t.tt === 7),
      'the export carries the draft with the title track'
    )

    assert.ok(!run.all.includes(USER_TOKEN), 'the token never appears in logs, outputs or the summary')
    assert.match(run.stdout, /Timeline \(3 tracks\)/)
    assert.match(run.summary, /Timeline/)
    assert.match(run.summary, /Credits left/)
    assertWellFormedHtml(run.summary)
  })

  it('uses an anonymous token with X-Client-Id and never prints it', async () => {
    const box = await workspaceWithImages(2)
    const first = server.requests.length
    const run = await runAction({ box, env: fast, inputs: { ...baseInputs(server), 'client-id': 'e2e-client-anon' } })
    assert.equal(run.code, 0, run.all)
    const anon = server.requests.slice(first).filter(r => r.route === 'anonymous-token')
    assert.equal(anon.length, 1)
    assert.equal(anon[0].headers['x-client-id'], 'e2e-client-anon')
    assert.equal(anon[0].headers.authorization, undefined)
    const token = server.issuedTokens.at(-1) as string
    assert.ok(
      server.requests
        .slice(first)
        .filter(r => r.origin === 'api' && r.route !== 'anonymous-token')
        .every(r => r.headers.authorization === `Bearer ${token}`)
    )
    assert.ok(!run.all.includes(token))
    assert.equal(await sha256(join(box.workspace, 'out/promo.mp4')), server.mp4.sha256)
  })

  for (const shape of ['envelope', 'current'] as const) {
    for (const format of ['adk', 'legacy'] as const) {
      it(`works with render shape ${shape} and the ${format} SSE format`, async () => {
        server.config.renderShape = shape
        server.config.sse = {
          ...server.config.sse,
          format,
          partial: format === 'adk',
          crlf: shape === 'current',
          chunkBytes: shape === 'current' ? 7 : 0,
          heartbeats: 2,
          heartbeatMs: 20
        }
        try {
          const box = await workspaceWithImages(2)
          const run = await runAction({ box, env: fast, inputs: { ...baseInputs(server), token: USER_TOKEN } })
          assert.equal(run.code, 0, run.all)
          assert.equal(await sha256(join(box.workspace, 'out/promo.mp4')), server.mp4.sha256)
          // partial chunks + the final full text: the reply is printed once
          const reply = run.stdout.split('\n').filter(l => /timeline|video|draft/i.test(l) && !/^::/.test(l))
          assert.ok(reply.length > 0, run.stdout)
        } finally {
          server.config.renderShape = 'current'
          server.config.sse = { ...server.config.sse, format: 'adk', partial: true, crlf: false, chunkBytes: 0, heartbeats: 0 }
        }
      })
    }
  }

  it('prints an agent reply once although it streamed in partial chunks', async () => {
    server.config.agent = turn => ({ text: `Here is your video draft, turn ${turn.turn}, made with care.` })
    server.config.sse = { ...server.config.sse, format: 'adk', partial: true }
    try {
      const box = await workspaceWithImages(1)
      const run = await runAction({ box, env: fast, inputs: { ...baseInputs(server), token: USER_TOKEN } })
      assert.equal(run.code, 0, run.all)
      const hits = run.stdout.split('Here is your video draft, turn 1, made with care.').length - 1
      assert.equal(hits, 1, run.stdout)
    } finally {
      delete server.config.agent
    }
  })

  it('summarises the timeline itself when a turn ends with tool calls and no text', async () => {
    server.config.sse = { ...server.config.sse, noText: true }
    try {
      const box = await workspaceWithImages(2)
      const run = await runAction({
        box,
        env: fast,
        inputs: { ...baseInputs(server), token: USER_TOKEN, prompt: 'Make it\n---\nNow shorter' }
      })
      assert.equal(run.code, 0, run.all)
      assert.ok((run.stdout.match(/Timeline \(\d+ tracks?\)/g) ?? []).length >= 2, run.stdout)
      assert.equal(
        server.requestsTo('chat').filter(r => (r.json as { session_id: string }).session_id === run.outputs['session-id']).length,
        2
      )
    } finally {
      server.config.sse = { ...server.config.sse, noText: false }
    }
  })

  it('sends one corrective turn when the draft misses the asked duration', async () => {
    let turns = 0
    server.config.agent = turn => {
      turns++
      const wrong = turn.turn === 1
      return {
        text: wrong ? 'Done (a bit short).' : 'Fixed the length.',
        draft: { t: [{ tt: 0, sg: [{ st: 0, d: wrong ? 4000 : 20000, src: 'x.jpg' }] }], d: wrong ? 4000 : 20000 }
      }
    }
    try {
      const box = await workspaceWithImages(1)
      const run = await runAction({ box, env: fast, inputs: { ...baseInputs(server), token: USER_TOKEN, duration: '20' } })
      assert.equal(run.code, 0, run.all)
      assert.equal(turns, 2)
      const texts = server
        .requestsTo('chat')
        .filter(r => (r.json as { session_id: string }).session_id === run.outputs['session-id'])
        .map(r => (r.json as { new_message: { parts: { text: string }[] } }).new_message.parts[0].text)
      assert.match(texts[1], /4\.0 s long but 20 s/)
      assert.equal(JSON.parse(run.outputs.timeline).duration, 20)
    } finally {
      delete server.config.agent
    }
  })

  it('leaves no file at output and fails clearly when the images are not images', async () => {
    const box = await sandbox()
    await mkdir(join(box.workspace, 'photos'))
    await copyFile(await makeAudio(), join(box.workspace, 'photos', 'cover.jpg'))
    const before = server.requests.length
    const run = await runAction({ box, env: fast, inputs: { ...baseInputs(server), token: USER_TOKEN } })
    assert.equal(run.code, 1)
    assert.match(run.stdout, /::error::Input 'images': photos\/cover\.jpg is an audio file \(mp3\); expected an image/)
    assert.equal(server.requests.length, before, 'no request before the inputs are valid')
    await assert.rejects(stat(join(box.workspace, 'out/promo.mp4')))
    assert.equal((await readFile(join(box.workspace, 'photos', 'cover.jpg'))).length > 0, true)
  })
})
