// The one ffmpeg runner: versions read and checked, inputs only through input(), and, through the
// built action, every ffmpeg process it starts (logged by a wrapper given as ffmpeg-path).
import assert from 'node:assert/strict'
import { chmod, copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Ffmpeg, MIN_VERSION, parseVersion } from '../src/media/ffmpeg.js'
import { DEMUXERS, checkInputs, input } from '../src/media/inputs.js'
import { FFMPEG_UNDER_TEST, ffmpegUnderTest, namesFfmpegUnderTest } from './helpers/ffmpeg-under-test.js'
import { photoSandbox, runAction } from './helpers/action.js'
import { makeAudio } from './helpers/media.js'

/** An executable that prints `text` for -version, as an ffmpeg would. */
async function stub(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-stub-'))
  const bin = join(dir, 'ffmpeg')
  await writeFile(bin, `#!/bin/sh\ncat <<'EOF'\n${text}\nEOF\n`)
  await chmod(bin, 0o755)
  return bin
}

describe('the ffmpeg runner', () => {
  it('reads the release line of every kind of build', () => {
    const cases: [string, number, number][] = [
      ['ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers', 5, 1],
      ['ffmpeg version 4.3.7-0+deb11u1 Copyright', 4, 3],
      ['ffmpeg version 9.0.2-4 Copyright', 9, 0],
      ['ffmpeg version n7.1.1 Copyright', 7, 1],
      ['ffmpeg version 8.0 Copyright (c) 2000-2025 the FFmpeg developers\nbuilt with Apple clang', 8, 0],
      // a git build names no release: its libavutil does
      ['ffmpeg version N-118385-g1a2b3c4d5e-20250102 Copyright\nlibavutil      59. 39.100 / 59. 39.100', 7, 0]
    ]
    for (const [text, major, minor] of cases) assert.deepEqual([parseVersion(text)?.major, parseVersion(text)?.minor], [major, minor], text)
    assert.equal(parseVersion('GStreamer 1.22'), undefined)
  })

  it('refuses an ffmpeg older than the minimum, naming the version found and the fix', async () => {
    const old = await stub('ffmpeg version 4.2.7-0ubuntu0.1 Copyright (c) 2000-2022 the FFmpeg developers')
    await assert.rejects(Ffmpeg.open(old), (err: Error) => {
      assert.match(err.message, /ffmpeg 4\.2\.7-0ubuntu0\.1 \(at '.*'\) is older than 4\.3/)
      assert.match(err.message, /set 'ffmpeg-path'/)
      return true
    })
    await assert.rejects(Ffmpeg.open(await stub('not a video tool')), /is not an ffmpeg the action knows/)
    const ok = await Ffmpeg.open(await stub(`ffmpeg version ${MIN_VERSION.major}.${MIN_VERSION.minor}.0 Copyright`))
    assert.equal(ok.atLeast(MIN_VERSION.major, MIN_VERSION.minor), true)
  })

  it('opens the ffmpeg under test once and knows its version', async () => {
    const [a, b] = await Promise.all([ffmpegUnderTest(), ffmpegUnderTest()])
    assert.equal(a, b)
    assert.ok(a.atLeast(MIN_VERSION.major, MIN_VERSION.minor), a.version.text)
  })

  it('runs no input that input() did not open: a demuxer named, the file protocol only', async () => {
    const ffmpeg = await ffmpegUnderTest()
    assert.deepEqual(input('jpg', '/x/a%d.jpg'), ['-f', 'jpeg_pipe', '-protocol_whitelist', 'file', '-i', 'file:/x/a%d.jpg'])
    for (const args of [
      ['-i', 'a.jpg', '-f', 'null', '-'],
      ['-f', 'hls', '-protocol_whitelist', 'file', '-i', 'file:a.m3u8'],
      ['-f', 'mp3', '-i', 'file:a.mp3'],
      ['-f', 'lavfi', '-protocol_whitelist', 'file', '-i', 'file:testsrc'],
      ['-f', 'mp3', '-protocol_whitelist', 'file,http', '-i', 'file:a.mp3'],
      ['-f', 'mp3', '-protocol_whitelist', 'file', '-i', 'http://127.0.0.1:9/a.mp3']
    ]) {
      assert.throws(() => checkInputs(args), /not opened by input\(\)/, args.join(' '))
      await assert.rejects(ffmpeg.run(args, { signal: new AbortController().signal }), /not opened by input\(\)/)
    }
    checkInputs(['-y', ...input('mp3', 'a.mp3'), ...input('raw', 's.yuv', ['-video_size', '2x2']), '-f', 'mp4', 'file:o.mp4'])
  })

  it('reads a file as the type it was sniffed as, not as what its content says', async () => {
    // an "MP3" that is an ID3 header and then an HLS playlist whose segment is another file (a
    // real sound here; the attack points it at /proc/self/environ): probed, ffmpeg would follow the
    // playlist and decode that file; read as MP3, no other file is opened and nothing is decoded
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-hostile-'))
    const other = join(dir, 'other.wav')
    await copyFile(await makeAudio({ type: 'wav', seconds: 1 }), other)
    const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0])
    const playlist = `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:${other}\n#EXT-X-ENDLIST\n`
    const music = join(dir, 'theme.mp3')
    await writeFile(music, Buffer.concat([id3, Buffer.from(playlist)]))
    const ffmpeg = await ffmpegUnderTest()
    const out = join(dir, 'out.wav')
    const signal = new AbortController().signal
    await ffmpeg.run(['-v', 'error', '-y', ...input('mp3', music), '-f', 'wav', `file:${out}`], { signal }).catch(() => {})
    const decoded = existsSync(out) ? (await readFile(out)).length : 0
    assert.ok(decoded < 1000, `${decoded} bytes decoded from the file the playlist names`)
    // a real MP3 is read
    await ffmpeg.run(['-v', 'error', '-y', ...input('mp3', await makeAudio({ seconds: 1 })), '-f', 'wav', `file:${out}`], { signal })
    assert.ok((await readFile(out)).length > 40_000)
  })
})

