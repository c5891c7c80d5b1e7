// Photos decoded the way a colour-managed viewer shows them, for both backends: upright (EXIF
// orientation, all eight values; HEIF's own rotation), converted from their ICC profile (Display
// P3, Adobe RGB, CMYK) to sRGB, 8 bits per channel, and shrunk on load to the size they are shown
// at. libvips does the work (sharp's WebAssembly build, src/media/sharp.ts); HEIC, whose HEVC
// codec libvips' build leaves out, is decoded by libheif's WebAssembly build first.
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import { mayNeedViewer, readImageInfo } from './image-info.js'
import { loadSharp } from './sharp.js'
import { PhotoError } from './errors.js'

/** The still types decoded here (GIFs and animated WebPs go to ffmpeg, which plays them). */
const PHOTO_TYPES = ['jpg', 'png', 'webp', 'heic', 'avif'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]
export const isPhotoType = (type: string): type is PhotoType => (PHOTO_TYPES as readonly string[]).includes(type)

/**
 * The most pixels a photo may have (a 100 MP camera's; a 12 MP phone photo is 12): a small file
 * that claims 60000×60000 pixels would otherwise take 14 GB to decode.
 */
const MAX_PIXELS = 100_000_000

export interface PhotoInfo {
  /** as shown: after the orientation is applied */
  width: number
  height: number
  alpha: boolean
  /** EXIF orientation, 1 when there is none */
  orientation: number
  /** the embedded ICC profile's description, when there is one */
  profile?: string
  /** what decoding changes, for the log ("rotated (EXIF orientation 6)", "Display P3 → sRGB") */
  changes: string[]
}

export interface DecodedPhoto {
  data: Buffer
  width: number
  height: number
  /** 3 (RGB) or 4 (RGBA), 8 bits each, sRGB */
  channels: 3 | 4
}

interface Heif {
  width: number
  height: number
  alpha: boolean
  rgba: Buffer
  icc?: Buffer
}

/** HEIC/HEIF through libheif (transformations applied), as RGBA with the file's ICC profile. */
async function decodeHeif(path: string, name: string): Promise<Heif> {
  const libheif = await heifModule()
  const decoder = new libheif.HeifDecoder()
  const images = decoder.decode(await readFile(path))
  const image = images[0]
  if (!image) throw new PhotoError(`${name} holds no image libheif can decode`)
  try {
    const width = image.get_width()
    const height = image.get_height()
    if (width * height > MAX_PIXELS) throw new PhotoError(`${name} is ${width}×${height}, more than ${MAX_PIXELS / 1e6} MP`)
    const rgba = Buffer.alloc(width * height * 4)
    const shown = await new Promise<unknown>(resolve =>
      image.display({ data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height }, resolve)
    )
    if (!shown) throw new PhotoError(`${name}: libheif could not decode its image`)
    return { width, height, alpha: !!image.has_alpha_channel(), rgba, icc: heifProfile(libheif, image) }
  } finally {
    for (const im of images) im.free()
  }
}

interface HeifImage {
  handle: { $$?: { ptr?: number } }
  get_width(): number
  get_height(): number
  has_alpha_channel(): number
  display(target: { data: Uint8ClampedArray; width: number; height: number }, done: (result: unknown) => void): void
  free(): void
}
interface Libheif {
  HeifDecoder: new () => { decode(data: Uint8Array): HeifImage[] }
  HEAPU8: Uint8Array
  _malloc(n: number): number
  _free(p: number): void
  _heif_image_handle_get_color_profile_type(handle: number): number
  _heif_image_handle_get_raw_color_profile_size(handle: number): number
  _heif_image_handle_get_raw_color_profile(error: number, handle: number, out: number): void
}

let libheifModule: Promise<Libheif> | undefined
function heifModule(): Promise<Libheif> {
  // the build with its WebAssembly inline: one chunk of the bundle, loaded on the first HEIC only
  libheifModule ??= import('libheif-js/libheif-wasm/libheif-bundle.mjs').then(m => (m as { default: () => Libheif }).default())
  return libheifModule
}

/** The image's ICC profile ('prof' or 'rICC'), read through libheif's C API; undefined for nclx or none. */
function heifProfile(libheif: Libheif, image: HeifImage): Buffer | undefined {
  const handle = image.handle.$$?.ptr
  if (!handle) return undefined
  const type = libheif._heif_image_handle_get_color_profile_type(handle)
  if (type !== 0x70726f66 && type !== 0x72494343) return undefined
  const size = libheif._heif_image_handle_get_raw_color_profile_size(handle)
  if (size <= 0 || size > 1 << 20) return undefined
  // heif_error is returned through a pointer first (the WebAssembly ABI for a struct result)
  const error = libheif._malloc(16)
  const out = libheif._malloc(size)
  try {
    libheif._heif_image_handle_get_raw_color_profile(error, handle, out)
    return Buffer.from(libheif.HEAPU8.slice(out, out + size))
  } finally {
    libheif._free(out)
    libheif._free(error)
  }
}

