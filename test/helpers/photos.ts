// Real photographs with the properties phones give them, made from a photo of Debian's
// mate-backgrounds package by tools that are not the action's: ffmpeg (crops, turns), exiftool
// (the EXIF orientation tag, an ICC profile attached), LittleCMS's jpgicc and transicc (Display P3
// conversions, the reference) and libheif's heif-enc (HEIC, AVIF). scripts/setup.sh installs them.
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A real photograph (1920×1280, sRGB, a stormy sky over a field). */
export const PHOTO = '/usr/share/backgrounds/mate/nature/Storm.jpg'
/** A saturated one (2560×1600, a red ladybird on green leaves): where Display P3 and sRGB differ most */
export const COLOURFUL = '/usr/share/backgrounds/mate/nature/LadyBird.jpg'
/** libvips' Display P3 profile (CC0, 480 bytes), as iPhones tag their photos */
export const DISPLAY_P3 = resolve(import.meta.dirname, '../fixtures/DisplayP3.icc')

export function needTools(): void {
  if (![PHOTO, COLOURFUL].every(existsSync))
    throw new Error(`${PHOTO} or ${COLOURFUL} is missing: install Debian's mate-backgrounds (scripts/setup.sh does)`)
}

const dir = mkdtemp(join(tmpdir(), 'img2vid-photos-'))

async function tool(cmd: string, args: string[]): Promise<void> {
  await run(cmd, args, { maxBuffer: 1 << 24 })
}

/** A portrait crop of the photo, upright (720×1080). */
export async function upright(): Promise<string> {
  const out = join(await dir, 'upright.jpg')
  if (!existsSync(out)) await tool('ffmpeg', ['-v', 'error', '-y', '-i', PHOTO, '-vf', 'crop=720:1080:600:100', '-q:v', '2', out])
  return out
}

/**
 * The upright crop stored as a camera stores it, with the EXIF orientation that makes a viewer show
 * it upright: the pixels are the inverse of what the tag does (6: turned 90° anticlockwise, 8: clockwise).
 */
export async function withOrientation(tag: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8): Promise<string> {
  const out = join(await dir, `orientation-${tag}.jpg`)
  if (existsSync(out)) return out
  // each filter is the inverse of the transform tag `tag` asks a viewer to apply
  const inverse = ['null', 'hflip', 'hflip,vflip', 'vflip', 'transpose=0', 'transpose=2', 'transpose=3', 'transpose=1'][tag - 1]
  await tool('ffmpeg', ['-v', 'error', '-y', '-i', await upright(), '-vf', inverse, '-q:v', '2', out])
  await tool('exiftool', ['-q', '-overwrite_original', `-Orientation#=${tag}`, out])
  return out
}

/** The photo converted to Display P3 by LittleCMS, with the P3 profile embedded (as an iPhone's). */
export async function displayP3Jpeg(): Promise<string> {
  const out = join(await dir, 'ladybird-p3.jpg')
  if (!existsSync(out)) await tool('jpgicc', [`-o${DISPLAY_P3}`, '-e', '-q', '95', COLOURFUL, out])
  return out
}

/** The Display P3 photo as HEIC or AVIF, by libheif's encoder (the profile kept). */
export async function heif(kind: 'heic' | 'avif'): Promise<string> {
  const out = join(await dir, `ladybird-p3.${kind}`)
  if (!existsSync(out)) await tool('heif-enc', [...(kind === 'avif' ? ['-A'] : []), '-q', '92', '-o', out, await displayP3Jpeg()])
  return out
}

/** A PNG of flat patches whose values are Display P3 values (the profile attached by exiftool, pixels untouched). */
export async function p3Patches(colours: [number, number, number][]): Promise<string> {
  const out = join(await dir, `patches-${colours.map(c => c.join('-')).join('_')}.png`)
  if (existsSync(out)) return out
  const hex = (c: [number, number, number]): string => `0x${c.map(v => v.toString(16).padStart(2, '0')).join('')}`
  const inputs = colours.flatMap(c => ['-f', 'lavfi', '-i', `color=c=${hex(c)}:s=480x1080:d=1`])
  const tmp = join(await dir, `patches-${process.pid}.png`)
  await tool('ffmpeg', [
    '-v',
    'error',
    '-y',
    ...inputs,
    '-filter_complex',
    `hstack=inputs=${colours.length},format=rgb24`,
    '-frames:v',
    '1',
    tmp
  ])
  await tool('exiftool', ['-q', '-overwrite_original', `-ICC_Profile<=${DISPLAY_P3}`, tmp])
  await copyFile(tmp, out)
  return out
}

/** LittleCMS's sRGB value for a Display P3 colour (relative colorimetric, clipped to sRGB's gamut). */
export async function p3ToSrgb(c: [number, number, number]): Promise<[number, number, number]> {
  const child = spawn('transicc', [`-i${DISPLAY_P3}`, '-o*sRGB', '-t1', '-n'], { stdio: ['pipe', 'pipe', 'ignore'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stdin.end(`${c.join(' ')}\n`)
  await new Promise(r => child.on('close', r))
  const nums = out.trim().split('\n').at(-1)?.trim().split(/\s+/).map(Number) ?? []
  if (nums.length < 3 || nums.some(Number.isNaN)) throw new Error(`transicc printed ${out}`)
  return nums.slice(0, 3).map(v => Math.round(Math.min(255, Math.max(0, v)))) as [number, number, number]
}

/** Where a fixture folder is (so tests can copy files into their workspace). */
export async function photosDir(): Promise<string> {
  const d = await dir
  await mkdir(d, { recursive: true })
  return d
}

// ---- colour difference

function srgbToLab([r, g, b]: number[]): [number, number, number] {
  const lin = (v: number): number => {
    const c = v / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  const [R, G, B] = [lin(r), lin(g), lin(b)]
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116)
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))]
}

/** CIE76 ΔE between two sRGB colours. */
export function deltaE(a: number[], b: number[]): number {
  const [l1, a1, b1] = srgbToLab(a)
  const [l2, a2, b2] = srgbToLab(b)
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2)
}

/** Mean CIE76 ΔE between two rgb24 frames of the same size. */
export function meanDeltaE(x: Buffer, y: Buffer): number {
  let sum = 0
  const n = Math.min(x.length, y.length) / 3
  for (let i = 0; i < n * 3; i += 3) sum += deltaE([x[i], x[i + 1], x[i + 2]], [y[i], y[i + 1], y[i + 2]])
  return sum / n
}

/** One frame of an MP4 at `t` seconds as rgb24 at w×h, decoded with the stream's BT.709 limited range. */
export async function rgbFrame(file: string, t: number, w: number, h: number): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(t),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `scale=${w}:${h}:flags=area:in_color_matrix=bt709:in_range=tv,format=rgb24`,
      '-f',
      'rawvideo',
      '-'
    ],
    { encoding: 'buffer', maxBuffer: 1 << 26 }
  )
  return stdout as Buffer
}
