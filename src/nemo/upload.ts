// One multipart upload of every file, streamed from disk with back-pressure: the body is an
// async generator of boundary lines and file chunks with an exact Content-Length, so nothing is
// buffered whole and undici pulls only as fast as the socket drains.
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import type { MediaFile } from '../media.js'
import type { NemoHttp } from './http.js'
import { NemoError } from './errors.js'

export interface UploadedFile {
  filename: string
  fileType?: string
  cdnUrl?: string
}

const CHUNK = 1 << 20

export function multipart(files: MediaFile[], onBytes: (n: number) => void = () => undefined): { body: () => Readable; length: number; contentType: string } {
  const boundary = `----img2vid${randomBytes(16).toString('hex')}`
  const quote = (s: string): string => s.replace(/[\r\n"\\]/g, c => encodeURIComponent(c))
  const heads = files.map(f =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${quote(f.name)}"\r\nContent-Type: ${f.mime}\r\n\r\n`)
  )
  const crlf = Buffer.from('\r\n')
  const tail = Buffer.from(`--${boundary}--\r\n`)
  const length = heads.reduce((n, h, i) => n + h.length + files[i].size + crlf.length, 0) + tail.length
  async function* body(): AsyncGenerator<Buffer> {
    for (const [i, f] of files.entries()) {
      yield heads[i]
      let sent = 0
      for await (const chunk of createReadStream(f.path, { highWaterMark: CHUNK })) {
        sent += (chunk as Buffer).length
        onBytes((chunk as Buffer).length)
        yield chunk as Buffer
      }
      if (sent !== f.size) throw new NemoError(`${f.name} changed size while it was being uploaded (${f.size} → ${sent} bytes).`)
      yield crlf
    }
    yield tail
  }
  // objectMode off: undici sees a byte stream and back-pressure works per MiB
  return { body: () => Readable.from(body(), { objectMode: false, highWaterMark: CHUNK }), length, contentType: `multipart/form-data; boundary=${boundary}` }
}

export async function uploadFiles(http: NemoHttp, sessionId: string, files: MediaFile[], signal: AbortSignal): Promise<UploadedFile[]> {
  const total = files.reduce((n, f) => n + f.size, 0)
  const mb = (n: number): string => (n / 1048576).toFixed(1)
  let done = 0
  let nextReport = 0.1
  const started = Date.now()
  const form = multipart(files, n => {
    done += n
    if (done / total >= nextReport) {
      core.info(`⬆️  ${Math.floor((done / total) * 100)}% (${mb(done)} of ${mb(total)} MB)`)
      nextReport = Math.floor((done / total) * 10 + 1) / 10
    }
  })
  core.info(`Uploading ${files.length} file${files.length === 1 ? '' : 's'} (${mb(total)} MB).`)
  const data = await http.call<{ files?: Array<Record<string, unknown>> }>('POST', `/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`, {
    what: 'Uploading the files',
    body: () => {
      done = 0
      nextReport = 0.1
      return form.body()
    },
    headers: { 'content-type': form.contentType, 'content-length': String(form.length) },
    signal,
    // large files on slow links: only inactivity counts
    timeoutMs: 300_000
  })
  const secs = Math.max((Date.now() - started) / 1000, 0.001)
  core.info(`Uploaded ${mb(total)} MB in ${secs.toFixed(1)} s (${mb(total / secs)} MB/s).`)
  return (data.files ?? []).map(f => ({
    filename: String(f.filename ?? ''),
    fileType: typeof f.file_type === 'string' ? f.file_type : undefined,
    cdnUrl: typeof f.cdn_url === 'string' ? f.cdn_url : undefined
  }))
}
