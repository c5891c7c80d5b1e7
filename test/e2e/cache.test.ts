// No render paid twice: the built action with every default (cache: auto is on for the cloud
// backend), the real @actions/cache client against a loopback cache service (which passes the
// artifact service's requests on to the loopback results service, as one ACTIONS_RESULTS_URL does on
// a runner) and the loopback NemoVideo server.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { Output, type OutputName } from '../../src/shared/contract.js'
import { photoSandbox, runAction, type ActionRun, type Sandbox } from '../helpers/action.js'
import { makeImage, makeMp4, sha256 } from '../helpers/media.js'
import { startCacheServer, type CacheServer } from '../servers/cache.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const exec = promisify(execFile)
const TOKEN = 'nmv_usr_e2e_cache_4b1d'
/** the run beside the measured ones charges another account */
const OTHER_TOKEN = 'nmv_usr_e2e_cache_other'
const fast = { IMG2VID_RETRY_WAIT_MS: '200', IMG2VID_STILL_WORKING_MS: '1000', IMG2VID_STALL_MS: '5000' }
const PROMPT = 'A bright spring promo for our new sneakers'

let nemo: NemoServer
let results: ResultsServer
let cache: CacheServer

before(async () => {
  // a video every platform takes (3 s, 640×360): these tests assert a run without warnings
  nemo = await startNemoServer({
    mp4Path: await makeMp4({ width: 640, height: 360, seconds: 3 }),
    config: { userTokens: [TOKEN, OTHER_TOKEN], credits: 1000, renderPolls: 0 }
  })
  results = await startResultsServer()
  cache = await startCacheServer({ upstream: results })
  // made once, before tests that run at the same time copy them
  for (const seed of [1, 2, 3, 9]) await makeImage({ seed, width: 320, height: 180 })
})
after(async () => {
  await Promise.all([nemo.close(), results.close(), cache.close()])
})

/** A fresh workspace with the same three small photos. */
const box = (): Promise<Sandbox> => photoSandbox([1, 2, 3], { width: 320, height: 180 })

const action = (b: Sandbox, inputs: Record<string, string> = {}, env: Record<string, string> = cache.env): Promise<ActionRun> =>
  runAction({
    box: b,
    env: { ...fast, ...env },
    inputs: {
      images: 'photos/*.jpg',
      prompt: PROMPT,
      token: TOKEN,
      'api-url': nemo.url,
      'poll-interval': '1',
      output: 'out/promo.mp4',
      ...inputs
    }
  })

async function credits(): Promise<number> {
  const r = await fetch(new URL('/api/credits/balance/simple', nemo.url), { headers: { authorization: `Bearer ${TOKEN}` } })
  const j = (await r.json()) as { available?: number; data?: { available?: number } }
  return Number(j.data?.available ?? j.available)
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const value = await fn()
  return [value, performance.now() - t0]
}

