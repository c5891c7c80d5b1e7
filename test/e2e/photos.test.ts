// Phone photos through the built action, as a colour-managed viewer shows them: EXIF orientation
// applied before the layout, Display P3 converted to sRGB, HEIC and AVIF decoded, 16-bit PNGs
// kept right; for the cloud, the same photos sent as upright sRGB JPEGs. Frames are measured
// against renders of the plain sRGB photo (and LittleCMS's values for the P3 patches).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { before, describe, it } from 'node:test'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { runAction, sandbox, type ActionRun } from '../helpers/action.js'
import { greyFrames, shift } from '../helpers/motion.js'
import { mayNeedViewer, readImageInfo, type ImageInfo } from '../../src/media/image-info.js'
import { nemoFixture } from '../helpers/nemo.js'
import {
  COLOURFUL,
  deltaE,
  displayP3Jpeg,
  heif,
  meanDeltaE,
  needTools,
  p3Patches,
  p3ToSrgb,
  PHOTO,
  rgbFrame,
  WOOD,
  upright,
  withOrientation
} from '../helpers/photos.js'

before(needTools)

/** One photo, static (no motion, no transition), so a frame is the photo as framed. */
async function render(photo: string, aspect: string, extra: Record<string, string> = {}): Promise<{ run: ActionRun; video: string }> {
  const box = await sandbox()
  await mkdir(join(box.workspace, 'photos'))
  await copyFile(photo, join(box.workspace, 'photos', basename(photo)))
  const run = await runAction({
    box,
    inputs: {
      backend: 'local',
      images: 'photos/*',
      prompt: 'static',
      duration: '1',
      resolution: '720p',
      'aspect-ratio': aspect,
      previews: 'false',
      'upload-artifact': 'false',
      cache: 'false',
      ...extra
    }
  })
  assert.equal(run.code, 0, run.all)
  return { run, video: run.outputs['video-path'] }
}

const size = (aspect: string): [number, number] => (aspect === '9:16' ? [72, 128] : [128, 72])

describe('what a header says a viewer would change', () => {
  it('orientation, an ICC profile and 16 bits are read from the header; a plain photo needs none of libvips', async () => {
    const info = async (f: string, type: string): Promise<ImageInfo | undefined> => readImageInfo(f, type)
    assert.equal((await info(await withOrientation(6), 'jpg'))?.viewer?.orientation, 6)
    assert.equal((await info(await withOrientation(8), 'jpg'))?.viewer?.orientation, 8)
    assert.equal((await info(await displayP3Jpeg(), 'jpg'))?.viewer?.icc, true)
    assert.equal(mayNeedViewer(await info(await withOrientation(3), 'jpg')), true)
    assert.equal(mayNeedViewer(await info(await upright(), 'jpg')), false)
    assert.equal(mayNeedViewer(await info(PHOTO, 'jpg')), false)
    const deep = join((await sandbox()).temp, 'deep.png')
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', PHOTO, '-pix_fmt', 'rgb48be', deep])
    assert.equal((await info(deep, 'png'))?.viewer?.deep, true)
  })
})

