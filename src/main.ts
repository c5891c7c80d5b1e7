// The pipeline, in order: inputs → media (all checked before any request) → backend per video
// → publish → outputs and job summary. One video, or many from a manifest.
import * as core from '@actions/core'
import { relative } from 'node:path'
import type { Backend } from './backends/backend.js'
import { collectMedia, FileCheckError } from './input-files/check-files.js'
import { getInputs, type Inputs } from './inputs/get-inputs.js'
import { buildRequest, makeVideo, type MadeVideo, type PreparedVideo } from './render-video.js'
import { setOutputs } from './report/outputs.js'
import { runPool } from './shared/pool.js'
import { publishVideos, type Published } from './publish/publish.js'
import { writeSummary } from './report/summary.js'

/** How long cleanup may take after SIGINT/SIGTERM before the process exits anyway (runner kills at ~7.5 s). */
const CANCEL_GRACE_MS = 4500

export class CancelledError extends Error {}

export async function run(): Promise<void> {
  const cancel = new AbortController()
  const onSignal = (sig: NodeJS.Signals): void => {
    if (cancel.signal.aborted) return
    core.warning(`Received ${sig}: cancelling (aborting requests, cancelling the render, removing temp files).`)
    cancel.abort(new CancelledError(`Cancelled by ${sig}.`))
    setTimeout(() => process.exit(1), CANCEL_GRACE_MS).unref()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const inputs = getInputs()
    const warnings: string[] = []
    const warn = (msg: string): void => {
      warnings.push(msg)
      core.warning(msg)
    }

    const prepared = await prepare(inputs, warn)
    const timeoutMs = inputs.timeoutMinutes * 60_000
    core.info(
      `Rendering ${prepared.length > 1 ? `${prepared.length} videos (at most ${inputs.maxParallel} at once) ` : ''}with the ${inputs.backend} backend (deadline ${inputs.timeoutMinutes} min).`
    )
    // one backend for every video: on the cloud they share one token and the 429 back-off
    const backend = await makeBackend(inputs)
    const settled = await runPool(
      prepared,
      inputs.maxParallel,
      async (video, poolSignal) => {
        const deadline = Date.now() + timeoutMs
        const signal = AbortSignal.any([poolSignal, AbortSignal.timeout(timeoutMs)])
        try {
          return await makeVideo(video, backend, { tempRoot: inputs.tempDir, signal, deadline })
        } catch (err) {
          if (cancel.signal.aborted) throw cancel.signal.reason
          if (signal.aborted && Date.now() >= deadline && !/timeout-minutes/.test(errorMessage(err))) {
            throw new Error(
              `The ${inputs.backend} backend did not finish within ${inputs.timeoutMinutes} minutes ('timeout-minutes'): ${errorMessage(err)}`,
              { cause: err }
            )
          }
          throw err
        }
      },
      { failFast: inputs.failFast, signal: cancel.signal }
    )
    if (cancel.signal.aborted) throw cancel.signal.reason

    const made = settled.flatMap(s => (s.ok ? [s.value] : []))
    const failures = settled.flatMap((s, i) =>
      s.ok ? [] : [{ name: prepared[i].spec.name, message: errorMessage(s.error), skipped: !!s.skipped }]
    )
    for (const v of made)
      core.info(
        `✅ ${relative(inputs.workspace, v.videoPath) || v.videoPath}: ${v.info.duration.toFixed(1)} s, ${v.info.width}×${v.info.height}, ${v.info.size} bytes`
      )

    // the video outputs go out first: a failed upload must not hide a good video
    let published: Published = { videos: new Map() }
    setOutputs(inputs, made, failures, published)
    let publishError: unknown
    if (made.length) {
      try {
        published = await publishVideos(inputs, made)
        setOutputs(inputs, made, failures, published)
      } catch (err) {
        publishError = err
      }
    }
    await writeSummary({ inputs, made, failures, published, warnings })
    if (publishError) throw publishError

    if (failures.length) {
      if (!inputs.batch) throw new Error(failures[0].message)
      throw new Error(
        `${failures.length} of ${prepared.length} videos failed:\n${failures.map(f => `- ${f.name}: ${f.message}`).join('\n')}`
      )
    }
  } catch (err) {
    core.setFailed(errorMessage(err))
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

/** Globs and checks every video's files first, so a bad input fails before any request. */
async function prepare(inputs: Inputs, warn: (msg: string) => void): Promise<PreparedVideo[]> {
  const prepared: PreparedVideo[] = []
  const problems: string[] = []
  for (const spec of inputs.videos) {
    const prefix = inputs.batch ? `Video '${spec.name}': ` : ''
    try {
      core.startGroup(`Images${inputs.batch ? ` for ${spec.name}` : ''}`)
      const media = await collectMedia(spec.images, inputs.workspace, spec.music && 'file' in spec.music ? spec.music.file : undefined)
      for (const f of media.images) core.info(`🖼  ${relative(inputs.workspace, f.path)} (${f.type}, ${(f.size / 1024).toFixed(0)} KB)`)
      if (media.music) core.info(`🎵 ${relative(inputs.workspace, media.music.path)} (${media.music.type})`)
      core.info(`${media.images.length} image${media.images.length === 1 ? '' : 's'} matched.`)
      core.endGroup()
      for (const p of media.unmatched) warn(`${prefix}input 'images': the pattern '${p}' matched no file.`)
      const request = buildRequest(spec, media.music)
      if (inputs.backend === 'local' && request.music && 'description' in request.music) {
        warn(
          `${prefix}input 'music': '${request.music.description}' is a description; the local backend needs an audio file, so the video has no music.`
        )
        delete request.music
      }
      prepared.push({ spec, images: media.images, music: media.music, request })
    } catch (err) {
      core.endGroup()
      if (!(err instanceof FileCheckError)) throw err
      problems.push(prefix + err.message)
    }
  }
  if (problems.length) throw new FileCheckError(problems.join('\n'))
  return prepared
}

/** Loads only the backend that runs (cold start). */
async function makeBackend(inputs: Inputs): Promise<Backend> {
  if (inputs.backend === 'local') {
    const { createLocalBackend } = await import('./backends/local/local-backend.js')
    return createLocalBackend({ ffmpegPath: inputs.ffmpegPath || undefined })
  }
  const { createNemoBackend } = await import('./backends/nemo/nemo-backend.js')
  return createNemoBackend({
    apiUrl: inputs.apiUrl,
    token: inputs.token,
    allowAnonymous: inputs.allowAnonymous,
    clientId: inputs.clientId,
    pollIntervalMs: inputs.pollInterval * 1000
  })
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export type { MadeVideo }
