// What both emulations of GitHub's results service (artifacts: results.ts, cache: cache.ts) share:
// Twirp's JSON replies, and Azure Blob Storage taking an upload as the toolkit sends it.
import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

export function twirp(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

export function storageError(res: ServerResponse, status: number, code: string): void {
  res
    .writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, 'x-ms-request-id': randomUUID() })
    .end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`)
}

/** Headers of a successful storage reply. */
export function storageHeaders(): Record<string, string> {
  return {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2023-11-03',
    'x-ms-request-server-encrypted': 'true',
    date: new Date().toUTCString()
  }
}

/**
 * Block blob uploads: Put Block stages a block, Put Block List commits the listed blocks in order,
 * a Put Blob without `comp` is the whole blob at once. `commit` gets each finished blob.
 */
export class BlockBlobs {
  /** uncommitted blocks per blob path */
  private readonly staged = new Map<string, Map<string, Buffer>>()

  put(req: IncomingMessage, u: URL, body: Buffer, res: ServerResponse, path: string, commit: (blob: Buffer) => void): void {
    const ok = storageHeaders()
    const etag = { ...ok, etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`, 'last-modified': ok.date }
    const comp = u.searchParams.get('comp')
    const staged = this.staged.get(path) ?? new Map<string, Buffer>()
    this.staged.set(path, staged)
    if (comp === 'block') {
      const id = u.searchParams.get('blockid')
      if (!id) return storageError(res, 400, 'InvalidQueryParameterValue')
      staged.set(id, body)
      res.writeHead(201, ok).end()
    } else if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map(m => m[2])
      if (ids.some(id => !staged.has(id))) return storageError(res, 400, 'InvalidBlockList')
      commit(Buffer.concat(ids.map(id => staged.get(id) as Buffer)))
      this.staged.delete(path)
      res.writeHead(201, etag).end()
    } else if (!comp && req.headers['x-ms-blob-type'] === 'BlockBlob') {
      commit(body)
      res.writeHead(201, etag).end()
    } else {
      storageError(res, 400, 'UnsupportedQueryParameter')
    }
  }
}
