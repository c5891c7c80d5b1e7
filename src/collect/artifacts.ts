// This run's artifacts, with the real @actions/artifact client: the jobs' artifacts are listed,
// each downloaded as its ZIP and checked against the digest the service recorded, unpacked here,
// and after a merge deleted (as actions/upload-artifact/merge's delete-merged does).
//
// Any job of the run can upload an artifact (a matrix cell that builds a pull request's code, a
// compromised step), so an artifact is unpacked without trusting it: the client only downloads the
// ZIP (skipDecompress) into a private folder, and its central directory is read first (yauzl):
// only regular files with the names a job writes (records, MP4s, posters, previews), each under
// its cap, all of them under the ZIP's own size (a job stores its files uncompressed), or the
// artifact is refused whole before a byte of it is written. Each file is then written once, 'wx',
// under the member's checked name in a folder made here; yauzl holds every file to the size its
// directory says.
import { DefaultArtifactClient } from '@actions/artifact'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { minimatch } from 'minimatch'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { PREVIEW } from '../media/preview-format.js'
import { artifactUrl } from '../publish/artifact.js'
import { MAX_RECORD_BYTES, RECORD_SUFFIX } from '../report/video-record.js'
import { fileName } from '../shared/checks.js'
import { MAX_POSTER_BYTES, MAX_VIDEO_BYTES } from '../shared/file-caps.js'
import { errorMessage } from '../shared/errors.js'
import { log } from '../shared/log.js'
import { oneLine } from '../shared/untrusted.js'
import { CollectError } from './errors.js'

/** More artifacts than 256 jobs each with one per video would make is not a matrix's. */
const MAX_ARTIFACTS = 1000
/** A job renders at most 100 videos: an artifact with more records is not a job's. */
export const MAX_RECORDS_PER_ARTIFACT = 100
/** Its files: a record and, for each of up to four formats, an MP4, a poster and a preview; and their folders. */
const MAX_MEMBERS = MAX_RECORDS_PER_ARTIFACT * (1 + 4 * 3) * 2
/** Folders deep: a job's files sit under their deepest common folder (publish/artifact.ts:commonRoot). */
const MAX_DEPTH = 16
/** The files a job's artifact holds, by the ending of their names (the first that fits), and what each may weigh. */
const JOB_FILES: { ending: string; maxBytes: number }[] = [
  { ending: RECORD_SUFFIX, maxBytes: MAX_RECORD_BYTES },
  { ending: '.poster.jpg', maxBytes: MAX_POSTER_BYTES },
  { ending: '.preview.webp', maxBytes: PREVIEW.maxBytes },
  { ending: '.mp4', maxBytes: MAX_VIDEO_BYTES }
]
/**
 * What an artifact may unpack to beyond its own size: a job stores its files (level 0, MP4s do not
 * compress), so its artifact unpacks to less than the ZIP; the margin lets deflated records in,
 * never a ZIP that unpacks a thousandfold.
 */
const UNPACK_MARGIN = 16 * 1024 * 1024
/** A Unix mode's file type bits, and a regular file's. */
const S_IFMT = 0o170000
const S_IFREG = 0o100000

export interface JobArtifact {
  id: number
  name: string
  url: string
  size: number
  /** where its files are */
  dir: string
}

/** An artifact that is not one a job of this action uploaded: nothing of it was unpacked. */
export interface RefusedArtifact {
  id: number
  name: string
  reason: string
}

/** Why an artifact is refused. */
class ArtifactRefused extends Error {
  override name = 'ArtifactRefused'
}

/**
 * Lists the run's artifacts matching `pattern` (not `exclude`), downloads each and unpacks it into
 * `path/<name>`. An artifact that is not a job's (unpackArtifact) is refused with a warning, the
 * others are used; a download that fails or does not match its digest stops collect.
 */
