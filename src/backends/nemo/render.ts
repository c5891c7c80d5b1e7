// Export, poll and download. Both status shapes are accepted (A: {success,data:{status,outputUrl}},
// B: {taskId,status,output:{url}}). The MP4 is streamed to a temp file beside `output`, checked,
// and renamed into place only when whole: `output` never holds a partial file.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { stream } from 'undici'
import type { Draft } from '../../shared/timeline.js'
import { tuning } from './timings.js'
import { isAllowedUrl } from '../../shared/guards.js'
import { NemoError, describeNetworkError, isConnectionError, type NemoHttp } from './client.js'

export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3
/** the longest a 429-slowed poll interval grows to */
const MAX_POLL_BACKOFF_MS = 60_000
/** poll failures in a row (after the client's own retry) before giving up on a render */
const MAX_POLL_FAILURES = 3

export interface RenderStatus {
  status: string
  progress?: number
  url?: string
  reason?: string
}

const DONE = new Set(['completed', 'complete', 'succeeded', 'success', 'done', 'finished'])
const FAILED = new Set(['failed', 'failure', 'error', 'cancelled', 'canceled', 'timeout'])

export function newRenderId(): string {
  return `render_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`
}

/** Reads either status shape (and the envelope around shape A, when the client left it on). */
export function parseStatus(reply: Record<string, unknown>): RenderStatus {
  const inner = (reply.data && typeof reply.data === 'object' ? reply.data : reply) as Record<string, unknown>
  const output = (inner.output && typeof inner.output === 'object' ? inner.output : {}) as Record<string, unknown>
  const url = [
    inner.outputUrl,
    inner.output_url,
    output.url,
    typeof inner.output === 'string' ? inner.output : undefined,
    inner.url,
    inner.downloadUrl,
    inner.download_url
  ].find(u => typeof u === 'string' && u) as string | undefined
  const p = typeof inner.progress === 'string' ? Number(inner.progress) : inner.progress
  const progress = typeof p === 'number' && Number.isFinite(p) ? p : undefined
  const reasonRaw = inner.error ?? inner.reason ?? inner.errorMessage ?? inner.message ?? reply.error ?? reply.message
  const reason = typeof reasonRaw === 'string' ? reasonRaw : reasonRaw ? JSON.stringify(reasonRaw) : undefined
  return { status: String(inner.status ?? '').toLowerCase(), progress, url, reason }
}

/** Starts an export; a refused or duplicate id (or a failed attempt) gets one more try with a new id. */
export async function startExport(http: NemoHttp, sessionId: string, draft: Draft, signal: AbortSignal): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const id = newRenderId()
    try {
      await http.call('POST', '/api/render/proxy/lambda', {
        what: 'Starting the export',
        json: { id, sessionId, draft, output: { format: 'mp4', quality: 'high' } },
        signal
      })
      return id
    } catch (err) {
      if (signal.aborted || attempt >= 2 || !(err instanceof NemoError)) throw err
      // export is free and a new id never collides, so a second start is safe; a plan limit
      // (402), a lost session or missing credits will not change by trying again
      const status = err.httpStatus
      const retryable =
        status === 400 || status === 409 || status === 422 || (status !== undefined && status >= 500) || isConnectionError(err.cause)
      if (!retryable || status === 402 || err.code === 1002 || err.code === 2001) throw err
      core.info(`The export with id ${id} was refused (${err.message}); trying once more with a new id.`)
    }
  }
}

export async function cancelRender(http: NemoHttp, id: string): Promise<void> {
  try {
    // the job's signal is usually aborted by now: the cancel gets a short budget of its own
    await http.call('POST', `/api/render/proxy/lambda/${encodeURIComponent(id)}/cancel`, {
      what: 'Cancelling the render',
      signal: AbortSignal.timeout(3000),
      timeoutMs: 2000,
      idempotent: true
    })
    core.info(`Cancelled render ${id}.`)
  } catch (err) {
    core.info(`Could not cancel render ${id}: ${(err as Error).message}`)
  }
}

export class RenderFailed extends NemoError {}

