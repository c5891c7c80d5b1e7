// The content key: the same content gives the same key wherever the files are; every part of it
// changes it.
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import type { InputFile } from '../src/input-files/input-file.js'
import { contentKey } from '../src/output-video/render-cache.js'
import type { PreparedVideo } from '../src/prepare.js'
import type { VideoRequest } from '../src/request/request.js'

let dirA: string
let dirB: string

before(async () => {
  dirA = await mkdtemp(join(tmpdir(), 'img2vid-key-a-'))
  dirB = await mkdtemp(join(tmpdir(), 'img2vid-key-b-'))
  for (const dir of [dirA, dirB]) {
    await writeFile(join(dir, '1.jpg'), 'first image bytes')
    await writeFile(join(dir, '2.jpg'), 'second image bytes')
    await writeFile(join(dir, 'song.mp3'), 'music bytes')
    await writeFile(join(dir, 'other.jpg'), 'other image bytes')
  }
})

const file = (dir: string, name: string, kind: InputFile['kind'] = 'image'): InputFile => ({
  path: join(dir, name),
  name,
  size: 1,
  kind,
  type: kind === 'image' ? 'jpg' : 'mp3',
  mime: kind === 'image' ? 'image/jpeg' : 'audio/mpeg'
})

function video(dir: string, change: Partial<VideoRequest> = {}, images = ['1.jpg', '2.jpg']): PreparedVideo {
  const request: VideoRequest = {
    turns: ['A promo', 'Make it faster'],
    duration: 12,
    aspectRatio: '16:9',
    resolution: '1080p',
    transition: 'fade',
    title: 'Spring',
    music: { file: file(dir, 'song.mp3', 'audio') },
    language: 'en',
    ...change
  }
  return { spec: { output: join(dir, 'out.mp4') } as PreparedVideo['spec'], images: images.map(n => file(dir, n)), request }
}

describe('contentKey', () => {
  it('is img2vid-<backend>-<sha256>, the same for the same content in another folder', async () => {
    const a = await contentKey(video(dirA), 'nemo', { previews: true })
    assert.match(a, /^img2vid-nemo-[0-9a-f]{64}$/)
    assert.equal(await contentKey(video(dirB), 'nemo', { previews: true }), a)
  })

  it('changes with every part', async () => {
    const base = await contentKey(video(dirA), 'nemo', { previews: true })
    const changed: Record<string, Promise<string>> = {
      'image order': contentKey(video(dirA, {}, ['2.jpg', '1.jpg']), 'nemo', { previews: true }),
      'an image': contentKey(video(dirA, {}, ['1.jpg', 'other.jpg']), 'nemo', { previews: true }),
      'no music': contentKey(video(dirA, { music: undefined }), 'nemo', { previews: true }),
      'music description': contentKey(video(dirA, { music: { description: 'lo-fi' } }), 'nemo', { previews: true }),
      turns: contentKey(video(dirA, { turns: ['A promo'] }), 'nemo', { previews: true }),
      duration: contentKey(video(dirA, { duration: 13 }), 'nemo', { previews: true }),
      'aspect ratio': contentKey(video(dirA, { aspectRatio: '9:16' }), 'nemo', { previews: true }),
      resolution: contentKey(video(dirA, { resolution: '720p' }), 'nemo', { previews: true }),
      transition: contentKey(video(dirA, { transition: 'none' }), 'nemo', { previews: true }),
      title: contentKey(video(dirA, { title: 'Summer' }), 'nemo', { previews: true }),
      language: contentKey(video(dirA, { language: 'de' }), 'nemo', { previews: true }),
      backend: contentKey(video(dirA), 'local', { previews: true }),
      previews: contentKey(video(dirA), 'nemo', { previews: false })
    }
    const seen = new Map<string, string>([[base, 'base']])
    for (const [part, key] of Object.entries(changed)) {
      const k = await key
      assert.ok(!seen.has(k), `${part} gives the key of ${seen.get(k)}`)
      seen.set(k, part)
    }
  })

  it('changes with the bytes of the music file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-key-c-'))
    await writeFile(join(dir, '1.jpg'), 'first image bytes')
    await writeFile(join(dir, '2.jpg'), 'second image bytes')
    await writeFile(join(dir, 'song.mp3'), 'other music bytes')
    assert.notEqual(await contentKey(video(dir), 'nemo', { previews: true }), await contentKey(video(dirA), 'nemo', { previews: true }))
  })
})