/** The same archive (tar + zstd, paths relative to the workspace) with the MP4 cut in half. */
async function withTruncatedMp4(archive: Buffer): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-cache-entry-'))
  try {
    await writeFile(join(dir, 'in.tzst'), archive)
    await mkdir(join(dir, 'x'))
    await exec('tar', ['--use-compress-program', 'zstd -d', '-xf', join(dir, 'in.tzst'), '-C', join(dir, 'x')])
    const [key] = await readdir(join(dir, 'x', '.img2vid-cache'))
    const mp4 = join(dir, 'x', '.img2vid-cache', key, 'video.mp4')
    await truncate(mp4, Math.floor((await stat(mp4)).size / 2))
    await exec('tar', ['--use-compress-program', 'zstd', '-cf', join(dir, 'out.tzst'), '-C', join(dir, 'x'), '.img2vid-cache'])
    return await readFile(join(dir, 'out.tzst'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const warnings = (run: ActionRun): string[] => run.stdout.split('\n').filter(l => l.startsWith('::warning'))

describe('the render cache', { concurrency: true }, () => {
  describe('hits and misses', { concurrency: 1 }, () => {
    it('a re-run with the same files restores the MP4, poster and preview: no NemoVideo request, no credits', async () => {
      const c0 = await credits()
      const n0 = nemo.requests.length
      const k0 = cache.requests.length
      const missBox = await box()
      const [miss, missMs] = await timed(() => action(missBox))
      assert.equal(miss.code, 0, miss.all)
      const c1 = await credits()
      assert.ok(nemo.requests.length > n0, 'the first run rendered in the cloud')
      assert.equal(miss.outputs['cache-hit'], 'false')
      assert.deepEqual(warnings(miss), [], miss.all)
      assert.match(miss.stdout, /Saved to the cache as img2vid-nemo-[0-9a-f]{64}/)
      const rpcs = cache.requests.slice(k0).flatMap(r => (r.rpc ? [r.rpc] : []))
      assert.deepEqual(rpcs, ['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'FinalizeCacheEntryUpload'])
      const key = /img2vid-nemo-[0-9a-f]{64}/.exec(miss.stdout)?.[0]
      const entry = cache.entries.find(e => e.key === key)
      assert.ok(entry?.finalized && entry.size > 0, 'the entry was saved and finalized')
      // the staging folder is gone from the workspace
      assert.deepEqual((await readdir(miss.workspace)).sort(), ['out', 'photos'])

      const hitBox = await box()
      const n1 = nemo.requests.length
      const [hit, hitMs] = await timed(() => action(hitBox))
      assert.equal(hit.code, 0, hit.all)
      assert.equal(
        nemo.requests.length,
        n1,
        `no request to NemoVideo on a hit: ${nemo.requests
          .slice(n1)
          .map(r => r.path)
          .join(', ')}`
      )
      const c2 = await credits()
      assert.equal(hit.outputs['cache-hit'], 'true')
      assert.deepEqual(warnings(hit), [], hit.all)
      assert.equal(hit.outputs.sha256, miss.outputs.sha256)
      assert.equal(await sha256(join(hitBox.workspace, 'out/promo.mp4')), nemo.mp4.sha256)
      for (const [name, file] of [
        ['poster-path', 'out/promo.poster.jpg'],
        ['preview-path', 'out/promo.preview.webp']
      ]) {
        assert.equal(hit.outputs[name], join(hitBox.workspace, file))
        assert.deepEqual(await readFile(join(hitBox.workspace, file)), await readFile(join(miss.workspace, file)), `${file} restored`)
      }
      // every output of the hit is the miss's but these, each as it says
      const paths = [Output.videoPath, Output.posterPath, Output.previewPath] as string[]
      const differs: Partial<Record<OutputName, (missed: string, restored: string) => void>> = {
        [Output.cacheHit]: (m, h) => assert.deepEqual([m, h], ['false', 'true']),
        // nothing was spent, so no balance was read
        [Output.creditsAvailable]: (m, h) => assert.deepEqual([/^\d+$/.test(m), h], [true, '']),
        // each run uploads its own artifact
        [Output.artifactId]: (m, h) => assert.ok(/^\d+$/.test(h) && h !== m, h),
        [Output.artifactUrl]: (m, h) => assert.ok(h.startsWith('https://') && h !== m, h),
        // the same files, each in its own run's workspace (compared above)
        ...Object.fromEntries(
          paths.map(o => [o, (m: string, h: string) => assert.equal(relative(hitBox.workspace, h), relative(miss.workspace, m))])
        ),
        [Output.videos]: (m, h) => {
          const [missed, restored] = [m, h].map(j => JSON.parse(j) as Record<string, string>[])
          assert.equal(restored.length, missed.length)
          for (const [i, entry] of restored.entries())
            for (const [k, v] of Object.entries(missed[i]))
              if (k in differs) differs[k as OutputName]?.(v, entry[k])
              else assert.equal(entry[k], v, `videos[${i}].${k}`)
        }
      }
      for (const o of Object.values(Output)) {
        assert.ok(o in miss.outputs, `the miss set '${o}'`)
        const check = differs[o]
        if (check) check(miss.outputs[o], hit.outputs[o])
        else assert.equal(hit.outputs[o], miss.outputs[o], `output ${o}: the hit's is the render's`)
      }
      assert.match(hit.summary, /restored from the cache/)
      assert.doesNotMatch(miss.summary, /restored from the cache/)
      const videos = JSON.parse(hit.outputs.videos) as { 'cache-hit': string }[]
      assert.equal(videos[0]['cache-hit'], 'true')
      assert.deepEqual((await readdir(hitBox.workspace)).sort(), ['out', 'photos'])
      // the artifact of the hit run holds the restored files too
      assert.match(hit.outputs['artifact-id'], /^\d+$/)

      const charged = { miss: c0 - c1, hit: c1 - c2 }
      assert.equal(charged.miss, 50)
      assert.equal(charged.hit, 0)
      console.log(
        `render cache: miss ${(missMs / 1000).toFixed(2)} s, ${charged.miss} credits; hit ${(hitMs / 1000).toFixed(2)} s, ${charged.hit} credits`
      )
    })

    it('a changed prompt is a miss: rendered again, saved under its own key', async () => {
      const n0 = nemo.requests.length
      const run = await action(await box(), { prompt: `${PROMPT}, in slow motion` })
      assert.equal(run.code, 0, run.all)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.ok(nemo.requests.length > n0)
      assert.match(run.stdout, /Cache: no entry for img2vid-nemo-/)
    })

    it('a changed image is a miss', async () => {
      const b = await box()
      await copyFile(await makeImage({ seed: 9, width: 320, height: 180 }), join(b.workspace, 'photos', '3.jpg'))
      const run = await action(b)
      assert.equal(run.outputs['cache-hit'], 'false', run.all)
    })

    it('cache: false makes no cache request', async () => {
      const k0 = cache.requests.length
      const run = await action(await box(), { cache: 'false' })
      assert.equal(run.code, 0, run.all)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.equal(cache.requests.length, k0)
    })

    it('an entry whose MP4 is not whole is a miss, with a warning, and the video is rendered', async () => {
      // a run without previews has its own key; break its entry's archive after saving it
      const first = await action(await box(), { previews: 'false' })
      assert.equal(first.code, 0, first.all)
      const key = /img2vid-nemo-[0-9a-f]{64}/.exec(first.stdout)?.[0]
      const entry = cache.entries.find(e => e.key === key)
      assert.ok(entry?.archive)
      entry.archive = await withTruncatedMp4(entry.archive)
      entry.size = entry.archive.length
      const n0 = nemo.requests.length
      const again = await action(await box(), { previews: 'false' })
      assert.equal(again.code, 0, again.all)
      assert.equal(again.outputs['cache-hit'], 'false')
      assert.ok(
        warnings(again).some(w => w.includes(`The cache entry ${key} is not whole (the MP4`)),
        again.all
      )
      assert.ok(nemo.requests.length > n0, 'rendered again')
      assert.equal(again.outputs.sha256, nemo.mp4.sha256)
    })

    it('a batch: two videos of the same content at once share one entry; a re-run restores both', async () => {
      const manifest = `videos:
  - name: twin-a
    prompt: Twins in a batch
  - name: twin-b
    prompt: Twins in a batch
`
      const batchBox = async (): Promise<Sandbox> => {
        const b = await box()
        await writeFile(join(b.workspace, 'videos.yml'), manifest)
        return b
      }
      const inputs = { manifest: 'videos.yml', output: 'out/', 'max-parallel': '2' }
      const first = await action(await batchBox(), inputs)
      assert.equal(first.code, 0, first.all)
      assert.equal(first.outputs['cache-hit'], 'false')
      assert.deepEqual(warnings(first), [], first.all)
      const n0 = nemo.requests.length
      const again = await action(await batchBox(), inputs)
      assert.equal(again.code, 0, again.all)
      assert.equal(nemo.requests.length, n0, 'no request to NemoVideo')
      assert.equal(again.outputs['cache-hit'], 'true')
      const videos = JSON.parse(again.outputs.videos) as { name: string; 'cache-hit': string; sha256: string }[]
      assert.deepEqual(
        videos.map(v => [v.name, v['cache-hit'], v.sha256]),
        [
          ['twin-a', 'true', nemo.mp4.sha256],
          ['twin-b', 'true', nemo.mp4.sha256]
        ]
      )
      assert.deepEqual((await readdir(join(again.workspace, 'out'))).sort(), [
        'twin-a.img2vid.json',
        'twin-a.mp4',
        'twin-a.poster.jpg',
        'twin-a.preview.webp',
        'twin-b.img2vid.json',
        'twin-b.mp4',
        'twin-b.poster.jpg',
        'twin-b.preview.webp'
      ])
    })

    it('without a cache service (no ACTIONS_RESULTS_URL) the cloud renders with a log line, no warning', async () => {
      const run = await action(await box(), { 'upload-artifact': 'false' }, {})
      assert.equal(run.code, 0, run.all)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.match(run.stdout, /Cache: off, the runner gives no cache service/)
      assert.deepEqual(warnings(run), [], run.all)
    })
  })

  // a refusal, not a 500: @actions/cache tries a 500 five times over ~25 s per call, its own
  // behaviour; what this action does with a failed call is the same either way
  it('the cache service refusing (HTTP 403) warns, and the video is rendered as usual', async () => {
    const failing = await startCacheServer({ upstream: results })
    failing.fail.twirp = 403
    try {
      // its own artifact: the tests beside it upload theirs to the same run at the same time
      const run = await action(await box(), { title: 'Down', token: OTHER_TOKEN, 'artifact-name': 'img2vid-down' }, failing.env)
      assert.equal(run.code, 0, run.all)
      assert.equal(run.outputs['cache-hit'], 'false')
      assert.ok(
        warnings(run).some(w => /restore/i.test(w)),
        run.all
      )
      assert.ok(failing.requests.some(r => r.rpc === 'GetCacheEntryDownloadURL'))
      assert.equal(run.outputs.sha256, nemo.mp4.sha256)
    } finally {
      await failing.close()
    }
  })
})