/**
 * A HEIC/HEIF photo as a PNG file (lossless, with its ICC profile in an iCCP chunk), which the
 * rest of the pipeline reads like any other: libvips' build has no HEVC decoder.
 */
export async function heicToPng(path: string, name: string, output: string): Promise<void> {
  const h = await decodeHeif(path, name)
  const sharp = await loadSharp()
  let image = sharp(h.rgba, { raw: { width: h.width, height: h.height, channels: 4 } })
  if (!h.alpha) image = image.removeAlpha()
  const png = await image.png({ compressionLevel: 1 }).toBuffer()
  await writeFile(output, h.icc ? withIccp(png, h.icc) : png, { flag: 'wx', mode: 0o600 })
}

/** The PNG with `icc` in an iCCP chunk right after IHDR (the PNG spec's place for it). */
function withIccp(png: Buffer, icc: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(icc)])
  const chunk = Buffer.alloc(12 + body.length)
  chunk.writeUInt32BE(body.length, 0)
  chunk.write('iCCP', 4, 'latin1')
  body.copy(chunk, 8)
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length)
  // the 8-byte signature and the 25-byte IHDR chunk come first
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)])
}

/** The file as libvips opens it; HEIC must have been made a PNG by heicToPng() first. */
function source(path: string, type: PhotoType): string {
  if (type === 'heic') throw new PhotoError('a HEIC photo is decoded by heicToPng() first')
  return path
}

const SHARP_OPTIONS = { limitInputPixels: MAX_PIXELS, failOn: 'error' } as const

/** Size as shown, transparency, orientation and profile of a photo. */
export async function photoInfo(path: string, type: PhotoType, name: string): Promise<PhotoInfo> {
  const sharp = await loadSharp()
  try {
    const m = await sharp(source(path, type), SHARP_OPTIONS).metadata()
    const orientation = m.orientation ?? 1
    const changes: string[] = []
    if (type === 'avif') changes.push('decoded from AVIF')
    if (orientation !== 1) changes.push(`turned upright (EXIF orientation ${orientation})`)
    const profile = m.icc ? profileName(m.icc) : undefined
    if (m.space === 'cmyk') changes.push(`CMYK${profile ? ` (${profile})` : ''} → sRGB`)
    else if (profile && !/srgb|iec61966/i.test(profile)) changes.push(`${profile} → sRGB`)
    if (m.depth && !/char$/.test(m.depth)) changes.push('16 → 8 bits')
    return {
      width: m.autoOrient?.width ?? m.width ?? 0,
      height: m.autoOrient?.height ?? m.height ?? 0,
      alpha: !!m.hasAlpha,
      orientation,
      profile,
      changes
    }
  } catch (err) {
    throw photoError(err, name)
  }
}

/**
 * The photo upright and in sRGB as raw 8-bit RGB or RGBA, halved as often as it stays at least as
 * large as `box` needs (covered, or fitted inside): a JPEG is then shrunk while it is decoded (its
 * DCT scaled, not resampled), and ffmpeg makes the last, exact scale as it does for every still.
 */
export async function decodePhoto(
  path: string,
  type: PhotoType,
  name: string,
  box: { width: number; height: number; fit: 'cover' | 'inside' },
  /** the size as shown, when photoInfo() has measured it already */
  shown?: { width: number; height: number }
): Promise<DecodedPhoto> {
  const sharp = await loadSharp()
  try {
    const { width, height } = shown ?? (await photoInfo(path, type, name))
    const need = box.fit === 'cover' ? Math.max(box.width / width, box.height / height) : Math.min(box.width / width, box.height / height)
    let shrink = 1
    while (shrink < 8 && need * shrink * 2 <= 1) shrink *= 2
    let image = sharp(source(path, type), SHARP_OPTIONS).autoOrient()
    if (shrink > 1) image = image.resize({ width: Math.round(width / shrink), height: Math.round(height / shrink), fit: 'fill' })
    const { data, info } = await image.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
    if (info.channels !== 3 && info.channels !== 4) throw new PhotoError(`${name} decoded to ${info.channels} channels`)
    return { data, width: info.width, height: info.height, channels: info.channels }
  } catch (err) {
    throw photoError(err, name)
  }
}

