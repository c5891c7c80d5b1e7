// The plan action over a manifest whose videos share their photos: each file and each pattern
// list looked at once, every video's problem still said in its own words.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { planManifest } from '../../src/plan/plan.js'
import { makeImage } from '../helpers/media.js'

const saved = { ...process.env }
let workspace: string

beforeEach(async () => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k]
  const root = await mkdtemp(join(tmpdir(), 'img2vid-plan-'))
  workspace = join(root, 'ws')
  await mkdir(join(workspace, 'photos'), { recursive: true })
  await mkdir(join(root, 'tmp'))
  Object.assign(process.env, {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: join(root, 'tmp'),
    INPUT_MANIFEST: 'videos.yml',
    INPUT_IMAGES: 'photos/*.jpg',
    INPUT_PROMPT: 'A promo'
  })
})
afterEach(() => {
  process.env = { ...saved }
})

/** Runs `fn`, counting the files and the folders the action opens (each opened as it asks). */
async function counted<T>(fn: () => Promise<T>): Promise<{ files: string[]; folders: number; result?: T; error?: Error }> {
  const { open, opendir } = fs.promises
  const out: { files: string[]; folders: number; result?: T; error?: Error } = { files: [], folders: 0 }
  fs.promises.open = ((...args: Parameters<typeof open>) => {
    out.files.push(String(args[0]))
    return open(...args)
  }) as typeof open
  fs.promises.opendir = ((...args: Parameters<typeof opendir>) => {
    out.folders++
    return opendir(...args)
  }) as typeof opendir
  // the modules' named imports of node:fs/promises follow the object
  syncBuiltinESMExports()
  try {
    out.result = await fn()
  } catch (err) {
    out.error = err as Error
  } finally {
    Object.assign(fs.promises, { open, opendir })
    syncBuiltinESMExports()
  }
  return out
}

describe('plan', () => {
  it('checks each photo once and looks up each list of patterns once, however many videos share them', async () => {
    const jpg = await makeImage({ seed: 3 })
    for (let i = 0; i < 30; i++) await copyFile(jpg, join(workspace, 'photos', `${i}.jpg`))
    // 20 videos of all 30 photos (the fallback 'images'), 5 of the 11 whose names start with 1
    const manifest = ['videos:']
    for (let i = 0; i < 25; i++) manifest.push(`  - name: v${i}`, ...(i >= 20 ? ['    images: photos/1*.jpg'] : []))
    await writeFile(join(workspace, 'videos.yml'), `${manifest.join('\n')}\n`)
    const { files, folders, result, error } = await counted(() => planManifest())
    assert.equal(error, undefined)
    assert.equal(result?.names.length, 25)
    const photos = files.filter(f => f.startsWith(join(workspace, 'photos')))
    // before: 20 × 30 + 5 × 11 = 655 photos opened, 25 folders walked
    assert.equal(photos.length, 30, `${photos.length} photos opened`)
    assert.equal(new Set(photos).size, 30)
    assert.equal(folders, 2, 'one walk of photos/ for each list of patterns')
  })

  it('says a problem of a shared photo of every video that has it, each under its own name and line', async () => {
    await copyFile(await makeImage({ seed: 3 }), join(workspace, 'photos', '1.jpg'))
    await writeFile(join(workspace, 'photos', 'notes.jpg'), 'not a photo, only its name says so\n')
    await writeFile(
      join(workspace, 'videos.yml'),
      ['videos:', '  - name: a', '  - name: b', '    duration: 10', '  - name: c', ''].join('\n')
    )
    const { files, error } = await counted(() => planManifest())
    assert.deepEqual(
      error?.message.split('\n'),
      [
        [2, 'a'],
        [3, 'b'],
        [5, 'c']
      ].map(
        ([line, v]) =>
          `videos.yml:${line}: video '${v}', input 'images': photos/notes.jpg is not a file type the backend accepts; expected an image: JPEG, PNG, WebP, GIF, HEIC or AVIF.`
      )
    )
    assert.equal(files.filter(f => f.endsWith('notes.jpg')).length, 1, 'the bad photo was opened once')
  })
})
