// The collect action: after the matrix (needs:), it downloads this run's video artifacts, reads
// each video's record, and writes one job summary, one `videos` output and, when asked, one merged
// artifact and the release's assets and video block, for the whole manifest. A video the jobs did
// not make is a failure in the summary and in `videos`, not a failure of this step: its job has
// failed already, and the others are published.
//
// Any job of the run can upload an artifact, so collect trusts none: artifacts.ts unpacks each
// within bounds, the reader (report/video-record.ts) holds every record to the files a job writes
// and their hashes, and here a video is taken only from the artifact of a job the plan could have
// given it to, only when exactly one artifact records it, with only the links the action makes.
import * as core from '@actions/core'
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { DEFAULT_API_URL } from '../inputs/get-inputs.js'
import { publishVideos, type VideoLinks, type VideoToPublish } from '../publish/publish.js'
import { setOutputs } from '../report/outputs.js'
import type { RunReport, VideoOutcome } from '../report/run-report.js'
import { writeSummary } from '../report/summary.js'
import { dropForeignLinks, outcomesOf, readRecord, RECORD_SUFFIX, RefusedRecord, type VideoRecord } from '../report/video-record.js'
import { videoOfJobArtifact } from '../shared/artifact-names.js'
import { errorMessage } from '../shared/errors.js'
import { log } from '../shared/log.js'
import { oneLine } from '../shared/untrusted.js'
import { downloadArtifacts, deleteArtifacts, MAX_RECORDS_PER_ARTIFACT, type JobArtifact } from './artifacts.js'
import { CollectOutput } from '../shared/contract.js'
import { getCollectInputs } from './inputs.js'

