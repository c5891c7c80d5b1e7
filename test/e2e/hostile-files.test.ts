// Hostile files against the built action: a crafted MP4 from the cloud (its sample tables declare
// what would take gigabytes or minutes to check) and a repository that plants symlinks where the
// action writes its temp files. Asserts what a user sees: the error, the exit status, the files
// left (none outside their place), memory and time.
import assert from 'node:assert/strict'
import { readFileSync, symlinkSync } from 'node:fs'
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { inspectFile, Mp4Inspector } from '../../src/media/mp4.js'
import { photoSandbox, runAction, type ActionRun } from '../helpers/action.js'
import { box, constantSizeBomb, constantStsz, manyMdats, smallMp4 } from '../helpers/hostile-mp4.js'
import { makeMp4 } from '../helpers/media.js'
import { startNemoServer } from '../servers/nemo.js'
import { startResultsServer } from '../servers/results.js'

const USER = 'nmv_usr_hostile_files_7c1d'
const env = {
  IMG2VID_RETRY_WAIT_MS: '100',
  IMG2VID_REQUEST_TIMEOUT_MS: '5000',
  IMG2VID_DROP_WAIT_MS: '100',
  IMG2VID_DROP_RECHECK_MS: '100',
  // a cap on the test machine (shared): an unbounded parse dies here instead of taking gigabytes
  NODE_OPTIONS: '--max-old-space-size=768'
}

/** The peak resident memory (VmHWM, MB) of a process, read while it runs. */
function watchPeak(pid: number): { stop: () => number } {
  let peak = 0
  const read = (): void => {
    try {
      const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
      if (kb) peak = Math.max(peak, Number(kb) / 1024)
    } catch {
      // the process ended
    }
  }
  const timer = setInterval(read, 50)
  return {
    stop: () => {
      clearInterval(timer)
      return peak
    }
  }
}

/** A cloud run whose render is `mp4`: the time it took, its peak memory, and what it left in out/. */
async function cloudRun(mp4: Buffer): Promise<{ run: ActionRun; ms: number; peakMb: number; left: string[] }> {
  const box = await photoSandbox([1, 2])
  const file = join(dirname(box.workspace), 'crafted.mp4')
  await writeFile(file, mp4)
  const nemo = await startNemoServer({ mp4Path: file, config: { credits: 100_000, userTokens: [USER], renderPolls: 1 } })
  let watch: { stop: () => number } | undefined
  const started = Date.now()
  try {
    const run = await runAction({
      box,
      env,
      timeoutMs: 90_000,
      onSpawn: child => (watch = child.pid ? watchPeak(child.pid) : undefined),
      inputs: {
        images: 'photos/*.jpg',
        prompt: 'Promo',
        'api-url': nemo.url,
        'poll-interval': '1',
        'upload-artifact': 'false',
        previews: 'false',
        output: 'out/v.mp4',
        token: USER
      }
    })
    const ms = Date.now() - started
    const peakMb = watch?.stop() ?? 0
    const left = await readdir(join(box.workspace, 'out')).catch(() => [] as string[])
    return { run, ms, peakMb, left }
  } finally {
    watch?.stop()
    await nemo.close()
  }
}