describe('phone photos, locally', () => {
  for (const aspect of ['9:16', '16:9']) {
    it(`a portrait photo stored landscape with EXIF orientation 6 or 8 is framed as the upright photo is (${aspect})`, async t => {
      const [w, h] = size(aspect)
      const reference = await rgbFrame((await render(await upright(), aspect)).video, 0.5, w, h)
      for (const tag of [6, 8] as const) {
        const { run, video } = await render(await withOrientation(tag), aspect)
        assert.match(run.stdout, new RegExp(`orientation-${tag}\\.jpg: turned upright \\(EXIF orientation ${tag}\\)`))
        const dE = meanDeltaE(await rgbFrame(video, 0.5, w, h), reference)
        t.diagnostic(`orientation ${tag}, ${aspect}: mean ΔE76 ${dE.toFixed(2)}`)
        assert.ok(dE < 2, `orientation ${tag} in ${aspect}: mean ΔE ${dE.toFixed(2)} from the upright photo's frame`)
      }
    })
  }

  it('every EXIF orientation (1–8) gives the upright frame', async t => {
    const reference = await rgbFrame((await render(await upright(), '9:16')).video, 0.5, 72, 128)
    for (const tag of [1, 2, 3, 4, 5, 7] as const) {
      const dE = meanDeltaE(await rgbFrame((await render(await withOrientation(tag), '9:16')).video, 0.5, 72, 128), reference)
      t.diagnostic(`orientation ${tag}: mean ΔE76 ${dE.toFixed(2)}`)
      assert.ok(dE < 2, `orientation ${tag}: mean ΔE ${dE.toFixed(2)}`)
    }
  })

  it('a Display P3 JPEG, its HEIC and its AVIF look like the sRGB photo (mean ΔE76 ≤ 2)', async t => {
    const reference = await rgbFrame((await render(COLOURFUL, '16:9')).video, 0.5, 128, 72)
    for (const photo of [await displayP3Jpeg(), await heif('heic'), await heif('avif')]) {
      const { run, video } = await render(photo, '16:9')
      assert.match(run.stdout, /sP3C → sRGB/, `${basename(photo)}: the conversion is in the log`)
      if (photo.endsWith('.heic')) assert.match(run.stdout, /decoded from HEIC/)
      if (photo.endsWith('.avif')) assert.match(run.stdout, /decoded from AVIF/)
      const dE = meanDeltaE(await rgbFrame(video, 0.5, 128, 72), reference)
      t.diagnostic(`${basename(photo)}: mean ΔE76 ${dE.toFixed(2)}`)
      assert.ok(dE <= 2, `${basename(photo)}: mean ΔE ${dE.toFixed(2)} from the sRGB photo's frame`)
    }
  })

  it('a HEIC in two formats is decoded once for both, and each format shows it in sRGB', async t => {
    const heic = await heif('heic')
    const { run } = await render(heic, '16:9, 9:16')
    assert.equal(run.stdout.match(/decoded from HEIC/g)?.length, 1, run.stdout)
    const videos = JSON.parse(run.outputs.videos) as { ok: boolean; 'video-path': string; width: string; height: string }[]
    assert.deepEqual(
      videos.map(v => [v.ok, v.width, v.height]),
      [
        [true, '1280', '720'],
        [true, '720', '1280']
      ]
    )
    for (const [i, aspect] of ['16:9', '9:16'].entries()) {
      const [w, h] = size(aspect)
      const reference = await rgbFrame((await render(COLOURFUL, aspect)).video, 0.5, w, h)
      const dE = meanDeltaE(await rgbFrame(videos[i]['video-path'], 0.5, w, h), reference)
      t.diagnostic(`HEIC, ${aspect}: mean ΔE76 ${dE.toFixed(2)}`)
      assert.ok(dE <= 2, `HEIC in ${aspect}: mean ΔE ${dE.toFixed(2)} from the sRGB photo's frame`)
    }
  })

  it('saturated Display P3 patches (a Mac screenshot) come out as LittleCMS converts them', async t => {
    const colours: [number, number, number][] = [
      [234, 51, 35],
      [117, 200, 80],
      [60, 90, 200]
    ]
    const { video } = await render(await p3Patches(colours), '16:9')
    const frame = await rgbFrame(video, 0.5, 1280, 720)
    for (const [i, c] of colours.entries()) {
      // the centre of patch i (the 1440×1080 strip is scaled to the 720p height: patches are 320 px wide)
      const x = Math.round(160 + 320 * i + (1280 - 960) / 2)
      const at = (360 * 1280 + x) * 3
      const got = [frame[at], frame[at + 1], frame[at + 2]]
      const want = await p3ToSrgb(c)
      const dE = deltaE(got, want)
      t.diagnostic(`P3 ${c.join(',')}: ${got.join(',')} vs LittleCMS ${want.join(',')}: ΔE76 ${dE.toFixed(2)}`)
      assert.ok(dE <= 3, `P3 ${c.join(',')}: got ${got.join(',')}, LittleCMS says ${want.join(',')} (ΔE ${dE.toFixed(1)})`)
    }
  })

  it('a 16-bit PNG looks like its 8-bit self', async () => {
    const dir = join(await sandbox().then(b => b.temp))
    const png16 = join(dir, 'deep.png')
    const png8 = join(dir, 'flat.png')
    const { execFile } = await import('node:child_process')
    const { promisify } = await import('node:util')
    const run = promisify(execFile)
    await run('ffmpeg', ['-v', 'error', '-y', '-i', PHOTO, '-pix_fmt', 'rgb48be', png16])
    await run('ffmpeg', ['-v', 'error', '-y', '-i', PHOTO, '-pix_fmt', 'rgb24', png8])
    const a = await rgbFrame((await render(png16, '16:9')).video, 0.5, 128, 72)
    const b = await rgbFrame((await render(png8, '16:9')).video, 0.5, 128, 72)
    assert.ok(meanDeltaE(a, b) < 2, `mean ΔE ${meanDeltaE(a, b).toFixed(2)}`)
  })
})