/**
 * Polls until the render completes and returns its URL (empty when the server gave none). Throws
 * RenderFailed on `failed`. Past the deadline, or when the job is cancelled, it cancels the render;
 * a missed deadline names the render and its last progress.
 */
export async function waitForRender(
  http: NemoHttp,
  id: string,
  opts: { intervalMs: number; deadline: number; signal: AbortSignal }
): Promise<string> {
  let last: RenderStatus = { status: 'pending' }
  const pastDeadline = (): NemoError =>
    new NemoError(
      `Render ${id} did not complete before the deadline ('timeout-minutes'); last status ${last.status || 'unknown'}${last.progress !== undefined ? ` at ${Math.round(last.progress)}%` : ''}. Raise 'timeout-minutes' or re-run the job.`
    )
  let lastLogged = ''
  let interval = opts.intervalMs
  let failures = 0
  let cancelled = false
  const cancel = async (): Promise<void> => {
    if (cancelled) return
    cancelled = true
    await cancelRender(http, id)
  }
  try {
    for (;;) {
      try {
        const reply = await http.call<Record<string, unknown>>('GET', `/api/render/proxy/lambda/${encodeURIComponent(id)}`, {
          what: `Polling render ${id}`,
          signal: opts.signal,
          idempotent: true
        })
        last = parseStatus(reply)
        failures = 0
      } catch (err) {
        if (opts.signal.aborted || !(err instanceof NemoError)) throw err
        const status = err.httpStatus
        if (status === 429) {
          // the client already waited once; polling slower is the back-off
          interval = Math.min(interval * 2, MAX_POLL_BACKOFF_MS)
          core.info(`Render ${id}: polling too fast (HTTP 429); polling every ${(interval / 1000).toFixed(1)} s now.`)
        } else if ((status === undefined || status >= 500) && ++failures < MAX_POLL_FAILURES) {
          core.info(`Render ${id}: the status could not be read (${err.message}); trying again.`)
        } else {
          throw err
        }
      }
      const line = `${last.status || 'unknown'}${last.progress !== undefined ? ` ${Math.round(last.progress)}%` : ''}`
      if (line !== lastLogged) core.info(`🎞  Render ${id}: ${line}`)
      lastLogged = line
      if (DONE.has(last.status)) {
        if (!last.url) core.info(`Render ${id} completed without a URL; using the download endpoint.`)
        return last.url ?? ''
      }
      if (FAILED.has(last.status)) throw new RenderFailed(`Render ${id} ${last.status}: ${last.reason ?? 'no reason given'}.`)
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

export class BadDownload extends Error {}

/**
 * Streams `url` to a temp file beside `output`, checks it (length, MP4 signature, size cap) and
 * renames it into place. Authorization goes only to the API origin, also across redirects.
 */
export async function download(http: NemoHttp, url: URL, output: string, signal: AbortSignal): Promise<number> {
  const tmp = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.part`)
  const timeout = tuning.requestTimeoutMs
  let received = 0
  let expected: number | undefined
  try {
    let current = url
    for (let hop = 0; ; hop++) {
      if (!isAllowedUrl(current))
        throw new BadDownload(`refusing to download from ${current.origin}: only https (or loopback http) is allowed`)
      // redirects are followed here, not by undici, so the token never leaves the API origin
      const sameOrigin = current.origin === http.base.origin
      const headers = await http.headers({ auth: sameOrigin, signal })
      let redirect: string | undefined
      let statusCode = 0
      received = 0
      expected = undefined
      await stream(
        current,
        { method: 'GET', headers, signal, headersTimeout: timeout, bodyTimeout: timeout },
        ({ statusCode: code, headers: h }) => {
          statusCode = code
          if (statusCode >= 300 && statusCode < 400 && h.location) {
            redirect = String(h.location)
            return discard()
          }
          if (statusCode !== 200) return discard()
          const len = Number(h['content-length'])
          expected = h['content-length'] !== undefined && Number.isFinite(len) ? len : undefined
          if (expected !== undefined && expected > MAX_DOWNLOAD_BYTES)
            throw new BadDownload(`the video is ${expected} bytes, over the ${MAX_DOWNLOAD_BYTES} byte cap`)
          // chunks go straight to the file with a synchronous write: no second queue, no thread-pool
          // hop per chunk, and each buffer is released as soon as it is on disk; undici pauses the
          // socket while a write runs, which is the back-pressure
          const fd = openSync(tmp, 'w')
          let open = true
          const close = (): void => {
            if (open) closeSync(fd)
            open = false
          }
          return new Writable({
            highWaterMark: 1 << 20,
            write(chunk: Buffer, _enc, cb) {
              received += chunk.length
              if (received > MAX_DOWNLOAD_BYTES) return cb(new BadDownload(`the download passed the ${MAX_DOWNLOAD_BYTES} byte cap`))
              try {
                for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off)
                cb()
              } catch (err) {
                cb(err as Error)
              }
            },
            final(cb) {
              try {
                close()
                cb()
              } catch (err) {
                cb(err as Error)
              }
            },
            destroy(err, cb) {
              try {
                close()
              } catch {
                // the error being reported matters more than a failed close
              }
              cb(err)
            }
          })
        }
      )
      if (redirect) {
        if (hop >= 5) throw new BadDownload('too many redirects (more than 5)')
        current = new URL(redirect, current)
        continue
      }
      if (statusCode !== 200) throw new BadDownload(`HTTP ${statusCode}`)
      if (expected !== undefined && received !== expected) throw new BadDownload(`truncated: ${received} of ${expected} bytes arrived`)
      await checkMp4Signature(tmp)
      await rename(tmp, output)
      return received
    }
  } catch (err) {
    await rm(tmp, { force: true })
    if (signal.aborted) throw signal.reason ?? err
    if (err instanceof BadDownload) throw err
    const got = received > 0 || expected !== undefined ? ` after ${received}${expected !== undefined ? ` of ${expected}` : ''} bytes` : ''
    const what = isConnectionError(err) && received > 0 ? 'truncated: the connection closed' : describeNetworkError(err, timeout)
    throw new BadDownload(`${what}${got}`, { cause: err })
  }
}

/**
 * The rendered MP4 at `output`: the render's URL, once more on a bad download, then the API's
 * download endpoint; otherwise a failure that names every attempt.
 */
export async function downloadVideo(http: NemoHttp, renderId: string, url: string, output: string, signal: AbortSignal): Promise<void> {
  const fallback = http.url(`/api/render/proxy/${encodeURIComponent(renderId)}/download`)
  let primary: URL | undefined
  try {
    primary = url ? new URL(url, http.base) : undefined
  } catch {
    core.info(`Render ${renderId} gave an unusable URL; using the download endpoint.`)
  }
  const attempts: URL[] = primary ? [primary, primary, fallback] : [fallback, fallback]
  const errors: string[] = []
  for (const [i, target] of attempts.entries()) {
    try {
      const started = Date.now()
      const bytes = await download(http, target, output, signal)
      core.info(`⬇️  ${(bytes / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
      return
    } catch (err) {
      if (!(err instanceof BadDownload)) throw err
      errors.push(`${target === fallback ? 'fallback' : 'download'}: ${err.message}`)
      if (i < attempts.length - 1)
        core.info(
          `The download failed (${err.message}); ${attempts[i + 1] === fallback ? 'trying the fallback download endpoint' : 'retrying'}.`
        )
    }
  }
  throw new NemoError(`Could not download render ${renderId}: ${errors.join('; ')}. Nothing was written to '${output}'. Re-run the job.`)
}

function discard(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() })
}

async function checkMp4Signature(path: string): Promise<void> {
  const fh = await open(path, 'r')
  try {
    const head = Buffer.alloc(8)
    const { bytesRead } = await fh.read(head, 0, 8, 0)
    if (bytesRead < 8 || head.toString('latin1', 4, 8) !== 'ftyp') throw new BadDownload('the body is not an MP4 (no ftyp box)')
  } finally {
    await fh.close()
  }
}
