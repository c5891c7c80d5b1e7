// A loopback emulation of the Actions results service as @actions/artifact uses it: the Twirp JSON
// ArtifactService (snake_case fields, int64 as strings, errors as {code,msg}) and the Azure
// block-blob upload to the signed URL (path-style /account/container/blob for an IP host), and the
// download of a finalized artifact from the signed URL GetSignedArtifactURL hands out.
// Every request is recorded; faults are one-shot per RPC.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BlockBlobs, storageError, twirp } from './results-service.js'

export type Rpc = 'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL' | 'DeleteArtifact'

export interface ResultsRequest {
  kind: 'twirp' | 'blob'
  rpc?: Rpc
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
  json?: Record<string, unknown>
}

export interface StoredArtifact {
  id: number
  name: string
  runId: string
  jobId: string
  /** size as FinalizeArtifact reported it */
  size: number
  /** the committed blob: the ZIP the client built */
  zip?: Buffer
  expiresAt?: string
  mimeType?: string
  hash?: string
  finalized: boolean
  blobPath: string
  createdAt: string
}

export interface TwirpFault {
  status: number
  code: string
  msg: string
}

export interface ResultsServer {
  url: string
  runtimeToken: string
  /** what points @actions/artifact here (for this process or a child action) */
  env: Record<string, string>
  runId: string
  jobId: string
  artifacts: StoredArtifact[]
  requests: ResultsRequest[]
  /** one-shot faults per RPC, consumed by the next call */
  fail: Partial<Record<Rpc, TwirpFault>>
  /** a finalized artifact already in the run (from an earlier step or job) */
  seed(name: string, zip?: Buffer): StoredArtifact
  close(): Promise<void>
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'
const ACCOUNT = 'results'
const CONTAINER = 'actions-results'

function b64url(v: object): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url')
}