/** The photo as an upright sRGB JPEG (for a backend that takes JPEG, PNG, WebP and GIF only). */
async function photoAsJpeg(path: string, type: PhotoType, name: string, output: string): Promise<void> {
  const sharp = await loadSharp()
  try {
    await sharp(source(path, type), SHARP_OPTIONS)
      .autoOrient()
      .toColourspace('srgb')
      .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
      .toFile(output)
  } catch (err) {
    throw photoError(err, name)
  }
}

/** The profile's description tag ('desc', v2 text or v4 'mluc'), when it has one. */
function profileName(icc: Buffer): string | undefined {
  if (icc.length < 132) return undefined
  const count = Math.min(icc.readUInt32BE(128), 100)
  for (let i = 0; i < count; i++) {
    const at = 132 + i * 12
    if (at + 12 > icc.length) return undefined
    if (icc.toString('latin1', at, at + 4) !== 'desc') continue
    const off = icc.readUInt32BE(at + 4)
    const len = icc.readUInt32BE(at + 8)
    if (off + len > icc.length || len < 12) return undefined
    const tag = icc.subarray(off, off + len)
    const kind = tag.toString('latin1', 0, 4)
    if (kind === 'desc') return clean(tag.toString('latin1', 12, 12 + Math.min(tag.readUInt32BE(8), len - 12)))
    if (kind === 'mluc' && len >= 28) {
      const size = tag.readUInt32BE(20)
      const start = tag.readUInt32BE(24)
      if (start + size <= len)
        return clean(
          Buffer.from(tag.subarray(start, start + size))
            .swap16()
            .toString('utf16le')
        )
    }
    return undefined
  }
  return undefined
}

function clean(s: string): string | undefined {
  const t = s
    .replace(/\0+$/, '')
    .replace(/[^\p{L}\p{N} ._()-]/gu, '')
    .trim()
  return t.slice(0, 60) || undefined
}

function photoError(err: unknown, name: string): PhotoError {
  if (err instanceof PhotoError) return err
  const why = err instanceof Error ? err.message.split('\n')[0] : String(err)
  if (/pixel limit/i.test(why))
    return new PhotoError(`${name} has more than ${MAX_PIXELS / 1e6} MP: scale it down first, e.g. 'vipsthumbnail ${name} -s 8000'.`)
  return new PhotoError(`${name} could not be decoded (${why}): open it in an image editor and save it again as JPEG or PNG.`)
}

/**
 * The images as a backend that takes JPEG, PNG, WebP and GIF as they are shows them: a HEIC or
 * AVIF photo, or one that a viewer turns upright or converts from its profile, becomes an upright
 * sRGB JPEG in `tempDir` (named like the photo, with .jpg); the others are sent as they are.
 */
export async function photosForUpload<F extends { path: string; name: string; type: string; mime: string; size: number }>(
  images: F[],
  tempDir: string
): Promise<{ files: F[]; converted: string[] }> {
  const files: F[] = []
  const converted: string[] = []
  for (const [i, f] of images.entries()) {
    if (!isPhotoType(f.type)) {
      files.push(f)
      continue
    }
    // a plain photo (no orientation, profile, CMYK or 16 bits in its header) is sent as it is,
    // without loading libvips
    if (f.type !== 'heic' && f.type !== 'avif' && !mayNeedViewer(await readImageInfo(f.path, f.type))) {
      files.push(f)
      continue
    }
    let path = f.path
    let type: PhotoType = f.type
    const changes: string[] = []
    if (type === 'heic') {
      path = join(tempDir, `upload-${i}.png`)
      await heicToPng(f.path, f.name, path)
      type = 'png'
      changes.push('HEIC')
    }
    const info = await photoInfo(path, type, f.name)
    changes.push(...info.changes)
    if (!changes.length) {
      files.push(f)
      continue
    }
    const jpeg = join(tempDir, `upload-${i}.jpg`)
    await photoAsJpeg(path, type, f.name, jpeg)
    if (path !== f.path) await rm(path, { force: true })
    const base = f.name.replace(/\.[^.]*$/, '')
    // the names stay unique: IMG_1.heic beside IMG_1.jpg is sent as IMG_1-heic.jpg
    const name = images.some(o => o !== f && o.name.toLowerCase() === `${base}.jpg`.toLowerCase()) ? `${base}-${f.type}.jpg` : `${base}.jpg`
    files.push({ ...f, path: jpeg, name, type: 'jpg', mime: 'image/jpeg', size: (await stat(jpeg)).size })
    converted.push(`${f.name} → ${name} (${changes.join(', ')})`)
  }
  return { files, converted }
}
