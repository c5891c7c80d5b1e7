// Finding ffmpeg: input 'ffmpeg-path', PATH, the tool cache, a configured verified download, Debian's
// package on Linux runners. What is found is opened (its version checked) by the runner in ffmpeg.ts.
import { aptInstall, notInstalledHint, type InstallPolicy } from '../shared/apt.js'
import { log } from '../shared/log.js'
import { sha256File } from '../shared/sha256.js'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { constants } from 'node:fs'
import { access, copyFile, lstat, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FfmpegError } from './errors.js'
import { Ffmpeg } from './ffmpeg.js'

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** A verified download: `sha256` of the archive must match before anything is extracted. */
export interface FfmpegSource {
  url: string
  sha256: string
  version: string
}

/** A source set by the environment (e.g. an internal mirror); none is pinned by default. */
export function configuredSource(env: NodeJS.ProcessEnv = process.env): FfmpegSource | undefined {
  if (!env.IMG2VID_FFMPEG_URL) return undefined
  if (!/^[0-9a-f]{64}$/i.test(env.IMG2VID_FFMPEG_SHA256 ?? ''))
    throw new FfmpegError(
      'IMG2VID_FFMPEG_URL is set but IMG2VID_FFMPEG_SHA256 is not a SHA-256 (64 hex digits): a download is only used when its checksum is known.'
    )
  return {
    url: env.IMG2VID_FFMPEG_URL,
    sha256: (env.IMG2VID_FFMPEG_SHA256 as string).toLowerCase(),
    version: env.IMG2VID_FFMPEG_VERSION || '0.0.0-custom'
  }
}

/** The archive's name in its slot: the extension says how to extract it. */
const archiveName = (url: string): string => {
  const path = new URL(url).pathname
  return /\.zip$/i.test(path) ? 'ffmpeg.zip' : /\.xz$/i.test(path) ? 'ffmpeg.tar.xz' : 'ffmpeg.tar.gz'
}
/** The tool-cache slot of a pinned archive is named by its SHA-256: two pins never share one. */
const slotOf = (src: FfmpegSource): string => `img2vid-ffmpeg-${src.sha256.toLowerCase()}`

/** Pinned archives opened in this run: each is checked and extracted once. */
const pinned = new Map<string, Promise<string>>()

/**
 * The ffmpeg of a pinned archive. The archive (not its extracted files) is kept in the tool cache,
 * in a slot named by its SHA-256, and before each use it is copied into a fresh private folder
 * under RUNNER_TEMP, checked against the pin there and extracted there: what the tool cache holds
 * (on a self-hosted runner, any job's to change) is never run unchecked. Downloaded when not cached.
 */
export function pinnedFfmpeg(src: FfmpegSource): Promise<string> {
  let opened = pinned.get(src.sha256.toLowerCase())
  if (!opened) {
    opened = openPinned(src)
    pinned.set(src.sha256.toLowerCase(), opened)
    opened.catch(() => pinned.delete(src.sha256.toLowerCase()))
  }
  return opened
}

async function openPinned(src: FfmpegSource): Promise<string> {
  const name = archiveName(src.url)
  const slot = tc.find(slotOf(src), src.version)
  const cached = slot ? join(slot, name) : ''
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'img2vid-ffmpeg-'))
  const archive = join(dir, name)
  try {
    await fetchVerified(src, cached, slot, archive, name)
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const files = join(dir, 'files')
  if (name.endsWith('.zip')) await tc.extractZip(archive, files)
  else await tc.extractTar(archive, files, name.endsWith('.xz') ? 'xJ' : 'xz')
  await rm(archive, { force: true })
  const binDir = await findBinaryDir(files)
  if (!binDir) throw new FfmpegError('The ffmpeg archive holds no ffmpeg binary.')
  return join(binDir, 'ffmpeg')
}

/** The pinned archive at `archive`: copied from the tool cache and checked, or downloaded, checked and cached. */
async function fetchVerified(src: FfmpegSource, cached: string, slot: string, archive: string, name: string): Promise<void> {
  // lstat: a link planted in the slot (to /dev/zero, say) is not copied
  if (cached && (await lstat(cached).catch(() => undefined))?.isFile()) {
    await copyFile(cached, archive)
    const got = await sha256File(archive)
    if (got !== src.sha256.toLowerCase()) {
      throw new FfmpegError(
        `The ffmpeg archive in the tool cache (${cached}) no longer matches IMG2VID_FFMPEG_SHA256 (its SHA-256 is ${got}): not using it. Something changed the tool cache; remove ${slot} to download the archive again.`
      )
    }
  } else {
    log.info(`Downloading ffmpeg ${src.version} from ${new URL(src.url).origin}…`)
    await tc.downloadTool(src.url, archive)
    const got = await sha256File(archive)
    if (got !== src.sha256.toLowerCase()) {
      throw new FfmpegError(`The ffmpeg download failed its checksum (expected ${src.sha256}, got ${got}); not using it.`)
    }
    await tc.cacheFile(archive, name, slotOf(src), src.version)
  }
}

async function findBinaryDir(dir: string, depth = 0): Promise<string | undefined> {
  if (await executable(join(dir, 'ffmpeg'))) return dir
  if (depth > 3) return undefined
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      const hit = await findBinaryDir(join(dir, e.name), depth + 1)
      if (hit) return hit
    }
  }
  return undefined
}

/** Where the ffmpeg comes from, as the inputs say: 'ffmpeg-path', and whether a missing one may be installed. */
export interface FfmpegSettings extends InstallPolicy {
  path?: string
}

async function findFfmpeg(settings: FfmpegSettings): Promise<string> {
  const configured = settings.path
  if (configured) {
    if (!(await executable(configured))) throw new FfmpegError(`Input 'ffmpeg-path': no executable ffmpeg at '${configured}'.`)
    return configured
  }
  const onPath = await io.which('ffmpeg', false)
  if (onPath) return onPath
  const src = configuredSource()
  if (src) return pinnedFfmpeg(src)
  // GitHub's Ubuntu runners have passwordless sudo: Debian's signed package is the verified source
  if (await aptInstall('ffmpeg', 'ffmpeg is not installed', settings)) {
    const installed = await io.which('ffmpeg', false)
    if (installed) return installed
  }
  throw new FfmpegError(
    `ffmpeg was not found${notInstalledHint(settings)}: install it in an earlier step (e.g. 'sudo apt-get install -y ffmpeg') or set 'ffmpeg-path'.`
  )
}

/** The ffmpeg to use, found and opened: its version read and checked once. */
export async function openFfmpeg(settings: FfmpegSettings): Promise<Ffmpeg> {
  return Ffmpeg.open(await findFfmpeg(settings))
}
