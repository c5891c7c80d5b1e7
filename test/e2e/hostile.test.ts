// A hostile NemoVideo server against the built action: every string it sends is untrusted, and
// what it sends is bounded. Asserts what a user sees: log lines as the runner splits and runs them,
// outputs, the job summary, files and exit status.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { assertWellFormedHtml } from '../helpers/html.js'
import { cloudInputs, nemoFixture } from '../helpers/nemo.js'
import { photoSandbox, runAction, type ActionRun, type Sandbox } from '../helpers/action.js'
import { startResultsServer } from '../servers/results.js'

const USER = 'nmv_usr_hostile_secret_5e2b'
const env = {
  IMG2VID_RETRY_WAIT_MS: '100',
  IMG2VID_REQUEST_TIMEOUT_MS: '3000',
  IMG2VID_DROP_WAIT_MS: '100',
  IMG2VID_DROP_RECHECK_MS: '100'
}
const nemo = nemoFixture({ credits: 100_000, userTokens: [USER], renderPolls: 1 })

const box = (): Promise<Sandbox> => photoSandbox([1, 2])

async function go(inputs: Record<string, string> = {}, apiUrl = nemo.server.url): Promise<ActionRun> {
  return runAction({
    box: await box(),
    env,
    inputs: cloudInputs(apiUrl, USER, inputs)
  })
}

const readProcStatus = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return ''
  }
}

/** Lines as the runner reads stdout: split at \n, \r and \r\n. */
const runnerLines = (stdout: string): string[] => stdout.split(/\r\n|\r|\n/)
/** What .NET's String.TrimStart() strips (Char.IsWhiteSpace): JavaScript's \s lacks U+0085 (NEXT LINE). */
const DOTNET_LEADING_SPACE = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/
/** The workflow commands the runner would run: a line that starts with `::` after TrimStart(), or holds `##[`. */
const commands = (stdout: string): string[] =>
  runnerLines(stdout).filter(l => l.replace(DOTNET_LEADING_SPACE, '').startsWith('::') || l.includes('##['))
const ours = /^::(group|endgroup|error|warning|debug|add-mask)::/

