// The rendered MP4, streamed into the job's temp file. Every byte goes through the MP4 inspector
// as it is written, so a body that is not a whole MP4 (truncated, cut short without a
// Content-Length, a web page) is known at its last byte and retried; the finish line gets the
// facts without reading the file again. Authorization goes only to the API origin, also across
// redirects; only https (or loopback http) is followed, and no hop may connect into the runner's
// own network (guards.ts says which addresses). The URL is reported with every token as ***.
import { closeSync, openSync, writeSync } from 'node:fs'
import { isIP } from 'node:net'
import { Writable } from 'node:stream'
import { buildConnector, stream, type Agent } from 'undici'
import { Mp4Inspector, type VideoFacts } from '../../media/mp4.js'
import { BadMp4Error } from '../../media/errors.js'
import { addressRefusal, guardedLookup, isAllowedUrl, isLoopbackAddress, isLoopbackHost, type Resolver } from '../../shared/guards.js'
import { RefusedDestination } from '../../shared/errors.js'
import { log } from '../../shared/log.js'
import { BadDownload, describeNetworkError, isConnectionError, NemoError, redact, Refused, TooLarge } from './errors.js'
import type { NemoClient } from './client.js'
import { addressesOf, proxyAware, proxyFor } from './proxy.js'
import { pointedUrl } from './replies.js'
import { timings } from './timings.js'
import { transferMemoryBound } from '../../shared/transfer-memory.js'
import { MAX_VIDEO_BYTES } from '../../shared/file-caps.js'

/** a JSON answer of the fallback endpoint (`{output:{url}}`) is small */
const MAX_JSON_BYTES = 1024 * 1024
const MAX_REDIRECTS = 5

export interface Downloaded {
  facts: VideoFacts
  /** the URL the MP4 finally came from (after redirects and a JSON pointer), as reported: reportedUrl */
  url: string
}

/** One per API: its origin and whether it is loopback decide what the connector lets through. */
const agents = new Map<string, Agent>()

/**
 * The dispatcher of every download. Its connector checks the address each connection goes to: an
 * IP literal (as the URL parser normalised it: 0xa.1 is 10.0.0.1) before connecting, a name in the
 * lookup the socket connects with (guardedLookup), so what is checked is what is connected to. The
 * API's own origin is exempt: the user chose it, and every API call goes there with the token.
 * Loopback is allowed only when api-url is loopback; plain http must land on loopback.
 */
export function downloadAgent(api: URL, resolve?: Resolver): Agent {
  const allowLoopback = isLoopbackHost(api.hostname)
  const httpsRefusal = (address: string): string | undefined => addressRefusal(address, allowLoopback)
  const httpRefusal = (address: string): string | undefined =>
    httpsRefusal(address) ?? (isLoopbackAddress(address) ? undefined : 'not a loopback address (plain http goes only to loopback)')
  const guarded = {
    'https:': { refusal: httpsRefusal, connect: buildConnector({ lookup: guardedLookup(httpsRefusal, resolve) }) },
    'http:': { refusal: httpRefusal, connect: buildConnector({ lookup: guardedLookup(httpRefusal, resolve) }) }
  }
  const direct = buildConnector({})
  const apiEndpoint = endpoint(api.protocol, api.hostname, api.port)
  // a proxied hop never reaches this connector: downloadOnce checks its host before it is sent
  return proxyAware({
    connect: (opts, callback) => {
      if (endpoint(opts.protocol, opts.hostname, opts.port) === apiEndpoint) return direct(opts, callback)
      const rules = guarded[opts.protocol as keyof typeof guarded]
      if (!rules) return callback(new RefusedDestination(opts.hostname, opts.hostname, 'not reached over http or https'), null)
      // net.connect skips the lookup for an IP literal: it is checked here
      const host = opts.hostname.replace(/^\[|\]$/g, '')
      const why = isIP(host) ? rules.refusal(host) : undefined
      if (why) return callback(new RefusedDestination(host, host, why), null)
      rules.connect(opts, callback)
    }
  })
}

/**
 * A hop that goes through the runner's proxy: the connector never sees where it leads, so its host
 * is checked here as the connector checks a direct one. A name this runner cannot resolve is left
 * to the proxy (a proxied network often resolves only through it); a name that resolves here to an
 * address of the runner's own network is refused.
 */
async function checkProxiedHop(url: URL, api: URL): Promise<void> {
  if (!proxyFor(url) || endpoint(url.protocol, url.hostname, url.port) === endpoint(api.protocol, api.hostname, api.port)) return
  const addresses = await addressesOf(url.hostname).catch(() => [])
  for (const address of addresses) {
    const why = addressRefusal(address, isLoopbackHost(api.hostname))
    if (why) throw new RefusedDestination(url.hostname, address, why)
  }
}

function endpoint(protocol: string, hostname: string, port: string): string {
  return `${protocol}//${hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${port || (protocol === 'https:' ? '443' : '80')}`
}

function agentFor(api: URL): Agent {
  let agent = agents.get(api.origin)
  if (!agent) agents.set(api.origin, (agent = downloadAgent(api)))
  return agent
}

/** The refusal behind a failed request (undici may wrap it, autoSelectFamily aggregate it). */
function refusalIn(err: unknown, depth = 0): RefusedDestination | undefined {
  if (err instanceof RefusedDestination) return err
  if (!err || typeof err !== 'object' || depth > 3) return undefined
  const e = err as { cause?: unknown; errors?: unknown }
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = refusalIn(inner, depth + 1)
    if (found) return found
  }
  return undefined
}

