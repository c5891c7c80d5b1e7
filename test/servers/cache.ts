// A loopback emulation of the Actions cache service (v2) as @actions/cache uses it: the Twirp JSON
// CacheService on ACTIONS_RESULTS_URL (snake_case fields, int64 as strings, errors as {code,msg}),
// the Azure block-blob upload of the archive to the signed URL (path-style /account/container/blob
// for an IP host: one Put Blob, or Put Block + Put Block List) and the plain GET of the signed
// download URL (the client uses plain HTTP for a host that is not *.blob.core.windows.net).
// Entries are found by key and version (exact key first, then restore keys as prefixes, newest
// first); a second entry for a key and version that exist is refused, as GitHub does. Every request
// is recorded. Requests for other services (the artifact service) go to `upstream` when given, so
// one ACTIONS_RESULTS_URL serves both, as on a runner.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BlockBlobs, storageError, storageHeaders, twirp } from './results-service.js'

export type CacheRpc = 'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'GetCacheEntryDownloadURL'

export interface CacheRequest {
  kind: 'twirp' | 'blob'
  rpc?: CacheRpc
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
  json?: Record<string, unknown>
}

export interface CacheEntry {
  id: number
  key: string
  version: string
  blobPath: string
  /** the committed archive (tar + zstd, as the client made it) */
  archive?: Buffer
  size: number
  finalized: boolean
  createdAt: number
}

export interface CacheServer {
  url: string
  /** what points @actions/cache (v2) here, for a child action */
  env: Record<string, string>
  entries: CacheEntry[]
  /** requests to the cache service (Twirp and blobs); the ones passed upstream are not recorded */
  requests: CacheRequest[]
  /** every Twirp call answers this HTTP status (e.g. 500: the service is down) while set */
  fail: { twirp?: number; blob?: number }
  close(): Promise<void>
}

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'
const ACCOUNT = 'cacheacct'
const CONTAINER = 'caches'

/**
 * @param opts.upstream the results service for everything that is not the cache (its runtime
 *   token is then the one the client sends)
 */
