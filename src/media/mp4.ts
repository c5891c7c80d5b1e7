// The finished MP4, checked in one pass as its bytes go by: the top-level boxes (ftyp first, a
// moov with a video track, mdat boxes that hold every sample, the last box ending exactly at the
// end of the file), the facts of the moov (read by mp4box) and the SHA-256. A download feeds the
// bytes while it writes them; a file on disk is read once. A truncated or foreign body fails here,
// before anything is renamed to `output`.
//
// The moov is the file's own account of itself, and a parser builds from its counts: mp4box makes
// an object of some 700 bytes per declared sample (a constant-size stsz declares millions in 20
// bytes) and one per box. So the moov's tree is walked here first, every count bounded, and the
// samples' places are checked here from the tables themselves (arithmetic, no object per sample);
// mp4box is handed only the headers and sample descriptions it reads the facts from.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { createFile, MP4BoxBuffer, type Movie } from 'mp4box'
import { BadMp4Error } from './errors.js'
import { errorMessage } from '../shared/errors.js'

export interface VideoInfo {
  /** seconds, to the millisecond */
  duration: number
  width: number
  height: number
  /** e.g. avc1.64001f */
  videoCodec: string
  audioCodec?: string
  /** bytes */
  size: number
}

export interface VideoFacts {
  info: VideoInfo
  sha256: string
}

/** The moov is kept in memory to parse it; a real one is kilobytes to a few megabytes. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024
/** mp4box reads each compatible brand of the ftyp; a real ftyp is a few dozen bytes. */
const MAX_FTYP_BYTES = 4096
const MAX_TOP_LEVEL_BOXES = 100_000
/**
 * Samples of all tracks together. A 600 s video at 60 fps with 48 kHz AAC audio has about 64,000
 * (36,000 frames and 28,125 audio frames); a million are checked in a fraction of a second.
 */
const MAX_SAMPLES = 1_000_000
/** A real video has one to three tracks. */
const MAX_TRACKS = 64
/** A box handed to mp4box (a header, a sample description): a real one is under a few kilobytes. */
const MAX_HEADER_BOX_BYTES = 256 * 1024
/** Boxes walked in the moov (those left out included); a real moov has a few dozen. */
const MAX_MOOV_BOXES = 10_000
/** How many samples are checked between two turns of the event loop (where an abort is seen). */
const SAMPLES_PER_TURN = 1 << 17

interface Box {
  type: string
  start: number
  /** Infinity for a box of size 0 (it runs to the end of the file) until the end is known */
  end: number
  headerSize: number
}

export class Mp4Inspector {
  private readonly hash = createHash('sha256')
  private readonly boxes: Box[] = []
  private readonly kept = new Map<string, Buffer[]>()
  private keptBytes = 0
  private pos = 0
  private header: Buffer = Buffer.alloc(0)
  private current?: Box
  private error?: string

  /** Feeds the next bytes of the file, in order. */
  update(chunk: Buffer): void {
    this.hash.update(chunk)
    let off = 0
    while (off < chunk.length && !this.error) {
      if (!this.current) {
        off += this.readHeader(chunk, off)
        continue
      }
      const box = this.current
      const take = Math.min(chunk.length - off, box.end - this.pos)
      if (box.type === 'ftyp' || box.type === 'moov') this.keep(box.type, chunk.subarray(off, off + take))
      off += take
      this.pos += take
      if (this.pos === box.end) this.current = undefined
    }
    // bytes after an error still count toward the hash and size
    if (this.error) this.pos += chunk.length - off
  }

