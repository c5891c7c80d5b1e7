// Hostile names and release notes against the built action's publishing and reporting: a file name
// that holds line breaks, Markdown and HTML; a release body with the action's markers inside pull
// request titles; a batch whose paths, track names and error texts are long and full of `&<>"`.
// Asserts what a user sees: log lines as the runner splits and runs them, the release body, the
// step outputs and the job summary file.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { boundedVideos, MAX_VIDEOS_OUTPUT_BYTES } from '../../src/report/outputs.js'
import { writeSummary } from '../../src/report/summary.js'
import type { RunReport } from '../../src/report/run-report.js'
import { videoBlock, withVideoBlock } from '../../src/publish/release.js'
import { htmlText } from '../../src/shared/untrusted.js'
import { photoSandbox, runAction, type ActionRun, type Sandbox } from '../helpers/action.js'
import { assertWellFormedHtml } from '../helpers/html.js'
import { nemoFixture } from '../helpers/nemo.js'
import { startReleasesServer, type ReleasesServer } from '../servers/releases.js'

const USER = 'nmv_usr_hostile_publish_7c1d'
const env = {
  IMG2VID_RETRY_WAIT_MS: '100',
  IMG2VID_REQUEST_TIMEOUT_MS: '5000',
  IMG2VID_DROP_WAIT_MS: '100',
  IMG2VID_DROP_RECHECK_MS: '100'
}
const nemo = nemoFixture({ credits: 1_000_000, userTokens: [USER], renderPolls: 0 })

/** Lines as the runner reads stdout: split at \n, \r and \r\n. */
const runnerLines = (stdout: string): string[] => stdout.split(/\r\n|\r|\n/)
/** What .NET's String.TrimStart() strips (Char.IsWhiteSpace): JavaScript's \s lacks U+0085 (NEXT LINE). */
const DOTNET_LEADING_SPACE = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/
/** The workflow commands the runner would run: a line that starts with `::` after TrimStart(), or holds `##[`. */
const commands = (stdout: string): string[] =>
  runnerLines(stdout)
    .map(l => l.replace(DOTNET_LEADING_SPACE, ''))
    .filter(l => l.startsWith('::') || l.includes('##['))
const ours = /^::(group|endgroup|error|warning|debug|add-mask)::/

const BEGIN_LINE = /^<!-- img2vid:begin sha256=[0-9a-f]{16} -->$/
const END_LINE = '<!-- img2vid:end -->'

let releases: ReleasesServer
before(async () => {
  releases = await startReleasesServer({ owner: 'octo', repo: 'promo', releases: [{ tag: 'v1.0.0' }, { tag: 'v2.0.0' }] })
})
after(() => releases.close())

/** A run on a `release` event for `tag`, the cloud backend against the loopback NemoVideo server. */
async function releaseRun(tag: string, inputs: Record<string, string>, b?: Sandbox): Promise<ActionRun> {
  const box = b ?? (await photoSandbox([1, 2]))
  const eventPath = join(box.temp, 'event.json')
  await writeFile(eventPath, JSON.stringify({ action: 'published', release: releases.releaseJson(tag) }))
  return runAction({
    box,
    env: {
      ...env,
      GITHUB_API_URL: releases.url,
      GITHUB_REPOSITORY: 'octo/promo',
      GITHUB_EVENT_NAME: 'release',
      GITHUB_EVENT_PATH: eventPath
    },
    inputs: {
      images: 'photos/*.jpg',
      prompt: 'Release promo',
      'api-url': nemo.server.url,
      'poll-interval': '1',
      token: USER,
      'github-token': releases.token,
      'upload-artifact': 'false',
      cache: 'false',
      ...inputs
    }
  })
}

/** The lines between the action's markers (the new, checksummed begin marker). */
function blockLines(body: string): string[][] {
  const lines = body.split(/\r?\n/)
  const blocks: string[][] = []
  for (let i = 0; i < lines.length; i++) {
    if (!BEGIN_LINE.test(lines[i])) continue
    const end = lines.indexOf(END_LINE, i + 1)
    assert.ok(end > i, `the block that starts on line ${i + 1} is closed on a line of its own`)
    blocks.push(lines.slice(i + 1, end))
    i = end
  }
  return blocks
}

