// A file's type from its first bytes (the extension can lie), limited to what the backends accept.
import type { InputKind } from './input-file.js'

export interface Sniffed {
  type: string
  mime: string
  kind: InputKind
}

/** Type of a file from its first bytes; undefined when it is none the backend accepts. */
export function sniff(head: Buffer): Sniffed | { refused: string } | undefined {
  const ascii = (a: number, b: number): string => head.toString('latin1', a, b)
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { type: 'jpg', mime: 'image/jpeg', kind: 'image' }
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { type: 'png', mime: 'image/png', kind: 'image' }
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return { type: 'gif', mime: 'image/gif', kind: 'image' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { type: 'webp', mime: 'image/webp', kind: 'image' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return { type: 'wav', mime: 'audio/wav', kind: 'audio' }
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12)
    if (/^(heic|heix|heim|heis|hevc|hevx|mif1|msf1|avif)$/.test(brand)) {
      return {
        refused: `a HEIC/HEIF/AVIF image (brand '${brand}'), which the backend does not accept: convert it to JPEG first, e.g. 'heif-convert in.heic out.jpg' or 'ffmpeg -i in.heic out.jpg'`
      }
    }
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
