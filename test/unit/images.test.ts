import assert from 'node:assert/strict'
import { copyFile, mkdtemp, mkdir, open, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { checkFile, collectInputFiles, FileCheckError, MAX_FILE_BYTES } from '../../src/input-files/check-files.js'
import { sniff } from '../../src/input-files/file-type.js'
import { findFiles } from '../../src/input-files/find-files.js'
import { makeAudio, makeImage } from '../helpers/media.js'

let ws: string
before(async () => {
  ws = await mkdtemp(join(tmpdir(), 'img2vid-images-'))
  await mkdir(join(ws, 'shots'))
  await mkdir(join(ws, 'extra'))
  const jpg = await makeImage({ type: 'jpg' })
  for (const n of ['10.jpg', '2.jpg', '1.jpg']) await copyFile(jpg, join(ws, 'shots', n))
  await copyFile(await makeImage({ type: 'png' }), join(ws, 'extra', 'a.png'))
  await copyFile(await makeImage({ type: 'png' }), join(ws, 'extra', 'lies.jpg'))
})

describe('findFiles', () => {
  it('keeps pattern order, natural order inside a pattern, and drops duplicates', async () => {
    const { files, unmatched } = await findFiles(['extra/*.png', 'shots/*.jpg', 'shots/1.jpg', 'nothing/*.gif'], ws)
    assert.deepEqual(
      files.map(f => f.slice(ws.length + 1)),
      ['extra/a.png', 'shots/1.jpg', 'shots/2.jpg', 'shots/10.jpg']
    )
    assert.deepEqual(unmatched, ['nothing/*.gif'])
  })

  it('applies negations to every pattern', async () => {
    const { files } = await findFiles(['shots/*.jpg', '!shots/2.jpg'], ws)
    assert.deepEqual(
      files.map(f => f.slice(ws.length + 1)),
      ['shots/1.jpg', 'shots/10.jpg']
    )
  })
})

describe('findFiles: letter case and links', () => {
  it('matches extensions in any case, and names files that differ from a pattern only in case', async () => {
    await mkdir(join(ws, 'phone'))
    const jpg = await makeImage({ type: 'jpg' })
    for (const n of ['IMG_0002.JPG', 'IMG_0001.jpeg', 'img_0003.Jpg']) await copyFile(jpg, join(ws, 'phone', n))
    const { files } = await findFiles(['phone/*.jpg', 'phone/*.{jpeg,png}'], ws)
    assert.deepEqual(
      files.map(f => f.slice(ws.length + 1)),
      ['phone/IMG_0002.JPG', 'phone/img_0003.Jpg', 'phone/IMG_0001.jpeg']
    )
    const miss = await findFiles(['Phone/IMG_*.jpg', 'phone/img_0002.jpg'], ws)
    assert.deepEqual(miss.unmatched, ['Phone/IMG_*.jpg', 'phone/img_0002.jpg'])
    assert.deepEqual(miss.caseOnly.get('Phone/IMG_*.jpg'), ['phone/IMG_0002.JPG', 'phone/img_0003.Jpg'])
    assert.deepEqual(miss.caseOnly.get('phone/img_0002.jpg'), ['phone/IMG_0002.JPG'])
  })

  it('does not follow a link to a folder outside the workspace', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'img2vid-outside-'))
    await copyFile(await makeImage(), join(outside, 'far.jpg'))
    await symlink(outside, join(ws, 'away'))
    const { files } = await findFiles(['**/far.jpg'], ws)
    assert.deepEqual(files, [])
  })
})

describe('checkFile', () => {
  it('detects each accepted type from magic bytes', async () => {
    for (const type of ['jpg', 'png', 'webp', 'gif'] as const) {
      const f = join(ws, `t.${type}`)
      await copyFile(await makeImage({ type }), f)
      assert.equal((await checkFile(f, ws, 'image', 'images')).type, type)
    }
    for (const type of ['mp3', 'wav', 'm4a'] as const) {
      const f = join(ws, `t.${type}`)
      await copyFile(await makeAudio({ type }), f)
      assert.equal((await checkFile(f, ws, 'audio', 'music')).type, type)
    }
  })

  it('refuses a .jpg that is not an image, naming the file', async () => {
    await writeFile(join(ws, 'fake.jpg'), 'not really a jpeg')
    await assert.rejects(
      checkFile(join(ws, 'fake.jpg'), ws, 'image', 'images'),
      (e: Error) => e instanceof FileCheckError && /fake\.jpg is not a file type the backend accepts/.test(e.message)
    )
  })

  it('tells HEIC from AVIF by the major and compatible brands of the ftyp box', () => {
    const ftyp = (...brands: string[]): Buffer => {
      const b = Buffer.concat([
        Buffer.alloc(4),
        Buffer.from('ftyp'),
        Buffer.from(brands[0]),
        Buffer.alloc(4),
        ...brands.slice(1).map(x => Buffer.from(x))
      ])
      b.writeUInt32BE(b.length, 0)
      return b
    }
    assert.equal(sniff(ftyp('heic', 'mif1', 'heic'))?.type, 'heic')
    assert.equal(sniff(ftyp('mif1', 'mif1', 'heic', 'miaf'))?.type, 'heic')
    assert.equal(sniff(ftyp('avif', 'mif1', 'avif', 'miaf'))?.type, 'avif')
    assert.equal(sniff(ftyp('mif1', 'mif1', 'avif'))?.type, 'avif')
    assert.equal(sniff(ftyp('isom', 'isom', 'mp41')), undefined)
  })

  it('refuses empty files and files over 200 MB (sparse)', async () => {
    await writeFile(join(ws, 'empty.png'), '')
    await assert.rejects(checkFile(join(ws, 'empty.png'), ws, 'image', 'images'), /empty\.png is empty/)
    const big = join(ws, 'big.jpg')
    const fh = await open(big, 'w')
    await fh.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 0, 4, 0)
    await fh.truncate(MAX_FILE_BYTES + 1)
    await fh.close()
    await assert.rejects(checkFile(big, ws, 'image', 'images'), /big\.jpg is 200\.0 MB, over the 200 MB limit/)
  })

  it('refuses a link that leads outside the workspace', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'img2vid-outside-'))
    await copyFile(await makeImage(), join(outside, 'secret.jpg'))
    await symlink(join(outside, 'secret.jpg'), join(ws, 'link.jpg'))
    await assert.rejects(checkFile(join(ws, 'link.jpg'), ws, 'image', 'images'), /outside the workspace/)
  })
})

describe('collectInputFiles', () => {
  it('lists the patterns when nothing matched', async () => {
    await assert.rejects(collectInputFiles(['none/*.jpg', 'zero/*.png'], ws), /no file matched 'none\/\*\.jpg', 'zero\/\*\.png'/)
  })

  it('gives each file a unique name whose extension tells its real type', async () => {
    const { images } = await collectInputFiles(['extra/lies.jpg', 'shots/1.jpg', 'extra/a.png'], ws)
    assert.deepEqual(
      images.map(i => i.name),
      ['lies.png', '1.jpg', 'a.png']
    )
    await copyFile(join(ws, 'shots', '1.jpg'), join(ws, 'extra', '1.jpg'))
    const again = await collectInputFiles(['shots/1.jpg', 'extra/1.jpg'], ws)
    assert.deepEqual(
      again.images.map(i => i.name),
      ['1.jpg', '1-2.jpg']
    )
  })
})
