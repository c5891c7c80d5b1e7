// A loopback emulation of the GitHub REST endpoints used for releases and their assets: release by
// tag (404 for drafts, as GitHub does), list (newest first, paginated with Link), create (422
// already_exists for a second published release of a tag; drafts may share a tag, as on GitHub;
// generated notes), delete, assets list (paginated), delete, and the upload to the release's
// upload_url (an RFC 6570 template on this same server, or on `uploadOrigin`).
// Requests are recorded with their headers; faults: 403 per route, already_exists races.
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type ReleasesRoute =
  | 'release-by-tag'
  | 'list-releases'
  | 'create-release'
  | 'delete-release'
  | 'get-release'
  | 'update-release'
  | 'list-assets'
  | 'delete-asset'
  | 'upload'
  | 'download'

export interface ReleasesRequest {
  route: ReleasesRoute | 'unknown'
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** bytes received (uploads) */
  size: number
}

export interface EmulatedAsset {
  id: number
  releaseId: number
  name: string
  contentType: string
  size: number
  sha256: string
  bytes: Buffer
  /** who made it: a test seed, an upload, or the emulated competing job */
  origin: 'seed' | 'upload' | 'race'
}

export interface ReleaseSpec {
  id?: number
  tag: string
  name?: string
  draft?: boolean
  prerelease?: boolean
  /** the commit a new tag is made at (create) */
  target?: string
  /** the release notes (Markdown) */
  body?: string
  /** where upload_url points (default: this server) */
  uploadOrigin?: string
  assets?: { name: string; bytes?: Buffer }[]
}

export interface ReleasesServer {
  url: string
  token: string
  owner: string
  repo: string
  releases: Required<Omit<ReleaseSpec, 'assets' | 'uploadOrigin'>>[]
  /** every body the release was updated to, in order */
  bodyUpdates: { id: number; body: string }[]
  requests: ReleasesRequest[]
  assets: EmulatedAsset[]
  /** every accepted upload, in order */
  uploads: EmulatedAsset[]
  fail: {
    /** answer 403 "Resource not accessible by integration" on these routes */
    forbidden: Set<ReleasesRoute>
    /** for the next N uploads, a competing job uploads the same name just before: 422 already_exists */
    raceUploads: number
  }
  /** the release JSON as GitHub returns it (e.g. for a `release` event payload) */
  releaseJson(tag: string): Record<string, unknown>
  close(): Promise<void>
}

