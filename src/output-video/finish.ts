// The one finish line for the MP4, whichever backend made it: a temp file beside `output`
// (tempFileFor, shared/guards.ts) → the structure checked and the facts read (mp4.ts) → SHA-256 →
// an atomic rename. `output` never holds a partial or broken file.
import { rename, rm } from 'node:fs/promises'
import { basename } from 'node:path'
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