export async function startResultsServer(): Promise<ResultsServer> {
  const runId = randomUUID()
  const jobId = randomUUID()
  const sig = randomBytes(12).toString('hex')
  // Unsigned JWT: the client only decodes the claims.
  const runtimeToken = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
    scp: `Actions.ExampleScope Actions.Results:${runId}:${jobId}`,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600
  })}.`
  const artifacts: StoredArtifact[] = []
  const requests: ResultsRequest[] = []
  const fail: ResultsServer['fail'] = {}
  const blobs = new BlockBlobs()
  let nextId = 1000

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks))
      } catch (err) {
        res.writeHead(500).end(String(err))
      }
    })
  })

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname.startsWith(SERVICE)) {
      const rpc = u.pathname.slice(SERVICE.length) as Rpc
      let json: Record<string, unknown>
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
      } catch {
        return twirp(res, 400, { code: 'malformed', msg: 'body is not JSON' })
      }
      requests.push({
        kind: 'twirp',
        rpc,
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body,
        json
      })
      if (req.headers.authorization !== `Bearer ${runtimeToken}`)
        return twirp(res, 401, { code: 'unauthenticated', msg: 'invalid runtime token' })
      const fault = fail[rpc]
      if (fault) {
        delete fail[rpc]
        return twirp(res, fault.status, { code: fault.code, msg: fault.msg })
      }
      if (json.workflow_run_backend_id !== runId) return twirp(res, 403, { code: 'permission_denied', msg: 'workflow run mismatch' })
      return rpcs(rpc, json, res)
    }
    requests.push({ kind: 'blob', method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body })
    return blob(req, u, body, res)
  }

  function rpcs(rpc: Rpc, j: Record<string, unknown>, res: ServerResponse): void {
    const name = String(j.name ?? '')
    const live = (a: StoredArtifact): boolean => a.runId === runId && a.finalized
    switch (rpc) {
      case 'CreateArtifact': {
        if (artifacts.some(a => live(a) && a.name === name)) {
          return twirp(res, 409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' })
        }
        const id = nextId++
        const blobPath = `/${ACCOUNT}/${CONTAINER}/${runId}/${id}.zip`
        const a: StoredArtifact = {
          id,
          name,
          runId,
          jobId: String(j.workflow_job_run_backend_id),
          size: 0,
          finalized: false,
          blobPath,
          expiresAt: j.expires_at as string | undefined,
          mimeType: j.mime_type as string | undefined,
          createdAt: new Date().toISOString()
        }
        artifacts.push(a)
        return twirp(res, 200, { ok: true, signed_upload_url: `${base()}${blobPath}?sv=2023-11-03&se=2099-01-01&sr=b&sp=cw&sig=${sig}` })
      }
      case 'FinalizeArtifact': {
        const a = artifacts.findLast(x => x.runId === runId && x.name === name && !x.finalized)
        if (!a) return twirp(res, 404, { code: 'not_found', msg: `no pending artifact named ${name}` })
        if (!a.zip) return twirp(res, 400, { code: 'failed_precondition', msg: 'blob was not committed' })
        a.size = Number(j.size ?? 0)
        a.hash = j.hash as string | undefined
        a.finalized = true
        return twirp(res, 200, { ok: true, artifact_id: String(a.id) })
      }
      case 'ListArtifacts': {
        const nameFilter = j.name_filter as string | undefined
        const idFilter = j.id_filter as string | undefined
        const found = artifacts.filter(
          a => live(a) && (nameFilter === undefined || a.name === nameFilter) && (idFilter === undefined || String(a.id) === idFilter)
        )
        return twirp(res, 200, {
          artifacts: found.map(a => ({
            workflow_run_backend_id: a.runId,
            workflow_job_run_backend_id: a.jobId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt,
            ...(a.hash ? { digest: a.hash } : {})
          }))
        })
      }
      case 'GetSignedArtifactURL': {
        const a = artifacts.find(x => live(x) && x.name === name)
        if (!a) return twirp(res, 404, { code: 'not_found', msg: `artifact ${name} not found` })
        return twirp(res, 200, { signed_url: `${base()}${a.blobPath}?sv=2023-11-03&se=2099-01-01&sr=b&sp=r&sig=${sig}` })
      }
      case 'DeleteArtifact': {
        const i = artifacts.findIndex(a => live(a) && a.name === name)
        if (i < 0) return twirp(res, 404, { code: 'not_found', msg: `artifact ${name} not found` })
        const [a] = artifacts.splice(i, 1)
        return twirp(res, 200, { ok: true, artifact_id: String(a.id) })
      }
      default:
        return twirp(res, 404, { code: 'bad_route', msg: `no handler for ${String(rpc)}` })
    }
  }

  function blob(req: IncomingMessage, u: URL, body: Buffer, res: ServerResponse): void {
    if (u.searchParams.get('sig') !== sig) return storageError(res, 403, 'AuthenticationFailed')
    const a = artifacts.find(x => x.blobPath === decodeURIComponent(u.pathname))
    if (a && req.method === 'GET' && a.finalized && a.zip) {
      // a download, as Azure serves a blob: the bytes, their type and length
      return void res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(a.zip.length) }).end(a.zip)
    }
    if (!a || req.method !== 'PUT') return storageError(res, 404, 'BlobNotFound')
    blobs.put(req, u, body, res, a.blobPath, zip => (a.zip = zip))
  }

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const base = (): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: `${base()}/`,
    runtimeToken,
    env: { ACTIONS_RESULTS_URL: `${base()}/`, ACTIONS_RUNTIME_TOKEN: runtimeToken, GITHUB_SERVER_URL: 'https://github.com' },
    runId,
    jobId,
    artifacts,
    requests,
    fail,
    seed(name, zip = Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary')) {
      const id = nextId++
      const a: StoredArtifact = {
        id,
        name,
        runId,
        jobId,
        size: zip.length,
        zip,
        finalized: true,
        blobPath: `/${ACCOUNT}/${CONTAINER}/${runId}/${id}.zip`,
        createdAt: new Date().toISOString()
      }
      artifacts.push(a)
      return a
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
