// What the renderer needs to know about an image before ffmpeg opens it, read from its header:
// size (to choose the fit and warn about small photos), transparency and animation.
import { open } from 'node:fs/promises'

export interface ImageInfo {
  width: number
  height: number
  /** may have transparent pixels */
  alpha: boolean
  /** more than one frame (GIF, WebP) */
  animated: boolean
  /**
   * what may make a viewer show the file otherwise than as stored, so that libvips decodes it
   * (src/media/photo.ts): an EXIF orientation other than 1, an embedded ICC profile, CMYK, 16 bits
   */
  viewer?: { orientation?: number; icc?: boolean; cmyk?: boolean; deep?: boolean; exif?: boolean }
}

/** Whether a photo may look otherwise in a viewer than as stored (then libvips decodes it, not ffmpeg). */
export function mayNeedViewer(info: ImageInfo | undefined): boolean {
  const v = info?.viewer
  return !info || !!(v && ((v.orientation ?? 1) !== 1 || v.icc || v.cmyk || v.deep || v.exif))
}

const HEAD = 1 << 20

/** Reads the header of a JPEG, PNG, GIF or WebP; undefined when it cannot tell. */
export async function readImageInfo(path: string, type: string): Promise<ImageInfo | undefined> {
  const fh = await open(path, 'r')
  try {
    const size = (await fh.stat()).size
    const buf = Buffer.alloc(Math.min(size, type === 'gif' || type === 'webp' ? 16 * HEAD : HEAD))
    await fh.read(buf, 0, buf.length, 0)
    return parseImageInfo(buf, type)
  } finally {
    await fh.close()
  }
}

export function parseImageInfo(b: Buffer, type: string): ImageInfo | undefined {
  try {
    if (type === 'jpg') return jpeg(b)
    if (type === 'png') return png(b)
    if (type === 'gif') return gif(b)
    if (type === 'webp') return webp(b)
  } catch {
    return undefined
  }
  return undefined
}

function jpeg(b: Buffer): ImageInfo | undefined {
  let i = 2
  const viewer: NonNullable<ImageInfo['viewer']> = {}
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined
    const marker = b[i + 1]
    if (marker === 0xff) {
      i++
      continue
    }
    const len = b.readUInt16BE(i + 2)
    const body = b.subarray(i + 4, Math.min(b.length, i + 2 + len))
    if (marker === 0xe1 && body.toString('latin1', 0, 6) === 'Exif\0\0') viewer.orientation = exifOrientation(body.subarray(6))
    if (marker === 0xe2 && body.toString('latin1', 0, 12) === 'ICC_PROFILE\0') viewer.icc = true
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (b[i + 9] === 4) viewer.cmyk = true
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7), alpha: false, animated: false, viewer }
    }
    i += 2 + len
  }
  return undefined
}

/** The Orientation tag (0x0112) of an EXIF block's first IFD; 1 when there is none. */
function exifOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 1
  const le = tiff.toString('latin1', 0, 2) === 'II'
  const u16 = (o: number): number => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o))
  const u32 = (o: number): number => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o))
  const ifd = u32(4)
  if (ifd + 2 > tiff.length) return 1
  const count = Math.min(u16(ifd), 256)
  for (let k = 0; k < count; k++) {
    const at = ifd + 2 + 12 * k
    if (at + 12 > tiff.length) return 1
    if (u16(at) === 0x0112) return u16(at + 8)
  }
  return 1
}

function png(b: Buffer): ImageInfo {
  const width = b.readUInt32BE(16)
  const height = b.readUInt32BE(20)
  const colorType = b[25]
  let alpha = colorType === 4 || colorType === 6
  let animated = false
  const viewer: NonNullable<ImageInfo['viewer']> = { deep: b[24] === 16 }
  for (let i = 8; i + 8 <= b.length;) {
    const len = b.readUInt32BE(i)
    const kind = b.toString('latin1', i + 4, i + 8)
    if (kind === 'tRNS') alpha = true
    if (kind === 'acTL') animated = true
    if (kind === 'iCCP') viewer.icc = true
    if (kind === 'eXIf') viewer.exif = true
    if (kind === 'IDAT') break
    i += 12 + len
  }
  return { width, height, alpha, animated, viewer }
}

function gif(b: Buffer): ImageInfo {
  const width = b.readUInt16LE(6)
  const height = b.readUInt16LE(8)
  let i = 13
  if (b[10] & 0x80) i += 3 << ((b[10] & 7) + 1)
  let frames = 0
  let alpha = false
  while (i < b.length && frames < 2) {
    const block = b[i]
    if (block === 0x3b) break
    if (block === 0x21) {
      if (b[i + 1] === 0xf9 && b[i + 3] & 1) alpha = true
      i += 2
      while (i < b.length && b[i] !== 0) i += b[i] + 1
      i++
    } else if (block === 0x2c) {
      frames++
      const packed = b[i + 9]
      i += 10
      if (packed & 0x80) i += 3 << ((packed & 7) + 1)
      i++ // LZW minimum code size
      while (i < b.length && b[i] !== 0) i += b[i] + 1
      i++
    } else break
  }
  return { width, height, alpha, animated: frames > 1 }
}

function webp(b: Buffer): ImageInfo | undefined {
  const chunk = b.toString('latin1', 12, 16)
  if (chunk === 'VP8X') {
    const flags = b[20]
    return {
      width: 1 + b.readUIntLE(24, 3),
      height: 1 + b.readUIntLE(27, 3),
      alpha: (flags & 0x10) !== 0,
      animated: (flags & 0x02) !== 0,
      viewer: { icc: (flags & 0x20) !== 0, exif: (flags & 0x08) !== 0 }
    }
  }
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21)
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff), alpha: ((bits >> 28) & 1) === 1, animated: false }
  }
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff, alpha: false, animated: false }
  return undefined
}

/**
 * The first frame of an animated WebP as a still WebP (ffmpeg 5.x has no animated WebP decoder):
 * the first ANMF frame's ALPH/VP8/VP8L chunks under a new header. Undefined when there is none.
 */
export function firstWebpFrame(b: Buffer): Buffer | undefined {
  for (let i = 12; i + 8 <= b.length;) {
    const len = b.readUInt32LE(i + 4)
    const kind = b.toString('latin1', i, i + 4)
    if (kind === 'ANMF') {
      const w = 1 + b.readUIntLE(i + 8 + 6, 3)
      const h = 1 + b.readUIntLE(i + 8 + 9, 3)
      const frame = b.subarray(i + 8 + 16, i + 8 + len)
      const hasAlpha = frame.toString('latin1', 0, 4) === 'ALPH'
      const vp8x = Buffer.alloc(18)
      vp8x.write('VP8X', 0, 'latin1')
      vp8x.writeUInt32LE(10, 4)
      vp8x[8] = hasAlpha ? 0x10 : 0
      vp8x.writeUIntLE(w - 1, 12, 3)
      vp8x.writeUIntLE(h - 1, 15, 3)
      const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, frame])
      const head = Buffer.alloc(8)
      head.write('RIFF', 0, 'latin1')
      head.writeUInt32LE(body.length, 4)
      return Buffer.concat([head, body])
    }
    i += 8 + len + (len & 1)
  }
  return undefined
}
