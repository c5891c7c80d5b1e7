// The one interface both backends implement (the factory is create-backend.ts). A backend gets the input files and the request,
// writes the MP4 to the temp file it is given and says what it made; the finish line does the rest.
import type { FfmpegSettings } from '../media/find-ffmpeg.js'
import type { InputFile } from '../input-files/input-file.js'
import type { AspectRatio, BackendName } from '../shared/options.js'
import type { RenderedFile } from '../output-video/finish.js'
import type { VideoRequest } from '../request/request.js'
import type { Draft } from '../shared/timeline.js'

/** One format of the video: its aspect ratio (unset: the request's) and the temp file it goes to. */
export interface JobVideo {
  aspectRatio?: AspectRatio
  /** a temp file beside its `output` (the finish line renames it) */
  file: string
  /**
   * when previews are on: a scratch file for the WebP preview, which a backend that sees the
   * frames (local) may write while rendering; otherwise the finish line makes it from the MP4
   */
  preview?: string
}

export interface RenderJob {
  images: InputFile[]
  request: VideoRequest
  /** the formats to make, one file each; the first is the request's own */
  videos: JobVideo[]
  /** a private scratch directory for this job, removed by the caller */
  tempDir: string
  /** aborted on cancel (SIGINT/SIGTERM) or when the deadline passes */
  signal: AbortSignal
  /** epoch ms by which the backend part must be done */
  deadline: number
}

/** What was made for one JobVideo, in the same order. */
export interface RenderedVideo {
  video: RenderedFile
  /** where the cloud served the MP4 from; empty for local */
  videoUrl: string
  renderId: string
  /** the JobVideo's `preview`, when the backend wrote it */
  preview?: string
}

export interface RenderResult {
  videos: RenderedVideo[]
  sessionId: string
  draft: Draft
  creditsAvailable?: number
  /** browser link that lets a person claim an anonymous cloud session */
  claimUrl?: string
}

export interface Backend {
  readonly name: BackendName
  render(job: RenderJob): Promise<RenderResult>
}

export interface BackendOptions {
  nemo: { apiUrl: URL; token: string; allowAnonymous: boolean; clientId: string; pollIntervalMs: number }
  local: FfmpegSettings
}
