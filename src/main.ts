// The pipeline, in order: inputs → input files and requests (all checked before any request) →
// a backend per video → the finished MP4 → publish → outputs and job summary. One video, or many
// from a manifest.
import * as core from '@actions/core'
import { dirname, relative } from 'node:path'
import { createBackend } from './backends/create-backend.js'
import { getInputs } from './inputs/get-inputs.js'
import { prepareVideos, type PreparedVideo } from './prepare.js'
import { publishVideos, type VideoLinks } from './publish/publish.js'
import { renderVideo } from './render-video.js'
import { setOutputs } from './report/outputs.js'
import type { RunReport, VideoOutcome } from './report/run-report.js'
import { writeSummary } from './report/summary.js'
import { CancelledError, errorMessage } from './shared/errors.js'
import { log, withVideoLog } from './shared/log.js'
import { runPool } from './shared/pool.js'
import { recordPath } from './inputs/video-files.js'
import { recordOf, writeRecord } from './report/video-record.js'
import type { BackendName } from './shared/options.js'
import { mkdir } from 'node:fs/promises'

/** How long cleanup may take after SIGINT/SIGTERM before the process exits anyway (runner kills at ~7.5 s). */
const CANCEL_GRACE_MS = 4500

export async function run(): Promise<void> {
  const cancel = new AbortController()
  const onSignal = (sig: NodeJS.Signals): void => {
    if (cancel.signal.aborted) return
    log.warning(`Received ${sig}: cancelling (aborting requests, cancelling the render, removing temp files).`)
    cancel.abort(new CancelledError(`Cancelled by ${sig}.`))
    setTimeout(() => process.exit(1), CANCEL_GRACE_MS).unref()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const inputs = getInputs()
    log.info(`Backend: ${inputs.backend} (${inputs.backendReason}).`)
    const prepared = await prepareVideos(inputs)
    const many = prepared.length > 1
    log.info(
      `Rendering ${many ? `${prepared.length} videos (at most ${inputs.maxParallel} at once) ` : ''}with the ${inputs.backend} backend (deadline ${inputs.timeoutMinutes} min${many ? ' per video' : ''}).`
    )
    const ffmpeg = { path: inputs.ffmpegPath || undefined, installMissing: inputs.installMissing }
    const backend = await createBackend(inputs.backend, {
      nemo: {
        apiUrl: inputs.apiUrl,
        token: inputs.token,
        allowAnonymous: inputs.allowAnonymous,
        clientId: inputs.clientId,
        pollIntervalMs: inputs.pollInterval * 1000
      },
      local: ffmpeg
    })
    const parallel = many && inputs.maxParallel > 1
    const settled = await runPool(
      prepared,
      inputs.maxParallel,
      (video, signal) =>
        withVideoLog(video.spec.name, { batch: inputs.batch, parallel }, () =>
          renderVideo(video, backend, {
            tempRoot: inputs.tempDir,
            signal,
            timeoutMinutes: inputs.timeoutMinutes,
            previews: inputs.previews && ffmpeg,
            cache: inputs.cache ? { workspace: inputs.workspace, explicit: inputs.cacheExplicit, apiUrl: inputs.apiUrl } : undefined
          })
        ),
      { failFast: inputs.failFast, signal: cancel.signal }
    )
    if (cancel.signal.aborted) throw cancel.signal.reason

    // a video asked for in several formats is one made video per format
    const made = settled.flatMap(s => (s.ok ? s.value : []))
    for (const v of made) {
      const { info } = v.video
      log.info(
        `✅ ${relative(inputs.workspace, v.video.path) || v.video.path}: ${info.duration.toFixed(1)} s, ${info.width}×${info.height}, ${info.size} bytes`
      )
    }

    // each video's outcomes: one per format, or its failure; the links are filled in by publishing
    const links = new Map<string, VideoLinks>()
    const outcomes = settled.map((s, i): VideoOutcome[] =>
      s.ok
        ? s.value.map(m => ({ name: m.name, made: m, links: links.get(m.name) ?? {} }))
        : [{ name: prepared[i].spec.name, error: errorMessage(s.error), skipped: !!s.skipped, links: {} }]
    )
    // with a manifest, each video's record goes into its artifact, for collect/ (a failure's too)
    const records = inputs.records ? await writeRecords(prepared, inputs.backend, outcomes) : []
    const toPublish = outcomes.flatMap((o, i) =>
      o.map((v, j) => ({
        name: v.name,
        path: v.made?.video.path,
        extras: v.made?.previews ? [v.made.previews.posterPath, v.made.previews.previewPath] : [],
        // a video's record travels with its first format
        record: j === 0 ? records[i] : undefined
      }))
    )

    // a failed upload must not hide a good video: the outputs and summary are written either way
    let publishError: unknown
    if (made.length || records.length) {
      try {
        await publishVideos(
          inputs,
          toPublish.filter(v => v.path || v.record),
          links
        )
      } catch (err) {
        publishError = err
      }
    }
    for (const o of outcomes.flat()) o.links = links.get(o.name) ?? {}
    const report: RunReport = {
      backend: inputs.backend,
      batch: inputs.batch,
      workspace: inputs.workspace,
      videos: outcomes.flat(),
      publishError: publishError === undefined ? undefined : errorMessage(publishError),
      warnings: log.warnings()
    }
    setOutputs(report)
    await writeSummary(report)
    if (publishError) throw publishError

    const failures = report.videos.filter(v => !v.made)
    if (failures.length) {
      if (!inputs.batch) throw new Error(failures[0].error)
      throw new Error(`${failures.length} of ${prepared.length} videos failed:\n${failures.map(f => `- ${f.name}: ${f.error}`).join('\n')}`)
    }
  } catch (err) {
    core.setFailed(errorMessage(err))
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

/** Each video's record beside its MP4 (where the MP4 would have been, for a failed one). */
async function writeRecords(prepared: PreparedVideo[], backend: BackendName, outcomes: VideoOutcome[][]): Promise<string[]> {
  return Promise.all(
    prepared.map(async (p, i) => {
      const path = recordPath(p.spec.output)
      await mkdir(dirname(path), { recursive: true })
      // the record's paths are names beside it, its links the artifact's listing (collect/)
      await writeRecord(path, recordOf(p.spec.name, backend, outcomes[i]))
      return path
    })
  )
}