/** A line of the notes block as the action writes it: link text without an unescaped `[ ] < > &` or line break. */
const TEXT = String.raw`(?:[^\\\[\]<>&\r\n]|\\[!-/:-@[-\x60{-~])+`
const URL = String.raw`http://127\.0\.0\.1:\d+/octo/promo/releases/download/v1\.0\.0/[^\s()<>]+`
const VIDEO_LINE = new RegExp(String.raw`^(?:\[!\[${TEXT}\]\(${URL}\.poster\.jpg\)\]\(${URL}\.mp4\)|\[${TEXT}\]\(${URL}\.mp4\))$`)

describe('release publishing with a hostile file name', () => {
  it('a line break in output never becomes a workflow command, and the name stays one line of the notes', async () => {
    const hostile =
      'promo\r::warning::pwned-cr\n::stop-commands::pwnedtoken\u0085::error::pwned-nel ##[error]legacy ' +
      '](javascript:alert(1)) <img src=x onerror=alert(1)> &lt;b&gt; *bold* `code` <!-- img2vid:end -->'
    const r = await releaseRun('v1.0.0', { output: `out/${hostile}.mp4`, 'release-notes': 'append' })
    assert.equal(r.code, 0, r.all.slice(-3000))
    assert.ok(existsSync(join(r.workspace, 'out', `${hostile}.mp4`)), 'the MP4 is where output says')

    const cmds = commands(r.stdout)
    for (const c of cmds) assert.match(c, ours, `a command the action did not mean: ${JSON.stringify(c)}`)
    assert.ok(!cmds.some(c => /^::[a-z-]+::(pwned|legacy)/.test(c) || c.includes('##[')), JSON.stringify(cmds))
    assert.ok(!cmds.some(c => c.startsWith('::stop-commands::')))
    // the upload line is still shown, defused
    assert.match(r.stdout, /Uploading 'promo : :warning::pwned-cr : :stop-commands::pwnedtoken/)

    const body = releases.releases[0].body
    const blocks = blockLines(body)
    assert.equal(blocks.length, 1, body)
    assert.equal(blocks[0].length, 1, `one line for the one video:\n${blocks[0].join('\n')}`)
    assert.match(blocks[0][0], VIDEO_LINE)
    assert.ok(!/(?<!\\)<(?!!-- img2vid:)/.test(body), 'no raw HTML from the name in the notes (an escaped `\\<` shows as text)')
    assert.ok(!/(?<!\\)&/.test(body), 'no entity from the name')
    assert.equal(body.split(/\r?\n/).filter(l => l === END_LINE).length, 1, 'the name cannot end the block early')

    // a re-run proves the block its own (the marker text in the name is inside it) and replaces it
    const again = await releaseRun('v1.0.0', { output: `out/${hostile}.mp4`, 'release-notes': 'append' })
    assert.equal(again.code, 0, again.all.slice(-3000))
    assert.equal(releases.releases[0].body, body)
    assert.match(again.stdout, /Release notes: the video block replaced/)
    assert.doesNotMatch(again.stdout, /cannot prove/)
  })
})

describe('release-notes: append with foreign markers', () => {
  it('markers inside pull request titles are left alone with the text between them; the block is added and a warning says so', async () => {
    const notes = [
      "## What's Changed",
      '* Docs: explain the <!-- img2vid:begin --> marker by @mallory in https://github.com/octo/promo/pull/7',
      '',
      'Hand-written: thanks to everyone who tested the beta, and to @alice for the icons.',
      '',
      '* Fix <!-- img2vid:end --> parsing by @mallory in https://github.com/octo/promo/pull/8',
      '',
      '**Full Changelog**: https://github.com/octo/promo/compare/v0.9.0...v2.0.0'
    ].join('\r\n')
    releases.releases[1].body = notes
    const b = await photoSandbox([1, 2])
    const inputs = { output: 'promo.mp4', 'release-notes': 'append', previews: 'false' }
    const first = await releaseRun('v2.0.0', inputs, b)
    assert.equal(first.code, 0, first.all.slice(-3000))
    const after1 = releases.releases[1].body
    assert.ok(after1.startsWith(notes), `every line of the notes is still there, unchanged:\n${after1}`)
    assert.match(first.stdout, /::warning::.*release notes.*cannot prove/i)
    assert.equal(blockLines(after1).length, 1)

    // a re-run replaces its own block (proven by its checksum) and still keeps the rest
    const second = await releaseRun('v2.0.0', inputs, b)
    assert.equal(second.code, 0, second.all.slice(-3000))
    const after2 = releases.releases[1].body
    assert.ok(after2.startsWith(notes), `every line of the notes is still there, unchanged:\n${after2}`)
    assert.equal(blockLines(after2).length, 1, 'one block, not two')
    assert.match(second.stdout, /Release notes: the video block replaced/)
  })
})

describe('the notes block: which block is the action’s', () => {
  const line = '[promo](https://github.com/o/r/releases/download/v1/promo.mp4)'
  const next = videoBlock([{ name: 'next', mp4Url: 'https://github.com/o/r/releases/download/v1/next.mp4' }])

  it('replaces a block of the previous version (markers on their own lines, lines of its shape)', () => {
    const body = `Notes\n\n<!-- img2vid:begin -->\n${line}\n<!-- img2vid:end -->\n\nAfter`
    const r = withVideoBlock(body, next)
    assert.equal(r.replaced, true)
    assert.equal(r.foreign, 0)
    assert.ok(r.body.startsWith('Notes\n\n<!-- img2vid:begin sha256='))
    assert.ok(r.body.endsWith(`\n${next}\n<!-- img2vid:end -->\n\nAfter`))
  })

  it('leaves alone old markers around text of another shape, and a checksummed block whose content was edited', () => {
    for (const body of [
      `<!-- img2vid:begin -->\nHand-written text\n<!-- img2vid:end -->`,
      withVideoBlock('', line).body.replace('promo.mp4', 'edited.mp4'),
      `<!-- img2vid:begin -->${line}<!-- img2vid:end -->`
    ]) {
      const r = withVideoBlock(body, next)
      assert.equal(r.replaced, false, body)
      assert.ok(r.foreign > 0)
      assert.ok(r.body.startsWith(body.trimEnd()), 'nothing deleted')
      assert.equal(blockLines(r.body).at(-1)?.join('\n'), next)
    }
  })

  it('replaces its own block in a body whose line ends GitHub turned into CRLF', () => {
    const once = withVideoBlock('Notes', line).body.replace(/\n/g, '\r\n')
    const r = withVideoBlock(once, next)
    assert.equal(r.replaced, true)
    assert.equal(blockLines(r.body).length, 1)
  })
})

// -- item 10: the summary and the `videos` output stay bounded ------------------------------------

const MIB = 1024 * 1024
const VIDEOS_BOUND = 512 * 1024

describe("the job summary and the 'videos' output stay bounded", () => {
  it('50 videos × 4 formats with long `&<>"` paths, track names and failure reasons: summary ≤ 1 MiB and valid, videos ≤ 512 KB and valid JSON', async () => {
    const mix = '&<>"'
    const junk = (n: number): string => Array.from({ length: n }, (_, i) => mix[i % 4]).join('')
    nemo.server.config.canvas = 'honour'
    nemo.server.config.renderFailTimes = 24
    nemo.server.config.failReason = junk(600)
    nemo.server.config.agent = () => ({
      text: 'ok',
      draft: { t: Array.from({ length: 100 }, (_, i) => ({ tt: 0, sg: [{ st: i * 10, d: 10, n: `${junk(300)}${i}` }] })), d: 2000 }
    })
    const b = await photoSandbox([1])
    const names = Array.from({ length: 50 }, (_, i) => `v${i + 1}-`.padEnd(100, 'n._-'))
    await writeFile(join(b.workspace, 'videos.yml'), names.map(n => `- name: ${n}\n  images: photos/1.jpg\n`).join(''))
    const dir = Array.from({ length: 5 }, () => junk(240)).join('/')
    await mkdir(join(b.workspace, 'o', dir), { recursive: true })
    const started = Date.now()
    const run = await runAction({
      box: b,
      env,
      inputs: {
        manifest: 'videos.yml',
        'max-parallel': '8',
        'fail-fast': 'false',
        'aspect-ratio': '16:9, 9:16, 1:1, 4:5',
        prompt: 'Promo',
        'api-url': nemo.server.url,
        'poll-interval': '1',
        'upload-artifact': 'false',
        previews: 'false',
        cache: 'false',
        output: `o/${dir}/{name}.mp4`,
        token: USER
      },
      timeoutMs: 240_000
    })
    console.log(`# batch run: ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${run.code}`)
    assert.ok(run.code === 0 || run.code === 1, run.stdout.slice(-3000))

    const summaryBytes = Buffer.byteLength(run.summary)
    console.log(`# summary: ${summaryBytes} bytes; videos output: ${Buffer.byteLength(run.outputs.videos ?? '')} bytes`)
    assert.ok(summaryBytes > 0, 'a summary was written')
    assert.ok(summaryBytes <= MIB, `summary of ${summaryBytes} bytes (the runner drops one over 1 MiB)`)
    assertWellFormedHtml(run.summary)

    const videosBytes = Buffer.byteLength(run.outputs.videos)
    assert.ok(videosBytes <= VIDEOS_BOUND, `'videos' output of ${videosBytes} bytes`)
    const videos = JSON.parse(run.outputs.videos) as Record<string, unknown>[]
    const made = videos.filter(v => v.ok === true)
    assert.ok(made.length >= 100, `${made.length} videos made`)
    assert.ok(
      videos.some(v => v.ok === false),
      `some videos failed:\n${run.stdout
        .split('\n')
        .filter(l => /fail/i.test(l))
        .slice(0, 20)
        .join('\n')}`
    )
    for (const v of videos) {
      assert.equal(typeof v.name, 'string')
      assert.ok(names.some(n => (v.name as string).startsWith(n)))
      if (v.ok) assert.ok(existsSync(v['video-path'] as string), `the path of ${v.name as string} is whole`)
    }
    const said = /The 'videos' output left out[^\n]*/.exec(run.stdout)?.[0]
    console.log(`# ${said}`)
    assert.ok(said, "the log says what the 'videos' output left out")
  })

  it("the 'videos' output cuts error texts, then keeps only name, ok and paths; a path is never cut", () => {
    assert.equal(MAX_VIDEOS_OUTPUT_BYTES, VIDEOS_BOUND)
    const failed = Array.from({ length: 400 }, (_, i) => ({ name: `f${i}`, ok: false, error: 'e'.repeat(2000) }))
    const cutErrors = JSON.parse(boundedVideos(failed)) as { error: string }[]
    assert.ok(cutErrors.every(v => v.error.length === 200 && v.error.endsWith('…')))
    const path = `/w/${'p'.repeat(1000)}.mp4`
    const made = Array.from({ length: 400 }, (_, i) => ({
      name: `m${i}`,
      ok: true,
      'video-path': path,
      'video-url': 'u'.repeat(500),
      sha256: 'a'.repeat(64)
    }))
    const kept = boundedVideos([...made, ...failed])
    assert.ok(Buffer.byteLength(kept) <= VIDEOS_BOUND, `${Buffer.byteLength(kept)} bytes`)
    const parsed = JSON.parse(kept) as Record<string, unknown>[]
    assert.equal(parsed.length, 800)
    assert.deepEqual(parsed[0], { name: 'm0', ok: true, 'video-path': path })
    // paths alone over the bound: still whole, and the log warns
    const long = Array.from({ length: 400 }, (_, i) => ({ name: `l${i}`, ok: true, 'video-path': `/w/${'p'.repeat(3000)}` }))
    assert.deepEqual(JSON.parse(boundedVideos(long)), long)
  })

  it('htmlText measures the escaped text and never cuts an entity', () => {
    const s = htmlText('&'.repeat(3000), 2000)
    assert.ok(s.length <= 2000, `${s.length} characters`)
    assert.match(s, /^(&amp;)+…$/)
    assert.equal(htmlText('a<b', 5), 'a…')
    assert.equal(htmlText('plain', 2000), 'plain')
  })

  it('a summary whose overview is still over the limit leaves out rows and says how many', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-summary-'))
    const file = join(dir, 'summary.md')
    await writeFile(file, '')
    const before = process.env.GITHUB_STEP_SUMMARY
    process.env.GITHUB_STEP_SUMMARY = file
    try {
      const report: RunReport = {
        backend: 'nemo',
        batch: true,
        workspace: dir,
        videos: Array.from({ length: 400 }, (_, i) => ({ name: `v${i}`, error: '€"'.repeat(2500), links: {} })),
        warnings: Array.from({ length: 200 }, () => '"'.repeat(5000))
      }
      await writeSummary(report)
      const html = await readFile(file, 'utf8')
      assert.ok(Buffer.byteLength(html) <= MIB, `${Buffer.byteLength(html)} bytes`)
      assertWellFormedHtml(html)
      const shown = (html.match(/<td>v\d+<\/td>/g) ?? []).length
      assert.ok(shown > 0 && shown < 400, `${shown} rows`)
      assert.match(html, new RegExp(`${400 - shown} more videos were left out`))
    } finally {
      if (before === undefined) delete process.env.GITHUB_STEP_SUMMARY
      else process.env.GITHUB_STEP_SUMMARY = before
    }
  })
})