  /**
   * The facts of a whole MP4; rejects with BadMp4Error otherwise, or with the signal's reason once
   * it aborts (the check yields to the event loop as it goes, so a deadline or SIGTERM is seen).
   */
  async finish(signal?: AbortSignal): Promise<VideoFacts> {
    signal?.throwIfAborted()
    const size = this.pos
    if (this.error) throw new BadMp4Error(this.error)
    if (size === 0) throw new BadMp4Error('the file is empty')
    if (this.boxes[0]?.type !== 'ftyp') throw new BadMp4Error('not an MP4 (no ftyp box)')
    if (this.header.length > 0) throw new BadMp4Error(`truncated: the file ends inside a box header at byte ${size}`)
    const open = this.current
    if (open && open.end !== Infinity) {
      throw new BadMp4Error(
        `truncated: the '${open.type}' box at byte ${open.start} needs ${open.end - open.start} bytes, but the file ends at byte ${size}`
      )
    }
    if (open) open.end = size
    const moov = this.kept.get('moov')
    if (!moov) throw new BadMp4Error('not a playable MP4 (no moov box)')
    const moovAt = this.boxes.find(b => b.type === 'moov')?.start ?? 0
    // in file order (boxes do not overlap), so a chunk's mdat is found by binary search
    const mdats = this.boxes.filter(b => b.type === 'mdat').map(b => ({ from: b.start + b.headerSize, to: b.end }))
    const walked = walkMoov(Buffer.concat(moov), moovAt)

    const file = createFile(false)
    let movie: Movie | undefined
    let failure: string | undefined
    file.onReady = info => (movie = info)
    file.onError = (_module, message) => (failure = message)
    try {
      const head = Buffer.concat([...(this.kept.get('ftyp') ?? []), walked.forMp4box])
      const ab = head.buffer.slice(head.byteOffset, head.byteOffset + head.length) as ArrayBuffer
      file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(ab, 0), true)
      file.flush()
    } catch (err) {
      // the walk let through only boxes of bounded size; what mp4box still cannot read is a bad file
      failure ??= errorMessage(err)
      movie = undefined
    }
    if (!movie) throw new BadMp4Error(`not a playable MP4: ${failure ?? 'the moov box could not be read'}`)
    const video = movie.videoTracks[0]
    if (!video) throw new BadMp4Error('the MP4 has no video track')
    // mp4box lists the tracks in the moov's order, as the walk does
    let checked = 0
    for (const [i, track] of movie.tracks.entries()) {
      const tables = walked.tracks[i]
      if (track.id === video.id && !tables?.count) throw new BadMp4Error('the video track has no samples')
      if (tables) checked = await checkSamples(tables, track.id, mdats, size, checked, signal)
    }
    const duration = movie.timescale ? movie.duration / movie.timescale : video.duration / video.timescale
    return {
      info: {
        duration: Math.round(duration * 1000) / 1000,
        width: video.video?.width ?? video.track_width,
        height: video.video?.height ?? video.track_height,
        videoCodec: video.codec,
        audioCodec: movie.audioTracks[0]?.codec,
        size
      },
      sha256: this.hash.digest('hex')
    }
  }

  /** Reads a top-level box header from `chunk` at `off`; returns the bytes consumed. */
  private readHeader(chunk: Buffer, off: number): number {
    const need = this.header.length < 8 ? 8 : 16
    const take = Math.min(need - this.header.length, chunk.length - off)
    this.header = Buffer.concat([this.header, chunk.subarray(off, off + take)])
    this.pos += take
    if (this.header.length < 8) return take
    const size32 = this.header.readUInt32BE(0)
    if (size32 === 1 && this.header.length < 16) return take
    const type = this.header.toString('latin1', 4, 8)
    const headerSize = size32 === 1 ? 16 : 8
    const start = this.pos - this.header.length
    const size = size32 === 1 ? Number(this.header.readBigUInt64BE(8)) : size32 === 0 ? Infinity : size32
    this.header = Buffer.alloc(0)
    if (!/^[\x20-\x7e]{4}$/.test(type)) return this.fail(take, `not an MP4 (no box at byte ${start})`)
    if (this.boxes.length === 0 && type !== 'ftyp') return this.fail(take, 'not an MP4 (no ftyp box)')
    if (size < headerSize) return this.fail(take, `not an MP4 (the '${type}' box at byte ${start} has an impossible size)`)
    if (this.boxes.length >= MAX_TOP_LEVEL_BOXES)
      return this.fail(take, `not a usual MP4 (more than ${MAX_TOP_LEVEL_BOXES} top-level boxes)`)
    const box: Box = { type, start, end: start + size, headerSize }
    this.boxes.push(box)
    if (type === 'ftyp' || type === 'moov') {
      if (this.kept.has(type)) return this.fail(take, `not a usual MP4 (a second '${type}' box at byte ${start})`)
      this.kept.set(type, [])
      // the header goes in front of the body, as mp4box expects the whole box
      const h = Buffer.alloc(headerSize)
      if (headerSize === 16) {
        h.writeUInt32BE(1, 0)
        h.writeBigUInt64BE(BigInt(size), 8)
      } else h.writeUInt32BE(size32, 0)
      h.write(type, 4, 'latin1')
      this.keep(type, h)
    }
    this.current = box.end > this.pos ? box : undefined
    return take
  }

  private keep(type: string, bytes: Buffer): void {
    this.keptBytes += bytes.length
    if (this.keptBytes > MAX_MOOV_BYTES) {
      this.error = `not a usual MP4 (its '${type}' box is over ${MAX_MOOV_BYTES / 1048576} MB)`
      return
    }
    if (type === 'ftyp' && this.keptBytes > MAX_FTYP_BYTES) {
      this.error = `not a usual MP4 (its 'ftyp' box is over ${MAX_FTYP_BYTES} bytes)`
      return
    }
    this.kept.get(type)?.push(Buffer.from(bytes))
  }

  private fail(consumed: number, message: string): number {
    this.error ??= message
    return consumed
  }
}

