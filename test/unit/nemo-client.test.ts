// The nemo backend in-process against the loopback NemoVideo server: the whole conversation,
// the protocol's variants, and the faults it must recover from or explain.
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { before, describe, it } from 'node:test'
import type { Backend, RenderJob, RenderResult } from '../../src/backends/backend.js'
import type { InputFile } from '../../src/input-files/input-file.js'
import { createNemoBackend } from '../../src/backends/nemo/nemo-backend.js'
import { NemoError } from '../../src/backends/nemo/errors.js'
import { finishVideo } from '../../src/output-video/finish.js'
import { tempFileFor } from '../../src/shared/guards.js'
import type { VideoRequest } from '../../src/request/request.js'
import type { Draft } from '../../src/shared/timeline.js'
import { makeAudio, makeImage, sha256 } from '../helpers/media.js'
import type { NemoServer } from '../servers/nemo.js'
import { nemoFixture } from '../helpers/nemo.js'
import { PACKAGE_VERSION } from '../helpers/action.js'

Object.assign(process.env, {
  IMG2VID_RETRY_WAIT_MS: '150',
  IMG2VID_RETRY_WAIT_CAP_MS: '3000',
  IMG2VID_STILL_WORKING_MS: '150',
  IMG2VID_STALL_MS: '700',
  IMG2VID_REQUEST_TIMEOUT_MS: '800'
})

const USER = 'nmv_usr_client_test_5d1e'
const nemo = nemoFixture({ userTokens: [USER], credits: 100_000, renderPolls: 1 })
let images: InputFile[]
let music: InputFile

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-nemo-media-'))
  images = []
  for (const seed of [1, 2, 3]) {
    const path = join(dir, `photo-${seed}.jpg`)
    await copyFile(await makeImage({ seed }), path)
    images.push({ path, name: basename(path), size: (await stat(path)).size, kind: 'image', type: 'jpg', mime: 'image/jpeg' })
  }
  const song = join(dir, 'song.mp3')
  await copyFile(await makeAudio(), song)
  music = { path: song, name: 'song.mp3', size: (await stat(song)).size, kind: 'audio', type: 'mp3', mime: 'audio/mpeg' }
})

interface Run {
  result?: Made
  error?: Error
  log: string
  output: string
  since: number
}

type JobOptions = { request?: Partial<VideoRequest>; images?: InputFile[]; timeoutMs?: number; signal?: AbortSignal }

async function makeJob(opts: JobOptions = {}): Promise<RenderJob & { output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-nemo-job-'))
  await mkdir(join(dir, 'out'))
  const timeoutMs = opts.timeoutMs ?? 15_000
  const output = join(dir, 'out', 'v.mp4')
  return {
    images: opts.images ?? images.slice(0, 2),
    request: { turns: ['A bright spring promo'], resolution: '1080p', language: 'en', ...opts.request },
    output,
    videos: [{ file: await tempFileFor(output) }],
    tempDir: dir,
    signal: opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    deadline: Date.now() + timeoutMs
  }
}

const backendFor = (opts: { token?: string; clientId?: string }): Backend =>
  createNemoBackend({
    apiUrl: new URL(nemo.server.url),
    token: opts.token ?? USER,
    allowAnonymous: true,
    clientId: opts.clientId ?? 'client-test',
    pollIntervalMs: 40
  })

/** Runs `fn` capturing what @actions/core writes (strings), letting the test runner's own output pass. */
async function capture<T>(fn: () => Promise<T>): Promise<{ log: string; value?: T; error?: Error }> {
  const out: { log: string; value?: T; error?: Error } = { log: '' }
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== 'string') return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
    out.log += chunk
    return true
  }) as typeof process.stdout.write
  try {
    out.value = await fn()
  } catch (err) {
    out.error = err as Error
  } finally {
    process.stdout.write = write
  }
  return out
}

/** What the action does with a backend's result: the finish line moves the temp file to `output`. */
async function renderAndFinish(backend: Backend, job: RenderJob & { output: string }): Promise<Made> {
  try {
    const result = await backend.render(job)
    const [one] = result.videos
    const finished = await finishVideo(one.video, job.output)
    return { ...result, videoPath: finished.path, renderId: one.renderId, videoUrl: one.videoUrl }
  } finally {
    await rm(job.videos[0].file, { force: true })
  }
}

