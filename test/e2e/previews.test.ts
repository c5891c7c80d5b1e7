// Poster and preview beside the MP4, and the release notes block, through the built action with
// the local backend (real ffmpeg), the real @actions/artifact and the real octokit on loopback.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { firstWebpFrame } from '../../src/media/image-info.js'
import { photoSandbox, runAction, type Sandbox } from '../helpers/action.js'
import { unzipEntries } from '../helpers/zip.js'
import { startReleasesServer, type ReleasesServer } from '../servers/releases.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const run = promisify(execFile)
let results: ResultsServer
let releases: ReleasesServer
const NOTES = 'Hand-written notes.\n\n- a fix\n'

before(async () => {
  results = await startResultsServer()
  releases = await startReleasesServer({ owner: 'octo', repo: 'promo', releases: [{ tag: 'v3.0.0', body: NOTES }] })
})
after(async () => {
  await Promise.all([results.close(), releases.close()])
})

// three photos of clearly different colour: a blend of two is easy to tell from either
const box = (): Promise<Sandbox> => photoSandbox([1, 4, 7], { width: 640, height: 360 })

const action = async (inputs: Record<string, string>, b?: Sandbox): ReturnType<typeof runAction> =>
  runAction({
    box: b ?? (await box()),
    env: { ...results.env, GITHUB_API_URL: releases.url, GITHUB_REPOSITORY: 'octo/promo', GITHUB_RUN_ID: '77' },
    inputs: {
      backend: 'local',
      images: 'photos/*.jpg',
      prompt: 'A promo with fades, title "Spring Drop"',
      duration: '6',
      resolution: '720p',
      'github-token': releases.token,
      output: 'promo.mp4',
      ...inputs
    }
  })

/** A frame (or an image) as 32×18 RGB pixels (the photos differ by colour). */
async function grey(file: string, at?: number): Promise<Buffer> {
  const seek = at === undefined ? [] : ['-ss', at.toFixed(3)]
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', ...seek, '-i', file, '-frames:v', '1', '-vf', 'scale=32:18', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      encoding: 'buffer'
    }
  )
  return stdout as unknown as Buffer
}
const distance = (a: Buffer, b: Buffer): number => a.reduce((n, v, i) => n + Math.abs(v - b[i]), 0) / a.length
const blend = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((v, i) => Math.round((v + b[i]) / 2)))
const mean = (a: Buffer): number => a.reduce((n, v) => n + v, 0) / a.length

/** Canvas width, frame count and loop count of an animated WebP, read from its RIFF chunks. */
function webpFacts(b: Buffer): { width: number; frames: number; loops: number } {
  assert.equal(b.toString('latin1', 0, 4), 'RIFF')
  assert.equal(b.toString('latin1', 8, 12), 'WEBP')
  let width = 0
  let frames = 0
  let loops = -1
  for (let at = 12; at + 8 <= b.length;) {
    const type = b.toString('latin1', at, at + 4)
    const size = b.readUInt32LE(at + 4)
    if (type === 'VP8X') width = b.readUIntLE(at + 12, 3) + 1
    if (type === 'ANIM') loops = b.readUInt16LE(at + 8 + 4)
    if (type === 'ANMF') frames++
    at += 8 + size + (size % 2)
  }
  return { width, frames, loops }
}