describe('a crafted MP4 from the cloud', () => {
  it('an 832-byte MP4 whose constant-size stsz declares 20 M samples fails fast, in bounded memory, leaving no .part', async t => {
    const bomb = constantSizeBomb(20_000_000)
    assert.equal(bomb.length, 832)
    const { run, ms, peakMb, left } = await cloudRun(bomb)
    t.diagnostic(`whole run ${ms} ms, peak RSS ${peakMb.toFixed(0)} MB`)
    assert.equal(run.code, 1, `exit ${run.code} (${run.signal ?? 'no signal'}) after ${ms} ms: ${run.stderr.slice(-500)}`)
    assert.match(
      run.stdout,
      /::error::Could not download render render_\S+: download: the body is not a usual MP4 \(its tracks declare 20000000 samples; at most 1000000 are read/
    )
    assert.deepEqual(left, [], 'nothing at output, no .part file')
    assert.ok(ms < 30_000, `took ${ms} ms`)
    assert.ok(peakMb < 400, `peak RSS ${peakMb.toFixed(0)} MB`)
  })

  it('100 k samples behind 99,990 empty mdat boxes are checked in well under the deadline', async t => {
    const { run, ms, peakMb, left } = await cloudRun(manyMdats(100_000, 99_990))
    t.diagnostic(`whole run ${ms} ms, peak RSS ${peakMb.toFixed(0)} MB`)
    assert.equal(run.code, 1, `exit ${run.code} (${run.signal ?? 'no signal'}) after ${ms} ms: ${run.stderr.slice(-500)}`)
    assert.match(
      run.stdout,
      /::error::Could not download render render_\S+: download: the body is truncated: sample 100000 of track 1 lies at bytes \d+–\d+, outside the media data/
    )
    assert.deepEqual(left, [], 'nothing at output, no .part file')
    assert.ok(ms < 30_000, `took ${ms} ms`)
    assert.ok(peakMb < 400, `peak RSS ${peakMb.toFixed(0)} MB`)
  })
})

describe('the MP4 check', () => {
  it('stops when its signal aborts: inspectFile and Mp4Inspector.finish', async () => {
    const real = await makeMp4({ seconds: 2 })
    const reason = new Error('cancelled by the test')
    await assert.rejects(inspectFile(real, AbortSignal.abort(reason)), reason)
    // enough samples that the check yields to the event loop (and sees the abort) before the end
    const inspector = new Mp4Inspector()
    inspector.update(manyMdats(400_000, 10))
    const ac = new AbortController()
    const checking = inspector.finish(ac.signal)
    ac.abort(reason)
    await assert.rejects(checking, reason)
  })

  it('reads no box it does not need: a constant-size stsz of 4 G samples in a udta is never parsed', async () => {
    const inspector = new Mp4Inspector()
    inspector.update(smallMp4(10, box('udta', constantStsz(1, 0xffffffff))))
    const started = Date.now()
    const { info } = await inspector.finish()
    assert.equal(info.width, 64)
    assert.ok(Date.now() - started < 1000)
  })

  it('refuses a table that declares more entries than its bytes hold', async () => {
    const file = smallMp4(10)
    // the stco's entry count (one entry), made 1000
    const at = file.indexOf('stco') + 8
    assert.equal(file.readUInt32BE(at), 1)
    file.writeUInt32BE(1000, at)
    const inspector = new Mp4Inspector()
    inspector.update(file)
    await assert.rejects(inspector.finish(), /not an MP4 \(the 'stco' box at byte \d+ declares 1000 entries in 12 bytes\)/)
  })

  it('a real MP4 still passes', async () => {
    const facts = await inspectFile(await makeMp4({ seconds: 2, audio: true }))
    assert.equal(facts.info.duration > 1.9, true)
    assert.equal(facts.info.audioCodec?.startsWith('mp4a'), true)
  })
})

describe('temp files in a hostile workspace', () => {
  it('symlinks planted at the poster and preview temp names (for the action’s pid) are never written through', async () => {
    const box = await photoSandbox([1, 4, 7], { width: 640, height: 360 })
    const outside = join(dirname(box.workspace), 'outside.txt')
    await writeFile(outside, 'precious\n')
    const out = join(box.workspace, 'out')
    await mkdir(out)
    const planted: string[] = []
    const plant = (pid: number): void => {
      for (const name of [`v.poster.jpg.${pid}.part`, `v.preview.webp.${pid}.part`]) {
        symlinkSync(outside, join(out, name))
        planted.push(name)
      }
    }
    const run = await runAction({
      box,
      timeoutMs: 120_000,
      // the pid is known at spawn, well before the action writes a poster: the links are in place
      onSpawn: child => child.pid && plant(child.pid),
      inputs: {
        backend: 'local',
        images: 'photos/*.jpg',
        prompt: 'A promo with fades',
        duration: '3',
        resolution: '720p',
        'upload-artifact': 'false',
        output: 'out/v.mp4'
      }
    })
    assert.equal(run.code, 0, run.stdout.slice(-2000))
    const after = await readFile(outside)
    assert.ok(
      after.equals(Buffer.from('precious\n')),
      `the file outside the workspace was overwritten: ${after.length} bytes, starting ${after.subarray(0, 4).toString('hex')}`
    )
    for (const name of planted) assert.ok((await lstat(join(out, name))).isSymbolicLink(), `${name} is left as the repository had it`)
    const poster = join(out, 'v.poster.jpg')
    const preview = join(out, 'v.preview.webp')
    assert.ok((await lstat(poster)).isFile(), 'the poster is a regular file')
    assert.ok((await lstat(preview)).isFile(), 'the preview is a regular file')
    assert.deepEqual([...(await readFile(poster)).subarray(0, 3)], [0xff, 0xd8, 0xff], 'the poster is a JPEG')
    const webp = await readFile(preview)
    assert.equal(webp.toString('latin1', 0, 4) + webp.toString('latin1', 8, 12), 'RIFFWEBP', 'the preview is a WebP')
    assert.deepEqual(
      (await readdir(out)).sort(),
      ['v.mp4', 'v.poster.jpg', 'v.preview.webp', ...planted].sort(),
      'no temp file or folder left'
    )
  })

  it('a symlink planted at the record’s old temp name (the action’s pid) is never written through, also when the video fails', async () => {
    const box = await photoSandbox([1, 2, 3, 4, 5, 6])
    await writeFile(join(box.workspace, 'videos.yml'), 'videos:\n  - name: v\n    output: out/v.mp4\n')
    const outside = join(dirname(box.workspace), 'outside.txt')
    await writeFile(outside, 'precious\n')
    const out = join(box.workspace, 'out')
    await mkdir(out)
    // the only name the old code could pick, `<record>.<pid>.tmp`: its pid is known at spawn, long
    // before the record is written
    let planted = ''
    const results = await startResultsServer()
    try {
      const run = await runAction({
        box,
        env: results.env,
        timeoutMs: 60_000,
        onSpawn: child => {
          planted = `v.img2vid.json.${child.pid}.tmp`
          symlinkSync(outside, join(out, planted))
        },
        // 6 photos with fades do not fit in 1 s: the video fails before ffmpeg, and its record is written
        inputs: { backend: 'local', manifest: 'videos.yml', images: 'photos/*.jpg', prompt: 'Promo', duration: '1', transition: 'fade' }
      })
      assert.equal(run.code, 1, run.all)
      assert.match(run.stdout, /6 images need at least [\d.]+ s with transitions/)
      assert.equal(await readFile(outside, 'utf8'), 'precious\n', 'the file outside the workspace was overwritten')
      assert.ok((await lstat(join(out, planted))).isSymbolicLink(), 'the link is left as the repository had it')
      const record = join(out, 'v.img2vid.json')
      assert.ok((await lstat(record)).isFile(), 'the record is a regular file')
      assert.match(await readFile(record, 'utf8'), /"error": "6 images need at least/)
      assert.deepEqual((await readdir(out)).sort(), ['v.img2vid.json', planted].sort(), 'no temp file left')
    } finally {
      await results.close()
    }
  })
})