const decode = (text: string, plus: boolean): string => {
  try {
    return decodeURIComponent(plus ? text.replace(/\+/g, ' ') : text)
  } catch {
    return text
  }
}
/** One part of a URL with every token this run used as ***, also when the part carries it URI-encoded. */
function scrub(part: string, plus = false): string {
  const decoded = decode(part, plus)
  const clean = redact(decoded)
  return clean === decoded ? part : encodeURIComponent(clean)
}

/**
 * The download URL as the action reports it (video-url, videos, the job summary, the cache
 * record): a server may echo the run's token into it (a signed-URL scheme, a misconfigured CDN),
 * and no output may carry a token. Raw anywhere, or URI-encoded in a path segment, a query name
 * or value or the fragment, it becomes ***; user info is never reported.
 */
export function reportedUrl(url: URL): string {
  let u: URL
  try {
    u = new URL(redact(url.href))
  } catch {
    return `${url.protocol}//***`
  }
  if (u.username || u.password) {
    u.username = '***'
    u.password = ''
  }
  u.pathname = u.pathname
    .split('/')
    .map(s => scrub(s))
    .join('/')
  if (u.search) {
    u.search = u.search
      .slice(1)
      .split('&')
      .map(pair => {
        const at = pair.indexOf('=')
        return at < 0 ? scrub(pair, true) : `${scrub(pair.slice(0, at), true)}=${scrub(pair.slice(at + 1), true)}`
      })
      .join('&')
  }
  if (u.hash) u.hash = scrub(u.hash.slice(1))
  return u.href
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
  // what led to `current`, for a refusal's message (the first hop of the fallback is the API's
  // origin, never refused)
  let whence = "the render's download URL"
  const dispatcher = agentFor(client.base)
  try {
    for (let hop = 0; ; hop++) {
      if (!isAllowedUrl(current))
        throw new BadDownload(`refusing to download from ${current.protocol}//${current.host}: only https (or loopback http) is allowed`)
      await checkProxiedHop(current, client.base)
      const headers = await client.headersFor(current, signal)
      let redirect: string | undefined
      let statusCode = 0
      let json: Buffer[] | undefined
      const inspector = new Mp4Inspector()
      const bound = transferMemoryBound()
      received = 0
      expected = undefined
      await stream(
        current,
        { method: 'GET', headers, signal, headersTimeout: timeout, bodyTimeout: timeout, dispatcher },
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
          if (expected !== undefined && expected > MAX_VIDEO_BYTES)
            throw new TooLarge(`the video is ${expected} bytes, over the ${MAX_VIDEO_BYTES} byte cap`)
          return fileSink(file, chunk => {
            received += chunk.length
            if (received > MAX_VIDEO_BYTES) throw new TooLarge(`the download passed the ${MAX_VIDEO_BYTES} byte cap`)
            inspector.update(chunk)
            bound(chunk.length)
          })
        }
      )
      if (redirect) {
        if (hop >= MAX_REDIRECTS) throw new BadDownload(`too many redirects (more than ${MAX_REDIRECTS})`)
        whence = `a redirect from ${current.hostname}`
        current = new URL(redirect, current)
        continue
      }
      if (statusCode !== 200) throw new BadDownload(`HTTP ${statusCode}`)
      if (json) {
        const next = pointedUrl(Buffer.concat(json))
        if (!next || pointers++ > 0) throw new BadDownload('the body is JSON without a usable output.url')
        whence = `the URL in the JSON answer from ${current.hostname}`
        current = new URL(next, current)
        continue
      }
      if (expected !== undefined && received !== expected) throw new BadDownload(`truncated: ${received} of ${expected} bytes arrived`)
      try {
        return { facts: await inspector.finish(signal), url: reportedUrl(current) }
      } catch (err) {
        if (err instanceof BadMp4Error) throw new BadDownload(`the body is ${err.message}`)
        throw err
      }
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err
    if (err instanceof BadDownload) throw err
    const refused = refusalIn(err)
    if (refused) {
      const at = isIP(current.hostname.replace(/^\[|\]$/g, '')) ? current.hostname : `${current.hostname} (${refused.address})`
      throw new Refused(`${whence} points at ${at}, ${refused.reason}: refused`)
    }
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
  for (let i = 0; i < attempts.length; i++) {
    const target = attempts[i]
    try {
      const started = Date.now()
      const got = await download(client, target, file, signal)
      log.info(`⬇️  ${(got.facts.info.size / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
      return got
    } catch (err) {
      if (!(err instanceof BadDownload)) throw err
      errors.push(`${target === fallback ? 'fallback' : 'download'}: ${err.message}`) // NemoError redacts
      if (err instanceof TooLarge) break
      // the same URL would be refused again: on to the next different one
      if (err instanceof Refused) while (attempts[i + 1] === target) i++
      if (i < attempts.length - 1) {
        log.info(
          `The download failed (${redact(err.message)}); ${attempts[i + 1] === fallback ? 'trying the fallback download endpoint' : 'retrying'}.`
        )
      }
    }
  }
  throw new NemoError(`Could not download render ${renderId}: ${errors.join('; ')}. Nothing was written to the output. Re-run the job.`)
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