/** A backend's result for its one video, as the action reads it. */
type Made = RenderResult & { videoPath: string; renderId: string; videoUrl: string }

/** One job through a new backend (made inside the capture: it masks the token at once). */
async function render(opts: JobOptions & { token?: string; clientId?: string } = {}): Promise<Run> {
  const since = nemo.server.requests.length
  const job = await makeJob(opts)
  const out = await capture(() => renderAndFinish(backendFor(opts), job))
  return { result: out.value, error: out.error, log: out.log, output: job.output, since }
}

const mine = (run: Run, route?: string): NemoServer['requests'] =>
  nemo.server.requests.slice(run.since).filter(r => !route || r.route === route)
const chatTexts = (run: Run): string[] =>
  mine(run, 'chat').map(r => (r.json as { new_message: { parts: { text: string }[] } }).new_message.parts[0].text)

async function succeeded(run: Run): Promise<Made> {
  assert.equal(run.error, undefined, `${run.error?.stack}\n${run.log}`)
  const result = run.result as Made
  assert.equal(result.videoPath, run.output)
  assert.equal(await sha256(run.output), nemo.server.mp4.sha256, 'the MP4 at output is what the server served')
  return result
}

async function nothingAtOutput(run: Run): Promise<void> {
  assert.deepEqual(await readdir(join(run.output, '..')), [], 'no file and no .part file at output')
}

/** No token in the log apart from the masking command the runner needs. */
function noTokenIn(run: Run, token: string): void {
  const unmasked = run.log.split('\n').filter(l => !l.startsWith('::add-mask::'))
  assert.ok(!unmasked.some(l => l.includes(token)), 'the token is not in the log')
  assert.ok(!run.error?.message.includes(token), 'the token is not in the error')
}

