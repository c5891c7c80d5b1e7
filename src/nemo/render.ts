// Export, poll and download. Both status shapes are accepted (A: {success,data:{status,outputUrl}},
// B: {taskId,status,output:{url}}). The MP4 is streamed to a temp file beside `output`, checked,
// and renamed into place only when whole: `output` never holds a partial file.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { stream } from 'undici'
import type { Draft } from '../timeline.js'
import { isAllowedUrl } from '../urls.js'
import { NemoError } from './errors.js'
import { isConnectionError, type NemoHttp } from './http.js'

export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3

export interface RenderStatus {
  status: string
  progress?: number
  url?: string
  reason?: string
}

export function newRenderId(): string {
  return `render_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`
}

/** Reads either status shape. */
export function parseStatus(reply: Record<string, unknown>): RenderStatus {
  const inner = (reply.data && typeof reply.data === 'object' ? reply.data : reply) as Record<string, unknown>
  const output = (inner.output && typeof inner.output === 'object' ? inner.output : {}) as Record<string, unknown>
  const url = [inner.outputUrl, inner.output_url, output.url, inner.url, inner.downloadUrl].find(u => typeof u === 'string' && u) as string | undefined
  const progress = typeof inner.progress === 'number' ? inner.progress : undefined
  const reasonRaw = inner.error ?? inner.reason ?? inner.message ?? reply.error ?? reply.message
  const reason = typeof reasonRaw === 'string' ? reasonRaw : reasonRaw ? JSON.stringify(reasonRaw) : undefined
  return { status: String(inner.status ?? '').toLowerCase(), progress, url, reason }
}

export async function startExport(http: NemoHttp, sessionId: string, draft: Draft, signal: AbortSignal): Promise<string> {
  let lastErr: unknown
  // a duplicate or refused id gets one more try with a new id
  for (let attempt = 0; attempt < 2; attempt++) {
    const id = newRenderId()
    try {
      await http.call('POST', '/api/render/proxy/lambda', {
        what: 'Starting the export',
        json: { id, sessionId, draft, output: { format: 'mp4', quality: 'high' } },
        signal
      })
      return id
    } catch (err) {
      lastErr = err
      const status = err instanceof NemoError ? err.httpStatus : undefined
      if (!(status === 409 || status === 400) || attempt === 1) throw err
      core.info(`The export with id ${id} was refused (${(err as Error).message}); trying once more with a new id.`)
    }
  }
  throw lastErr
}

export async function cancelRender(http: NemoHttp, id: string): Promise<void> {
  try {
    await http.call('POST', `/api/render/proxy/lambda/${encodeURIComponent(id)}/cancel`, { what: 'Cancelling the render', signal: AbortSignal.timeout(2000), timeoutMs: 2000 })
    core.info(`Cancelled render ${id}.`)
  } catch (err) {
    core.info(`Could not cancel render ${id}: ${(err as Error).message}`)
  }
}

export class RenderFailed extends NemoError {}

/** Polls until completed; throws RenderFailed on `failed`, and a deadline error naming the render. */
export async function waitForRender(
  http: NemoHttp,
  id: string,
  opts: { intervalMs: number; deadline: number; signal: AbortSignal }
): Promise<string> {
  let last: RenderStatus
  let lastLogged = ''
  for (;;) {
    const reply = await http.call<Record<string, unknown>>('GET', `/api/render/proxy/lambda/${encodeURIComponent(id)}`, { what: `Polling render ${id}`, signal: opts.signal, idempotent: true })
    last = parseStatus(reply)
    const line = `${last.status}${last.progress !== undefined ? ` ${Math.round(last.progress)}%` : ''}`
    if (line !== lastLogged) core.info(`🎞  Render ${id}: ${line}`)
    lastLogged = line
    if (last.status === 'completed' || last.status === 'succeeded' || last.status === 'success') {
      if (!last.url) core.info(`Render ${id} completed without a URL; using the download endpoint.`)
      return last.url ?? ''
    }
    if (last.status === 'failed' || last.status === 'error' || last.status === 'cancelled') {
      throw new RenderFailed(`Render ${id} ${last.status}: ${last.reason ?? 'no reason given'}.`)
    }
    if (Date.now() + opts.intervalMs > opts.deadline) {
      await cancelRender(http, id)
      throw new NemoError(
        `Render ${id} did not complete before the deadline ('timeout-minutes'); last status ${last.status}${last.progress !== undefined ? ` at ${Math.round(last.progress)}%` : ''}. Raise 'timeout-minutes' or re-run the job.`
      )
    }
    await sleep(opts.intervalMs, undefined, { signal: opts.signal })
  }
}

export class BadDownload extends Error {}

/**
 * Streams `url` to a temp file beside `output`, checks it (length, MP4 signature, size cap) and
 * renames it into place. Authorization goes only to the API origin, also across redirects.
 */
export async function download(http: NemoHttp, url: URL, output: string, signal: AbortSignal): Promise<number> {
  const tmp = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.part`)
  let received = 0
  let expected: number | undefined
  try {
    let current = url
    for (let hop = 0; ; hop++) {
      if (!isAllowedUrl(current)) throw new BadDownload(`refusing to download from ${current.origin}: only https (or loopback http) is allowed`)
      const sameOrigin = current.origin === http.base.origin
      const headers = await http.headers({ auth: sameOrigin, signal })
      let redirect: string | undefined
      let statusCode = 0
      received = 0
      expected = undefined
      await stream(current, { method: 'GET', headers, signal, headersTimeout: 60_000, bodyTimeout: 60_000 }, ({ statusCode: code, headers: h }) => {
        statusCode = code
        if (statusCode >= 300 && statusCode < 400 && h.location) {
          redirect = String(h.location)
          return discard()
        }
        if (statusCode !== 200) return discard()
        const len = Number(h['content-length'])
        expected = Number.isFinite(len) ? len : undefined
        if (expected !== undefined && expected > MAX_DOWNLOAD_BYTES) throw new BadDownload(`the video is ${expected} bytes, over the ${MAX_DOWNLOAD_BYTES} byte cap`)
        const file = createWriteStream(tmp)
        // counts bytes and enforces the cap in front of the file; errors flow both ways so
        // nothing is written to a destroyed file and no 'error' goes unheard
        const counter = new Writable({
          highWaterMark: 1 << 20,
          write(chunk: Buffer, _enc, cb) {
            received += chunk.length
            if (received > MAX_DOWNLOAD_BYTES) return cb(new BadDownload(`the download passed the ${MAX_DOWNLOAD_BYTES} byte cap`))
            if (file.destroyed) return cb(new Error('the temp file was closed'))
            if (file.write(chunk)) return cb()
            const onDrain = (): void => {
              file.off('close', onDrain)
              cb()
            }
            file.once('drain', onDrain)
            file.once('close', onDrain)
          },
          final(cb) {
            file.end((err?: Error | null) => cb(err))
          },
          destroy(err, cb) {
            file.destroy()
            cb(err)
          }
        })
        file.on('error', err => counter.destroy(err))
        return counter
      })
      if (redirect) {
        if (hop >= 5) throw new BadDownload('too many redirects')
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
    throw new BadDownload(`${isConnectionError(err) ? 'truncated: the connection closed' : (err as Error).message}${got}`, { cause: err })
  }
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