describe('workflow-command injection', () => {
  it('agent text, tool names, track names and titles never become workflow commands', async () => {
    const evil =
      'ok\r::error::pwned\n::add-mask::Rendering\r\n  ::stop-commands::x\n##[error]legacy\r\u0085::error::pwned by NEL\n\u00a0\u3000::stop-commands::y'
    nemo.server.config.agent = () => ({
      text: `Done.${evil}`,
      draft: {
        t: [
          { tt: 0, sg: [{ st: 0, d: 2000, n: `clip${evil}` }] },
          { tt: 7, sg: [{ st: 0, d: 1000, txt: `Title${evil}` }] }
        ],
        d: 2000,
        m: { title: `T${evil}` }
      }
    })
    const run = await go()
    assert.equal(run.code, 0, run.all)
    const cmds = commands(run.stdout)
    for (const c of cmds) assert.match(c, ours, `a command the action did not mean: ${JSON.stringify(c)}`)
    assert.ok(!cmds.some(c => /pwned|stop-commands|::add-mask::Rendering/.test(c)))
    assert.ok(!run.stdout.includes('##[error]'), 'the legacy form is broken up too')
    assert.match(run.stdout, /: :error::pwned/, 'the text is still shown, defused')
    // the summary: no raw newline from the server inside it, no HTML from it
    assertWellFormedHtml(run.summary)
    assert.ok(!/<script|::error/.test(run.summary.replace(/&lt;|&gt;/g, '')))
  })

  it('render status and failure reasons are printed defused and redacted', async () => {
    nemo.server.config.renderOutcome = 'failed'
    nemo.server.config.failReason = `boom\n::error::injected with ${USER}\n\n![x](https://evil.example/t.png) [click](https://evil.example)`
    const run = await go()
    assert.equal(run.code, 1)
    for (const c of commands(run.stdout)) assert.match(c, ours)
    assert.ok(!run.all.includes(USER), 'the token echoed in the failure reason is redacted everywhere')
    assert.ok(!run.outputs.videos.includes(USER))
    // Markdown cannot form: no blank line inside the summary's HTML, no raw image or link syntax rendered
    const html = run.summary
    assert.ok(!/\n\s*\n!\[x\]/.test(html), 'no blank line lets the image render')
    assert.ok(!/<img|<a href="https:\/\/evil/.test(html))
  })
})

describe('a token the server echoes into what it says', () => {
  /**
   * A manifest run (so the video's record is written) whose agent puts `token()` into its reply
   * text, the track names, the title text and the draft's title: the outputs, the summary, the
   * record and the log hold none of it, raw or URI-encoded.
   */
  async function echoed(inputs: Record<string, string>, token: () => string): Promise<void> {
    nemo.server.config.agent = () => {
      const t = token()
      return {
        text: `Done with ${t}.`,
        draft: {
          t: [
            { tt: 0, n: `track ${t}`, sg: [{ st: 0, d: 2000, n: `clip ${t}`, src: `${t}.jpg` }] },
            { tt: 7, sg: [{ st: 0, d: 1000, txt: `Title ${t}` }] }
          ],
          d: 2000,
          m: { title: `T ${t}` }
        }
      }
    }
    const b = await box()
    await writeFile(join(b.workspace, 'videos.yml'), 'videos:\n  - name: v\n    output: out/v.mp4\n')
    const results = await startResultsServer()
    try {
      const run = await runAction({
        box: b,
        env: { ...env, ...results.env },
        inputs: cloudInputs(nemo.server.url, USER, { manifest: 'videos.yml', 'upload-artifact': 'true', ...inputs })
      })
      assert.equal(run.code, 0, run.all)
      const t = token()
      const record = await readFile(join(b.workspace, 'out', 'v.img2vid.json'), 'utf8')
      // the echo is there, redacted: the track's name is still shown
      assert.match(run.outputs.videos, /track \*\*\*/)
      assert.match(run.summary, /track \*\*\*/)
      assert.match(record, /track \*\*\*/)
      assert.match(run.stdout, /💬 Done with \*\*\*\./)
      for (const form of new Set([t, encodeURIComponent(t)])) {
        for (const [name, value] of Object.entries(run.outputs))
          assert.ok(!value.includes(form), `output '${name}' holds the token: ${value}`)
        assert.ok(!run.summary.includes(form), 'the summary holds the token')
        assert.ok(!record.includes(form), `the record holds the token: ${record}`)
        assert.ok(!run.all.includes(form), 'the log holds the token')
      }
    } finally {
      await results.close()
    }
  }

  it("the user's token in track names, titles and the agent's text is *** in every output, the summary, the record and the log", async () => {
    await echoed({}, () => USER)
  })

  it('the anonymous token too', async () => {
    await echoed({ token: '', 'allow-anonymous': 'true' }, () => nemo.server.issuedTokens.at(-1) as string)
  })
})

describe('bounded replies', () => {
  /** A one-route server for replies no real NemoVideo sends. */
  async function rogue(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
    const s: Server = createServer(handler)
    await new Promise<void>(r => s.listen(0, '127.0.0.1', r))
    return {
      url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
      close: () => new Promise(r => (s.closeAllConnections(), s.close(() => r())))
    }
  }

  it('a JSON reply over 16 MB is refused as too large, not as unreachable', async () => {
    const r = await rogue((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(1 << 20, 0x20)
      let sent = 0
      const pump = (): void => {
        while (sent < 40 && res.write(chunk)) sent++
        if (sent < 40) res.once('drain', pump)
        else res.end('{}')
      }
      res.write('{"code":0,"data":{"pad":"')
      pump()
    })
    try {
      const run = await go({}, r.url)
      assert.equal(run.code, 1)
      assert.match(run.stdout, /::error::Creating the NemoVideo session: NemoVideo's reply is over 16 MB/)
      assert.doesNotMatch(run.stdout, /could not reach/)
    } finally {
      await r.close()
    }
  })

  it('a reply past the text cap fails as "reply too large" with outputs and summary written', async () => {
    nemo.server.config.agent = () => ({ text: 'x'.repeat(3 * 1024 * 1024) })
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(run.stdout, /::error::The agent's reply was too large/)
    assert.ok(run.outputs.videos, 'the videos output is still written')
    assert.match(run.summary, /too large/)
    assert.ok(run.stdout.length < 4 * 1024 * 1024, `the log stays bounded (${run.stdout.length} bytes)`)
  })

  for (const endless of ['partial', 'final'] as const) {
    it(`an endless stream of ${endless} text stops at the cap, the log stays bounded`, async () => {
      nemo.server.config.sse.endless = endless
      const run = await go()
      assert.equal(run.code, 1)
      assert.match(run.stdout, /::error::The agent's reply was too large/)
      assert.ok(run.stdout.length < 4 * 1024 * 1024, `log of ${run.stdout.length} bytes`)
    })
  }

  it('8 videos at once against endless streams: memory bounded, every failure, outputs and summary written', async () => {
    nemo.server.config.sse.endless = 'partial'
    const b = await box()
    const names = Array.from({ length: 8 }, (_, i) => `v${i + 1}`)
    await writeFile(
      join(b.workspace, 'videos.yml'),
      names.map(n => `- name: ${n}\n  images: photos/1.jpg\n  prompt: Promo ${n}\n`).join('')
    )
    let peakKb = 0
    let pid: number | undefined
    const poll = setInterval(() => {
      if (!pid) return
      const m = /VmHWM:\s+(\d+) kB/.exec(readProcStatus(pid))
      if (m) peakKb = Math.max(peakKb, Number(m[1]))
    }, 25)
    const run = await runAction({
      box: b,
      env,
      onSpawn: child => (pid = child.pid),
      inputs: {
        manifest: 'videos.yml',
        'max-parallel': '8',
        prompt: 'Promo',
        'api-url': nemo.server.url,
        'poll-interval': '1',
        'upload-artifact': 'false',
        token: USER
      }
    }).finally(() => clearInterval(poll))
    assert.equal(run.code, 1)
    assert.match(run.stdout, /::error::8 of 8 videos failed:.*reply was too large/)
    const videos = JSON.parse(run.outputs.videos) as { name: string; ok: boolean; error: string }[]
    assert.deepEqual(
      videos.map(v => [v.name, v.ok]),
      names.map(n => [n, false])
    )
    assert.match(run.summary, /❌ failed/)
    assert.ok(peakKb > 0, 'the peak was read')
    assert.ok(peakKb < 400 * 1024, `peak RSS ${(peakKb / 1024).toFixed(0)} MB (goal under 400 MB)`)
    console.log(`8 endless streams in parallel: peak RSS ${(peakKb / 1024).toFixed(0)} MB`)
  })

  it('a draft with too many tracks is refused with a message, not a JS error', async () => {
    nemo.server.config.agent = () => ({
      text: 'ok',
      draft: { t: Array.from({ length: 5000 }, () => ({ tt: 0, sg: [{ st: 0, d: 1000 }] })), d: 1000 }
    })
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(run.stdout, /::error::Reading the session state: the draft has 5000 tracks/)
    assert.doesNotMatch(run.all, /Cannot read properties|Maximum call stack/)
  })
})

describe("the job summary stays under the runner's 1 MiB limit", () => {
  it('40 videos with 100 long-named tracks each: the overview only, every video in it, valid HTML', async () => {
    const long = 'n'.repeat(300)
    nemo.server.config.agent = () => ({
      text: 'ok',
      draft: { t: Array.from({ length: 100 }, (_, i) => ({ tt: 0, sg: [{ st: i * 10, d: 10, n: `${long}${i}` }] })), d: 2000 }
    })
    const b = await box()
    const names = Array.from({ length: 40 }, (_, i) => `v${i + 1}`)
    await writeFile(join(b.workspace, 'videos.yml'), names.map(n => `- name: ${n}\n  images: photos/1.jpg\n`).join(''))
    const run = await runAction({
      box: b,
      env,
      inputs: {
        manifest: 'videos.yml',
        'max-parallel': '8',
        prompt: 'Promo',
        'api-url': nemo.server.url,
        'poll-interval': '1',
        'upload-artifact': 'false',
        token: USER
      },
      timeoutMs: 110_000
    })
    assert.equal(run.code, 0, run.stdout.slice(-3000))
    assert.ok(Buffer.byteLength(run.summary) < 1024 * 1024, `summary of ${Buffer.byteLength(run.summary)} bytes`)
    for (const n of names) assert.match(run.summary, new RegExp(`<td>${n}</td>`))
    assert.match(run.summary, /left out to keep the summary under the runner's 1 MiB limit/)
    assertWellFormedHtml(run.summary)
  })
})

describe('download integrity', () => {
  it('a video over the 2 GiB cap is refused at once: not downloaded again, no fallback', async () => {
    nemo.server.config.announceBytes = 3 * 1024 ** 3
    const since = nemo.server.requests.length
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(
      run.stdout,
      /::error::Could not download render render_\S+: download: the video is 3221225472 bytes, over the 2147483648 byte cap\. Nothing was written/
    )
    const tries = nemo.server.requests.slice(since)
    assert.equal(tries.filter(r => r.route === 'download').length, 1, 'over the cap is not transient')
    assert.equal(tries.filter(r => r.route === 'fallback-download').length, 0)
  })

  it('a body that starts like an MP4 but is cut short (no Content-Length) is retried, and never left at output', async () => {
    nemo.server.config.download = 'half-no-length'
    nemo.server.config.downloadFaultTimes = Infinity
    nemo.server.fail('fallback-download', { status: 500 })
    const run = await go()
    assert.equal(run.code, 1)
    assert.match(
      run.stdout,
      /::error::Could not download render render_\S+: download: the body is truncated: .*; download: .*; fallback: HTTP 500/
    )
    const out = await readdir(join(run.workspace, 'out')).catch(() => [] as string[])
    assert.deepEqual(out, [], 'nothing at output, no .part file')
  })
})
