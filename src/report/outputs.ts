// The step's outputs. One video: the documented single-video outputs. Always: `videos`, a JSON
// array with each video's outputs (and the error of each that failed).
import * as core from '@actions/core'
import type { Inputs } from '../inputs/get-inputs.js'
import type { MadeVideo } from '../render-video.js'
import type { Published } from '../publish/publish.js'

export interface Failure {
  name: string
  message: string
  skipped: boolean
}

export function videoOutputs(v: MadeVideo, published: Published): Record<string, string> {
  const links = published.videos.get(v.spec.name) ?? {}
  return {
    'video-path': v.videoPath,
    'video-url': v.videoUrl,
    duration: String(v.info.duration),
    width: String(v.info.width),
    height: String(v.info.height),
    size: String(v.info.size),
    sha256: v.sha256,
    'session-id': v.sessionId,
    'render-id': v.renderId,
    timeline: JSON.stringify(v.timeline),
    'credits-available': v.creditsAvailable === undefined ? '' : String(v.creditsAvailable),
    'artifact-id': links.artifactId ?? '',
    'artifact-url': links.artifactUrl ?? '',
    'release-asset-url': links.releaseAssetUrl ?? ''
  }
}

export function setOutputs(inputs: Inputs, made: MadeVideo[], failures: Failure[], published: Published): void {
  core.setOutput('backend', inputs.backend)
  const byName = new Map(made.map(v => [v.spec.name, v]))
  const failed = new Map(failures.map(f => [f.name, f]))
  const videos = inputs.videos.map(spec => {
    const v = byName.get(spec.name)
    if (v) return { name: spec.name, ok: true, ...videoOutputs(v, published) }
    return { name: spec.name, ok: false, error: failed.get(spec.name)?.message ?? 'not made' }
  })
  core.setOutput('videos', JSON.stringify(videos))
  if (!inputs.batch && made[0]) {
    for (const [k, v] of Object.entries(videoOutputs(made[0], published))) core.setOutput(k, v)
  } else if (made.length) {
    // one shared artifact: its id and url are the run's too
    const ids = new Set(made.map(v => published.videos.get(v.spec.name)?.artifactId).filter(Boolean))
    if (ids.size === 1) {
      const links = published.videos.get(made[0].spec.name) ?? {}
      core.setOutput('artifact-id', links.artifactId ?? '')
      core.setOutput('artifact-url', links.artifactUrl ?? '')
    }
    const credits = made.map(v => v.creditsAvailable).filter((c): c is number => c !== undefined)
    if (credits.length) core.setOutput('credits-available', String(Math.min(...credits)))
  }
}