export async function startReleasesServer(opts: {
  releases: ReleaseSpec[]
  owner?: string
  repo?: string
  token?: string
  /** each answer this much later (jobs writing the notes at the same moment then overlap as on GitHub) */
  latencyMs?: number
}): Promise<ReleasesServer> {
  const owner = opts.owner ?? 'octo-org'
  const repo = opts.repo ?? 'demo'
  const token = opts.token ?? `ghs_${randomBytes(18).toString('hex')}`
  const requests: ReleasesRequest[] = []
  const assets: EmulatedAsset[] = []
  const uploads: EmulatedAsset[] = []
  const fail: ReleasesServer['fail'] = { forbidden: new Set(), raceUploads: 0 }
  let nextAssetId = 5000
  const releases = opts.releases.map((r, i) => ({
    id: r.id ?? 100 + i,
    tag: r.tag,
    name: r.name ?? r.tag,
    draft: r.draft ?? false,
    prerelease: r.prerelease ?? false,
    target: r.target ?? '',
    body: r.body ?? ''
  }))
  let nextReleaseId = 900
  const bodyUpdates: { id: number; body: string }[] = []
  const uploadOrigin = new Map(opts.releases.map((r, i) => [releases[i].id, r.uploadOrigin]))

  const addAsset = (
    releaseId: number,
    name: string,
    bytes: Buffer,
    contentType: string,
    origin: EmulatedAsset['origin']
  ): EmulatedAsset => {
    const a = {
      id: nextAssetId++,
      releaseId,
      name,
      contentType,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes,
      origin
    }
    assets.push(a)
    return a
  }
  opts.releases.forEach((r, i) =>
    r.assets?.forEach(a => addAsset(releases[i].id, a.name, a.bytes ?? Buffer.from('old'), 'video/mp4', 'seed'))
  )

  const server = createServer((req, res) => {
    const late = opts.latencyMs ? new Promise(r => setTimeout(r, opts.latencyMs)) : Promise.resolve()
    late
      .then(() => handle(req, res))
      .catch(err => {
        if (!res.headersSent) res.writeHead(500).end(String(err))
      })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const repoPath = `/repos/${owner}/${repo}`

  const tagOf = (id: number): string => releases.find(r => r.id === id)?.tag ?? ''
  const assetJson = (a: EmulatedAsset): Record<string, unknown> => ({
    url: `${url}${repoPath}/releases/assets/${a.id}`,
    id: a.id,
    node_id: `RA_${a.id}`,
    name: a.name,
    label: '',
    content_type: a.contentType,
    state: 'uploaded',
    size: a.size,
    download_count: 0,
    browser_download_url: `${url}/${owner}/${repo}/releases/download/${encodeURIComponent(tagOf(a.releaseId))}/${encodeURIComponent(a.name)}`
  })
  const releaseJson = (tag: string): Record<string, unknown> => {
    const r = releases.find(x => x.tag === tag && !x.draft) ?? releases.find(x => x.tag === tag)
    if (!r) throw new Error(`no emulated release ${tag}`)
    return releaseJsonOf(r)
  }
  const releaseJsonOf = (r: (typeof releases)[number]): Record<string, unknown> => {
    return {
      url: `${url}${repoPath}/releases/${r.id}`,
      id: r.id,
      tag_name: r.tag,
      name: r.name,
      draft: r.draft,
      prerelease: r.prerelease,
      target_commitish: r.target || 'main',
      body: r.body,
      html_url: `${url}/${owner}/${repo}/releases/tag/${encodeURIComponent(r.tag)}`,
      upload_url: `${uploadOrigin.get(r.id) ?? url}${repoPath}/releases/${r.id}/assets{?name,label}`,
      assets: assets.filter(a => a.releaseId === r.id).map(assetJson)
    }
  }

  function json(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (body === undefined) return void res.writeHead(status, headers).end()
    res
      .writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': randomBytes(4).toString('hex'),
        ...headers
      })
      .end(JSON.stringify(body))
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', url)
    const p = u.pathname
    const m = req.method ?? 'GET'
    let route: ReleasesRoute | 'unknown' = 'unknown'
    let match: RegExpMatchArray | null = null
    if (m === 'GET' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/tags\/(.+)$/))) route = 'release-by-tag'
    else if (m === 'GET' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases$/))) route = 'list-releases'
    else if (m === 'POST' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases$/))) route = 'create-release'
    else if (m === 'DELETE' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)$/))) route = 'delete-release'
    else if (m === 'GET' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/))) route = 'list-assets'
    else if (m === 'GET' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)$/))) route = 'get-release'
    else if (m === 'PATCH' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)$/))) route = 'update-release'
    else if (m === 'DELETE' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/))) route = 'delete-asset'
    else if (m === 'POST' && (match = p.match(/^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/))) route = 'upload'
    else if (m === 'GET' && (match = p.match(/^\/[^/]+\/[^/]+\/releases\/download\/([^/]+)\/([^/]+)$/))) route = 'download'
    const body = route === 'upload' || route === 'update-release' || route === 'create-release' ? await readBody(req) : Buffer.alloc(0)
    const rec: ReleasesRequest = { route, method: m, path: p, query: u.searchParams, headers: req.headers, size: body.length }
    requests.push(rec)
    if (!match || route === 'unknown') return json(res, 404, { message: 'Not Found' })
    /** one page of `all` as GitHub pages a list: per_page (30, at most 100), page, and a Link header */
    const paged = (all: unknown[]): [number, unknown[], Record<string, string>] => {
      const per = Math.min(Number(u.searchParams.get('per_page') ?? 30), 100)
      const page = Number(u.searchParams.get('page') ?? 1)
      const last = Math.max(1, Math.ceil(all.length / per))
      const link = (n: number): string => {
        const q = new URLSearchParams(u.searchParams)
        q.set('page', String(n))
        return `${url}${p}?${q}`
      }
      return [
        200,
        all.slice((page - 1) * per, page * per),
        page < last ? { link: `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"` } : {}
      ]
    }
    if (!p.startsWith(`${repoPath}/`) && route !== 'download') return json(res, 404, { message: 'Not Found' })

    if (route === 'download') {
      const a = assets.find(x => tagOf(x.releaseId) === decodeURIComponent(match[1]) && x.name === decodeURIComponent(match[2]))
      if (!a) return json(res, 404, { message: 'Not Found' })
      return void res.writeHead(200, { 'content-type': a.contentType, 'content-length': a.size }).end(a.bytes)
    }
    const auth = req.headers.authorization ?? ''
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) return json(res, 401, { message: 'Bad credentials', status: '401' })
    if (fail.forbidden.has(route)) {
      return json(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/releases',
        status: '403'
      })
    }

    switch (route) {
      case 'release-by-tag': {
        const r = releases.find(x => x.tag === decodeURIComponent(match[1]) && !x.draft)
        return r ? json(res, 200, releaseJsonOf(r)) : json(res, 404, { message: 'Not Found', status: '404' })
      }
      case 'get-release':
      case 'update-release': {
        const r = releases.find(x => x.id === Number(match[1]))
        if (!r) return json(res, 404, { message: 'Not Found' })
        if (route === 'update-release') {
          const patch = JSON.parse(body.toString('utf8') || '{}') as { body?: unknown }
          if (typeof patch.body === 'string') {
            r.body = patch.body
            bodyUpdates.push({ id: r.id, body: r.body })
          }
        }
        return json(res, 200, releaseJsonOf(r))
      }
      case 'list-releases': {
        // newest first, as GitHub lists them
        const all = [...releases].sort((a, b) => b.id - a.id)
        return json(res, ...paged(all.map(releaseJsonOf)))
      }
      case 'create-release': {
        const want = JSON.parse(body.toString('utf8') || '{}') as {
          tag_name?: unknown
          name?: unknown
          draft?: unknown
          prerelease?: unknown
          target_commitish?: unknown
          generate_release_notes?: unknown
          body?: unknown
        }
        if (typeof want.tag_name !== 'string' || !want.tag_name)
          return json(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }]
          })
        const draft = want.draft === true
        if (!draft && releases.some(x => x.tag === want.tag_name && !x.draft))
          return json(res, 422, {
            message: 'Validation Failed',
            documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]
          })
        const r = {
          id: nextReleaseId++,
          tag: want.tag_name,
          name: typeof want.name === 'string' && want.name ? want.name : want.tag_name,
          draft,
          prerelease: want.prerelease === true,
          target: typeof want.target_commitish === 'string' ? want.target_commitish : '',
          body:
            want.generate_release_notes === true
              ? `## What's Changed\n* Faster sync by @octocat in ${url}/${owner}/${repo}/pull/7\n\n**Full Changelog**: ${url}/${owner}/${repo}/commits/${want.tag_name}`
              : typeof want.body === 'string'
                ? want.body
                : ''
        }
        releases.push(r)
        return json(res, 201, releaseJsonOf(r))
      }
      case 'delete-release': {
        const i = releases.findIndex(x => x.id === Number(match[1]))
        if (i < 0) return json(res, 404, { message: 'Not Found' })
        for (let k = assets.length - 1; k >= 0; k--) if (assets[k].releaseId === releases[i].id) assets.splice(k, 1)
        releases.splice(i, 1)
        return json(res, 204)
      }
      case 'list-assets': {
        const id = Number(match[1])
        if (!releases.some(r => r.id === id)) return json(res, 404, { message: 'Not Found' })
        return json(res, ...paged(assets.filter(a => a.releaseId === id).map(assetJson)))
      }
      case 'delete-asset': {
        const i = assets.findIndex(a => a.id === Number(match[1]))
        if (i < 0) return json(res, 404, { message: 'Not Found' })
        assets.splice(i, 1)
        return json(res, 204)
      }
      case 'upload': {
        const id = Number(match[1])
        if (!releases.some(r => r.id === id)) return json(res, 404, { message: 'Not Found' })
        // GitHub needs the length up front and stores spaces as dots
        const length = req.headers['content-length']
        if (length === undefined) return json(res, 411, { message: 'Length Required' })
        if (Number(length) !== body.length) return json(res, 400, { message: 'Content-Length mismatch' })
        const name = (u.searchParams.get('name') ?? '').replace(/ /g, '.')
        if (!name)
          return json(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }]
          })
        if (fail.raceUploads > 0) {
          fail.raceUploads--
          addAsset(id, name, randomBytes(64), 'video/mp4', 'race')
        }
        if (assets.some(a => a.releaseId === id && a.name === name)) {
          return json(res, 422, {
            message: 'Validation Failed',
            request_id: randomBytes(4).toString('hex'),
            documentation_url: 'https://docs.github.com/rest/releases/assets#upload-a-release-asset',
            errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]
          })
        }
        const a = addAsset(id, name, body, String(req.headers['content-type'] ?? ''), 'upload')
        uploads.push(a)
        return json(res, 201, assetJson(a))
      }
    }
  }

  return {
    url,
    token,
    owner,
    repo,
    releases,
    bodyUpdates,
    requests,
    assets,
    uploads,
    fail,
    releaseJson,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
