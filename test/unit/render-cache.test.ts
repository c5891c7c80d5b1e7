// The content key: the same content gives the same key wherever the files are; every part of it
// changes it. What a hit is checked against: the shape and length a render of the request has, and
// an entry's archive that holds only the action's own files.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { pack as tarPack, type Header } from 'tar-stream'
import type { InputFile } from '../../src/input-files/input-file.js'
import { unpackEntry, type Member } from '../../src/output-video/cache-archive.js'
import { EntryRefused } from '../../src/output-video/errors.js'
import { contentKey, unlikeRequest } from '../../src/output-video/render-cache.js'
import type { VideoInfo } from '../../src/media/mp4.js'
import type { PreparedVideo } from '../../src/prepare.js'
import type { VideoRequest } from '../../src/request/request.js'

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

describe('contentKey and api-url', () => {
  const key = (apiUrl?: string): Promise<string> =>
    contentKey(video(dirA), 'nemo', { previews: true, apiUrl: apiUrl === undefined ? undefined : new URL(apiUrl) })

  it('a cloud key covers the api-url: staging and production differ', async () => {
    assert.notEqual(await key('https://staging-api.example.com'), await key('https://api.example.com'))
    assert.notEqual(await key('http://127.0.0.1:4001'), await key('http://127.0.0.1:4002'))
  })

  it('the api-url is normalised: case, the default port and the trailing slash do not change it', async () => {
    const k = await key('https://api.example.com')
    for (const same of ['https://API.Example.com/', 'https://api.example.com:443', 'https://api.example.com/'])
      assert.equal(await key(same), k, same)
  })

  it('a local key has no api-url in it', async () => {
    const local = (apiUrl?: URL): Promise<string> => contentKey(video(dirA), 'local', { previews: true, apiUrl })
    assert.equal(await local(new URL('https://api.example.com')), await local())
  })
})

describe('unlikeRequest: the shape and length a render of the request has', () => {
  const info = (width: number, height: number, duration = 10): VideoInfo => ({ width, height, duration, videoCodec: 'avc1', size: 1 })
  const slot = (backend: 'nemo' | 'local', change: Partial<VideoRequest> = {}): Parameters<typeof unlikeRequest>[0] => ({
    backend,
    images: 3,
    request: { turns: ['A promo'], resolution: '1080p', language: 'en', ...change }
  })

  it('local: the canvas exactly (any aspect ratio when none is set; 720p when a prompt asks)', () => {
    assert.equal(unlikeRequest(slot('local', { aspectRatio: '9:16' }), info(1080, 1920)), undefined)
    assert.match(unlikeRequest(slot('local', { aspectRatio: '9:16' }), info(540, 960)) ?? '', /540×960, not the 1080×1920 canvas/)
    assert.equal(unlikeRequest(slot('local'), info(1080, 1080)), undefined)
    assert.equal(unlikeRequest(slot('local'), info(1280, 720)), undefined)
    assert.match(unlikeRequest(slot('local', { resolution: '720p' }), info(1920, 1080)) ?? '', /not a canvas this request can have/)
  })

  it('cloud: the canvas or its shape scaled down, never larger, never another shape', () => {
    assert.equal(unlikeRequest(slot('nemo'), info(320, 180)), undefined)
    assert.equal(unlikeRequest(slot('nemo', { aspectRatio: '1:1' }), info(180, 180)), undefined)
    assert.match(unlikeRequest(slot('nemo', { aspectRatio: '16:9' }), info(640, 480)) ?? '', /640×480, not the 1920×1080 canvas/)
    assert.match(unlikeRequest(slot('nemo'), info(3840, 2160)) ?? '', /3840×2160/)
  })

  it('its length: within 10 % (at least 1 s) of duration; without one, up to 600 s or 30 s an image', () => {
    assert.equal(unlikeRequest(slot('nemo', { duration: 20 }), info(320, 180, 21.5)), undefined)
    assert.match(unlikeRequest(slot('nemo', { duration: 20 }), info(320, 180, 25)) ?? '', /25 s long; the request asks for 20 s/)
    assert.equal(unlikeRequest(slot('nemo', { duration: 5 }), info(320, 180, 5.9)), undefined)
    assert.equal(unlikeRequest(slot('nemo'), info(320, 180, 600)), undefined)
    assert.match(unlikeRequest(slot('nemo'), info(320, 180, 7200)) ?? '', /at most 600 s/)
    assert.match(unlikeRequest(slot('nemo'), info(320, 180, 0)) ?? '', /0 s long/)
  })
})