describe('nemo backend: the conversation', () => {
  it('makes the MP4 with a user token: bytes, headers, uploads, prompt, draft, groups', async () => {
    const run = await render({
      images: images,
      request: { duration: 9, aspectRatio: '9:16', title: 'Spring Drop', music: { file: music }, transition: 'fade' }
    })
    const result = await succeeded(run)
    assert.match(result.sessionId, /^\d{10,}$/)
    assert.match(result.renderId, /^render_/)
    assert.match(result.videoUrl, new RegExp(`^${nemo.server.cdnUrl}/renders/`))
    assert.equal(typeof result.creditsAvailable, 'number')
    assert.equal(result.claimUrl, undefined, 'no claim link for a user token')

    for (const r of mine(run).filter(r => r.origin === 'api')) {
      assert.equal(r.headers.authorization, `Bearer ${USER}`, `${r.method} ${r.path}`)
      assert.equal(r.headers['x-skill-source'], 'img2vid-action')
      assert.equal(r.headers['x-skill-version'], PACKAGE_VERSION)
      assert.equal(r.headers['x-skill-platform'], 'github-actions')
      assert.ok(!r.path.includes(USER))
    }
    const cdn = mine(run).filter(r => r.origin === 'cdn')
    assert.equal(cdn.length, 1)
    assert.equal(cdn[0].headers.authorization, undefined, 'no Authorization at the CDN')
    assert.equal(mine(run, 'anonymous-token').length, 0)

    // one multipart request, every file byte-identical and in order
    assert.equal(mine(run, 'upload').length, 1)
    const uploads = nemo.server.uploads.filter(u => u.sessionId === result.sessionId)
    assert.deepEqual(
      uploads.map(u => u.filename),
      ['photo-1.jpg', 'photo-2.jpg', 'photo-3.jpg', 'song.mp3']
    )
    assert.deepEqual(
      uploads.map(u => u.sha256),
      await Promise.all([...images, music].map(f => sha256(f.path)))
    )
    assert.ok(uploads.every(u => u.field === 'files'))
    assert.match(run.log, /⬆️ {2}100% /)

    const [chat] = mine(run, 'chat')
    assert.equal(chat.headers.accept, 'text/event-stream')
    assert.deepEqual(
      { ...(chat.json as object), new_message: undefined },
      { app_name: 'nemo_agent', user_id: 'me', session_id: result.sessionId, new_message: undefined, streaming: true }
    )
    const [text] = chatTexts(run)
    assert.match(text, /^A bright spring promo\n\nRequirements \(follow exactly\):/)
    assert.match(text, /photo-1\.jpg, photo-2\.jpg, photo-3\.jpg/)
    assert.match(text, /exactly 9 seconds/)
    assert.match(text, /Aspect ratio 9:16, canvas 1080x1920/)
    assert.match(text, /title text "Spring Drop"/)
    assert.match(text, /song\.mp3 as background music/)
    assert.match(text, /fade transitions/)

    const exp = mine(run, 'export')[0].json as { id: string; sessionId: string; draft: Draft; output: unknown }
    assert.equal(exp.id, result.renderId)
    assert.equal(exp.sessionId, result.sessionId)
    assert.deepEqual(exp.output, { format: 'mp4', quality: 'high' })
    assert.deepEqual(exp.draft, result.draft, 'the export carries the state draft')
    assert.deepEqual(result.draft.t.map(t => t.tt).sort(), [0, 1, 7])
    assert.equal(mine(run, 'state').length, 1)

    for (const g of ['Session', 'Upload', 'Agent: turn 1 of 1', 'Render']) assert.match(run.log, new RegExp(`^::group::${g}$`, 'm'))
    assert.match(run.log, /💬 I built a 9-second timeline/)
    assert.match(run.log, /🔧 edit_timeline/)
    assert.match(run.log, /Timeline \(3 tracks\): 1\. Video/)
    noTokenIn(run, USER)
  })

  it('uses an anonymous token with X-Client-Id, masks it, and offers a claim link', async () => {
    const run = await render({ token: '', clientId: 'client-anon-1' })
    const result = await succeeded(run)
    const [anon] = mine(run, 'anonymous-token')
    assert.equal(mine(run, 'anonymous-token').length, 1)
    assert.equal(anon.headers['x-client-id'], 'client-anon-1')
    assert.equal(anon.headers.authorization, undefined)
    assert.equal(anon.headers['x-skill-source'], 'img2vid-action')
    const token = nemo.server.issuedTokens.at(-1) as string
    assert.ok(
      mine(run)
        .filter(r => r.origin === 'api' && r.route !== 'anonymous-token')
        .every(r => r.headers.authorization === `Bearer ${token}`)
    )
    assert.ok(
      mine(run)
        .filter(r => r.origin === 'cdn')
        .every(r => r.headers.authorization === undefined)
    )
    assert.match(run.log, new RegExp(`^::add-mask::${token}$`, 'm'))
    noTokenIn(run, token)
    assert.match(result.claimUrl ?? '', /^https:\/\/nemovideo\.com\/workspace\/claim\?ct=clm_[0-9a-f]+$/)
    const claim = mine(run, 'claim')[0].json as { task_id: string; session_id: string }
    assert.equal(claim.session_id, result.sessionId)
    assert.match(claim.task_id, /^task_/)
  })

  it('one backend renders several videos at once: one anonymous token, a session each', async () => {
    const since = nemo.server.requests.length
    const jobs = await Promise.all([0, 1, 2].map(i => makeJob({ images: [images[i]], request: { turns: [`Video ${i}`] } })))
    const out = await capture(async () => {
      const backend = backendFor({ token: '', clientId: 'client-batch' })
      return Promise.all(jobs.map(j => renderAndFinish(backend, j)))
    })
    assert.equal(out.error, undefined, out.error?.stack)
    const results = out.value as Made[]
    for (const [i, r] of results.entries()) {
      assert.equal(await sha256(jobs[i].output), nemo.server.mp4.sha256)
      assert.equal(
        nemo.server.uploads
          .filter(u => u.sessionId === r.sessionId)
          .map(u => u.filename)
          .join(),
        images[i].name
      )
    }
    assert.equal(new Set(results.map(r => r.sessionId)).size, 3)
    const reqs = nemo.server.requests.slice(since)
    assert.equal(reqs.filter(r => r.route === 'anonymous-token').length, 1, 'the token is fetched once and shared')
    assert.equal(reqs.filter(r => r.route === 'session').length, 3)
  })

  it('warns and renders anyway when the correction does not fix the draft', async () => {
    nemo.server.config.agent = () => ({ text: 'Here.', draft: { t: [{ tt: 0, sg: [{ st: 0, d: 4000 }] }], d: 4000 } })
    const run = await render({ request: { duration: 20 } })
    await succeeded(run)
    assert.equal(mine(run, 'chat').length, 2, 'one correction only')
    assert.match(run.log, /::warning::The draft still misses the request after one correction/)
  })
})