describe('a panorama, locally', () => {
  it('a portrait phone photo in 16:9 with Ken Burns is no panorama: shown whole, as without motion', async t => {
    const reference = await rgbFrame((await render(await upright(), '16:9')).video, 0, 128, 72)
    const { run, video } = await render(await upright(), '16:9', { prompt: 'Ken Burns', duration: '3' })
    assert.doesNotMatch(run.stdout, /panorama/)
    const dE = meanDeltaE(await rgbFrame(video, 0, 128, 72), reference)
    t.diagnostic(`first frame with Ken Burns against the still one: mean ΔE76 ${dE.toFixed(2)}`)
    assert.ok(dE < 4, `mean ΔE ${dE.toFixed(2)}: the photo is cropped, not shown whole`)
  })

  it('a 12000×2000 panorama fills the frame and pans across it at a steady step, saying how much it shows', async () => {
    const dir = (await sandbox()).temp
    const pano = join(dir, 'pano.jpg')
    // a real photo of wood grain (detail everywhere, for the motion measure) five times side by
    // side at 2000 px high, every other one mirrored, cut to 12000
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-y', '-i', WOOD],
      '-filter_complex',
      '[0]scale=-2:2000,split=3[a][e][g];[a]split[a1][b];[b]hflip,split[c][d];[a1][c][e][d][g]hstack=inputs=5,crop=12000:2000:0:0',
      ...['-q:v', '3', pano]
    ])
    const { run, video } = await render(pano, '16:9', { prompt: 'a slow pan', duration: '4' })
    // 720p: the panorama is 4320 px long at 720 px high; 4 px a frame over 119 steps passes 1756 px of it
    assert.match(
      run.stdout,
      /pano\.jpg is a panorama \(12000×2000\): the camera pans across 41 % of it in 4\.0 s \(a longer duration shows more of it\)/
    )
    const frames = await greyFrames(video, 1280, 720)
    assert.equal(frames.length, 120)
    const steps = Array.from({ length: 100 }, (_v, k) => shift(frames[k + 10], frames[k + 11], 1280, 720))
    const mean = steps.reduce((a, p) => a + p.x, 0) / steps.length
    assert.ok(
      Math.abs(mean + 4) < 0.3,
      `the picture moves ${mean.toFixed(2)} px a frame (the camera 4 px right): ${steps
        .slice(0, 12)
        .map(p => p.x.toFixed(1))
        .join(' ')} (${video})`
    )
    assert.ok(Math.max(...steps.map(p => Math.abs(p.x - mean) + Math.abs(p.y))) < 1, 'steady, no judder')
    // filled: the top and bottom rows are the photo's (bright sky, field), not blurred dark bars
    const row = (f: Buffer, y: number): number => f.subarray(y * 1280, (y + 1) * 1280).reduce((a, v) => a + v, 0) / 1280
    assert.ok(Math.abs(row(frames[60], 2) - row(frames[60], 360)) < 60, 'no bars above and below')
  })
})

describe('phone photos, in the cloud', () => {
  const USER = 'nmv_usr_photos_51c2'
  const nemo = nemoFixture({ credits: 100_000, userTokens: [USER], renderPolls: 0 })

  it('a HEIC and an EXIF-rotated JPEG are uploaded as upright sRGB JPEGs, saying so; a plain JPEG as it is', async () => {
    const box = await sandbox()
    await mkdir(join(box.workspace, 'photos'))
    await copyFile(await heif('heic'), join(box.workspace, 'photos', 'IMG_0001.heic'))
    await copyFile(await withOrientation(6), join(box.workspace, 'photos', 'IMG_0002.jpg'))
    await copyFile(await upright(), join(box.workspace, 'photos', 'IMG_0003.jpg'))
    const since = nemo.server.requests.length
    const run = await runAction({
      box,
      inputs: {
        images: 'photos/*',
        prompt: 'A promo',
        'api-url': nemo.server.url,
        token: USER,
        'poll-interval': '1',
        previews: 'false',
        'upload-artifact': 'false'
      }
    })
    assert.equal(run.code, 0, run.all)
    assert.match(run.stdout, /IMG_0001\.heic → IMG_0001\.jpg \(HEIC, sP3C → sRGB\)/)
    assert.match(run.stdout, /IMG_0002\.jpg → IMG_0002\.jpg \(turned upright \(EXIF orientation 6\)\)/)
    const parts = nemo.server.uploads.slice(-3)
    assert.deepEqual(
      parts.map(p => [p.filename, p.contentType]),
      [
        ['IMG_0001.jpg', 'image/jpeg'],
        ['IMG_0002.jpg', 'image/jpeg'],
        ['IMG_0003.jpg', 'image/jpeg']
      ]
    )
    const sha = async (f: string): Promise<string> =>
      createHash('sha256')
        .update(await readFile(f))
        .digest('hex')
    assert.notEqual(parts[1].sha256, await sha(await withOrientation(6)), 'the rotated JPEG is sent converted')
    assert.equal(parts[2].sha256, await sha(await upright()), 'the plain JPEG is sent byte for byte')
    assert.ok(nemo.server.requests.length > since)
  })
})
