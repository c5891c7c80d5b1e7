// The step's outputs, written once at the end from the run report. One video: the documented
// single-video outputs. Always: `videos`, a JSON array with each video's outputs (and the error of
// each that failed), bounded by MAX_VIDEOS_OUTPUT_BYTES.
import * as core from '@actions/core'
import { log } from '../shared/log.js'
import { Output, type VideoOutputName } from '../shared/contract.js'
import type { RunReport, VideoOutcome } from './run-report.js'

/**
 * The bound of the `videos` output: a workflow passes it on as a job output (at most 1 MB each)
 * and reads it with fromJSON(). Unbounded, 50 videos in 4 formats with long timelines made 7.9 MB.
 */
export const MAX_VIDEOS_OUTPUT_BYTES = 512 * 1024
/** Error texts are cut to this many characters when the whole output does not fit. */
const SHORT_ERROR = 200
/** The outputs that are paths of files the video wrote. */
const PATH_OUTPUTS = [Output.videoPath, Output.posterPath, Output.previewPath] as const
/** What no form of the output leaves out: which video, whether it was made, and its files. */
const KEPT = ['name', 'ok', ...PATH_OUTPUTS]

/** Seconds with three decimals, always: "12.000", "16.934". */
const formatDuration = (seconds: number): string => seconds.toFixed(3)

function videoOutputs(v: VideoOutcome): Partial<Record<VideoOutputName, string>> {
  const m = v.made
  if (!m) return {}
  const outputs: Record<VideoOutputName, string> = {
    [Output.videoPath]: m.video.path,
    [Output.videoUrl]: m.videoUrl,
    [Output.duration]: formatDuration(m.video.info.duration),
    [Output.width]: String(m.video.info.width),
    [Output.height]: String(m.video.info.height),
    [Output.size]: String(m.video.info.size),
    [Output.sha256]: m.video.sha256,
    [Output.sessionId]: m.sessionId,
    [Output.renderId]: m.renderId,
    [Output.timeline]: JSON.stringify(m.timeline),
    [Output.creditsAvailable]: m.creditsAvailable === undefined ? '' : String(m.creditsAvailable),
    [Output.artifactId]: v.links.artifactId ?? '',
    [Output.artifactUrl]: v.links.artifactUrl ?? '',
    [Output.releaseAssetUrl]: v.links.releaseAssetUrl ?? '',
    [Output.posterPath]: m.previews?.posterPath ?? '',
    [Output.previewPath]: m.previews?.previewPath ?? '',
    [Output.cacheHit]: String(m.cacheHit)
  }
  return outputs
}

export function setOutputs(report: RunReport): void {
  core.setOutput(Output.backend, report.backend)
  core.setOutput(Output.videos, boundedVideos(report.videos.map(videoEntry)))
  const made = report.videos.filter(v => v.made)
  if (!report.batch) {
    if (made[0]) for (const [k, val] of Object.entries(videoOutputs(made[0]))) core.setOutput(k, val)
    return
  }
  if (!made.length) return
  // one shared artifact: its id and url are the run's too
  const ids = new Set(made.map(v => v.links.artifactId).filter(Boolean))
  if (ids.size === 1) {
    core.setOutput(Output.artifactId, made[0].links.artifactId ?? '')
    core.setOutput(Output.artifactUrl, made[0].links.artifactUrl ?? '')
  }
  // a batch is a hit when every video it made came from the cache
  core.setOutput(Output.cacheHit, String(made.every(v => v.made?.cacheHit)))
  const credits = made.map(v => v.made?.creditsAvailable).filter((c): c is number => c !== undefined)
  if (credits.length) core.setOutput(Output.creditsAvailable, String(Math.min(...credits)))
}

/** One video's entry of the `videos` output: its outputs, or its error. */
export type VideoEntry = Record<string, string | boolean>

function videoEntry(v: VideoOutcome): VideoEntry {
  return v.made ? { name: v.name, ok: true, ...videoOutputs(v) } : { name: v.name, ok: false, error: v.error ?? 'not made' }
}

const cut = (text: string, max: number): string => {
  if (text.length <= max) return text
  const head = text.slice(0, max - 1)
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}…`
}
const pick = (v: VideoEntry, keys: readonly string[]): VideoEntry => Object.fromEntries(Object.entries(v).filter(([k]) => keys.includes(k)))
const shortError = (v: VideoEntry): VideoEntry => (typeof v.error === 'string' ? { ...v, error: cut(v.error, SHORT_ERROR) } : v)

/**
 * The forms of the `videos` output, from whole to smallest: the bulky per-video fields go first
 * (the timeline), then the length of error texts, then every field but the kept ones.
 */
const FORMS: { leftOut: string; shape: (v: VideoEntry) => VideoEntry }[] = [
  { leftOut: '', shape: v => v },
  { leftOut: "each video's timeline", shape: ({ [Output.timeline]: _, ...v }) => v },
  {
    leftOut: `each video's timeline, and error texts past ${SHORT_ERROR} characters`,
    shape: ({ [Output.timeline]: _, ...v }) => shortError(v)
  },
  {
    leftOut: `every field but name, ok, the paths and error texts cut to ${SHORT_ERROR} characters`,
    shape: v => shortError(pick(v, [...KEPT, 'error']))
  },
  { leftOut: 'every field but name, ok and the paths', shape: v => pick(v, KEPT) }
]

/** The `videos` JSON in the first form within MAX_VIDEOS_OUTPUT_BYTES; the log says what was left out. */
export function boundedVideos(videos: VideoEntry[]): string {
  const whole = JSON.stringify(videos)
  const wholeBytes = Buffer.byteLength(whole)
  if (wholeBytes <= MAX_VIDEOS_OUTPUT_BYTES) return whole
  const bound = `${MAX_VIDEOS_OUTPUT_BYTES / 1024} KB`
  let json = whole
  let bytes = wholeBytes
  let leftOut = ''
  for (const form of FORMS.slice(1)) {
    json = JSON.stringify(videos.map(form.shape))
    bytes = Buffer.byteLength(json)
    leftOut = form.leftOut
    if (bytes <= MAX_VIDEOS_OUTPUT_BYTES) break
  }
  if (bytes < wholeBytes)
    log.info(`The 'videos' output left out ${leftOut} to stay within ${bound} (${bytes} bytes instead of ${wholeBytes}).`)
  if (bytes > MAX_VIDEOS_OUTPUT_BYTES) {
    // the kept fields are never cut: a path cut short would name another file
    log.warning(
      `The 'videos' output is ${bytes} bytes, over ${bound}, from the videos' names and paths alone: give 'output' a shorter path.`
    )
  }
  return json
}
