// The step's outputs, written once at the end from the run report. One video: the documented
// single-video outputs. Always: `videos`, a JSON array with each video's outputs (and the error of
// each that failed).
import * as core from '@actions/core'
import type { RunReport, VideoOutcome } from './run-report.js'

/** Seconds with three decimals, always: "12.000", "16.934". */
export const formatDuration = (seconds: number): string => seconds.toFixed(3)

export function videoOutputs(v: VideoOutcome): Record<string, string> {
  const m = v.made
  if (!m) return {}
  return {
    'video-path': m.video.path,
    'video-url': m.videoUrl,
    duration: formatDuration(m.video.info.duration),
    width: String(m.video.info.width),
    height: String(m.video.info.height),
    size: String(m.video.info.size),
    sha256: m.video.sha256,
    'session-id': m.sessionId,
    'render-id': m.renderId,
    timeline: JSON.stringify(m.timeline),
    'credits-available': m.creditsAvailable === undefined ? '' : String(m.creditsAvailable),
    'artifact-id': v.links.artifactId ?? '',
    'artifact-url': v.links.artifactUrl ?? '',
    'release-asset-url': v.links.releaseAssetUrl ?? '',
    'poster-path': m.previews?.posterPath ?? '',
    'preview-path': m.previews?.previewPath ?? '',
    'cache-hit': String(m.cacheHit)
  }
}

export function setOutputs(report: RunReport): void {
  core.setOutput('backend', report.backend)
  const videos = report.videos.map(v =>
    v.made ? { name: v.name, ok: true, ...videoOutputs(v) } : { name: v.name, ok: false, error: v.error ?? 'not made' }
  )
  core.setOutput('videos', JSON.stringify(videos))
  const made = report.videos.filter(v => v.made)
  if (!report.batch) {
    if (made[0]) for (const [k, val] of Object.entries(videoOutputs(made[0]))) core.setOutput(k, val)
    return
  }
  if (!made.length) return
  // one shared artifact: its id and url are the run's too
  const ids = new Set(made.map(v => v.links.artifactId).filter(Boolean))
  if (ids.size === 1) {
    core.setOutput('artifact-id', made[0].links.artifactId ?? '')
    core.setOutput('artifact-url', made[0].links.artifactUrl ?? '')
  }
  // a batch is a hit when every video it made came from the cache
  core.setOutput('cache-hit', String(made.every(v => v.made?.cacheHit)))
  const credits = made.map(v => v.made?.creditsAvailable).filter((c): c is number => c !== undefined)
  if (credits.length) core.setOutput('credits-available', String(Math.min(...credits)))
}
