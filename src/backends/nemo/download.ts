// The rendered MP4, streamed into the job's temp file. Every byte goes through the MP4 inspector
// as it is written, so a body that is not a whole MP4 (truncated, cut short without a
// Content-Length, a web page) is known at its last byte and retried; the finish line gets the
// facts without reading the file again. Authorization goes only to the API origin, also across
// redirects; only https (or loopback http) is followed.
import { closeSync, openSync, writeSync } from 'node:fs'
import { Writable } from 'node:stream'
import { stream } from 'undici'
import { BadMp4Error, Mp4Inspector, type VideoFacts } from '../../media/mp4.js'
import { isAllowedUrl } from '../../shared/guards.js'
import { log } from '../../shared/log.js'
import { describeNetworkError, isConnectionError, NemoError, redact } from './errors.js'
import type { NemoClient } from './client.js'
import { timings } from './timings.js'

export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3
/** a JSON answer of the fallback endpoint (`{output:{url}}`) is small */
const MAX_JSON_BYTES = 1024 * 1024
const MAX_REDIRECTS = 5

/** One attempt failed in a way another attempt may not. */
export class BadDownload extends Error {}
/** Over the size cap: no other attempt will be smaller. */
class TooLarge extends BadDownload {}

export interface Downloaded {
  facts: VideoFacts
  /** the URL the MP4 finally came from (after redirects and a JSON pointer) */
  url: string
}

/**
 * One download of `url` into `file` (truncated first). Follows redirects and, once, a JSON body
 * that points at the MP4 (`{output:{url}}`, as one gateway's download endpoint answers).
 */
export async function download(client: NemoClient, url: URL, file: string, signal: AbortSignal): Promise<Downloaded> {
  const timeout = timings.requestTimeoutMs
  let received = 0
  let expected: number | undefined
  let current = url
  let pointers = 0
  try {
    for (let hop = 0; ; hop++) {
      if (!isAllowedUrl(current))
        throw new BadDownload(`refusing to download from ${current.protocol}//${current.host}: only https (or loopback http) is allowed`)
      const headers = await client.headersFor(current, signal)
      let redirect: string | undefined
      let statusCode = 0
      let json: Buffer[] | undefined
      const inspector = new Mp4Inspector()
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
          if (/json/i.test(String(h['content-type'] ?? ''))) {
            json = []
            return collect(json, MAX_JSON_BYTES)
          }
          if (expected !== undefined && expected > MAX_DOWNLOAD_BYTES)
            throw new TooLarge(`the video is ${expected} bytes, over the ${MAX_DOWNLOAD_BYTES} byte cap`)
          return fileSink(file, chunk => {
            received += chunk.length
            if (received > MAX_DOWNLOAD_BYTES) throw new TooLarge(`the download passed the ${MAX_DOWNLOAD_BYTES} byte cap`)
            inspector.update(chunk)
          })
        }
      )
      if (redirect) {
        if (hop >= MAX_REDIRECTS) throw new BadDownload(`too many redirects (more than ${MAX_REDIRECTS})`)
        current = new URL(redirect, current)
        continue
      }
      if (statusCode !== 200) throw new BadDownload(`HTTP ${statusCode}`)
      if (json) {
        const next = pointedUrl(Buffer.concat(json))
        if (!next || pointers++ > 0) throw new BadDownload('the body is JSON without a usable output.url')
        current = new URL(next, current)
        continue
      }
      if (expected !== undefined && received !== expected) throw new BadDownload(`truncated: ${received} of ${expected} bytes arrived`)
      try {
        return { facts: await inspector.finish(signal), url: current.href }
      } catch (err) {
        if (err instanceof BadMp4Error) throw new BadDownload(`the body is ${err.message}`)
        throw err
      }
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err
    if (err instanceof BadDownload) throw err
    const got = received > 0 || expected !== undefined ? ` after ${received}${expected !== undefined ? ` of ${expected}` : ''} bytes` : ''
    const what = isConnectionError(err) && received > 0 ? 'truncated: the connection closed' : describeNetworkError(err, timeout)
    throw new BadDownload(`${what}${got}`, { cause: err })
  }
}

/**
 * The rendered MP4 in `file`: the render's URL, once more on a bad download, then the API's
 * download endpoint; otherwise a failure that names every attempt. Over the cap is final.
 */
export async function downloadVideo(
  client: NemoClient,
  renderId: string,
  url: string,
  file: string,
  signal: AbortSignal
): Promise<Downloaded> {
  const fallback = client.url(`/api/render/proxy/${encodeURIComponent(renderId)}/download`)
  let primary: URL | undefined
  try {
    primary = url ? new URL(url, client.base) : undefined
  } catch {
    log.info(`Render ${renderId} gave an unusable URL; using the download endpoint.`)
  }
  const attempts: URL[] = primary ? [primary, primary, fallback] : [fallback, fallback]
  const errors: string[] = []
  for (const [i, target] of attempts.entries()) {
    try {
      const started = Date.now()
      const got = await download(client, target, file, signal)
      log.info(`⬇️  ${(got.facts.info.size / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
      return got
    } catch (err) {
      if (!(err instanceof BadDownload)) throw err
      errors.push(`${target === fallback ? 'fallback' : 'download'}: ${err.message}`) // NemoError redacts
      if (err instanceof TooLarge) break
      if (i < attempts.length - 1) {
        log.info(
          `The download failed (${redact(err.message)}); ${attempts[i + 1] === fallback ? 'trying the fallback download endpoint' : 'retrying'}.`
        )
      }
    }
  }
  throw new NemoError(`Could not download render ${renderId}: ${errors.join('; ')}. Nothing was written to the output. Re-run the job.`)
}

/** `output.url` (or a top-level url) of a JSON reply, if it has one. */
function pointedUrl(body: Buffer): string | undefined {
  try {
    const j = JSON.parse(body.toString('utf8')) as Record<string, unknown>
    const inner = (j.data && typeof j.data === 'object' ? j.data : j) as Record<string, unknown>
    const output = (inner.output && typeof inner.output === 'object' ? inner.output : {}) as Record<string, unknown>
    const u = [output.url, inner.outputUrl, inner.url].find(v => typeof v === 'string' && v)
    return u as string | undefined
  } catch {
    return undefined
  }
}

function discard(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() })
}

function collect(into: Buffer[], max: number): Writable {
  let size = 0
  return new Writable({
    write(chunk: Buffer, _e, cb) {
      size += chunk.length
      if (size > max) return cb(new BadDownload(`the JSON answer is over ${max} bytes`))
      into.push(chunk)
      cb()
    }
  })
}

/**
 * Chunks go straight to the file with a synchronous write: no second queue, no thread-pool hop per
 * chunk, and each buffer is released as soon as it is on disk; undici pauses the socket while a
 * write runs, which is the back-pressure.
 */
function fileSink(file: string, onChunk: (chunk: Buffer) => void): Writable {
  const fd = openSync(file, 'w')
  let open = true
  const close = (): void => {
    if (open) closeSync(fd)
    open = false
  }
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      try {
        onChunk(chunk)
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
