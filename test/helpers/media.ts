// Real media for tests, made by ffmpeg and cached in the OS temp dir (checked once per process).
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const cacheDir = join(tmpdir(), 'img2vid-test-media')

const made = new Map<string, Promise<string>>()

/** ffmpeg's output checked by ffprobe (it reads every stream's header): true when a test can use it. */
async function readable(path: string): Promise<boolean> {
  try {
    await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv', path])
    return true
  } catch {
    return false
  }
}

// The cache outlives the process and is shared by every checkout on the machine, so an entry is
// used only once ffprobe reads it (an entry cut short by a killed run is made again), and each
// maker writes its own randomly named temporary file before the rename.
function cached(key: string, ext: string, args: (out: string) => string[]): Promise<string> {
  const name = createHash('sha256').update(key).digest('hex').slice(0, 16)
  const out = join(cacheDir, `${name}.${ext}`)
  let p = made.get(out)
  if (!p) {
    p = (async () => {
      await mkdir(cacheDir, { recursive: true })
      if (existsSync(out) && (await readable(out))) return out
      const tmp = `${out}.${randomBytes(6).toString('hex')}.tmp.${ext}`
      try {
        await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args(tmp)])
        if (!(await readable(tmp))) throw new Error(`ffmpeg made an unreadable ${key}`)
        await rename(tmp, out)
      } finally {
        await rm(tmp, { force: true })
      }
      return out
    })()
    made.set(out, p)
    p.catch(() => made.delete(out))
  }
  return p
}

/** A real H.264 MP4 (faststart), optionally with an AAC track. */
export function makeMp4(opts: { width?: number; height?: number; seconds?: number; fps?: number; audio?: boolean } = {}): Promise<string> {
  const { width = 320, height = 180, seconds = 2, fps = 10, audio = false } = opts
  const key = `mp4:${width}x${height}:${seconds}:${fps}:${audio}`
  return cached(key, 'mp4', out => [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac', '-shortest'] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    out
  ])
}

/** A real still image; `seed` varies the picture so images differ. */
export function makeImage(
  opts: { type?: 'jpg' | 'png' | 'webp' | 'gif'; width?: number; height?: number; seed?: number } = {}
): Promise<string> {
  const { type = 'jpg', width = 320, height = 240, seed = 0 } = opts
  const key = `img:${type}:${width}x${height}:${seed}`
  const hue = (seed * 47) % 360
  return cached(key, type, out => [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=1:duration=1`,
    '-vf',
    `hue=h=${hue},drawbox=x=${(seed * 13) % width}:y=${(seed * 7) % height}:w=40:h=40:color=white:t=fill`,
    '-frames:v',
    '1',
    ...(type === 'jpg' ? ['-q:v', '4'] : []),
    out
  ])
}

/** A real audio file. */
export function makeAudio(opts: { type?: 'mp3' | 'wav' | 'm4a'; seconds?: number } = {}): Promise<string> {
  const { type = 'mp3', seconds = 3 } = opts
  return cached(`audio:${type}:${seconds}`, type, out => [
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:duration=${seconds}`,
    ...(type === 'm4a' ? ['-c:a', 'aac'] : []),
    out
  ])
}

export async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
}
