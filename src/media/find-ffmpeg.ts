// Finding ffmpeg: input 'ffmpeg-path', PATH, the tool cache, a configured verified download, Debian's
// package on Linux runners. What is found is opened (its version checked) by the runner in ffmpeg.ts.
import { aptInstall } from '../shared/apt.js'
import { log } from '../shared/log.js'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { createHash } from 'node:crypto'
import { constants, createReadStream } from 'node:fs'
import { access, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
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
  return { url: env.IMG2VID_FFMPEG_URL, sha256: env.IMG2VID_FFMPEG_SHA256 as string, version: env.IMG2VID_FFMPEG_VERSION || '0.0.0-custom' }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256')
  await pipeline(createReadStream(path), h)
  return h.digest('hex')
}

/** Downloads the archive, checks its SHA-256, extracts it and caches the folder holding ffmpeg. */
export async function downloadFfmpeg(src: FfmpegSource): Promise<string> {
  log.info(`Downloading ffmpeg ${src.version} from ${new URL(src.url).origin}…`)
  const archive = await tc.downloadTool(src.url)
  const got = await sha256File(archive)
  if (got.toLowerCase() !== src.sha256.toLowerCase()) {
    throw new FfmpegError(`The ffmpeg download failed its checksum (expected ${src.sha256}, got ${got}); not using it.`)
  }
  const dir = /\.zip$/i.test(src.url)
    ? await tc.extractZip(archive)
    : await tc.extractTar(archive, undefined, /\.xz$/i.test(src.url) ? 'xJ' : 'xz')
  const binDir = await findBinaryDir(dir)
  if (!binDir) throw new FfmpegError('The ffmpeg archive holds no ffmpeg binary.')
  const cached = await tc.cacheDir(binDir, 'img2vid-ffmpeg', src.version)
  return join(cached, 'ffmpeg')
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

export async function findFfmpeg(configured?: string): Promise<string> {
  if (configured) {
    if (!(await executable(configured))) throw new FfmpegError(`Input 'ffmpeg-path': no executable ffmpeg at '${configured}'.`)
    return configured
  }
  const onPath = await io.which('ffmpeg', false)
  if (onPath) return onPath
  const src = configuredSource()
  if (src) {
    const cached = tc.find('img2vid-ffmpeg', src.version)
    if (cached && (await executable(join(cached, 'ffmpeg')))) return join(cached, 'ffmpeg')
    return downloadFfmpeg(src)
  }
  // GitHub's Ubuntu runners have passwordless sudo: Debian's signed package is the verified source
  if (await aptInstall('ffmpeg', 'ffmpeg is not installed')) {
    const installed = await io.which('ffmpeg', false)
    if (installed) return installed
  }
  throw new FfmpegError("ffmpeg was not found: install it in an earlier step (e.g. 'sudo apt-get install -y ffmpeg') or set 'ffmpeg-path'.")
}

/** The ffmpeg to use, found and opened: its version read and checked once. */
export async function openFfmpeg(configured?: string): Promise<Ffmpeg> {
  return Ffmpeg.open(await findFfmpeg(configured))
}
