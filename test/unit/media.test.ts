// The one ffmpeg runner: versions read and checked, inputs only through input(), and, through the
// built action, every ffmpeg process it starts (logged by a wrapper given as ffmpeg-path).
import assert from 'node:assert/strict'
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Ffmpeg, MIN_VERSION, parseVersion } from '../../src/media/ffmpeg.js'
import { checkInputs, input } from '../../src/media/inputs.js'
import { ffmpegStub, ffmpegUnderTest } from '../helpers/ffmpeg-under-test.js'
import { makeAudio } from '../helpers/media.js'

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
    const old = await ffmpegStub('ffmpeg version 4.2.7-0ubuntu0.1 Copyright (c) 2000-2022 the FFmpeg developers')
    await assert.rejects(Ffmpeg.open(old), (err: Error) => {
      assert.match(err.message, /ffmpeg 4\.2\.7-0ubuntu0\.1 \(at '.*'\) is older than 4\.3/)
      assert.match(err.message, /set 'ffmpeg-path'/)
      return true
    })
    await assert.rejects(Ffmpeg.open(await ffmpegStub('not a video tool')), /is not an ffmpeg the action knows/)
    const ok = await Ffmpeg.open(await ffmpegStub(`ffmpeg version ${MIN_VERSION.major}.${MIN_VERSION.minor}.0 Copyright`))
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
