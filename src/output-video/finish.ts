// The one finish line for the MP4, whichever backend made it: a temp file beside `output` → the
// structure checked and the facts read (mp4.ts) → SHA-256 → an atomic rename. `output` never
// holds a partial or broken file.
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { inspectFile, type VideoFacts, type VideoInfo } from './mp4.js'

/** What a backend hands over: a temp file, and its facts when it already read them in passing. */
export interface RenderedFile {
  file: string
  facts?: VideoFacts
}

export interface FinishedVideo {
  path: string
  info: VideoInfo
  sha256: string
}

/** A fresh temp path beside `output` (same folder, so the rename is atomic); makes the folder. */
export async function tempFileFor(output: string): Promise<string> {
  await mkdir(dirname(output), { recursive: true })
  return join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.part`)
}

/** Checks the temp file (read once, unless the backend read it already), then renames it to `output`. */
export async function finishVideo(rendered: RenderedFile, output: string): Promise<FinishedVideo> {
  try {
    const facts = rendered.facts ?? (await inspectFile(rendered.file))
    await rename(rendered.file, output)
    return { path: output, ...facts }
  } catch (err) {
    await rm(rendered.file, { force: true })
    throw err
  }
}