/** Checks a file on disk in one read; stops with the signal's reason once it aborts. */
export async function inspectFile(path: string, signal?: AbortSignal): Promise<VideoFacts> {
  signal?.throwIfAborted()
  const inspector = new Mp4Inspector()
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) inspector.update(chunk as Buffer)
  } catch (err) {
    signal?.throwIfAborted()
    throw err
  }
  return inspector.finish(signal)
}

/**
 * The mdat whose payload holds `offset` (or ends there: a sample may be empty), if any. `mdats` are
 * in file order and do not overlap, so the last one that starts at or before `offset` is the only
 * one that can.
 */
function mediaDataAt(mdats: { from: number; to: number }[], offset: number): { from: number; to: number } | undefined {
  let lo = 0
  let hi = mdats.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (mdats[mid].from <= offset) lo = mid
    else hi = mid - 1
  }
  const m = mdats[lo]
  return m && offset >= m.from && offset <= m.to ? m : undefined
}

/** A track's sample tables, as the walk found and bounded them. */
interface SampleTables {
  /** the samples (stsz) */
  count: number
  /** every sample's size, or 0 when the sizes are listed at `sizesAt` */
  constantSize: number
  sizesAt: number
  /** the chunks (stco: 4-byte offsets, co64: 8-byte) */
  chunks: number
  chunkOffsetsAt: number
  wideOffsets: boolean
  /** the runs of chunks with the same samples per chunk (stsc: 12-byte entries) */
  runs: number
  runsAt: number
  moov: Buffer
}

/**
 * Every sample of a track lies inside one mdat's payload: each chunk (a run of consecutive samples
 * at one offset) is looked up once, its samples' sizes added up. O(samples + chunks); yields to
 * the event loop every SAMPLES_PER_TURN samples (of all tracks: `done` counts them) and stops
 * there once `signal` aborts. Returns `done` plus this track's samples.
 */
async function checkSamples(
  t: SampleTables,
  trackId: number,
  mdats: { from: number; to: number }[],
  fileSize: number,
  done: number,
  signal?: AbortSignal
): Promise<number> {
  const { moov } = t
  const outside = (sample: number, offset: number, size: number): BadMp4Error =>
    new BadMp4Error(
      `truncated: sample ${sample + 1} of track ${trackId} lies at bytes ${offset}–${offset + size}, outside the media data (${fileSize} bytes in the file)`
    )
  let sample = 0
  for (let run = 0; run < t.runs && sample < t.count; run++) {
    const first = moov.readUInt32BE(t.runsAt + 12 * run)
    const perChunk = moov.readUInt32BE(t.runsAt + 12 * run + 4)
    const next = run + 1 < t.runs ? moov.readUInt32BE(t.runsAt + 12 * (run + 1)) : t.chunks + 1
    // the walk checked that runs start at chunk 1 and go up: each chunk is visited once
    for (let chunk = first; chunk < next && chunk <= t.chunks && sample < t.count; chunk++) {
      let offset = t.wideOffsets
        ? Number(moov.readBigUInt64BE(t.chunkOffsetsAt + 8 * (chunk - 1)))
        : moov.readUInt32BE(t.chunkOffsetsAt + 4 * (chunk - 1))
      const mdat = mediaDataAt(mdats, offset)
      for (let k = 0; k < perChunk && sample < t.count; k++, sample++) {
        const size = t.constantSize || moov.readUInt32BE(t.sizesAt + 4 * sample)
        if (!mdat || offset + size > mdat.to) throw outside(sample, offset, size)
        offset += size
        if (++done % SAMPLES_PER_TURN === 0) {
          await yieldToLoop()
          signal?.throwIfAborted()
        }
      }
    }
  }
  if (sample < t.count) {
    throw new BadMp4Error(`not a playable MP4 (track ${trackId} declares ${t.count} samples, but its chunks hold only ${sample})`)
  }
  return done
}

/**
 * What the walk reads, by container: the headers and sample descriptions go to mp4box (for the
 * facts: duration, size, codecs); the sample tables are read here. Everything else in the moov
 * (user data, metadata, edit lists, free space, other tools' boxes) is left out.
 */