export async function run(): Promise<void> {
  try {
    const inputs = getCollectInputs()
    const { artifacts, refused } = await log.block('Artifacts', () =>
      downloadArtifacts({ pattern: inputs.pattern, path: inputs.path, exclude: inputs.merge ? inputs.mergedName : undefined })
    )
    const { found, notMade } = await log.block('Records', () => readRecords(artifacts, inputs.names))

    // in the plan's order; a name without a record is a video its job did not make
    const byVideo = new Map(found.map(f => [f.record.video, f]))
    const order = inputs.names ?? [...new Set([...found.map(f => f.record.video), ...notMade.keys()])]
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
      const refusedRecord = notMade.get(name)
      if (refusedRecord) return [{ name, error: refusedRecord, links: {} }]
      if (!f)
        return [
          {
            name,
            error: `No record of it in the artifacts of this run: its job failed before it uploaded the video, or was cancelled${
              refused.length ? ` (or it is in one of the ${refused.length} artifacts refused: see the warnings)` : ''
            }.`,
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

/** A record of a video read from an artifact that may hold it: the record, or why it was refused. */
interface Candidate {
  video: string
  path: string
  artifact: JobArtifact
  record?: VideoRecord
  error?: string
}

/**
 * Why the artifact `artifact` may not hold the video `video`, or undefined. A job's artifact is
 * named after its first video (artifact-names.ts: defaultArtifactName), and the plan hands each job
 * a run of videos in the order of `names`: so `img2vid-<v>` holds `v` and videos listed after it,
 * never one listed before, and an `img2vid-<x>` with no video `x` is no job's. Without `names`
 * there is no order to hold an artifact to; an artifact named otherwise (another 'pattern') is
 * held by nothing but the one-record rule of readRecords.
 */
function notItsJob(artifact: string, video: string, names: string[] | undefined): string | undefined {
  const first = videoOfJobArtifact(artifact)
  if (!names || first === undefined) return undefined
  const at = names.indexOf(first)
  if (at < 0)
    return `no job's artifact: a job names its artifact img2vid-<its first video>, and '${oneLine(first, 100)}' is no video of 'names'`
  const v = names.indexOf(video)
  if (v >= 0 && v < at) return `the artifact of the job whose first video is '${first}', and '${video}' is listed before it in 'names'`
  return undefined
}

/** The API whose host a recorded video-url must be on: collect has no api-url, so the jobs' NEMO_API_URL, else the default. */
function apiUrl(): URL {
  try {
    return new URL(process.env.NEMO_API_URL || DEFAULT_API_URL)
  } catch {
    return new URL(DEFAULT_API_URL)
  }
}

/**
 * The video records of the downloaded artifacts: for each video, the one record an artifact that
 * may hold it (notItsJob) has of it. A video recorded by more than one such artifact (or twice in
 * one) is not made, and neither record is used: only one job makes a video, so one of them is not
 * its job's. A record that is not one this action wrote, or whose entry takes another video's name,
 * makes its video not made, with the reason. A record that cannot be read far enough to name its
 * video is a warning.
 */
async function readRecords(
  artifacts: JobArtifact[],
  names: string[] | undefined
): Promise<{ found: FoundRecord[]; notMade: Map<string, string> }> {
  const candidates: Candidate[] = []
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
      let c: Candidate
      try {
        const record = await readRecord(path)
        c = { video: record.video, path, artifact, record }
      } catch (err) {
        if (!(err instanceof RefusedRecord) || err.video === undefined) {
          log.warning(`The artifact '${artifact.name}': ${errorMessage(err)} It was left out.`)
          continue
        }
        c = { video: err.video, path, artifact, error: errorMessage(err) }
      }
      const notHers = notItsJob(artifact.name, c.video, names)
      if (notHers) {
        log.warning(`The artifact '${artifact.name}' records the video '${c.video}', but it is ${notHers}: that record was left out.`)
        continue
      }
      candidates.push(c)
    }
  }

  // a format's name is never another video's: the two would share one name in 'videos' and on the release
  const videos = new Set([...(names ?? []), ...candidates.map(c => c.video)].map(v => v.toLowerCase()))
  for (const c of candidates) {
    const taken = c.record?.entries.find(e => e.name !== c.video && videos.has(e.name.toLowerCase()))
    if (!taken) continue
    c.error = `${file(c)} is not a video record of this action: its entry '${taken.name}' is named after another video of this run.`
    c.record = undefined
  }

  const byVideo = new Map<string, Candidate[]>()
  for (const c of candidates) byVideo.set(c.video, [...(byVideo.get(c.video) ?? []), c])
  const found: FoundRecord[] = []
  const notMade = new Map<string, string>()
  const dropped: string[] = []
  const api = apiUrl()
  for (const [video, cs] of byVideo) {
    const [c] = cs
    if (cs.length > 1) {
      notMade.set(
        video,
        `It is recorded by more than one artifact (${[...cs]
          .sort((x, y) => (x.artifact.name < y.artifact.name ? -1 : x.artifact.name > y.artifact.name ? 1 : 0))
          .slice(0, 5)
          .map(x => `'${x.artifact.name}' in ${file(x)}`)
          .join(
            ', '
          )}), and one job makes a video: neither record was used. Find which job uploaded the other, and re-run the one that makes it.`
      )
    } else if (c.error || !c.record) {
      notMade.set(video, `Its record in the artifact '${c.artifact.name}' was refused: ${c.error ?? 'unreadable'}`)
    } else {
      dropped.push(...dropForeignLinks(c.record, api))
      found.push({ record: c.record, path: c.path, dir: dirname(c.path), artifact: c.artifact })
    }
  }
  if (dropped.length)
    log.warning(
      `Links in the records that the action does not report for a video it did not download were left out: ${dropped
        .slice(0, 5)
        .map(d => oneLine(d, 300))
        .join('; ')}${dropped.length > 5 ? `; and ${dropped.length - 5} more` : ''}.`
    )
  log.info(`${found.length} video record${found.length === 1 ? '' : 's'} read.`)
  return { found, notMade }
}

/** A record's file as shown: its path in its artifact. */
const file = (c: Candidate): string => oneLine(c.path.slice(c.artifact.dir.length + 1), 160)

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
