// A hostile cache entry against the built action: anyone who can write an entry that a run reads
// (a compromised test dependency on the default branch, a pull_request_target job running PR code)
// crafts its archive. The real @actions/cache client talks to the loopback cache service; the
// entries below are the action's own, saved by a first run, then rewritten with `tar`: members that
// reach outside the workspace, a link, a git hook, someone else's MP4 that its record vouches for,
// an HTML poster, a phishing video-url. A hit writes nothing outside a private folder and accepts
// only what the action itself would have made for the request.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { photoSandbox, runAction, type ActionRun, type Sandbox } from '../helpers/action.js'
import { makeImage, makeMp4, sha256 } from '../helpers/media.js'
import { startCacheServer, type CacheEntry, type CacheServer } from '../servers/cache.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const exec = promisify(execFile)
const TOKEN = 'nmv_usr_e2e_hostile_cache_7c1e'
const fast = { IMG2VID_RETRY_WAIT_MS: '200', IMG2VID_STILL_WORKING_MS: '1000', IMG2VID_STALL_MS: '5000' }
const PHISH = 'https://nemovideo-claim.example/login?next=%2Fvideo'

let nemo: NemoServer
/** a second NemoVideo (another origin): a staging API beside production */
let staging: NemoServer
let results: ResultsServer
let cache: CacheServer

before(async () => {
  nemo = await startNemoServer({ config: { userTokens: [TOKEN], credits: 100_000, renderPolls: 0 } })
  staging = await startNemoServer({ config: { userTokens: [TOKEN], credits: 100_000, renderPolls: 0 } })
  results = await startResultsServer()
  cache = await startCacheServer({ upstream: results })
})
after(async () => {
  await Promise.all([nemo.close(), staging.close(), results.close(), cache.close()])
})

const box = (): Promise<Sandbox> => photoSandbox([1, 2, 3], { width: 320, height: 180 })

function action(b: Sandbox, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    box: b,
    env: { ...fast, ...cache.env, ...env },
    inputs: {
      images: 'photos/*.jpg',
      token: TOKEN,
      'api-url': nemo.url,
      'poll-interval': '1',
      'upload-artifact': 'false',
      output: 'out/promo.mp4',
      ...inputs
    }
  })
}

const warnings = (run: ActionRun): string[] => run.stdout.split('\n').filter(l => l.startsWith('::warning'))

/** A first run (a miss) saves the action's own entry; its key comes from the log. */
async function saved(inputs: Record<string, string>): Promise<{ key: string; entry: CacheEntry; run: ActionRun }> {
  const run = await action(await box(), inputs)
  assert.equal(run.code, 0, run.all)
  assert.equal(run.outputs['cache-hit'], 'false', run.all)
  const key = /Saved to the cache as (img2vid-nemo-[0-9a-f]{64})/.exec(run.stdout)?.[1]
  assert.ok(key, run.all)
  const entry = cache.entries.find(e => e.key === key)
  assert.ok(entry?.archive, 'the entry was saved')
  return { key, entry, run }
}

/**
 * The entry's archive unpacked into `<tmp>/ws` (as the workspace it was made in), changed by
 * `edit`, and packed again with GNU tar and zstd, as @actions/cache packs (`-P`: names kept as
 * given, `../` and absolute ones too). `edit` returns the extra members to add, relative to `ws`.
 */