describe('every ffmpeg the action starts (dist/index.js, a logging wrapper as ffmpeg-path)', () => {
  it('opens every input with an explicit demuxer and files only, and reads the version once', { timeout: 120_000 }, async () => {
    const box = await photoSandbox([1, 2, 3], { width: 640, height: 360 })
    await copyFile(await makeAudio({ seconds: 2 }), join(box.workspace, 'song.mp3'))
    const tap = join(box.temp, 'tap')
    await mkdir(tap)
    const log = join(tap, 'argv.log')
    // one line per run: its arguments, NUL-separated
    await writeFile(
      join(tap, 'ffmpeg'),
      `#!/bin/sh\nprintf '%s\\0' "$@" >> '${log}'\nprintf '\\n' >> '${log}'\nexec '${FFMPEG_UNDER_TEST}' "$@"\n`
    )
    await chmod(join(tap, 'ffmpeg'), 0o755)
    const run = await runAction({
      box,
      inputs: {
        images: 'photos/*.jpg',
        prompt: 'A 6-second teaser with Ken Burns and crossfades, title "Tapped"',
        music: 'song.mp3',
        resolution: '720p',
        backend: 'local',
        'ffmpeg-path': join(tap, 'ffmpeg'),
        'upload-artifact': 'false'
      }
    })
    assert.equal(run.code, 0, run.all)
    assert.ok(await namesFfmpegUnderTest(run.stdout), 'the log names the ffmpeg under test')
    const runs = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(l => l.split('\0').slice(0, -1))
    assert.equal(runs.filter(a => a.includes('-version')).length, 1, 'the version is read once')
    const inputs = runs.flatMap(a => a.flatMap((v, i) => (v === '-i' ? [a.slice(Math.max(0, i - 12), i + 2)] : [])))
    // stills, segments, sound, mux, poster, preview
    assert.ok(inputs.length >= 8, `${inputs.length} inputs`)
    for (const a of inputs) {
      assert.deepEqual(a.slice(-4, -1), ['-protocol_whitelist', 'file', '-i'], a.join(' '))
      assert.ok(a.at(-1)?.startsWith('file:'), a.join(' '))
      const f = a.lastIndexOf('-f')
      assert.ok(f >= 0 && (Object.values(DEMUXERS) as string[]).includes(a[f + 1]), a.join(' '))
    }
    const demuxers = new Set(inputs.map(a => a[a.lastIndexOf('-f') + 1]))
    for (const d of ['rawvideo', 'mp3', 'concat', 'mov']) assert.ok(demuxers.has(d), `${d} used: ${[...demuxers].join(', ')}`)
  })

  it('refuses an ffmpeg older than the minimum before rendering: the error names it and the fix, nothing is written', async () => {
    const box = await photoSandbox([1, 2])
    const old = await stub('ffmpeg version 4.2.7-0ubuntu0.1 Copyright (c) 2000-2022 the FFmpeg developers')
    const run = await runAction({
      box,
      inputs: { images: 'photos/*.jpg', prompt: 'A teaser', backend: 'local', 'ffmpeg-path': old, 'upload-artifact': 'false' }
    })
    assert.equal(run.code, 1)
    assert.match(run.stdout, /^::error::.*ffmpeg 4\.2\.7-0ubuntu0\.1 \(at '.*'\) is older than 4\.3.*'ffmpeg-path'/m)
    assert.equal(existsSync(join(box.workspace, 'img2vid.mp4')), false)
  })
})