describe('nemo backend: faults', () => {
  it('a second 429 fails naming the rate limit; a 429 on a poll only slows polling', async () => {
    nemo.server.fail('state', { status: 429 }, 2)
    const run = await render()
    assert.ok(run.error instanceof NemoError)
    assert.equal((run.error as NemoError).httpStatus, 429)
    assert.match(run.error?.message ?? '', /Reading the session state: NemoVideo is rate limiting this runner \(HTTP 429\)/)

    nemo.server.fail('poll', { status: 429 }, 2)
    const polled = await render()
    await succeeded(polled)
    assert.match(polled.log, /polling too fast \(HTTP 429\); polling every 0\.1 s now/)
  })

  it('HTTP 400 on the anonymous token call is sent once more with X-Client-Id', async () => {
    nemo.server.fail('anonymous-token', { status: 400, body: 'X-Client-Id header required' })
    const run = await render({ token: '', clientId: 'client-400' })
    await succeeded(run)
    const anon = mine(run, 'anonymous-token')
    assert.equal(anon.length, 2)
    assert.equal(anon[1].headers['x-client-id'], 'client-400')
  })

  it('an API that cannot be reached fails naming it and what to check', async () => {
    const job = await makeJob()
    const out = await capture(() =>
      createNemoBackend({
        apiUrl: new URL('http://127.0.0.1:1'),
        token: USER,
        allowAnonymous: false,
        clientId: 'x',
        pollIntervalMs: 40
      }).render(job)
    )
    assert.match(
      out.error?.message ?? '',
      /^Creating the NemoVideo session: could not reach NemoVideo at http:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)\. Check 'api-url'/
    )
    assert.match(out.log, /connection problem .*; retrying once/)
  })

  it('a non-SSE envelope from /run_sse is a typed error', async () => {
    nemo.server.fail('chat', { code: 2001, message: 'insufficient credits' })
    const run = await render()
    assert.equal((run.error as NemoError | undefined)?.code, 2001)
    assert.match(
      run.error?.message ?? '',
      /Sending the prompt to the agent: the NemoVideo account is out of credits \(code 2001\).*Top up the account/
    )
  })

  it('a chat refused before streaming (429, 1001) is sent again: nothing was charged', async () => {
    // the wait is longer than the stall limit: it must not count as a stall
    nemo.server.fail('chat', { status: 429, retryAfter: 1 })
    const limited = await render()
    await succeeded(limited)
    assert.equal(mine(limited, 'chat').length, 2)
    assert.ok(!/Still working/.test(limited.log))

    nemo.server.fail('chat', { code: 1001, message: 'token expired', status: 401 })
    const renewed = await render({ token: '', clientId: 'client-chat-1001' })
    await succeeded(renewed)
    assert.equal(mine(renewed, 'chat').length, 2)
    assert.equal(mine(renewed, 'anonymous-token').length, 2)
  })

  it('a duplicate render id is retried once with a new id', async () => {
    nemo.server.fail('export', { status: 409, body: { code: 409, message: 'duplicate render id' } })
    const run = await render()
    const result = await succeeded(run)
    assert.equal(mine(run, 'export').length, 2)
    assert.match(run.log, /The export with id (render_\S+) was refused .*duplicate render id.*; trying once more with a new id/)
    const refused = /The export with id (render_\S+) was refused/.exec(run.log)?.[1]
    assert.notEqual(refused, result.renderId)
  })

  it('a job cancelled during the render cancels the render and leaves nothing', async () => {
    nemo.server.config.renderOutcome = 'never'
    const cancel = new AbortController()
    const since = nemo.server.requests.length
    const watch = setInterval(() => {
      if (nemo.server.requests.slice(since).some(r => r.route === 'poll')) cancel.abort(new Error('Cancelled by SIGTERM.'))
    }, 10)
    const run = await render({ signal: cancel.signal }).finally(() => clearInterval(watch))
    assert.equal(run.error?.message, 'Cancelled by SIGTERM.')
    assert.equal(mine(run, 'cancel').length, 1)
    await nothingAtOutput(run)
  })
})
