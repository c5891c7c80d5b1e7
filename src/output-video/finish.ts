// The one finish line for the MP4, whichever backend made it: a temp file beside `output` → the
// structure checked and the facts read (mp4.ts) → SHA-256 → an atomic rename. `output` never
// holds a partial or broken file.
import { randomBytes } from 'node:crypto'
import { mkdir, realpath, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { inspectFile, type VideoFacts, type VideoInfo } from '../media/mp4.js'

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

/**
 * A fresh temp path beside `output` (same folder, so the rename is atomic); makes the folder.
 * `output` is a real path (the inputs resolved its links and checked where it leads): if the
 * folder's real path differs now, a link appeared on the way, and nothing is written through it.
 */
export async function tempFileFor(output: string): Promise<string> {
  const dir = dirname(output)
  await mkdir(dir, { recursive: true })
  const real = await realpath(dir)
  if (real !== dir) {
    throw new Error(
      `The output folder ${dir} now leads to ${real} through a link; nothing was written. Write to a folder that is not a link.`
    )
  }
  return join(dir, `.${basename(output)}.${randomBytes(4).toString('hex')}.part`)
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
