// Reads a received ZIP back with the system unzip (a second, independent implementation).
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function unzipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  const path = join(await mkdtemp(join(tmpdir(), 'img2vid-zip-')), 'received.zip')
  await writeFile(path, zip)
  const { stdout } = await run('unzip', ['-Z1', path])
  const out = new Map<string, Buffer>()
  for (const name of stdout.split('\n').filter(Boolean)) {
    const r = await run('unzip', ['-p', path, name], { encoding: 'buffer', maxBuffer: 1 << 30 })
    out.set(name, r.stdout as unknown as Buffer)
  }
  return out
}
