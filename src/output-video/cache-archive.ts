// A cache entry read without trusting it. Anyone who can write an entry a run reads (a job on the
// default branch that runs a compromised dependency, a pull_request_target job that runs PR code)
// chooses its archive. @actions/cache's restoreCache extracts that archive with
// `tar -P -C $GITHUB_WORKSPACE` before its caller sees a byte: `../` and absolute names, links and
// any path of the workspace (`.git/hooks/…`) are written. So a hit is found and downloaded by the
// toolkit's own client (its internal functions: the very calls restoreCache makes, for both cache
// services) into a fresh private folder, and unpacked here, in the process: only regular files with
// the exact names the action saves, each under its size cap, each written once under a name chosen
// here (never the member's). Anything else refuses the whole entry before any of it is used.
// (Folder members of exactly the entry's own folders are skipped: nothing is made for them.)
import { createReadStream, createWriteStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { constants, createGunzip, createZstdDecompress } from 'node:zlib'
import { extract } from 'tar-stream'
import { oneLine } from '../shared/untrusted.js'
import { EntryRefused } from './errors.js'

/** One file an entry may hold: its name in the archive, its file in the private folder, its cap. */
export interface Member {
  name: string
  file: string
  maxBytes: number
}

/**
 * @actions/cache's zstd archives are made with `--long=30` (a window of up to 1 GiB, which it
 * reads back with `unzstd --long=30`); the window's memory is only touched as far as the data goes.
 */
const ZSTD_WINDOW_LOG_MAX = 30
/** tar's headers (pax records with times), padding and end blocks around the members' bytes */
const TAR_OVERHEAD = 1024 * 1024

type Config = typeof import('../../node_modules/@actions/cache/lib/internal/config.js')
type Utils = typeof import('../../node_modules/@actions/cache/lib/internal/cacheUtils.js')
type HttpClient = typeof import('../../node_modules/@actions/cache/lib/internal/cacheHttpClient.js')
type Twirp = typeof import('../../node_modules/@actions/cache/lib/internal/shared/cacheTwirpClient.js')
let internals: Promise<[Config, Utils, HttpClient, Twirp]> | undefined
/**
 * The toolkit's internal modules, loaded on first use. They are not in its package exports, so
 * they are named by path; their types come with them, so an upgrade that moves or changes them
 * fails the type check and the build, never a run.
 */
const cacheInternals = (): Promise<[Config, Utils, HttpClient, Twirp]> =>
  (internals ??= Promise.all([
    import('../../node_modules/@actions/cache/lib/internal/config.js'),
    import('../../node_modules/@actions/cache/lib/internal/cacheUtils.js'),
    import('../../node_modules/@actions/cache/lib/internal/cacheHttpClient.js'),
    import('../../node_modules/@actions/cache/lib/internal/shared/cacheTwirpClient.js')
  ]))

/**
 * Looks the entry of `key` (saved with `paths`, which make its version) up with the cache service
 * and downloads its archive to `archive`, as restoreCache does, without extracting it. The exact
 * key only (no restore keys). Returns why there is nothing to restore, or undefined when the
 * archive is there; a failing service throws.
 */
export async function downloadEntry(paths: string[], key: string, archive: string): Promise<string | undefined> {
  const [config, utils, http, twirp] = await cacheInternals()
  const mode = config.getCacheMode()
  if (!config.isCacheReadable(mode)) return `the cache mode '${mode}' does not permit reads`
  const compressionMethod = await utils.getCompressionMethod()
  if (config.getCacheServiceVersion() === 'v2') {
    const version = utils.getCacheVersion(paths, compressionMethod, false)
    const found = await twirp.internalCacheTwirpClient().GetCacheEntryDownloadURL({ key, restoreKeys: [], version })
    if (!found.ok || found.matchedKey !== key || !found.signedDownloadUrl) return `no entry for ${key}`
    // restoreCache downloads from the v2 service with the Azure SDK
    await http.downloadCache(found.signedDownloadUrl, archive, { useAzureSdk: true })
    return undefined
  }
  const found = await http.getCacheEntry([key], paths, { compressionMethod, enableCrossOsArchive: false })
  if (!found?.archiveLocation || found.cacheKey !== key) return `no entry for ${key}`
  await http.downloadCache(found.archiveLocation, archive)
  return undefined
}

/** The decompressor for the archive's first bytes: zstd or gzip, as @actions/cache makes them. */
async function decompressor(archive: string): Promise<Transform> {
  const fh = await open(archive, 'r')
  const head = Buffer.alloc(4)
  try {
    await fh.read(head, 0, 4, 0)
  } finally {
    await fh.close()
  }
  if (head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
    return createZstdDecompress({ params: { [constants.ZSTD_d_windowLogMax]: ZSTD_WINDOW_LOG_MAX } })
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return createGunzip()
  throw new EntryRefused('its archive is neither zstd nor gzip')
}

/**
 * Unpacks `archive` into the private folder `into`: each of `members` exactly once, as a regular
 * file under its cap, nothing else. The bytes decompressed are counted and capped too (a small
 * archive must not decompress forever). Throws EntryRefused when the entry is not the action's.
 */
export async function unpackEntry(archive: string, into: string, members: Member[]): Promise<void> {
  const byName = new Map(members.map(m => [m.name, m]))
  // the members' own folders ('a/', 'a/b/'), which tar adds when a folder rather than its files is
  // packed: skipped, as nothing is ever made from a member's name
  const folders = new Set(
    members.flatMap(m =>
      m.name
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`)
    )
  )
  const maxBytes = members.reduce((n, m) => n + m.maxBytes, TAR_OVERHEAD)
  // compressed, the members are no larger than they are (zstd and gzip add bytes only to noise)
  const { size } = await stat(archive)
  if (size > maxBytes * 1.01) throw new EntryRefused(`its archive is ${size} bytes, more than the files it may hold`)

  let total = 0
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length
      if (total > maxBytes) done(new EntryRefused(`its archive decompresses to more than ${maxBytes} bytes`))
      else done(null, chunk)
    }
  })
  const tar = extract()
  const feed = pipeline(createReadStream(archive), await decompressor(archive), count, tar)
  // settled below; when the loop stops first, its error is the one reported
  feed.catch(() => undefined)
  const seen = new Set<string>()
  try {
    for await (const entry of tar) {
      const { name, type, size: bytes } = entry.header
      const quoted = `'${oneLine(name, 160)}'`
      if (type === 'directory' && folders.has(name)) {
        entry.resume()
        continue
      }
      const member = byName.get(name)
      if (!member) throw new EntryRefused(`it holds ${quoted}, which the action does not write`)
      if (type !== 'file') throw new EntryRefused(`${quoted} is a ${type}, not a regular file`)
      if (seen.has(name)) throw new EntryRefused(`it holds ${quoted} twice`)
      if (bytes > member.maxBytes) throw new EntryRefused(`${quoted} is ${bytes} bytes, over the ${member.maxBytes} byte cap`)
      seen.add(name)
      // 'wx': created here, never opened through anything already there
      await pipeline(entry, createWriteStream(join(into, member.file), { flags: 'wx' }))
    }
    await feed
  } catch (err) {
    tar.destroy()
    await feed.catch(() => undefined)
    // a file system error (a full disk) is the runner's, not the entry's
    if (err instanceof EntryRefused || (err as NodeJS.ErrnoException).syscall) throw err
    // tar-stream's words for a header that is not tar, and the decompressor's for a broken stream
    throw new EntryRefused(`its archive is not a whole tar archive: ${(err as Error).message}`)
  }
  const missing = members.filter(m => !seen.has(m.name)).map(m => m.file)
  if (missing.length) throw new EntryRefused(`it lacks ${missing.join(', ')}`)
}