describe('poster and preview', () => {
  it('a poster from inside a clip under the title (not black, not a blend) and a looping preview under 2 MB, in the artifact', async () => {
    const r = await action({ 'artifact-name': 'promo-with-previews' })
    assert.equal(r.code, 0, r.all)
    const { 'poster-path': poster, 'preview-path': preview, 'video-path': video } = r.outputs
    assert.equal(poster, join(r.workspace, 'promo.poster.jpg'))
    assert.equal(preview, join(r.workspace, 'promo.preview.webp'))

    // the poster: a real frame, not black, inside the first clip (under the title), not a crossfade
    const p = await grey(poster)
    assert.ok(mean(p) > 24, `not black (mean ${mean(p).toFixed(1)})`)
    const clip1 = await grey(video, 1.25)
    const clip2 = await grey(video, 3.0)
    const d = distance(p, clip1)
    assert.ok(d < 6, `the poster is the frame in the middle of the first clip (distance ${d.toFixed(2)})`)
    assert.ok(distance(p, blend(clip1, clip2)) > 2 * d, 'and not a blend of two photos')
    assert.ok(distance(clip1, clip2) > 8, 'the photos really differ')

    // the preview: animated WebP, looping forever, ≤ 480 px wide, ≤ 2 MB, 6 s at 10 fps
    const w = await readFile(preview)
    assert.ok(w.length <= 2 * 1024 * 1024, `${w.length} bytes`)
    const facts = webpFacts(w)
    assert.ok(facts.width > 0 && facts.width <= 480, `width ${facts.width}`)
    assert.equal(facts.loops, 0, 'loops forever')
    assert.ok(facts.frames >= 55 && facts.frames <= 61, `${facts.frames} frames`)
    // its first frame is the video's first (the local backend makes it from the frames it encodes)
    const still = join(r.workspace, 'first.webp')
    await writeFile(still, firstWebpFrame(w) as Buffer)
    const first = await grey(still)
    const start = await grey(video, 0)
    assert.ok(distance(first, start) < 6, `the preview starts where the video does (distance ${distance(first, start).toFixed(2)})`)
    assert.ok(distance(first, clip2) > 2 * distance(first, start), 'and not on a later photo')

    const artifact = results.artifacts.find(a => a.name === 'promo-with-previews' && a.finalized)
    assert.ok(artifact?.zip)
    const entries = await unzipEntries(artifact.zip)
    assert.deepEqual([...entries.keys()].sort(), ['promo.mp4', 'promo.poster.jpg', 'promo.preview.webp'])
    assert.equal((entries.get('promo.poster.jpg') as Buffer).length, (await stat(poster)).size)
  })

  it('a black first photo: the poster is the middle of the next clip, not the black frame under the title', async () => {
    const b = await box()
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=black:s=640x360',
      '-frames:v',
      '1',
      join(b.workspace, 'photos', '0-black.jpg')
    ])
    const r = await action({ 'upload-artifact': 'false' }, b)
    assert.equal(r.code, 0, r.all)
    const at = Number(/Poster at ([\d.]+) s/.exec(r.all)?.[1])
    assert.ok(at > 1.5, `the poster is past the first clip (${at} s)`)
    const p = await grey(r.outputs['poster-path'])
    assert.ok(mean(p) > 24, `not black (mean ${mean(p).toFixed(1)})`)
    const frame = await grey(r.outputs['video-path'], at)
    assert.ok(distance(p, frame) < 6, `the frame it names (distance ${distance(p, frame).toFixed(2)})`)
  })

  it("'previews: false' makes neither", async () => {
    const r = await action({ previews: 'false', 'upload-artifact': 'false' })
    assert.equal(r.code, 0, r.all)
    assert.equal(r.outputs['poster-path'], '')
    assert.equal(r.outputs['preview-path'], '')
    await assert.rejects(stat(join(r.workspace, 'promo.poster.jpg')))
  })
})

describe('release notes', () => {
  it('append: the poster linking to the MP4 goes into the body once; a re-run replaces its own block and keeps the rest', async () => {
    const b = await box()
    const first = await action({ 'release-tag': 'v3.0.0', 'release-notes': 'append', 'upload-artifact': 'false' }, b)
    assert.equal(first.code, 0, first.all)
    const names = releases.uploads.filter(u => u.releaseId === releases.releases[0].id).map(u => [u.name, u.contentType])
    assert.deepEqual(names.slice(-3), [
      ['promo.mp4', 'video/mp4'],
      ['promo.poster.jpg', 'image/jpeg'],
      ['promo.preview.webp', 'image/webp']
    ])
    const after1 = releases.releases[0].body
    assert.ok(after1.startsWith(NOTES.trimEnd()), 'the hand-written notes stay first, unchanged')
    const block = /<!-- img2vid:begin sha256=[0-9a-f]{16} -->\n([^]*)\n<!-- img2vid:end -->/.exec(after1)?.[1] ?? ''
    assert.match(
      block,
      /^\[!\[promo\]\(http:\/\/127\.0\.0\.1:\d+\/octo\/promo\/releases\/download\/v3\.0\.0\/promo\.poster\.jpg\)\]\(http:\/\/127\.0\.0\.1:\d+\/octo\/promo\/releases\/download\/v3\.0\.0\/promo\.mp4\)$/
    )

    const second = await action({ 'release-tag': 'v3.0.0', 'release-notes': 'append', 'upload-artifact': 'false' }, b)
    assert.equal(second.code, 0, second.all)
    const after2 = releases.releases[0].body
    assert.equal(after2.split('<!-- img2vid:begin ').length - 1, 1, 'one block, not two')
    assert.equal(after2, after1, 'the same videos give the same body')
    assert.match(second.stdout, /Release notes: the video block replaced/)
  })
})
