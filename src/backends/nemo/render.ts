// Export and poll; the status replies are read by replies.ts. Cancel is best effort only: it
// comes from a withdrawn document, and the service may finish the render anyway.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { DeadlineError } from '../../shared/errors.js'
import { log } from '../../shared/log.js'
import type { Draft } from '../../shared/timeline.js'
import type { NemoClient } from './client.js'
import { CODE, HTTP, NemoError, RenderFailed } from './errors.js'
import { readRenderStatus, renderState, type RenderStatus } from './replies.js'

/** the longest a 429-slowed poll interval grows to */
const MAX_POLL_BACKOFF_MS = 60_000
/** poll failures in a row (after the client's own retry) before giving up on a render */
const MAX_POLL_FAILURES = 3

function newRenderId(): string {
  return `render_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`
}

/** Starts an export; a refused or duplicate id (or a failed attempt) gets one more try with a new id. */
export async function startExport(client: NemoClient, sessionId: string, draft: Draft, signal: AbortSignal): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const id = newRenderId()
    try {
      await client.call('POST', '/api/render/proxy/lambda', {
        what: 'Starting the export',
        json: { id, sessionId, draft, output: { format: 'mp4', quality: 'high' } },
        signal
      })
      return id
    } catch (err) {
      if (signal.aborted || attempt >= 2 || !(err instanceof NemoError)) throw err
      // the vendor: "on failure, a new id, retry once" (an HTTP 200 error envelope is a failure too).
      // Export is free and a new id never collides; a plan limit (402), a lost session (1002) or
      // missing credits (2001) will not change by trying again
      const final =
        err.httpStatus === HTTP.planLimit ||
        err.code === CODE.sessionNotFound ||
        err.code === CODE.outOfCredits ||
        err.code === CODE.tokenInvalid
      if (final) throw err
      log.info(`The export with id ${id} was refused (${err.message}); trying once more with a new id.`)
    }
  }
}

async function cancelRender(client: NemoClient, id: string): Promise<void> {
  try {
    // the job's signal is usually aborted by now: the cancel gets a short budget of its own
    await client.call('POST', `/api/render/proxy/lambda/${encodeURIComponent(id)}/cancel`, {
      what: 'Cancelling the render',
      signal: AbortSignal.timeout(3000),
      timeoutMs: 2000,
      idempotent: true
    })
    log.info(`Cancelled render ${id}.`)
  } catch (err) {
    log.info(`Could not cancel render ${id}: ${(err as Error).message}`)
  }
}

/**
 * Polls until the render completes and returns its URL (empty when the server gave none). Throws
 * RenderFailed on `failed`. Past the deadline, or when the job is cancelled, it cancels the render;
 * a missed deadline names the render and its last progress.
 */
export async function waitForRender(
  client: NemoClient,
  id: string,
  opts: { intervalMs: number; deadline: number; signal: AbortSignal }
): Promise<string> {
  let last: RenderStatus = { status: 'pending' }
  const pastDeadline = (): DeadlineError =>
    new DeadlineError(
      `Render ${id} did not complete before the deadline ('timeout-minutes'); last status ${last.status || 'unknown'}${last.progress !== undefined ? ` at ${Math.round(last.progress)}%` : ''}. Raise 'timeout-minutes' or re-run the job.`
    )
  let lastLogged = ''
  let interval = opts.intervalMs
  let failures = 0
  let cancelled = false
  const cancel = async (): Promise<void> => {
    if (cancelled) return
    cancelled = true
    await cancelRender(client, id)
  }
  try {
    for (;;) {
      try {
        const reply = await client.call<unknown>('GET', `/api/render/proxy/lambda/${encodeURIComponent(id)}`, {
          what: `Polling render ${id}`,
          signal: opts.signal,
          idempotent: true,
          // the MP4's URL is fetched as the server gave it, a token in it too (a signed URL)
          raw: true
        })
        last = readRenderStatus(reply)
        failures = 0
      } catch (err) {
        if (opts.signal.aborted || !(err instanceof NemoError)) throw err
        const status = err.httpStatus
        if (status === HTTP.rateLimited) {
          // the client already waited once; polling slower is the back-off
          interval = Math.min(interval * 2, MAX_POLL_BACKOFF_MS)
          log.info(`Render ${id}: polling too fast (HTTP 429); polling every ${(interval / 1000).toFixed(1)} s now.`)
        } else if ((status === undefined || status >= 500) && ++failures < MAX_POLL_FAILURES) {
          log.info(`Render ${id}: the status could not be read (${err.message}); trying again.`)
        } else {
          throw err
        }
      }
      const line = `${last.status || 'unknown'}${last.progress !== undefined ? ` ${Math.round(last.progress)}%` : ''}`
      if (line !== lastLogged) log.info(`🎞  Render ${id}: ${line}`)
      lastLogged = line
      const state = renderState(last.status)
      switch (state) {
        case 'done':
          if (!last.url) log.info(`Render ${id} completed without a URL; using the download endpoint.`)
          return last.url ?? ''
        case 'failed':
          throw new RenderFailed(`Render ${id} ${last.status}: ${last.reason ?? 'no reason given'}.`)
        case 'running':
          break
        default:
          throw new Error(`unhandled render state ${state satisfies never}`)
      }
      if (Date.now() + interval > opts.deadline) {
        await cancel()
        throw pastDeadline()
      }
      await sleep(interval, undefined, { signal: opts.signal })
    }
  } catch (err) {
    if (!opts.signal.aborted || cancelled) throw err
    // cancelled, or the job's own timer fired first: do not leave the render running
    await cancel()
    if (Date.now() >= opts.deadline - 250) throw pastDeadline()
    throw opts.signal.reason ?? err
  }
}
