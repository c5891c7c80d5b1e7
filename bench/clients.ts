// The action's own transfer code, run as a separate process so its time and peak RSS can be
// compared with curl's. Bundled to plain JS by bench/run.ts (no loader in the measurement).
//   upload <api-url> <token> <session-id> <file…>
//   download <api-url> <token> <url> <out>
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { InputFile } from '../src/input-files/input-file.js'
import { NemoClient } from '../src/backends/nemo/client.js'
import { download } from '../src/backends/nemo/download.js'
import { uploadFiles } from '../src/backends/nemo/upload.js'

const [mode, api, token, ...rest] = process.argv.slice(2)
const http = new NemoClient({ apiUrl: new URL(api), token, allowAnonymous: false, clientId: 'bench' })
const signal = new AbortController().signal
const t0 = performance.now()
if (mode === 'upload') {
  const [sid, ...paths] = rest
  const files: InputFile[] = await Promise.all(
    paths.map(async p => ({
      path: p,
      name: basename(p),
      size: (await stat(p)).size,
      kind: 'image' as const,
      type: 'jpg',
      mime: 'image/jpeg'
    }))
  )
  await uploadFiles(http, sid, files, signal)
} else if (mode === 'download') {
  const [url, out] = rest
  await download(http, new URL(url), out, signal)
} else {
  throw new Error(`unknown mode ${mode}`)
}
const ms = performance.now() - t0
process.stdout.write(`\nRESULT ${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`)
