// One multipart upload of every file, streamed from disk with back-pressure: the body is an
// async generator of boundary lines and file chunks with an exact Content-Length, so nothing is
// buffered whole and undici pulls only as fast as the socket drains.
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { Readable } from 'node:stream'
import type { InputFile } from '../../input-files/input-file.js'
import { timings } from './timings.js'
import type { NemoClient } from './client.js'
import { NemoError } from './errors.js'
import { log } from '../../shared/log.js'
import { transferMemoryBound } from '../../shared/transfer-memory.js'

export interface UploadedFile {
  /** the name NemoVideo knows the file by (the local name when it reports none) */
  filename: string
  fileType?: string
  cdnUrl?: string
}

const CHUNK = 1 << 20

export function multipart(
  files: InputFile[],
  onBytes: (n: number) => void = () => undefined
): { body: () => Readable; length: number; contentType: string } {
  const boundary = `----img2vid${randomBytes(16).toString('hex')}`
  const quote = (s: string): string => s.replace(/[\r\n"\\]/g, c => encodeURIComponent(c))
  const heads = files.map(f =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${quote(f.name)}"\r\nContent-Type: ${f.mime}\r\n\r\n`
    )
  )
  const crlf = Buffer.from('\r\n')
  const tail = Buffer.from(`--${boundary}--\r\n`)
  const length = heads.reduce((n, h, i) => n + h.length + files[i].size + crlf.length, 0) + tail.length
  // the parts in order: boundary heads and CRLFs as buffers, files as {file}
  const items: Array<Buffer | InputFile> = [...files.flatMap((f, i) => [heads[i], f, crlf]), tail]
  const body = (): Readable => {
    let at = 0
    let fd = -1
    let left = 0
    const bound = transferMemoryBound()
    const closeFile = (): void => {
      if (fd >= 0) closeSync(fd)
      fd = -1
    }
    // synchronous 1 MiB reads straight into push(): no async iterator or wrapper stream between
    // the disk and undici, and push() returning false is the back-pressure
    return new Readable({
      highWaterMark: CHUNK,
      read() {
        try {
          for (;;) {
            const item = items[at]
            if (item === undefined) return void this.push(null)
            if (Buffer.isBuffer(item)) {
              at++
              if (!this.push(item)) return
              continue
            }
            if (fd < 0) {
              fd = openSync(item.path, 'r')
              left = item.size
            }
            if (left === 0) {
              closeFile()
              at++
              continue
            }
            const buf = Buffer.allocUnsafe(Math.min(CHUNK, left))
            const n = readSync(fd, buf, 0, buf.length, null)
            // never past the announced size: a file that changed would break the Content-Length
            if (n === 0)
              throw new NemoError(`${item.name} changed size while it was being uploaded (${item.size} → ${item.size - left} bytes).`)
            left -= n
            onBytes(n)
            bound(n)
            if (!this.push(n === buf.length ? buf : buf.subarray(0, n))) return
          }
        } catch (err) {
          this.destroy(err as Error)
        }
      },
      destroy(err, cb) {
        closeFile()
        cb(err)
      }
    })
  }
  return { body, length, contentType: `multipart/form-data; boundary=${boundary}` }
}

export async function uploadFiles(client: NemoClient, sessionId: string, files: InputFile[], signal: AbortSignal): Promise<UploadedFile[]> {
  const total = files.reduce((n, f) => n + f.size, 0)
  const mb = (n: number): string => (n / 1048576).toFixed(n < 10 * 1048576 ? 2 : 1)
  let done = 0
  let nextReport = 0.1
  const started = Date.now()
  const form = multipart(files, n => {
    done += n
    if (total > 0 && done / total >= nextReport) {
      log.info(`⬆️  ${Math.floor((done / total) * 100)}% (${mb(done)} of ${mb(total)} MB)`)
      nextReport = Math.floor((done / total) * 10 + 1) / 10
    }
  })
  log.info(`Uploading ${files.length} file${files.length === 1 ? '' : 's'} (${mb(total)} MB).`)
  const data = await client.call<{ files?: Array<Record<string, unknown>> }>(
    'POST',
    `/api/upload-video/nemo_agent/me/${encodeURIComponent(sessionId)}`,
    {
      what: 'Uploading the files',
      body: () => {
        done = 0
        nextReport = 0.1
        return form.body()
      },
      headers: { 'content-type': form.contentType, 'content-length': String(form.length) },
      signal,
      // uploads are not charged; a repeat at worst lists a file twice in the session
      idempotent: true,
      // inactivity limit; the server may digest large files a while before it answers
      timeoutMs: Math.max(timings.requestTimeoutMs, 300_000)
    }
  )
  const secs = Math.max((Date.now() - started) / 1000, 0.001)
  log.info(`Uploaded ${mb(total)} MB in ${secs.toFixed(1)} s (${mb(total / secs)} MB/s).`)
  const listed = Array.isArray(data.files) ? data.files : []
  if (listed.length !== files.length) {
    log.info(`NemoVideo listed ${listed.length} of the ${files.length} uploaded files; the agent is told the local names.`)
  }
  // the server may rename files; the agent knows them by the names it reports
  return files.map((f, i) => {
    const r = listed.length === files.length ? listed[i] : undefined
    const name = typeof r?.filename === 'string' && r.filename ? r.filename : f.name
    return {
      filename: name,
      fileType: typeof r?.file_type === 'string' ? r.file_type : undefined,
      cdnUrl: typeof r?.cdn_url === 'string' ? r.cdn_url : undefined
    }
  })
}
