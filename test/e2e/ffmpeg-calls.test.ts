// Through the built action, every ffmpeg process it starts (logged by a wrapper given as ffmpeg-path).
import assert from 'node:assert/strict'
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DEMUXERS } from '../../src/media/inputs.js'
import { FFMPEG_UNDER_TEST, ffmpegStub, namesFfmpegUnderTest } from '../helpers/ffmpeg-under-test.js'
import { photoSandbox, runAction } from '../helpers/action.js'
import { makeAudio } from '../helpers/media.js'

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
    for (const d of ['jpeg_pipe', 'rawvideo', 'mp3', 'concat', 'mov']) assert.ok(demuxers.has(d), `${d} used: ${[...demuxers].join(', ')}`)
  })

  it('refuses an ffmpeg older than the minimum before rendering: the error names it and the fix, nothing is written', async () => {
    const box = await photoSandbox([1, 2])
    const old = await ffmpegStub('ffmpeg version 4.2.7-0ubuntu0.1 Copyright (c) 2000-2022 the FFmpeg developers')
    const run = await runAction({
      box,
      inputs: { images: 'photos/*.jpg', prompt: 'A teaser', backend: 'local', 'ffmpeg-path': old, 'upload-artifact': 'false' }
    })
    assert.equal(run.code, 1)
    assert.match(run.stdout, /^::error::.*ffmpeg 4\.2\.7-0ubuntu0\.1 \(at '.*'\) is older than 4\.3.*'ffmpeg-path'/m)
    assert.equal(existsSync(join(box.workspace, 'img2vid.mp4')), false)
  })
})
