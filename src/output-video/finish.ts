// The one finish line for the MP4, whichever backend made it: a temp file beside `output` → the
// structure checked and the facts read (mp4.ts) → SHA-256 → an atomic rename. `output` never
// holds a partial or broken file.
import { randomBytes } from 'node:crypto'
import { mkdir, open, realpath, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { inspectFile, type VideoFacts, type VideoInfo } from '../media/mp4.js'
import { log } from '../shared/log.js'
import { platformBreaches } from './platforms.js'

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
 * A fresh temp file beside `output` (same folder, so the rename is atomic); makes the folder.
 * `output` is a real path (the inputs resolved its links and checked where it leads): if the
 * folder's real path differs now, a link appeared on the way, and nothing is written through it.
 * The file is created here, empty, under a name of 128 random bits and only if nothing is at that
 * name (O_EXCL): a link a repository planted is never opened, and what writes to it later (ffmpeg,
 * the download) opens this new regular file.
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
  const temp = join(dir, `.${basename(output)}.${randomBytes(16).toString('hex')}.part`)
  await (await open(temp, 'wx')).close()
  return temp
}

/**
 * Checks the temp file (read once, unless the backend read it already), then renames it to
 * `output`; the check stops once `signal` aborts (the deadline, a cancel). A warning for each
 * platform whose limits the finished video breaks (platforms.ts), whichever backend made it.
 */
export async function finishVideo(rendered: RenderedFile, output: string, signal?: AbortSignal): Promise<FinishedVideo> {
  try {
    const facts = rendered.facts ?? (await inspectFile(rendered.file, signal))
    await rename(rendered.file, output)
    for (const b of platformBreaches(facts.info)) log.warning(`${basename(output)}: ${b.message}`)
    return { path: output, ...facts }
  } catch (err) {
    await rm(rendered.file, { force: true })
    throw err
  }
}
