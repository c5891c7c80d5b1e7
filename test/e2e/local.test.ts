// The local backend through the built action: outputs, segments, music as a description.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { namesFfmpegUnderTest } from '../helpers/ffmpeg-under-test.js'
import { runAction, sandbox } from '../helpers/action.js'
import { makeAudio, makeImage } from '../helpers/media.js'

const run = promisify(execFile)

async function streams(file: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file])
  return stdout.trim().split('\n')
}

describe('backend: local end to end (dist/index.js)', () => {
  it('renders the request offline: outputs, aspect, audio, no network', async () => {
    const box = await sandbox()
    await mkdir(join(box.workspace, 'pics'))
    for (const seed of [1, 2])
      await copyFile(await makeImage({ seed, width: 400, height: 300 }), join(box.workspace, 'pics', `${seed}.jpg`))
    await copyFile(await makeAudio({ seconds: 2 }), join(box.workspace, 'song.mp3'))
    const run = await runAction({
      box,
      inputs: {
        images: 'pics/*.jpg',
        prompt: 'A square 3-second teaser with a crossfade, title "Local"',
        resolution: '720p',
        music: 'song.mp3',
        backend: 'local',
        'upload-artifact': 'false',
        'api-url': 'http://127.0.0.1:9'
      }
    })
    assert.equal(run.code, 0, run.all)
    assert.ok(await namesFfmpegUnderTest(run.stdout), 'the action ran the ffmpeg under test (found on PATH)')
    const o = run.outputs
    assert.equal(o.backend, 'local')
    assert.equal(o['video-url'], '')
    assert.equal(o['credits-available'], '')
    assert.deepEqual([o.width, o.height], ['720', '720'])
    assert.ok(Math.abs(Number(o.duration) - 3) <= 0.1)
    assert.match(o['session-id'], /^local-/)
    assert.deepEqual(
      JSON.parse(o.timeline).tracks.map((t: { kind: string }) => t.kind),
      ['video', 'audio', 'text']
    )
    assert.deepEqual(await streams(o['video-path']), ['video', 'audio'])
    assert.match(run.stdout, /Rendered in \d+\.\d s/)
    assert.match(run.stdout, /Understood from the prompt: 3 s, 1:1, fade transitions, title "Local"\n/)
  })

  it('renders 68 photos in 12 segments through dist with nothing on stderr', async () => {
    const box = await sandbox()
    await mkdir(join(box.workspace, 'pics'))
    const made = await Promise.all([1, 2, 3].map(seed => makeImage({ seed, width: 400, height: 300 })))
    for (let i = 0; i < 68; i++) await copyFile(made[i % 3], join(box.workspace, 'pics', `${String(i).padStart(2, '0')}.jpg`))
    const run = await runAction({
      box,
      inputs: {
        images: 'pics/*.jpg',
        prompt: 'static',
        duration: '13.6',
        resolution: '720p',
        transition: 'none',
        backend: 'local',
        'upload-artifact': 'false'
      }
    })
    assert.equal(run.code, 0, run.all)
    assert.equal(run.stderr, '')
    assert.equal(Number(run.outputs.duration), 13.6)
  })

  it('warns and renders without music when music is a description', async () => {
    const box = await sandbox()
    await copyFile(await makeImage(), join(box.workspace, 'a.jpg'))
    const run = await runAction({
      box,
      inputs: {
        images: 'a.jpg',
        prompt: '2-second clip',
        resolution: '720p',
        music: 'lo-fi beats',
        backend: 'local',
        'upload-artifact': 'false'
      }
    })
    assert.equal(run.code, 0, run.all)
    assert.match(run.stdout, /::warning::input 'music': 'lo-fi beats' is a description; the local backend needs an audio file/)
    assert.match(run.stdout, /Understood from the prompt: 2 s\n/)
    assert.deepEqual(await streams(run.outputs['video-path']), ['video'])
  })

  it('reads a German prompt (duration, portrait, title), says what it understood and warns about the language', async () => {
    const box = await sandbox()
    await copyFile(await makeImage(), join(box.workspace, 'a.jpg'))
    const run = await runAction({
      box,
      inputs: {
        images: 'a.jpg',
        prompt: 'Ein 2 Sekunden langes Video im Hochformat mit dem Titel „Sommer“',
        language: 'de',
        resolution: '720p',
        backend: 'local',
        'upload-artifact': 'false'
      }
    })
    assert.equal(run.code, 0, run.all)
    assert.deepEqual([run.outputs.width, run.outputs.height], ['720', '1280'])
    assert.ok(Math.abs(Number(run.outputs.duration) - 2) <= 0.1)
    assert.match(run.stdout, /Understood from the prompt: 2 s, 9:16, title "Sommer"\n/)
    assert.match(run.stdout, /::warning::input 'language' is 'de': the local backend does not translate/)
    assert.doesNotMatch(run.stdout, /understood nothing/)
  })

  it('warns when it understood nothing in the prompt', async () => {
    const box = await sandbox()
    await copyFile(await makeImage(), join(box.workspace, 'a.jpg'))
    const run = await runAction({
      box,
      inputs: { images: 'a.jpg', prompt: 'Make it pop', duration: '1', resolution: '720p', backend: 'local', 'upload-artifact': 'false' }
    })
    assert.equal(run.code, 0, run.all)
    assert.match(run.stdout, /::warning::The local backend understood nothing in the prompt \("Make it pop"\)/)
  })
})

describe('platform limits after a render (dist/index.js)', () => {
  it("warns after a render of a 2 s video that it is under Instagram Reels' 3 s minimum", async () => {
    const box = await sandbox()
    await copyFile(await makeImage(), join(box.workspace, 'a.jpg'))
    const run = await runAction({
      box,
      inputs: {
        images: 'a.jpg',
        prompt: 'x',
        duration: '2',
        resolution: '720p',
        backend: 'local',
        previews: 'false',
        'upload-artifact': 'false'
      }
    })
    assert.equal(run.code, 0, run.all)
    const warnings = run.stdout.split('\n').filter(l => l.startsWith('::warning::'))
    const about = (p: string): string[] => warnings.filter(w => w.startsWith(`::warning::img2vid.mp4: ${p} (`))
    assert.equal(about('Instagram Reels').length, 1, warnings.join('\n'))
    assert.match(
      about('Instagram Reels')[0],
      /2 s is shorter than its minimum of 3 s\. To post it there, make it at least 3 s long \(input 'duration'\)\./
    )
    assert.equal(about('TikTok').length, 1)
    assert.equal(about('X').length, 0)
    assert.equal(about('YouTube Shorts').length, 0)
  })
})
