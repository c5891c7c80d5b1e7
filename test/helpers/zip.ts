// Reads a received ZIP back with the system unzip (a second, independent implementation), and
// writes one by hand for tests.
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateRawSync } from 'node:zlib'
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

/** A member of a ZIP written by hand: deflated or stored, and with a Unix mode when given (a link: 0o120777). */
export interface ZipMember {
  name: string
  data: Buffer | string
  deflate?: boolean
  mode?: number
}

/**
 * A ZIP of stored (uncompressed) entries, as an artifact a job could upload: for tests that hand
 * collect an artifact the action did not write. Names are written as given (`../x` included).
 */
export function storedZip(entries: Record<string, Buffer | string>): Buffer {
  return handZip(Object.entries(entries).map(([name, data]) => ({ name, data })))
}

/** A ZIP of the members as given: deflated ones (a bomb), links and names the action never writes included. */
export function handZip(members: ZipMember[]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const m of members) {
    const data = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data)
    const packed = m.deflate ? deflateRawSync(data) : data
    const n = Buffer.from(m.name)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(m.deflate ? 8 : 0, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(n.length, 26)
    const dir = Buffer.alloc(46)
    dir.writeUInt32LE(0x02014b50, 0)
    // made by Unix (3) when a mode is given, so the mode in the external attributes is read
    dir.writeUInt16LE(m.mode === undefined ? 20 : (3 << 8) | 20, 4)
    dir.writeUInt16LE(20, 6)
    dir.writeUInt16LE(0x0800, 8)
    dir.writeUInt16LE(m.deflate ? 8 : 0, 10)
    dir.writeUInt32LE(crc, 16)
    dir.writeUInt32LE(packed.length, 20)
    dir.writeUInt32LE(data.length, 24)
    dir.writeUInt16LE(n.length, 28)
    if (m.mode !== undefined) dir.writeUInt32LE((m.mode << 16) >>> 0, 38)
    dir.writeUInt32LE(offset, 42)
    locals.push(local, n, packed)
    central.push(dir, n)
    offset += local.length + n.length + packed.length
  }
  const size = central.reduce((s, b) => s + b.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(members.length, 8)
  end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(size, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, ...central, end])
}
