// The finished MP4, checked in one pass as its bytes go by: the top-level boxes (ftyp first, a
// moov with a video track, mdat boxes that hold every sample, the last box ending exactly at the
// end of the file), the facts of the moov (read by mp4box) and the SHA-256. A download feeds the
// bytes while it writes them; a file on disk is read once. A truncated or foreign body fails here,
// before anything is renamed to `output`.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createFile, MP4BoxBuffer, type Movie } from 'mp4box'

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

/** The bytes are not a whole, playable MP4. A cloud download retries on it. */
export class BadMp4Error extends Error {
  override name = 'BadMp4Error'
}

/** The moov is kept in memory to parse it; a real one is kilobytes to a few megabytes. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024
const MAX_TOP_LEVEL_BOXES = 100_000

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

  /** The facts of a whole MP4; throws BadMp4Error otherwise. */
  finish(): VideoFacts {
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
    const mdats = this.boxes.filter(b => b.type === 'mdat').map(b => ({ from: b.start + b.headerSize, to: b.end }))

    const file = createFile(false)
    let movie: Movie | undefined
    let failure: string | undefined
    file.onReady = info => (movie = info)
    file.onError = (_module, message) => (failure = message)
    // ftyp + moov alone: the sample offsets inside the moov still point into the real file
    const head = Buffer.concat([...(this.kept.get('ftyp') ?? []), ...moov])
    const ab = head.buffer.slice(head.byteOffset, head.byteOffset + head.length) as ArrayBuffer
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(ab, 0), true)
    file.flush()
    if (!movie) throw new BadMp4Error(`not a playable MP4: ${failure ?? 'the moov box could not be read'}`)
    const video = movie.videoTracks[0]
    if (!video) throw new BadMp4Error('the MP4 has no video track')
    for (const track of movie.tracks) {
      const samples = file.getTrackById(track.id)?.samples ?? []
      if (track.id === video.id && samples.length === 0) throw new BadMp4Error('the video track has no samples')
      for (const s of samples) {
        if (!mdats.some(m => s.offset >= m.from && s.offset + s.size <= m.to)) {
          throw new BadMp4Error(
            `truncated: sample ${s.number + 1} of track ${track.id} lies at bytes ${s.offset}–${s.offset + s.size}, outside the media data (${size} bytes in the file)`
          )
        }
      }
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
    this.kept.get(type)?.push(Buffer.from(bytes))
  }

  private fail(consumed: number, message: string): number {
    this.error ??= message
    return consumed
  }
}

/** Checks a file on disk in one read. */
export async function inspectFile(path: string): Promise<VideoFacts> {
  const inspector = new Mp4Inspector()
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) inspector.update(chunk as Buffer)
  return inspector.finish()
}
