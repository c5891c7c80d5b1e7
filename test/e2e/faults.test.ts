// The fault matrix (issue: faults, bad input and secrets): each fault ends in recovery or in a
// clear failure, with nothing leaked and no partial file, through the built action.
import assert from 'node:assert/strict'
import { copyFile, open, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { STATUS_SHAPES, type StatusShape } from '../../src/backends/nemo/replies.js'
import { cloudInputs, nemoFixture } from '../helpers/nemo.js'
import { photoSandbox, runAction, type ActionRun, type Sandbox } from '../helpers/action.js'
import { makeAudio, makeImage, sha256 } from '../helpers/media.js'
import { startNemoServer, type NemoServerConfig, type RecordedRequest } from '../servers/nemo.js'

const USER = 'nmv_usr_fault_secret_91c2'
const env = { IMG2VID_RETRY_WAIT_MS: '200', IMG2VID_STILL_WORKING_MS: '400', IMG2VID_STALL_MS: '1500', IMG2VID_REQUEST_TIMEOUT_MS: '800' }
const nemo = nemoFixture({ credits: 100_000, userTokens: [USER], renderPolls: 1 })

const box = (): Promise<Sandbox> => photoSandbox([1, 2])

async function go(
  inputs: Record<string, string> = {},
  extra: { env?: Record<string, string>; box?: Sandbox; killAfter?: { ms: number; signal: NodeJS.Signals } } = {}
): Promise<ActionRun & { since: number }> {
  const since = nemo.server.requests.length
  const b = extra.box ?? (await box())
  const run = await runAction({
    box: b,
    env: { ...env, ...extra.env },
    killAfter: extra.killAfter,
    inputs: cloudInputs(nemo.server.url, USER, { 'allow-anonymous': 'true', ...inputs })
  })
  // a fault must end in setFailed, never in a crash
  assert.doesNotMatch(run.stderr, /Unhandled|Uncaught|node:internal|ERR_/, run.stderr)
  return Object.assign(run, { since })
}
const mine = (run: { since: number }, route?: string): typeof nemo.server.requests =>
  nemo.server.requests.slice(run.since).filter(r => !route || r.route === route)
const error = (run: ActionRun): string => (/::error::(.*)/.exec(run.stdout)?.[1] ?? '').replace(/%0A/g, '\n')

async function noPartialFiles(run: ActionRun): Promise<void> {
  const out = await readdir(join(run.workspace, 'out')).catch(() => [] as string[])
  assert.deepEqual(out, [], 'nothing at output, no .part files')
  assert.deepEqual(
    (await readdir(run.temp)).filter(f => f.startsWith('img2vid-')),
    [],
    'temp dirs removed'
  )
}

async function succeeded(run: ActionRun): Promise<void> {
  assert.equal(run.code, 0, run.all)
  assert.equal(await sha256(join(run.workspace, 'out/v.mp4')), nemo.server.mp4.sha256)
  assert.ok(!run.all.includes(USER), 'token not printed')
}

/** a server of its own: the CDN's fault counter runs over the server's whole life */
async function fresh(config: Partial<NemoServerConfig>, fn: () => Promise<void>): Promise<void> {
  const shared = nemo.server
  nemo.server = await startNemoServer({ config: { credits: 100_000, userTokens: [USER], renderPolls: 1, ...config } })
  try {
    await fn()
  } finally {
    await nemo.server.close()
    nemo.server = shared
  }
}

/** The agent's first turn expires the anonymous token in use, as the service does after 7 days. */
function expireAnonymousTokenOnFirstTurn(): void {
  let expired = false
  nemo.server.config.agent = t => {
    if (!expired) {
      expired = true
      nemo.server.expireToken(nemo.server.issuedTokens.at(-1) as string)
    }
    return { text: `ok turn ${t.turn}` }
  }
}

describe('HTTP faults', () => {
  it('429 with Retry-After: waits that long, retries once, succeeds', async () => {
    nemo.server.fail('session', { status: 429, retryAfter: 1 })
    const run = await go()
    await succeeded(run)
    const [a, b] = mine(run, 'session')
    assert.ok(b.at - a.at >= 950, `waited ${b.at - a.at} ms`)
    assert.match(run.stdout, /rate limited \(HTTP 429\); waiting 1\.0 s/)
  })

  it('429 without Retry-After waits the default; a second 429 fails naming the rate limit', async () => {
    nemo.server.fail('credits', { status: 429 })
    await succeeded(await go())
    nemo.server.fail('state', { status: 429 }, 2)
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(error(run), /rate limiting .*HTTP 429/)
    await noPartialFiles(run)
  })

  for (const status of [500, 502, 503]) {
    it(`${status} on an idempotent call is retried once`, async () => {
      nemo.server.fail('poll', { status })
      const run = await go()
      await succeeded(run)
      assert.match(run.stdout, new RegExp(`answered HTTP ${status}; retrying once`))
    })
  }

  it('a 5xx on session creation (not repeatable) fails with what to do', async () => {
    nemo.server.fail('session', { status: 503, body: 'upstream unavailable' })
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(error(run), /Creating the NemoVideo session: NemoVideo answered HTTP 503.*re-run the job later/)
  })

  it('a reset connection and a hanging request are retried (per-request timeout)', async () => {
    nemo.server.fail('state', { reset: true })
    nemo.server.fail('credits', { hang: true })
    const run = await go()
    await succeeded(run)
    assert.equal(mine(run, 'credits').length, 2)
  })
})

describe('NemoVideo error codes', () => {
  it('1001 with an anonymous token: a new token, the call retried once', async () => {
    expireAnonymousTokenOnFirstTurn()
    const run = await go({ token: '', 'client-id': 'fault-1001' })
    assert.equal(run.code, 0, run.all)
    assert.equal(mine(run, 'anonymous-token').length, 2)
    for (const t of nemo.server.issuedTokens) assert.ok(!run.all.includes(t))
  })

  it('1001 with a user secret fails and says the secret is rejected', async () => {
    const run = await go({ token: 'nmv_usr_not_known_to_server' })
    assert.equal(run.code, 1)
    assert.match(error(run), /rejected the token from the 'token' input \/ NEMO_TOKEN secret/)
    assert.ok(!run.all.includes('nmv_usr_not_known_to_server'))
  })

  it('1002 mid-run: new session, upload again, request re-sent, once', async () => {
    let dropped = false
    nemo.server.config.agent = t => {
      if (!dropped) {
        dropped = true
        nemo.server.dropSession(t.sessionId)
      }
      return { text: 'done' }
    }
    const run = await go()
    await succeeded(run)
    assert.equal(mine(run, 'session').length, 2)
    assert.equal(mine(run, 'upload').length, 2)
    assert.equal(mine(run, 'chat').length, 2)
    assert.match(run.stdout, /session was lost \(code 1002\)/)
  })

  it('2001 out of credits: fails; anonymous users get the registration link', async () => {
    nemo.server.config.credits = 10
    const run = await go({ token: '', 'client-id': 'fault-2001' })
    assert.equal(run.code, 1)
    assert.match(error(run), /out of credits \(code 2001\).*https:\/\/nemovideo\.com\/register\?bind=anon_/)
  })

  it('HTTP 402 on export is explained as a plan limit, not credits', async () => {
    nemo.server.config.freePlan = true
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(error(run), /HTTP 402: the account's plan does not allow this \(a plan\/subscription limit, not credits\)/)
    await noPartialFiles(run)
  })

  it('4001 / 4002 are mapped to clear messages', async () => {
    nemo.server.fail('upload', { code: 4001, message: 'unsupported file type' })
    assert.match(error(await go()), /refused a file type \(code 4001\)/)
    nemo.server.fail('upload', { code: 4002, message: 'file too large' })
    assert.match(error(await go()), /over its 200 MB limit \(code 4002\)/)
  })
})

describe('the vendor documents: anonymous tokens, render shapes, export retries', () => {
  it('a second anonymous token for the same client id is refused (429): fails at once, says to add a NEMO_TOKEN secret', async () => {
    const first = await go({ token: '', 'allow-anonymous': 'true', 'client-id': 'vendor-once' })
    assert.equal(first.code, 0, first.all)
    const started = Date.now()
    // a 30 s default wait would be spent here if the 429 were treated as an ordinary rate limit
    const again = await go(
      { token: '', 'allow-anonymous': 'true', 'client-id': 'vendor-once' },
      { env: { IMG2VID_RETRY_WAIT_MS: '30000' } }
    )
    assert.ok(Date.now() - started < 10_000, 'no wait on the token limit')
    assert.equal(again.code, 1)
    assert.equal(mine(again, 'anonymous-token').length, 1, 'asked once')
    assert.match(
      error(again),
      /refused a new anonymous token \(HTTP 429\).*one per client id and about 10 per IP address per 7 days.*Add a NEMO_TOKEN secret/
    )
    assert.equal(mine(again, 'session').length, 0)
  })

  it('about 10 anonymous tokens per IP address: the 11th client id is refused', () =>
    fresh({}, async () => {
      for (let i = 0; i < 10; i++) {
        const run = await go({ token: '', 'allow-anonymous': 'true', 'client-id': `vendor-ip-${i}` })
        assert.equal(run.code, 0, run.all)
      }
      const eleventh = await go({ token: '', 'allow-anonymous': 'true', 'client-id': 'vendor-ip-10' })
      assert.equal(eleventh.code, 1)
      assert.match(error(eleventh), /refused a new anonymous token \(HTTP 429\)/)
    }))

  for (const shape of Object.keys(STATUS_SHAPES) as StatusShape[]) {
    it(`reads the render status in the ${shape} shape, ${STATUS_SHAPES[shape]}`, async () => {
      nemo.server.config.renderShape = shape
      const run = await go()
      await succeeded(run)
      assert.match(run.outputs['video-url'], new RegExp(`^${nemo.server.cdnUrl}/renders/render_`))
    })
  }

  it('an export answered by an HTTP 200 error envelope is started once more with a new render id', async () => {
    nemo.server.fail('export', { code: 5001, message: 'render queue unavailable' })
    const run = await go()
    await succeeded(run)
    const ids = mine(run, 'export').map(r => (r.json as { id: string }).id)
    assert.equal(ids.length, 2)
    assert.notEqual(ids[0], ids[1])
  })

  it('402, 1002 and 2001 on export are not retried', async () => {
    nemo.server.fail('export', { status: 402, body: { code: 402, message: 'plan' } })
    const run = await go()
    assert.equal(run.code, 1)
    assert.equal(mine(run, 'export').length, 1)
  })

  it('a 401 without a code is a rejected token: an anonymous one is renewed once', async () => {
    nemo.server.config.expiredAs401 = true
    expireAnonymousTokenOnFirstTurn()
    const run = await go({ token: '', 'allow-anonymous': 'true', 'client-id': 'vendor-401' })
    assert.equal(run.code, 0, run.all)
    assert.equal(mine(run, 'anonymous-token').length, 1 + 1)
  })

  it('the fallback download may answer JSON with output.url: it is followed (no Authorization off the API origin)', () =>
    fresh({ download: 'not-mp4', downloadFaultTimes: 2, fallbackJson: true }, async () => {
      const run = await go()
      await succeeded(run)
      const cdn = mine(run, 'download')
      assert.equal(cdn.length, 3, 'two bad downloads, then the URL the fallback pointed at')
      assert.ok(cdn.every(r => r.headers.authorization === undefined))
      assert.equal(run.outputs['video-url'], `${nemo.server.cdnUrl}${cdn[2].path}`, 'video-url is the URL the MP4 came from')
    }))

  it('the chat asks for streaming; a reply without partial events is printed once too', async () => {
    nemo.server.config.sse.partial = false
    const run = await go()
    await succeeded(run)
    const [chat] = mine(run, 'chat')
    assert.equal((chat.json as { streaming?: unknown }).streaming, true)
    assert.equal(run.stdout.split('💬 I built a').length - 1, 1)
  })
})

describe('SSE faults', () => {
  // the vendor's recovery, shortened: first state read 300 ms after the break, then every 300 ms, 5 reads
  const drop = { IMG2VID_DROP_WAIT_MS: '300', IMG2VID_DROP_RECHECK_MS: '300' }
  const stateReads = (run: { since: number }): RecordedRequest[] => mine(run, 'state')

  it('a dropped stream: the agent keeps working, the draft lands later; read on schedule, never re-sent', async () => {
    // the server drops the stream after the tool call and applies the draft 700 ms later
    Object.assign(nemo.server.config.sse, { drop: 'after-apply', landMs: 700 })
    const run = await go({}, { env: drop })
    await succeeded(run)
    assert.equal(mine(run, 'chat').length, 1, 'never re-sent')
    const [chat] = mine(run, 'chat')
    const reads = stateReads(run)
    assert.equal(reads.length, 3, 'unchanged at 300 and 600 ms, changed at 900 ms')
    assert.ok(reads[0].at - chat.at >= 300, `first read ${reads[0].at - chat.at} ms after the prompt`)
    assert.ok(reads[1].at - reads[0].at >= 290, 'then one read per recheck period')
    assert.match(run.stdout, /the agent keeps working on the server, so the prompt is not re-sent/)
    assert.match(run.stdout, /::warning::The chat stream broke, but the agent finished: the session state has an updated draft \(read 3\)/)
  })

  it('a dropped stream whose draft never changes fails after 5 reads, without re-sending', async () => {
    nemo.server.config.sse.drop = 'before-reply'
    const run = await go({}, { env: drop })
    assert.equal(run.code, 1)
    assert.equal(mine(run, 'chat').length, 1)
    assert.equal(stateReads(run).length, 5)
    assert.match(
      error(run),
      /The agent did not finish after the stream dropped: the draft was unchanged in 5 reads .* The prompt was not re-sent/
    )
    await noPartialFiles(run)
  })

  it('heartbeats only: "Still working…" notes, then the stall is judged by the state like a drop', async () => {
    nemo.server.config.sse.heartbeatOnly = true
    nemo.server.config.sse.heartbeatMs = 100
    const run = await go({}, { env: drop })
    assert.equal(run.code, 1)
    assert.match(run.stdout, /⏳ Still working…/)
    assert.match(run.stdout, /The chat stream sent only heartbeats for 1\.5 s; the agent keeps working/)
    assert.match(error(run), /The agent did not finish after the stream stalled/)
    assert.equal(mine(run, 'chat').length, 1)
    assert.equal(stateReads(run).length, 5)
  })

  it('a chat that never answers, a reset or a 5xx before the reply: judged by the state, never re-sent', async () => {
    for (const fault of [{ hang: true } as const, { reset: true } as const, { status: 502 }]) {
      nemo.server.fail('chat', fault)
      const run = await go({}, { env: drop })
      assert.equal(run.code, 1, JSON.stringify(fault))
      assert.match(error(run), /The agent did not finish after the stream (dropped|stalled)/)
      assert.equal(mine(run, 'chat').length, 1)
      assert.equal(stateReads(run).length, 5)
    }
  })

  it("the agent framework's 404 'Session not found' on /run_sse is a lost session (1002): a new session, once", async () => {
    nemo.server.fail('chat', { status: 404, body: { detail: 'Session not found: 12345' } })
    const run = await go()
    await succeeded(run)
    assert.equal(mine(run, 'session').length, 2)
    assert.equal(mine(run, 'upload').length, 2)
    assert.match(run.stdout, /session was lost \(code 1002\)/)
  })

  for (const kind of ['error-field', 'error-code', 'system-text'] as const) {
    it(`an in-stream error (${kind}) fails with the agent's message`, async () => {
      nemo.server.config.sse.error = kind
      const run = await go()
      assert.equal(run.code, 1)
      assert.match(error(run), /The agent reported an error: .*(ValueError|overloaded|unavailable)/)
    })
  }

  it('ignores a trailing "temporary issue" after a normal reply', async () => {
    nemo.server.config.sse.trailingTemporaryIssue = true
    const run = await go()
    await succeeded(run)
    assert.ok(!/temporary issue/.test(run.stdout))
  })
})

describe('render and download faults', () => {
  it('a failed render is exported once more with a new id', async () => {
    nemo.server.config.renderFailTimes = nemo.server.renderIds.length + 1
    const run = await go()
    await succeeded(run)
    const ids = mine(run, 'export').map(r => (r.json as { id: string }).id)
    assert.equal(ids.length, 2)
    assert.notEqual(ids[0], ids[1])
  })

  it('a render that fails twice fails with the server reason', async () => {
    nemo.server.config.renderOutcome = 'failed'
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(error(run), /Render render_\S+ failed: Lambda render crashed: out of memory/)
    await noPartialFiles(run)
  })

  it('a render that never completes fails at timeout-minutes naming the render and its progress, and is cancelled', async () => {
    nemo.server.config.renderOutcome = 'never'
    const run = await go({ 'timeout-minutes': '0.1' })
    assert.equal(run.code, 1)
    assert.match(
      error(run),
      /Render (render_\S+) did not complete before the deadline \('timeout-minutes'\); last status processing at \d+%/
    )
    assert.equal(mine(run, 'cancel').length, 1)
    await noPartialFiles(run)
  })

  for (const kind of ['truncated', 'not-mp4'] as const) {
    it(`a ${kind} download is retried, then the fallback endpoint is used`, async () => {
      nemo.server.config.download = kind
      nemo.server.config.downloadFaultTimes = Infinity
      const run = await go()
      await succeeded(run)
      assert.equal(mine(run, 'download').length, 2)
      assert.equal(mine(run, 'fallback-download').length, 1)
      assert.equal(mine(run, 'fallback-download')[0].headers.authorization, `Bearer ${USER}`)
    })
  }

  it('when every download is bad: a clear failure and no partial file', () =>
    fresh({ download: 'truncated' }, async () => {
      nemo.server.fail('fallback-download', { status: 500 })
      const run = await go()
      assert.equal(run.stderr, '', 'no crash')
      assert.equal(run.code, 1)
      assert.match(
        error(run),
        /Could not download render render_\S+: download: truncated: the connection closed after \d+ of \d+ bytes; .*fallback: HTTP 500\. Nothing was written/
      )
      await noPartialFiles(run)
    }))

  it('Authorization is dropped when a redirect leaves the API origin', () =>
    fresh({ download: 'not-mp4', downloadFaultTimes: 2, fallbackRedirect: true }, async () => {
      const run = await go()
      await succeeded(run)
      const cdn = mine(run, 'download')
      assert.equal(cdn.length, 3, 'two bad downloads, then the fallback redirected to the CDN')
      assert.equal(mine(run, 'fallback-download')[0].headers.authorization, `Bearer ${USER}`)
      assert.ok(cdn.every(r => r.headers.authorization === undefined))
    }))
})

describe('cancellation', () => {
  it('SIGTERM during the render: requests aborted, render cancelled, temp removed, exit within 5 s', async () => {
    nemo.server.config.renderOutcome = 'never'
    const t0 = Date.now()
    const run = await go({}, { killAfter: { ms: 2500, signal: 'SIGTERM' } })
    assert.ok(Date.now() - t0 < 2500 + 5000, `exited after ${Date.now() - t0} ms`)
    assert.equal(run.code, 1)
    assert.match(run.stdout, /Received SIGTERM: cancelling/)
    assert.equal(mine(run, 'cancel').length, 1)
    await noPartialFiles(run)
  })
})

describe('bad input fails before any request, naming the input', () => {
  const cases: Array<[string, Record<string, string>, RegExp, ((b: Sandbox) => Promise<void>)?]> = [
    ['no file matched', { images: 'nope/*.jpg, none/*.png' }, /no file matched 'nope\/\*\.jpg', 'none\/\*\.png'/],
    [
      'a .jpg that is not an image',
      { images: 'bad.jpg' },
      /bad\.jpg is not a file type the backend accepts/,
      b => writeFile(join(b.workspace, 'bad.jpg'), 'hello')
    ],
    ['an empty file', { images: 'empty.png' }, /empty\.png is empty/, b => writeFile(join(b.workspace, 'empty.png'), '')],
    [
      'a file over 200 MB',
      { images: 'huge.jpg' },
      /huge\.jpg is 250\.0 MB, over the 200 MB limit/,
      async b => {
        const fh = await open(join(b.workspace, 'huge.jpg'), 'w')
        await fh.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 0, 4, 0)
        await fh.truncate(250 * 1024 * 1024)
        await fh.close()
      }
    ],
    ['output outside the workspace', { output: '/etc/v.mp4' }, /Input 'output' must resolve inside the workspace or RUNNER_TEMP/],
    ['prompt and prompt-file both', { 'prompt-file': 'p.txt' }, /Input 'prompt' and 'prompt-file' are both set/],
    ['no prompt at all', { prompt: '' }, /Input 'prompt' is empty/],
    ['unknown aspect-ratio', { 'aspect-ratio': '21:9' }, /Input 'aspect-ratio' must be one of 16:9, 9:16, 1:1, 4:5 \(got '21:9'\)/],
    ['unknown resolution', { resolution: '4k' }, /Input 'resolution' must be one of 720p, 1080p/],
    ['unknown transition', { transition: 'spin' }, /Input 'transition' must be one of fade, slide, wipe, zoom, none/],
    ['unknown backend', { backend: 'gpu' }, /Input 'backend' must be one of auto, nemo, local/],
    ['duration out of range', { duration: '900' }, /Input 'duration' must be a number of seconds from 1 to 600 \(got '900'\)/],
    [
      'non-numeric poll-interval',
      { 'poll-interval': 'often' },
      /Input 'poll-interval' must be a number of seconds from 1 to 600 \(got 'often'\)/
    ],
    ['plain http api-url', { 'api-url': 'http://api.example.com' }, /Input 'api-url' must be an https URL/],
    ['music file missing', { music: 'audio/theme.mp3' }, /Input 'music': no audio file at 'audio\/theme\.mp3'/]
  ]
  for (const [name, inputs, message, setup] of cases) {
    it(name, async () => {
      const b = await box()
      await setup?.(b)
      const before = nemo.server.requests.length
      const run = await go(inputs, { box: b })
      assert.equal(run.code, 1)
      assert.match(error(run), message)
      assert.equal(nemo.server.requests.length, before, 'no request was sent')
    })
  }

  it('a music file that is not audio', async () => {
    const b = await box()
    await copyFile(await makeImage(), join(b.workspace, 'song.mp3'))
    const run = await go({ music: 'song.mp3' }, { box: b })
    assert.match(error(run), /Input 'music': song\.mp3 is an image file \(jpg\); expected an audio file/)
  })

  it('accepts real audio as music', async () => {
    const b = await box()
    await copyFile(await makeAudio(), join(b.workspace, 'song.mp3'))
    await succeeded(await go({ music: 'song.mp3' }, { box: b }))
  })
})