describe('unpackEntry: only the action’s own files, as regular files, under their caps', () => {
  const names = ['.img2vid-cache/k/video.mp4', '.img2vid-cache/k/img2vid.json']
  const members: Member[] = [
    { name: names[0], file: 'video.mp4', maxBytes: 1024 },
    { name: names[1], file: 'img2vid.json', maxBytes: 64 }
  ]
  type Item = { header: Partial<Header> & { name: string }; body?: Buffer }
  const own: Item[] = [
    { header: { name: names[0] }, body: Buffer.from('mp4 bytes') },
    { header: { name: names[1] }, body: Buffer.from('{}') }
  ]

  /** A tar archive of `items`, compressed as @actions/cache does (zstd) or gzip, plus `tail` bytes of tar. */
  async function archive(items: Item[], opts: { gzip?: boolean; tail?: number } = {}): Promise<string> {
    const pack = tarPack()
    for (const it of items) pack.entry(it.header, it.body ?? Buffer.alloc(0))
    pack.finalize()
    const chunks: Buffer[] = []
    for await (const c of pack) chunks.push(c as Buffer)
    const tar = Buffer.concat([...chunks, Buffer.alloc(opts.tail ?? 0)])
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-unpack-'))
    const path = join(dir, 'entry')
    await writeFile(path, opts.gzip ? gzipSync(tar) : zstdCompressSync(tar))
    return path
  }
  async function unpack(path: string): Promise<string> {
    const into = await mkdtemp(join(tmpdir(), 'img2vid-unpacked-'))
    await unpackEntry(path, into, members)
    return into
  }
  const refused = async (items: Item[], why: RegExp, opts?: { gzip?: boolean; tail?: number }): Promise<void> => {
    await assert.rejects(unpack(await archive(items, opts)), (err: Error) => err instanceof EntryRefused && why.test(err.message))
  }

  it('skips the folder members of exactly its own folders (tar adds them when a folder is packed)', async () => {
    const folders: Item[] = ['.img2vid-cache/', '.img2vid-cache/k/'].map(name => ({ header: { name, type: 'directory' } }))
    const into = await unpack(await archive([...folders, ...own]))
    assert.deepEqual((await readdir(into)).sort(), ['img2vid.json', 'video.mp4'])
  })

  it('unpacks the action’s files (zstd or gzip) under the names it chooses', async () => {
    for (const gzip of [false, true]) {
      const into = await unpack(await archive(own, { gzip }))
      assert.deepEqual((await readdir(into)).sort(), ['img2vid.json', 'video.mp4'])
      assert.equal(await readFile(join(into, 'video.mp4'), 'utf8'), 'mp4 bytes')
    }
  })

  it('refuses anything else: another name, ../, an absolute name, a link, a folder, twice, too large, missing', async () => {
    await refused([...own, { header: { name: '../escape' }, body: Buffer.from('x') }], /'..\/escape', which the action does not write/)
    await refused([{ header: { name: '/tmp/abs' }, body: Buffer.from('x') }, ...own], /'\/tmp\/abs'/)
    await refused([{ header: { name: '.git/hooks/post-checkout' }, body: Buffer.from('x') }, ...own], /post-checkout/)
    await refused([{ header: { name: names[0], type: 'symlink', linkname: '/etc/passwd' } }, own[1]], /is a symlink, not a regular file/)
    await refused([{ header: { name: names[0], type: 'link', linkname: names[1] } }, own[1]], /is a link, not a regular file/)
    await refused([{ header: { name: names[0], type: 'directory' } }, own[1]], /is a directory/)
    await refused([{ header: { name: '.img2vid-cache/other/', type: 'directory' } }, ...own], /'.img2vid-cache\/other\/', which/)
    await refused([...own, own[1]], /twice/)
    await refused([{ header: { name: names[0] }, body: Buffer.alloc(2048) }, own[1]], /over the 1024 byte cap/)
    await refused([own[0]], /lacks img2vid\.json/)
  })

  it('refuses an archive that decompresses past what its files may weigh, or is not tar', async () => {
    await refused(own, /decompresses to more than/, { tail: 2 * 1024 * 1024 })
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-unpack-'))
    await writeFile(join(dir, 'plain'), 'not an archive')
    await assert.rejects(unpack(join(dir, 'plain')), /neither zstd nor gzip/)
    await writeFile(join(dir, 'html'), zstdCompressSync(Buffer.from('<html>'.repeat(200))))
    await assert.rejects(unpack(join(dir, 'html')), /not a whole tar archive/)
  })
})
