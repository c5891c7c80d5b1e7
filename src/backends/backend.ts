// The one interface both backends implement (the factory is create-backend.ts). A backend gets the input files and the request,
// writes the MP4 to the temp file it is given and says what it made; the finish line does the rest.
import type { InputFile } from '../input-files/input-file.js'
import type { BackendName } from '../inputs/options.js'
import type { RenderedFile } from '../output-video/finish.js'
import type { VideoRequest } from '../request/request.js'
import type { Draft } from '../shared/timeline.js'

export interface RenderJob {
  images: InputFile[]
  request: VideoRequest
  /** where the MP4 goes: a temp file beside `output` (the finish line renames it) */
  videoFile: string
  /** a private scratch directory for this job, removed by the caller */
  tempDir: string
  /** aborted on cancel (SIGINT/SIGTERM) or when the deadline passes */
  signal: AbortSignal
  /** epoch ms by which the backend part must be done */
  deadline: number
}

export interface RenderResult {
  video: RenderedFile
  /** where the cloud served the MP4 from; empty for local */
  videoUrl: string
  sessionId: string
  renderId: string
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
  local: { ffmpegPath?: string }
}
