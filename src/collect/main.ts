// The collect action: after the matrix (needs:), it downloads this run's video artifacts, reads
// each video's record, and writes one job summary, one `videos` output and, when asked, one merged
// artifact and the release's assets and video block, for the whole manifest. A video the jobs did
// not make is a failure in the summary and in `videos`, not a failure of this step: its job has
// failed already, and the others are published.
import * as core from '@actions/core'
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { publishVideos, type VideoLinks, type VideoToPublish } from '../publish/publish.js'
import { setOutputs } from '../report/outputs.js'
import type { RunReport, VideoOutcome } from '../report/run-report.js'
import { writeSummary } from '../report/summary.js'
import { outcomesOf, readRecord, type VideoRecord } from '../report/video-record.js'
import { errorMessage } from '../shared/errors.js'
import { log } from '../shared/log.js'
import { downloadArtifacts, deleteArtifacts, type JobArtifact } from './artifacts.js'
import { CollectOutput } from '../shared/contract.js'
import { getCollectInputs } from './inputs.js'

const RECORD_SUFFIX = '.img2vid.json'
/** A job renders at most 100 videos: an artifact with more records is not a job's. */
const MAX_RECORDS_PER_ARTIFACT = 100

export async function run(): Promise<void> {
  try {
    const inputs = getCollectInputs()
    const artifacts = await log.block('Artifacts', () =>
      downloadArtifacts({ pattern: inputs.pattern, path: inputs.path, exclude: inputs.merge ? inputs.mergedName : undefined })
    )
    const found = await log.block('Records', () => readRecords(artifacts))

    // in the plan's order; a name without a record is a video its job did not make
    const byVideo = new Map(found.map(f => [f.record.video, f]))
    const order = inputs.names ?? found.map(f => f.record.video)
    const extra = found.filter(f => inputs.names && !inputs.names.includes(f.record.video))
    if (extra.length)
      log.warning(
        `${extra.length} video record${extra.length === 1 ? '' : 's'} in the artifacts name${extra.length === 1 ? 's' : ''} no video of 'names' (${extra
          .slice(0, 5)
          .map(f => `'${f.record.video}'`)
          .join(', ')}): left out. Pass collect the plan's 'names' of this run.`
      )
    const links = new Map<string, VideoLinks>()
    const videos: VideoOutcome[] = order.flatMap(name => {
      const f = byVideo.get(name)
      if (!f)
        return [
          {
            name,
            error: 'No record of it in the artifacts of this run: its job failed before it uploaded the video, or was cancelled.',
            links: {}
          }
        ]
      return outcomesOf(f.record, f.dir).map(o => {
        if (o.made) links.set(o.name, { artifactId: String(f.artifact.id), artifactUrl: f.artifact.url, artifactName: f.artifact.name })
        return o
      })
    })
    const made = videos.filter(v => v.made)
    for (const v of videos) if (!v.made) log.warning(`Video '${v.name}' was not made: ${v.error}`)

    // one artifact for all and the release, through the same publishing as a job's
    let publishError: unknown
    try {
      await publishVideos(
        {
          batch: true,
          manifestOrder: inputs.names,
          uploadArtifact: inputs.merge,
          artifactName: inputs.mergedName,
          artifactPerVideo: false,
          retentionDays: inputs.retentionDays,
          releaseTag: inputs.releaseTag,
          createRelease: inputs.createRelease,
          overwrite: inputs.overwrite,
          githubToken: inputs.githubToken,
          releaseNotes: inputs.releaseNotes
        },
        toPublish(videos, found, inputs.merge),
        links
      )
      if (inputs.merge && inputs.deleteMerged) await deleteArtifacts(artifacts.map(a => a.name))
    } catch (err) {
      publishError = err
    }
    for (const v of videos) v.links = { ...links.get(v.name) }

    const report: RunReport = {
      backend: found[0]?.record.backend ?? 'local',
      batch: true,
      workspace: inputs.workspace,
      videos,
      publishError: publishError === undefined ? undefined : errorMessage(publishError),
      warnings: log.warnings()
    }
    setOutputs(report)
    core.setOutput(CollectOutput.count, String(videos.length))
    core.setOutput(CollectOutput.failed, String(videos.length - made.length))
    core.setOutput(CollectOutput.path, inputs.path)
    await writeSummary(report)
    log.info(
      `🧺 ${made.length} of ${videos.length} videos collected from ${artifacts.length} artifact${artifacts.length === 1 ? '' : 's'} into ${inputs.path}.`
    )
    if (publishError) throw publishError
  } catch (err) {
    core.setFailed(errorMessage(err))
  }
}

interface FoundRecord {
  record: VideoRecord
  path: string
  dir: string
  artifact: JobArtifact
}

/** Every video record in the downloaded artifacts; one that cannot be read is a warning, a video recorded twice keeps its first. */
async function readRecords(artifacts: JobArtifact[]): Promise<FoundRecord[]> {
  const found: FoundRecord[] = []
  const seen = new Set<string>()
  for (const artifact of artifacts) {
    const files = (await readdir(artifact.dir, { recursive: true })).filter(f => f.endsWith(RECORD_SUFFIX)).sort()
    if (files.length > MAX_RECORDS_PER_ARTIFACT) {
      log.warning(
        `The artifact '${artifact.name}' holds ${files.length} video records, more than a job makes (${MAX_RECORDS_PER_ARTIFACT}): it was left out.`
      )
      continue
    }
    if (!files.length) log.info(`${artifact.name}: no video record in it (an artifact of an earlier version, or not this action's).`)
    for (const file of files) {
      const path = join(artifact.dir, file)
      try {
        const record = await readRecord(path)
        if (seen.has(record.video)) {
          log.warning(`The video '${record.video}' is recorded again in the artifact '${artifact.name}': the first record was kept.`)
          continue
        }
        seen.add(record.video)
        found.push({ record, path, dir: dirname(path), artifact })
      } catch (err) {
        log.warning(`The artifact '${artifact.name}': ${errorMessage(err)} It was left out.`)
      }
    }
  }
  log.info(`${found.length} video record${found.length === 1 ? '' : 's'} read.`)
  return found
}

/** The made videos, each with its poster and preview; with a merge, every record too (a failure's alone). */
function toPublish(videos: VideoOutcome[], found: FoundRecord[], merge: boolean): VideoToPublish[] {
  const out: VideoToPublish[] = []
  for (const f of found) {
    const own = videos.filter(v => v.made && f.record.entries.some(e => e.name === v.name))
    const record = merge ? f.path : undefined
    if (!own.length) {
      if (record) out.push({ name: f.record.video, extras: [], record })
      continue
    }
    own.forEach((v, i) => {
      const previews = v.made?.previews
      out.push({
        name: v.name,
        path: v.made?.video.path,
        extras: previews ? [previews.posterPath, previews.previewPath] : [],
        record: i === 0 ? record : undefined
      })
    })
  }
  // in the order of `videos` (the plan's), records of failures after
  const at = (name: string): number => {
    const i = videos.findIndex(v => v.name === name && v.made)
    return i < 0 ? videos.length : i
  }
  return out.sort((a, b) => at(a.name) - at(b.name))
}