const WALKED: Record<string, readonly string[]> = {
  moov: ['mvhd', 'trak'],
  trak: ['tkhd', 'mdia'],
  mdia: ['mdhd', 'hdlr', 'minf'],
  minf: ['stbl'],
  stbl: ['stsd', 'stsc', 'stsz', 'stz2', 'stco', 'co64']
}
const SAMPLE_TABLES = new Set(['stsc', 'stsz', 'stz2', 'stco', 'co64'])
/** The boxes every track needs: mp4box reads the first four without asking whether they are there. */
const REQUIRED = ['tkhd', 'mdhd', 'hdlr', 'stsd', 'stsz', 'stsc', 'stco|co64']

interface Found {
  type: string
  /** offsets in the moov buffer */
  start: number
  end: number
  body: number
}

/**
 * Walks the moov (moov/trak/mdia/minf/stbl and the sample tables), bounds what it declares, and
 * returns each track's tables and a copy of the moov with only the boxes mp4box reads. `at` is
 * the moov's offset in the file, for the messages. Refused, with the reason: more than
 * MAX_SAMPLES samples in all; a table whose entries its bytes do not hold, or more chunks or runs
 * than samples; runs that do not start at chunk 1 and go up; more than MAX_TRACKS tracks or
 * MAX_MOOV_BOXES boxes; a needed box that is missing, doubled, oversized or cut short.
 */
function walkMoov(moov: Buffer, at: number): { forMp4box: Buffer; tracks: SampleTables[] } {
  let boxes = 0
  let samples = 0
  const tracks: SampleTables[] = []
  const children = function* (parent: Found): Generator<Found> {
    for (let pos = parent.body; pos < parent.end;) {
      if (++boxes > MAX_MOOV_BOXES) throw new BadMp4Error(`not a usual MP4 (more than ${MAX_MOOV_BOXES} boxes in its moov)`)
      const where = `at byte ${at + pos}`
      if (parent.end - pos < 8) throw new BadMp4Error(`not an MP4 (stray bytes ${where}, inside '${parent.type}')`)
      const size32 = moov.readUInt32BE(pos)
      const type = moov.toString('latin1', pos + 4, pos + 8)
      if (!/^[\x20-\x7e]{4}$/.test(type)) throw new BadMp4Error(`not an MP4 (no box ${where}, inside '${parent.type}')`)
      const headerSize = size32 === 1 ? 16 : 8
      const size = size32 === 1 && parent.end - pos >= 16 ? Number(moov.readBigUInt64BE(pos + 8)) : size32 === 0 ? parent.end - pos : size32
      if (size < headerSize || pos + size > parent.end) {
        throw new BadMp4Error(`not an MP4 (the '${type}' box ${where} does not fit inside its '${parent.type}' box)`)
      }
      yield { type, start: pos, end: pos + size, body: pos + headerSize }
      pos += size
    }
  }
  /** `found`: the boxes found so far in the trak being walked (or the moov's own), by type */
  const copy = (box: Found, found: Map<string, Found>): Buffer | undefined => {
    const walked = WALKED[box.type]
    if (!walked) {
      if (SAMPLE_TABLES.has(box.type)) return undefined
      if (box.end - box.start > MAX_HEADER_BOX_BYTES) {
        throw new BadMp4Error(`not a usual MP4 (its '${box.type}' box at byte ${at + box.start} is over ${MAX_HEADER_BOX_BYTES / 1024} KB)`)
      }
      return moov.subarray(box.start, box.end)
    }
    if (box.type === 'trak') {
      if (tracks.length >= MAX_TRACKS) throw new BadMp4Error(`not a usual MP4 (more than ${MAX_TRACKS} tracks)`)
      found = new Map()
    }
    const parts: Buffer[] = []
    for (const child of children(box)) {
      if (!walked.includes(child.type)) continue
      if (child.type !== 'trak') {
        // a second one would be read by one parser and not by another
        if (found.has(child.type)) throw new BadMp4Error(`not a usual MP4 (a second '${child.type}' box at byte ${at + child.start})`)
        found.set(child.type, child)
      }
      const part = copy(child, found)
      if (part) parts.push(part)
    }
    if (box.type === 'trak') {
      const tables = sampleTables(moov, found, trackId(moov, found.get('tkhd')) ?? tracks.length + 1, at)
      samples += tables.count
      tracks.push(tables)
    }
    const body = Buffer.concat(parts)
    const header = Buffer.alloc(8)
    header.writeUInt32BE(8 + body.length, 0)
    header.write(box.type, 4, 'latin1')
    return Buffer.concat([header, body])
  }
  const [top] = children({ type: 'file', start: 0, end: moov.length, body: 0 })
  if (top?.type !== 'moov') throw new BadMp4Error('not a playable MP4 (no moov box)')
  const movie = new Map<string, Found>()
  const forMp4box = copy(top, movie) as Buffer
  if (!movie.has('mvhd')) throw new BadMp4Error("not a playable MP4 (its moov has no 'mvhd' box)")
  if (!tracks.length) throw new BadMp4Error('the MP4 has no video track')
  if (samples > MAX_SAMPLES) {
    throw new BadMp4Error(
      `not a usual MP4 (its tracks declare ${samples} samples; at most ${MAX_SAMPLES} are read, and a 600 s video at 60 fps with audio has about 64,000)`
    )
  }
  return { forMp4box, tracks }
}