export async function downloadArtifacts(opts: {
  pattern: string
  path: string
  exclude?: string
}): Promise<{ artifacts: JobArtifact[]; refused: RefusedArtifact[] }> {
  const client = new DefaultArtifactClient()
  const { artifacts } = await client.listArtifacts({ latest: true })
  const wanted = artifacts
    .filter(a => minimatch(a.name, opts.pattern, { dot: true }) && a.name !== opts.exclude)
    .sort((a, b) => a.id - b.id)
  if (!wanted.length) {
    throw new CollectError(
      `No artifact of this run matches '${opts.pattern}' (the run has ${artifacts.length}${
        artifacts.length
          ? `: ${artifacts
              .slice(0, 10)
              .map(a => `'${a.name}'`)
              .join(', ')}${artifacts.length > 10 ? ', …' : ''}`
          : ''
      }). Give collect 'needs:' on the matrix job, and 'pattern' the jobs' artifact names (by default the jobs name them img2vid-<first video>).`
    )
  }
  if (wanted.length > MAX_ARTIFACTS)
    throw new CollectError(`${wanted.length} artifacts match '${opts.pattern}', more than ${MAX_ARTIFACTS}: give a narrower 'pattern'.`)
  const out: JobArtifact[] = []
  const refused: RefusedArtifact[] = []
  for (const a of wanted) {
    // its folder is named after it: never '.' or '..' (names the service takes)
    if (!fileName(a.name)) {
      log.warning(`The artifact '${oneLine(a.name, 160)}' (id ${a.id}) is not named as a job names one: it was left out.`)
      refused.push({ id: a.id, name: a.name, reason: 'its name is not a folder name' })
      continue
    }
    // the ZIP alone, in a private folder of its own (the client names the file after the response)
    const temp = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'img2vid-artifact-'))
    try {
      const r = await client.downloadArtifact(a.id, { path: temp, expectedHash: a.digest, skipDecompress: true }).catch((err: unknown) => {
        throw new CollectError(`Downloading the artifact '${a.name}' (id ${a.id}) failed: ${errorMessage(err)}`, { cause: err })
      })
      if (r.digestMismatch)
        throw new CollectError(
          `The artifact '${a.name}' (id ${a.id}) came down with another SHA-256 than the service recorded for it: re-run collect; if it repeats, the artifact was changed.`
        )
      const files = await readdir(temp)
      if (files.length !== 1)
        throw new CollectError(`Downloading the artifact '${a.name}' (id ${a.id}) gave ${files.length} files, not its ZIP.`)
      const dir = join(opts.path, a.name)
      try {
        await unpackArtifact(join(temp, files[0]), dir)
      } catch (err) {
        if (!(err instanceof ArtifactRefused)) throw err
        log.warning(
          `The artifact '${a.name}' (id ${a.id}) is not one a job of this action uploaded: ${err.message}. Nothing of it was used.`
        )
        refused.push({ id: a.id, name: a.name, reason: err.message })
        continue
      }
      log.info(`⬇️ ${a.name} (id ${a.id}, ${(a.size / 1048576).toFixed(1)} MB)`)
      out.push({ id: a.id, name: a.name, url: artifactUrl(a.id), size: a.size, dir })
    } finally {
      await rm(temp, { recursive: true, force: true })
    }
  }
  return { artifacts: out, refused }
}

/** Why `name` is not a member a job writes, or undefined; `size` is what the ZIP says it unpacks to. */
function memberProblem(name: string, size: number): string | undefined {
  const parts = name.split('/')
  // eslint-disable-next-line no-control-regex -- a name with control characters is refused
  if (parts.length > MAX_DEPTH || !parts.every(p => fileName(p) && !/[\x00-\x1f\x7f]/.test(p))) return 'is not a plain file name'
  const kind = JOB_FILES.find(k => name.endsWith(k.ending))
  if (!kind) return 'is not a file the action writes (a record, an MP4, a poster or a preview)'
  if (size > kind.maxBytes) return `is ${size} bytes, over the ${kind.maxBytes} byte cap of its kind`
  return undefined
}

/**
 * Unpacks the artifact's ZIP into `into` (made here, with the folders its files sit in): every
 * member checked first, from the central directory, then each written once. Throws ArtifactRefused
 * for an archive that is not a job's.
 */
