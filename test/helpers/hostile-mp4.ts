// Crafted MP4s for the inspector's bounds: a real box tree (ftyp, moov with one H.264 video track,
// mdat), written byte by byte, whose sample tables declare what a hostile server or file would.
// Small on disk; the cost is in what a parser builds from the counts.

const u8 = (v: number): Buffer => Buffer.from([v & 0xff])
const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(v)
  return b
}
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(v >>> 0)
  return b
}
const zeros = (n: number): Buffer => Buffer.alloc(n)
/** A table of 32-bit entries, in one buffer (a spread of 100 k arguments would overflow the stack). */
const u32s = (values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length)
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i))
  return b
}

/** A box: 32-bit size, four-character type, payload. */
export function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload)
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body])
}
/** A full box: version and flags in front of the payload. */
const full = (type: string, version: number, flags: number, ...payload: Buffer[]): Buffer =>
  box(type, u32(((version & 0xff) << 24) | (flags & 0xffffff)), ...payload)

const MATRIX = Buffer.concat([u32(0x10000), u32(0), u32(0), u32(0), u32(0x10000), u32(0), u32(0), u32(0), u32(0x40000000)])

export interface CraftedTables {
  /** the stsz box: a constant size for every sample, or one size per sample */
  stsz: { constant: number; count: number } | { sizes: number[] }
  /** samples per chunk (one stsc run), and the chunk offsets (stco) */
  samplesPerChunk: number
  chunkOffsets: number[]
  /** stts: one run of this many samples */
  sttsCount: number
  /** more boxes at the end of the moov (a udta, say) */
  moovExtra?: Buffer
}

/** ftyp + moov: one 64×64 avc1 track with these tables. */
export function craftedHead(t: CraftedTables): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(512), Buffer.from('isomiso2avc1mp41', 'latin1'))
  const mvhd = full('mvhd', 0, 0, u32(0), u32(0), u32(1000), u32(1000), u32(0x10000), u16(0x100), zeros(10), MATRIX, zeros(24), u32(2))
  const tkhd = full('tkhd', 0, 3, u32(0), u32(0), u32(1), u32(0), u32(1000), zeros(8), u16(0), u16(0), u16(0), u16(0), MATRIX)
  const tkhdWh = Buffer.concat([tkhd, u32(64 << 16), u32(64 << 16)])
  // fix the size of tkhd after appending width and height
  tkhdWh.writeUInt32BE(tkhdWh.length, 0)
  const mdhd = full('mdhd', 0, 0, u32(0), u32(0), u32(1000), u32(1000), u16(0x55c4), u16(0))
  const hdlr = full('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), zeros(12), Buffer.from('VideoHandler\0', 'latin1'))
  const vmhd = full('vmhd', 0, 1, zeros(8))
  const dinf = box('dinf', full('dref', 0, 0, u32(1), full('url ', 0, 1)))
  const sps = Buffer.from([
    0x67, 0x64, 0x00, 0x0a, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x00, 0x20
  ])
  const pps = Buffer.from([0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0])
  const avcC = box('avcC', u8(1), u8(0x64), u8(0), u8(0x0a), u8(0xff), u8(0xe1), u16(sps.length), sps, u8(1), u16(pps.length), pps)
  const avc1 = box(
    'avc1',
    zeros(6),
    u16(1),
    zeros(16),
    u16(64),
    u16(64),
    u32(0x480000),
    u32(0x480000),
    u32(0),
    u16(1),
    zeros(32),
    u16(0x18),
    u16(0xffff),
    avcC
  )
  const stsd = full('stsd', 0, 0, u32(1), avc1)
  const stts = full('stts', 0, 0, u32(1), u32(t.sttsCount), u32(1))
  const stsc = full('stsc', 0, 0, u32(1), u32(1), u32(t.samplesPerChunk), u32(1))
  const stsz =
    'constant' in t.stsz
      ? full('stsz', 0, 0, u32(t.stsz.constant), u32(t.stsz.count))
      : full('stsz', 0, 0, u32(0), u32(t.stsz.sizes.length), u32s(t.stsz.sizes))
  const stco = full('stco', 0, 0, u32(t.chunkOffsets.length), u32s(t.chunkOffsets))
  const stbl = box('stbl', stsd, stts, stsc, stsz, stco)
  const moov = box('moov', mvhd, box('trak', tkhdWh, box('mdia', mdhd, hdlr, box('minf', vmhd, dinf, stbl))), t.moovExtra ?? zeros(0))
  return Buffer.concat([ftyp, moov])
}

/** A constant-size stsz box (version 0) declaring `count` samples of `size` bytes. */
export const constantStsz = (size: number, count: number): Buffer => full('stsz', 0, 0, u32(size), u32(count))

/** A whole small MP4: `samples` 1-byte samples in one chunk, all inside the mdat; `moovExtra` as in CraftedTables. */
export function smallMp4(samples = 10, moovExtra?: Buffer): Buffer {
  const tables = (offset: number): CraftedTables => ({
    stsz: { constant: 1, count: samples },
    samplesPerChunk: samples,
    chunkOffsets: [offset],
    sttsCount: samples,
    moovExtra
  })
  const head = craftedHead(tables(craftedHead(tables(0)).length + 8))
  return Buffer.concat([head, box('mdat', zeros(samples))])
}

/**
 * The 832-byte kind: a constant-size stsz declaring `count` samples of 1 byte, all in one chunk
 * in a tiny mdat. A parser that builds one object per declared sample needs gigabytes.
 */
export function constantSizeBomb(count = 20_000_000): Buffer {
  // the chunk offset is where the mdat's payload starts: the head's length plus the mdat header
  const tables = (offset: number): CraftedTables => ({
    stsz: { constant: 1, count },
    samplesPerChunk: count,
    chunkOffsets: [offset],
    sttsCount: count
  })
  const head = craftedHead(tables(craftedHead(tables(0)).length + 8))
  return Buffer.concat([head, box('mdat', zeros(Math.max(16, 832 - head.length - 8)))])
}

/**
 * Many samples behind many empty mdat boxes: `samples` 1-byte samples, one per chunk, all in the
 * last mdat after `emptyMdats` empty ones; the last sample reaches one byte past the file's end,
 * so a whole check must look at every sample before it can refuse the file.
 */
export function manyMdats(samples = 100_000, emptyMdats = 99_990): Buffer {
  const sizes = new Array<number>(samples).fill(1)
  sizes[samples - 1] = 2
  const tables = (offsets: number[]): CraftedTables => ({ stsz: { sizes }, samplesPerChunk: 1, chunkOffsets: offsets, sttsCount: samples })
  const headLength = craftedHead(tables(new Array<number>(samples).fill(0))).length
  const dataStart = headLength + emptyMdats * 8 + 8
  const offsets = Array.from({ length: samples }, (_, i) => dataStart + i)
  const head = craftedHead(tables(offsets))
  const empties = Buffer.alloc(emptyMdats * 8)
  for (let i = 0; i < emptyMdats; i++) {
    empties.writeUInt32BE(8, i * 8)
    empties.write('mdat', i * 8 + 4, 'latin1')
  }
  return Buffer.concat([head, empties, box('mdat', zeros(samples))])
}