/** The track_ID of a tkhd (after version and flags: two times of 4 bytes, or of 8 in version 1). */
function trackId(moov: Buffer, tkhd: Found | undefined): number | undefined {
  if (!tkhd) return undefined
  const at = tkhd.body + (moov[tkhd.body] === 1 ? 20 : 12)
  return at + 4 <= tkhd.end ? moov.readUInt32BE(at) : undefined
}

/** A track's sample tables, each one's entries held by its bytes and bounded by its samples. */
function sampleTables(moov: Buffer, boxes: Map<string, Found>, n: number, at: number): SampleTables {
  if (boxes.has('stz2')) throw new BadMp4Error(`not a usual MP4 (track ${n} gives its sample sizes in an 'stz2' box, which is not read)`)
  for (const need of REQUIRED) {
    const names = need.split('|')
    if (!names.some(t => boxes.has(t))) throw new BadMp4Error(`not a playable MP4 (track ${n} has no '${names[0]}' box)`)
  }
  if (boxes.has('stco') && boxes.has('co64')) throw new BadMp4Error(`not a usual MP4 (track ${n} has both 'stco' and 'co64' boxes)`)
  const cutShort = (box: Found): BadMp4Error => new BadMp4Error(`not an MP4 (the '${box.type}' box at byte ${at + box.start} is cut short)`)
  const overfull = (box: Found, entries: number): BadMp4Error =>
    new BadMp4Error(
      `not an MP4 (the '${box.type}' box at byte ${at + box.start} declares ${entries} entries in ${box.end - box.body} bytes)`
    )
  /** a table after version and flags: an entry count, then the entries */
  const table = (type: string, each: number): { box: Found; entries: number } => {
    const box = boxes.get(type) as Found
    if (box.end - box.body < 8) throw cutShort(box)
    const entries = moov.readUInt32BE(box.body + 4)
    if (box.end - box.body < 8 + entries * each) throw overfull(box, entries)
    return { box, entries }
  }
  if (table('stsd', 0).entries === 0) throw new BadMp4Error(`not a playable MP4 (track ${n} has no sample description)`)
  // stsz: a sample size (0: each sample's size follows), then the sample count
  const stsz = boxes.get('stsz') as Found
  if (stsz.end - stsz.body < 12) throw cutShort(stsz)
  const constantSize = moov.readUInt32BE(stsz.body + 4)
  // a constant size costs no bytes: only the total bound (MAX_SAMPLES) keeps this count sane
  const count = moov.readUInt32BE(stsz.body + 8)
  if (!constantSize && stsz.end - stsz.body < 12 + 4 * count) throw overfull(stsz, count)
  const wideOffsets = boxes.has('co64')
  const stco = table(wideOffsets ? 'co64' : 'stco', wideOffsets ? 8 : 4)
  const stsc = table('stsc', 12)
  // a chunk holds at least one sample, a run at least one chunk: longer tables describe nothing real
  if (stco.entries > count || stsc.entries > stco.entries) {
    throw new BadMp4Error(`not a usual MP4 (track ${n} lists ${stco.entries} chunks in ${stsc.entries} runs for ${count} samples)`)
  }
  const runsAt = stsc.box.body + 8
  for (let run = 0, last = 0; run < stsc.entries; run++) {
    const first = moov.readUInt32BE(runsAt + 12 * run)
    if (run === 0 ? first !== 1 : first <= last) {
      throw new BadMp4Error(`not an MP4 (track ${n}'s 'stsc' box: run ${run + 1} starts at chunk ${first}, after chunk ${last})`)
    }
    last = first
  }
  return {
    count,
    constantSize,
    sizesAt: stsz.body + 12,
    chunks: stco.entries,
    chunkOffsetsAt: stco.box.body + 8,
    wideOffsets,
    runs: stsc.entries,
    runsAt,
    moov
  }
}