async function rewrite(entry: CacheEntry, edit: (ws: string, files: string) => Promise<string[]>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-hostile-entry-'))
  try {
    const ws = join(dir, 'ws')
    await mkdir(ws)
    await writeFile(join(dir, 'in.tzst'), entry.archive as Buffer)
    await exec('tar', ['--use-compress-program', 'zstd -d', '-xf', join(dir, 'in.tzst'), '-C', ws])
    const [key] = await readdir(join(ws, '.img2vid-cache'))
    const files = join(ws, '.img2vid-cache', key)
    const extra = await edit(ws, files)
    // the entry's files by name, as @actions/cache lists them (no folder members)
    const own = (await readdir(files)).map(f => `.img2vid-cache/${key}/${f}`)
    const out = join(dir, 'out.tzst')
    await exec('tar', ['--use-compress-program', 'zstd', '--posix', '-P', '-cf', out, '-C', ws, ...extra, ...own])
    entry.archive = await readFile(out)
    entry.size = entry.archive.length
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Changes the record saved beside the files. */
async function editRecord(files: string, change: (record: Record<string, unknown>) => void): Promise<void> {
  const path = join(files, 'img2vid.json')
  const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  change(record)
  await writeFile(path, JSON.stringify(record))
}

describe('a hostile cache entry', { concurrency: 1 }, () => {
  it('writes nothing outside a private folder: ../, absolute names, links and .git/hooks are refused', async () => {
    const { key, entry } = await saved({ prompt: 'Escape the workspace' })
    const outside = await mkdtemp(join(tmpdir(), 'img2vid-hostile-outside-'))
    const absolute = join(outside, 'absolute.txt')
    await rewrite(entry, async ws => {
      await writeFile(join(ws, '..', 'escape.txt'), 'written through ../\n')
      await writeFile(absolute, 'written through an absolute name\n')
      await mkdir(join(ws, '.git', 'hooks'), { recursive: true })
      await writeFile(join(ws, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\necho pwned\n', { mode: 0o755 })
      await symlink(outside, join(ws, 'linked'))
      return ['../escape.txt', absolute, '.git/hooks/post-checkout', 'linked']
    })
    await rm(absolute)
    const b = await box()
    const n0 = nemo.requests.length
    const run = await action(b, { prompt: 'Escape the workspace' })

    const escaped = join(b.workspace, '..', 'escape.txt')
    assert.equal(existsSync(escaped), false, `the entry wrote ${escaped}, outside the workspace`)
    assert.equal(existsSync(absolute), false, `the entry wrote ${absolute}`)
    assert.equal(existsSync(join(b.workspace, '.git')), false, 'the entry wrote .git/hooks/post-checkout into the workspace')
    assert.equal(
      await lstat(join(b.workspace, 'linked')).then(
        () => true,
        () => false
      ),
      false,
      'the entry left a link in the workspace'
    )
    assert.equal(run.code, 0, run.all)
    assert.equal(run.outputs['cache-hit'], 'false')
    assert.ok(
      warnings(run).some(w => w.includes(`The cache entry ${key} is not one this action wrote`) && w.includes('../escape.txt')),
      run.all
    )
    assert.ok(nemo.requests.length > n0, 'rendered instead')
    assert.equal(run.outputs.sha256, nemo.mp4.sha256)
    assert.deepEqual((await readdir(b.workspace)).sort(), ['out', 'photos'])
    // the private folder is gone from the runner's temp folder too
    assert.deepEqual(
      (await readdir(b.temp)).filter(f => f.startsWith('img2vid-')),
      [],
      'the private folder is removed'
    )
    await rm(outside, { recursive: true, force: true })
  })

  it('someone else’s MP4 is a miss, even when the record in the entry vouches for it', async () => {
    const { entry } = await saved({ prompt: 'A foreign video' })
    const foreign = await makeMp4({ width: 640, height: 480, seconds: 3 })
    const foreignSha = await sha256(foreign)
    await rewrite(entry, async (_ws, files) => {
      await copyFile(foreign, join(files, 'video.mp4'))
      await editRecord(files, r => (r.sha256 = foreignSha))
      return []
    })
    const n0 = nemo.requests.length
    const run = await action(await box(), { prompt: 'A foreign video' })
    assert.equal(run.code, 0, run.all)
    assert.notEqual(run.outputs.sha256, foreignSha, 'the foreign MP4 was restored as the video')
    assert.equal(run.outputs['cache-hit'], 'false')
    assert.ok(
      warnings(run).some(w => w.includes('the MP4 is 640×480')),
      run.all
    )
    assert.ok(nemo.requests.length > n0, 'rendered instead')
    assert.equal(run.outputs.sha256, nemo.mp4.sha256)
  })

  it('an HTML "poster" is a miss: the poster and preview are checked as the action checks its own', async () => {
    const { entry } = await saved({ prompt: 'A poster that is a web page' })
    await rewrite(entry, async (_ws, files) => {
      await writeFile(join(files, 'poster.jpg'), '<!doctype html><script>location="https://phish.example"</script>')
      return []
    })
    const run = await action(await box(), { prompt: 'A poster that is a web page' })
    assert.equal(run.code, 0, run.all)
    const poster = await readFile(join(run.workspace, 'out', 'promo.poster.jpg'))
    assert.ok(
      poster.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
      `the poster is not a JPEG: ${poster.subarray(0, 16).toString()}`
    )
    assert.equal(run.outputs['cache-hit'], 'false')
    assert.ok(
      warnings(run).some(w => w.includes('poster.jpg is not a JPEG')),
      run.all
    )
  })

  it('a preview over the size cap, or a still one, is a miss', async () => {
    const still = await makeImage({ type: 'webp', width: 320, height: 180, seed: 5 })
    const cases: [string, (preview: string) => Promise<void>, string][] = [
      ['A preview that is too big', async p => writeFile(p, Buffer.concat([await readFile(p), Buffer.alloc(3 * 1024 * 1024)])), 'over the'],
      ['A preview that is a still', p => copyFile(still, p), 'preview.webp is not an animated WebP']
    ]
    for (const [prompt, change, said] of cases) {
      const { entry } = await saved({ prompt })
      await rewrite(entry, async (_ws, files) => {
        await change(join(files, 'preview.webp'))
        return []
      })
      const run = await action(await box(), { prompt })
      assert.equal(run.code, 0, run.all)
      assert.equal(run.outputs['cache-hit'], 'false', `${prompt}: restored as a hit`)
      assert.ok(
        warnings(run).some(w => w.includes('preview.webp') && w.includes(said)),
        run.all
      )
    }
  })

  it('a video-url from the entry off the api-url’s host is not reported (the hit stands, with a log line)', async () => {
    const { run: first, entry } = await saved({ prompt: 'A phishing link' })
    assert.match(first.outputs['video-url'], /^http:\/\/127\.0\.0\.1:\d+\/renders\//)
    await rewrite(entry, async (_ws, files) => {
      await editRecord(files, r => ((r.outputs as Record<string, unknown>).videoUrl = PHISH))
      return []
    })
    const run = await action(await box(), { prompt: 'A phishing link' })
    assert.equal(run.code, 0, run.all)
    assert.equal(run.outputs['cache-hit'], 'true', run.all)
    assert.notEqual(run.outputs['video-url'], PHISH, 'the phishing video-url was reported')
    assert.equal(run.outputs['video-url'], '')
    assert.doesNotMatch(run.outputs.videos, /nemovideo-claim\.example/)
    assert.doesNotMatch(run.summary, /nemovideo-claim\.example/)
    assert.match(run.stdout, /not on the api-url's host/)
    assert.deepEqual(warnings(run), [], run.all)
  })

  it("'cache: auto' is off on a release event; 'cache: true' turns it on there, with a log line", async () => {
    await saved({ prompt: 'A release video' })
    const k0 = cache.requests.length
    const n0 = nemo.requests.length
    const auto = await action(await box(), { prompt: 'A release video' }, { GITHUB_EVENT_NAME: 'release' })
    assert.equal(auto.code, 0, auto.all)
    assert.equal(auto.outputs['cache-hit'], 'false', 'a release run restored an entry another run wrote')
    assert.equal(cache.requests.length, k0, 'a release run with cache: auto asked the cache service')
    assert.ok(nemo.requests.length > n0, 'rendered')
    assert.match(auto.stdout, /Cache: off on a release event/)

    const on = await action(await box(), { prompt: 'A release video', cache: 'true' }, { GITHUB_EVENT_NAME: 'release' })
    assert.equal(on.code, 0, on.all)
    assert.equal(on.outputs['cache-hit'], 'true', on.all)
    assert.match(on.stdout, /Cache: on for a release event, as 'cache: true' asks/)
  })
})

describe('the cache key', () => {
  it('covers api-url: an entry made against a staging API is not restored for production', async () => {
    const b = await box()
    const made = await action(b, { prompt: 'Staging first', 'api-url': staging.url })
    assert.equal(made.code, 0, made.all)
    assert.match(made.stdout, /Saved to the cache as img2vid-nemo-/)
    const n0 = nemo.requests.length
    const prod = await action(await box(), { prompt: 'Staging first' })
    assert.equal(prod.code, 0, prod.all)
    assert.equal(prod.outputs['cache-hit'], 'false', 'the staging entry was restored for production')
    assert.ok(nemo.requests.length > n0, 'production rendered')
    assert.doesNotMatch(prod.outputs['video-url'], new RegExp(`:${new URL(staging.url).port}/`))
  })
})
