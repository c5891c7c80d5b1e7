// The one interface both backends implement, so the pipeline never knows which one runs.
import type { MediaFile } from '../input-files/input-file.js'
import type { VideoRequest } from '../request/request.js'
import type { Draft } from '../shared/timeline.js'

export interface RenderJob {
  images: MediaFile[]
  request: VideoRequest
  /** absolute path where the MP4 must end up; written atomically (temp file, then rename) */
  output: string
  /** a private scratch directory for this job, removed by the caller */
  tempDir: string
  /** aborted on cancel (SIGINT/SIGTERM) or when the deadline passes */
  signal: AbortSignal
  /** epoch ms by which the backend part must be done */
  deadline: number
}

export interface RenderResult {
  /** the MP4, equal to job.output */
  videoPath: string
  /** where the cloud served it; empty for local */
  videoUrl: string
  sessionId: string
  renderId: string
  draft: Draft
  creditsAvailable?: number
  /** browser link that lets a person claim an anonymous cloud session */
  claimUrl?: string
}

export interface Backend {
  readonly name: 'nemo' | 'local'
  render(job: RenderJob): Promise<RenderResult>
}
