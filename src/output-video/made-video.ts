// A made video: at its `output`, with what the backend said about it. What the run reports, the
// cache records and a matrix job's record carries are all read from this one type.
import type { Previews } from '../inputs/video-files.js'
import type { TimelineSummary } from '../shared/timeline.js'
import type { FinishedVideo } from './finish.js'

/** A video that is at its `output`, with what the backend said about it. */
export interface MadeVideo {
  name: string
  video: FinishedVideo
  /** where the cloud served it; empty for local */
  videoUrl: string
  sessionId: string
  renderId: string
  timeline: TimelineSummary
  creditsAvailable?: number
  claimUrl?: string
  /** the poster and preview beside the MP4, when made */
  previews?: Previews
  /** restored from the cache: nothing was rendered */
  cacheHit: boolean
}