async function unpackArtifact(zipPath: string, into: string): Promise<void> {
  let zip: ZipFile
  try {
    zip = await promisify<string, yauzl.Options, ZipFile>(yauzl.open)(zipPath, {
      lazyEntries: true,
      autoClose: false,
      strictFileNames: true,
      validateEntrySizes: true
    })
  } catch (err) {
    throw new ArtifactRefused(`it is not a ZIP archive (${oneLine(errorMessage(err), 200)})`)
  }
  try {
    if (zip.entryCount > MAX_MEMBERS)
      throw new ArtifactRefused(`it holds ${zip.entryCount} files, more than a job uploads (${MAX_MEMBERS})`)
    const entries = await centralDirectory(zip)
    const files: Entry[] = []
    const seen = new Set<string>()
    let total = 0
    for (const e of entries) {
      const quoted = `'${oneLine(e.fileName, 160)}'`
      const mode = e.versionMadeBy >> 8 === 3 ? (e.externalFileAttributes >>> 16) & S_IFMT : 0
      if (e.fileName.endsWith('/')) {
        // a folder: nothing is made for it but the folders of the files in it
        if (e.uncompressedSize !== 0 || (mode !== 0 && mode !== 0o040000)) throw new ArtifactRefused(`${quoted} is not a folder`)
        continue
      }
      if (mode !== 0 && mode !== S_IFREG) throw new ArtifactRefused(`${quoted} is ${mode === 0o120000 ? 'a link' : 'not a regular file'}`)
      const problem = memberProblem(e.fileName, e.uncompressedSize)
      if (problem) throw new ArtifactRefused(`${quoted} ${problem}`)
      if (e.isEncrypted() || !e.canDecodeFileData())
        throw new ArtifactRefused(`${quoted} is encrypted or packed in a way the action does not write`)
      // told apart regardless of letter case, as macOS and Windows runners' disks do
      if (seen.has(e.fileName.toLowerCase())) throw new ArtifactRefused(`it holds ${quoted} twice`)
      seen.add(e.fileName.toLowerCase())
      total += e.uncompressedSize
      files.push(e)
    }
    const limit = zip.fileSize + UNPACK_MARGIN
    if (total > limit)
      throw new ArtifactRefused(`its files add up to ${total} bytes, more than its ${zip.fileSize} byte ZIP can hold unpacked`)

    await mkdir(into, { recursive: true })
    for (const e of files) {
      const to = join(into, ...e.fileName.split('/'))
      try {
        await mkdir(dirname(to), { recursive: true })
        const stream = await promisify<Entry, yauzl.ZipFileOptions, NodeJS.ReadableStream>(zip.openReadStream.bind(zip))(e, {})
        // 'wx': created here, never opened through anything already there
        await pipeline(stream, createWriteStream(to, { flags: 'wx' }))
      } catch (err) {
        // a full disk is the runner's problem; a name that is taken, or bytes that are not what the
        // directory says, are the artifact's
        const code = (err as NodeJS.ErrnoException).code
        if ((err as NodeJS.ErrnoException).syscall && code !== 'EEXIST' && code !== 'ENOTDIR') throw err
        throw new ArtifactRefused(`'${oneLine(e.fileName, 160)}' could not be unpacked (${oneLine(errorMessage(err), 200)})`)
      }
    }
  } catch (err) {
    // what was written of a refused artifact goes: none of it is used
    if (err instanceof ArtifactRefused) await rm(into, { recursive: true, force: true })
    throw err
  } finally {
    zip.close()
  }
}

/** Every entry of the ZIP's central directory, read before anything is unpacked. */
function centralDirectory(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = []
    zip.on('entry', (e: Entry) => {
      entries.push(e)
      zip.readEntry()
    })
    zip.on('end', () => resolve(entries))
    zip.on('error', (err: Error) => reject(new ArtifactRefused(`its directory cannot be read (${oneLine(err.message, 200)})`)))
    zip.readEntry()
  })
}

/** Deletes the merged artifacts; one that cannot be deleted is a warning (the merge stands). */
export async function deleteArtifacts(names: string[]): Promise<void> {
  const client = new DefaultArtifactClient()
  for (const name of names) {
    try {
      await client.deleteArtifact(name)
      log.info(`🗑 Deleted the artifact '${name}' ('delete-merged: true').`)
    } catch (err) {
      log.warning(`Could not delete the merged artifact '${name}': ${errorMessage(err)}`)
    }
  }
}
