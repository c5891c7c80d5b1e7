// The action's log. Every line goes through safeText (untrusted.ts), so no string from a server, a
// file name or a repository file can become a workflow command. Which video a line belongs to comes from the
// async context (withVideoLog), so the code that logs needs no logger passed around:
// - one video: blocks (Session, Upload, Render…) are log groups;
// - a batch, one video at a time: each video is one group named after it, blocks are headings;
// - a batch, videos at once: each video's lines are held and written as one group when it ends,
//   so groups never nest and lines of different videos never mix.
import * as core from '@actions/core'
import { AsyncLocalStorage } from 'node:async_hooks'
import { oneLine, safeText } from './untrusted.js'

interface Sink {
  line(text: string): void
  block<T>(title: string, fn: () => Promise<T>): Promise<T>
}

/** Lines straight to the log; blocks are groups. */
const direct: Sink = {
  line: text => core.info(text),
  async block(title, fn) {
    core.startGroup(oneLine(title))
    try {
      return await fn()
    } finally {
      core.endGroup()
    }
  }
}

/** Inside a video's group: blocks become heading lines, never nested groups. */
class VideoSink implements Sink {
  private held: string[] = []
  private heldBytes = 0
  private dropped = 0
  constructor(private readonly hold: boolean) {}

  line(text: string): void {
    if (!this.hold) return core.info(text)
    // a video's held log is bounded: past the cap, later lines are dropped and counted
    if (this.heldBytes + text.length > MAX_HELD_BYTES) {
      this.dropped++
      return
    }
    this.held.push(text)
    this.heldBytes += text.length
  }

  async block<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.line(`── ${oneLine(title)} ──`)
    return fn()
  }

  /** Writes what was held, in one piece. */
  flush(): void {
    for (const text of this.held) core.info(text)
    if (this.dropped) core.info(`(${this.dropped} more log lines of this video were left out)`)
    this.held = []
    this.heldBytes = 0
    this.dropped = 0
  }
}

const MAX_HELD_BYTES = 4 * 1024 * 1024
const context = new AsyncLocalStorage<{ sink: Sink; name?: string }>()
const warnings: string[] = []

const sink = (): Sink => context.getStore()?.sink ?? direct

export const log = {
  info(text: string): void {
    sink().line(safeText(text))
  },
  /** An annotation, shown at once (also in a batch) and listed in the job summary. */
  warning(text: string): void {
    const name = context.getStore()?.name
    const message = `${name ? `Video '${name}': ` : ''}${safeText(text)}`
    warnings.push(message)
    core.warning(message)
    if (name) sink().line(`⚠️ ${safeText(text)}`)
  },
  debug(text: string): void {
    core.debug(safeText(text))
  },
  /** A titled block of the log: a group for a single video, a heading inside a video's group. */
  block<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return sink().block(title, fn)
  },
  /** Every warning of the run so far. */
  warnings(): readonly string[] {
    return warnings
  }
}

/**
 * Runs one video of a batch with its own log: a group named after it, written live when videos
 * run one at a time, or held and written whole when it ends when several run at once.
 */
export async function withVideoLog<T>(name: string, opts: { batch: boolean; parallel: boolean }, fn: () => Promise<T>): Promise<T> {
  if (!opts.batch) return context.run({ sink: direct }, fn)
  const video = new VideoSink(opts.parallel)
  const title = `🎬 ${oneLine(name)}`
  if (!opts.parallel) {
    core.startGroup(title)
    try {
      return await context.run({ sink: video, name }, fn)
    } finally {
      core.endGroup()
    }
  }
  core.info(`▶ ${oneLine(name)}: started`)
  try {
    return await context.run({ sink: video, name }, fn)
  } finally {
    core.startGroup(title)
    video.flush()
    core.endGroup()
  }
}
