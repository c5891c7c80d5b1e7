// What the run made, the one record that the step's outputs and the job summary are written from.
import type { BackendName } from '../shared/options.js'
import type { VideoLinks } from '../publish/publish.js'
import type { MadeVideo } from '../output-video/made-video.js'

export interface VideoOutcome {
  name: string
  made?: MadeVideo
  /** why it was not made */
  error?: string
  /** not started because an earlier video failed (fail-fast) */
  skipped?: boolean
  links: VideoLinks
}

export interface RunReport {
  backend: BackendName
  /** the videos came from a manifest */
  batch: boolean
  workspace: string
  videos: VideoOutcome[]
  /** why publishing failed, when it did (the videos are still reported) */
  publishError?: string
  warnings: readonly string[]
}
