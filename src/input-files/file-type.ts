// A file's type from its first bytes (the extension can lie), limited to what the backends accept.
import type { InputKind } from './input-file.js'

export interface Sniffed {
  type: string
  mime: string
  kind: InputKind
}

/** Type of a file from its first bytes; undefined when it is none the backend accepts. */
export function sniff(head: Buffer): Sniffed | undefined {
  const ascii = (a: number, b: number): string => head.toString('latin1', a, b)
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { type: 'jpg', mime: 'image/jpeg', kind: 'image' }
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { type: 'png', mime: 'image/png', kind: 'image' }
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return { type: 'gif', mime: 'image/gif', kind: 'image' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { type: 'webp', mime: 'image/webp', kind: 'image' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return { type: 'wav', mime: 'audio/wav', kind: 'audio' }
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12)
    // the major brand and the compatible ones: an iPhone's HEIC says 'heic', a generic HEIF
    // 'mif1' with 'heic' or 'avif' among the compatible brands
    const size = Math.min(head.readUInt32BE(0), head.length, 256)
    const brands = [brand]
    for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(at, at + 4))
    if (brands.some(b => b === 'avif' || b === 'avis')) return { type: 'avif', mime: 'image/avif', kind: 'image' }
    if (brands.some(b => /^(heic|heix|heim|heis|hevc|hevx)$/.test(b)) || /^(mif1|msf1)$/.test(brand))
      return { type: 'heic', mime: 'image/heic', kind: 'image' }
    if (/^(M4A |M4B |M4P )$/.test(brand)) return { type: 'm4a', mime: 'audio/mp4', kind: 'audio' }
    return undefined
  }
  if (ascii(0, 3) === 'ID3') return { type: 'mp3', mime: 'audio/mpeg', kind: 'audio' }
  // MPEG audio frame sync: 11 set bits; layer bits tell MP3 (01) from ADTS AAC (00)
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0) {
    const layer = (head[1] >> 1) & 0x3
    if (layer === 0 && (head[1] & 0xf6) === 0xf0) return { type: 'aac', mime: 'audio/aac', kind: 'audio' }
    if (layer !== 0) return { type: 'mp3', mime: 'audio/mpeg', kind: 'audio' }
  }
  return undefined
}

/** How far into an MP3 or AAC file (past its ID3 tag) the first audio frame may lie. */
const MAX_SYNC_SEARCH = 64 * 1024
/** How many chunks (WAV) or top-level boxes (M4A) are read to find the audio's. */
const MAX_CHUNKS = 64

const KBPS: Record<string, number[]> = {
  // MPEG-1 layers I, II, III; MPEG-2/2.5 layer I, and layers II and III
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
}

/** The length of the MPEG audio frame (MP3, or ADTS AAC) whose header is at `b[off]`; 0 when there is none. */
function audioFrameLength(b: Buffer, off: number, type: 'mp3' | 'aac'): number {
  if (off + 7 > b.length || b[off] !== 0xff || (b[off + 1] & 0xe0) !== 0xe0) return 0
  const layerBits = (b[off + 1] >> 1) & 3
  if (type === 'aac') {
    if ((b[off + 1] & 0xf6) !== 0xf0) return 0
    const length = ((b[off + 3] & 3) << 11) | (b[off + 4] << 3) | (b[off + 5] >> 5)
    return length >= 7 ? length : 0
  }
  const versionBits = (b[off + 1] >> 3) & 3 // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
  const rateIndex = b[off + 2] >> 4
  const srIndex = (b[off + 2] >> 2) & 3
  if (versionBits === 1 || layerBits === 0 || rateIndex === 0 || rateIndex === 15 || srIndex === 3) return 0
  const layer = 4 - layerBits
  const v1 = versionBits === 3
  const kbps = KBPS[v1 ? `1-${layer}` : layer === 1 ? '2-1' : '2-2'][rateIndex]
  const rate = [44100, 48000, 32000][srIndex] / (v1 ? 1 : versionBits === 2 ? 2 : 4)
  const pad = (b[off + 2] >> 1) & 1
  if (layer === 1) return (Math.floor((12 * kbps * 1000) / rate) + pad) * 4
  return Math.floor(((layer === 3 && !v1 ? 72 : 144) * kbps * 1000) / rate) + pad
}

type Read = (position: number, length: number) => Promise<Buffer>

/**
 * Whether the file is, past its first bytes, the type they claim: an MP3 or AAC has two audio
 * frames in a row right after its ID3 tag (not, say, a playlist behind an ID3 header, which
 * ffmpeg's probing would follow), a WAV its 'fmt ' and 'data' chunks, an M4A its 'moov' box.
 * Returns what is wrong, or undefined. Images are checked by the decoders that read them.
 */
export async function structureProblem(type: string, size: number, read: Read): Promise<string | undefined> {
  if (type === 'mp3' || type === 'aac') {
    let start = 0
    const id3 = await read(0, 10)
    if (id3.toString('latin1', 0, 3) === 'ID3') {
      const tag = ((id3[6] & 0x7f) << 21) | ((id3[7] & 0x7f) << 14) | ((id3[8] & 0x7f) << 7) | (id3[9] & 0x7f)
      start = 10 + tag + (id3[5] & 0x10 ? 10 : 0)
    }
    const window = await read(start, MAX_SYNC_SEARCH + 8192)
    for (let i = 0; i < Math.min(window.length, MAX_SYNC_SEARCH); i++) {
      const first = audioFrameLength(window, i, type)
      if (first === 0) continue
      if (start + i + first >= size) return undefined // a single frame is the whole file
      const next = i + first < window.length - 7 ? window : await read(start + i + first, 8)
      if (audioFrameLength(next, next === window ? i + first : 0, type) > 0) return undefined
    }
    return `not ${type === 'mp3' ? 'an MP3' : 'an AAC'} file: there are no ${type === 'mp3' ? 'MPEG audio' : 'ADTS'} frames${start ? ' after its ID3 tag' : ''}`
  }
  if (type === 'wav') {
    let fmt = false
    for (let pos = 12, n = 0; pos + 8 <= size && n < MAX_CHUNKS; n++) {
      const h = await read(pos, 8)
      const id = h.toString('latin1', 0, 4)
      if (id === 'fmt ') fmt = true
      if (id === 'data') return fmt ? undefined : "not a WAV file: its 'data' chunk comes before any 'fmt ' chunk"
      pos += 8 + h.readUInt32LE(4) + (h.readUInt32LE(4) & 1)
    }
    return "not a WAV file: no 'data' chunk with audio"
  }
  if (type === 'm4a') {
    for (let pos = 0, n = 0; pos + 8 <= size && n < MAX_CHUNKS; n++) {
      const h = await read(pos, 16)
      const id = h.toString('latin1', 4, 8)
      if (id === 'moov') return undefined
      const size32 = h.readUInt32BE(0)
      const box = size32 === 1 ? Number(h.readBigUInt64BE(8)) : size32
      if (size32 === 0 || box < 8) break
      pos += box
    }
    return "not an M4A file: no 'moov' box describes its audio"
  }
  return undefined
}