export async function startCacheServer(opts: { upstream?: { url: string; runtimeToken: string } } = {}): Promise<CacheServer> {
  const runtimeToken = opts.upstream?.runtimeToken ?? `cache-token-${randomBytes(8).toString('hex')}`
  const sig = randomBytes(12).toString('hex')
  const entries: CacheEntry[] = []
  const requests: CacheRequest[] = []
  const fail: CacheServer['fail'] = {}
  const blobs = new BlockBlobs()
  let nextId = 1
  let clock = 0

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(err => {
        if (!res.headersSent) res.writeHead(500)
        res.end(String(err))
      })
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname.startsWith(SERVICE)) {
      const rpc = u.pathname.slice(SERVICE.length) as CacheRpc
      let json: Record<string, unknown>
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
      } catch {
        return twirp(res, 400, { code: 'malformed', msg: 'body is not JSON' })
      }
      requests.push({ kind: 'twirp', rpc, method: req.method ?? '', path: u.pathname, headers: req.headers, body, json })
      if (req.headers.authorization !== `Bearer ${runtimeToken}`)
        return twirp(res, 401, { code: 'unauthenticated', msg: 'invalid runtime token' })
      if (fail.twirp) return twirp(res, fail.twirp, { code: 'internal', msg: 'the cache service is having a bad day' })
      return rpcs(rpc, json, res)
    }
    if (u.pathname.startsWith(`/${ACCOUNT}/`)) {
      requests.push({ kind: 'blob', method: req.method ?? '', path: u.pathname, headers: req.headers, body })
      return blob(req, u, body, res)
    }
    if (opts.upstream) return forward(req, u, body, res, opts.upstream.url)
    return twirp(res, 404, { code: 'bad_route', msg: `no route ${u.pathname}` })
  }

  async function forward(req: IncomingMessage, u: URL, body: Buffer, res: ServerResponse, upstream: string): Promise<void> {
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v
    }
    const r = await fetch(new URL(u.pathname + u.search, upstream), {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : body
    })
    const out: Record<string, string> = {}
    r.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v
    })
    res.writeHead(r.status, out).end(Buffer.from(await r.arrayBuffer()))
  }

  const signed = (path: string, perms: string): string => `${base()}${path}?sv=2023-11-03&se=2099-01-01&sr=b&sp=${perms}&sig=${sig}`

  function rpcs(rpc: CacheRpc, j: Record<string, unknown>, res: ServerResponse): void {
    const key = String(j.key ?? '')
    const version = String(j.version ?? '')
    if (!key || !version) return twirp(res, 400, { code: 'invalid_argument', msg: 'key and version are required' })
    switch (rpc) {
      case 'CreateCacheEntry': {
        if (entries.some(e => e.key === key && e.version === version)) {
          return twirp(res, 409, { code: 'already_exists', msg: 'cache entry with the same key, version, and scope already exists' })
        }
        const id = nextId++
        const blobPath = `/${ACCOUNT}/${CONTAINER}/${id}.tzst`
        entries.push({ id, key, version, blobPath, size: 0, finalized: false, createdAt: ++clock })
        return twirp(res, 200, { ok: true, signed_upload_url: signed(blobPath, 'cw') })
      }
      case 'FinalizeCacheEntryUpload': {
        const e = entries.find(x => x.key === key && x.version === version && !x.finalized)
        if (!e) return twirp(res, 404, { code: 'not_found', msg: `no pending cache entry for ${key}` })
        if (!e.archive) return twirp(res, 400, { code: 'failed_precondition', msg: 'the archive was not uploaded' })
        if (String(e.archive.length) !== String(j.size_bytes)) {
          return twirp(res, 400, {
            code: 'invalid_argument',
            msg: `size_bytes ${String(j.size_bytes)} is not the upload's ${e.archive.length}`
          })
        }
        e.size = e.archive.length
        e.finalized = true
        return twirp(res, 200, { ok: true, entry_id: String(e.id) })
      }
      case 'GetCacheEntryDownloadURL': {
        const live = entries.filter(e => e.finalized && e.version === version).sort((a, b) => b.createdAt - a.createdAt)
        const restoreKeys = Array.isArray(j.restore_keys) ? j.restore_keys.map(String) : []
        const hit = live.find(e => e.key === key) ?? restoreKeys.map(p => live.find(e => e.key.startsWith(p))).find(Boolean)
        if (!hit) return twirp(res, 200, { ok: false, signed_download_url: '', matched_key: '' })
        return twirp(res, 200, { ok: true, signed_download_url: signed(hit.blobPath, 'r'), matched_key: hit.key })
      }
      default:
        return twirp(res, 404, { code: 'bad_route', msg: `no handler for ${String(rpc)}` })
    }
  }

  function blob(req: IncomingMessage, u: URL, body: Buffer, res: ServerResponse): void {
    if (u.searchParams.get('sig') !== sig) return storageError(res, 403, 'AuthenticationFailed')
    if (fail.blob) return storageError(res, fail.blob, 'InternalError')
    const e = entries.find(x => x.blobPath === decodeURIComponent(u.pathname))
    if (!e) return storageError(res, 404, 'BlobNotFound')
    if (req.method === 'GET') {
      if (!e.finalized || !e.archive) return storageError(res, 404, 'BlobNotFound')
      return void res
        .writeHead(200, { ...storageHeaders(), 'content-type': 'application/octet-stream', 'content-length': String(e.archive.length) })
        .end(e.archive)
    }
    if (req.method !== 'PUT' || e.finalized) return storageError(res, 409, 'BlobImmutable')
    blobs.put(req, u, body, res, e.blobPath, archive => (e.archive = archive))
  }

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const base = (): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: `${base()}/`,
    env: {
      ACTIONS_RESULTS_URL: `${base()}/`,
      ACTIONS_RUNTIME_TOKEN: runtimeToken,
      ACTIONS_CACHE_SERVICE_V2: 'True',
      GITHUB_SERVER_URL: 'https://github.com'
    },
    entries,
    requests,
    fail,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
