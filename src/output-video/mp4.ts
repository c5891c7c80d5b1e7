// Facts about an MP4 read from its boxes with mp4box (no ffprobe on runners).
import { open } from 'node:fs/promises'
import { createFile, MP4BoxBuffer, type Movie } from 'mp4box'

export interface VideoInfo {
  /** seconds */
  duration: number
  width: number
  height: number
  /** e.g. avc1.64001f */
  videoCodec: string
  audioCodec?: string
  size: number
}

export class NotMp4Error extends Error {}

const CHUNK = 1 << 20

/** Reads only the boxes mp4box asks for: the moov, wherever it sits, not the media data. */
export async function readVideoInfo(path: string): Promise<VideoInfo> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const head = Buffer.alloc(8)
    await fh.read(head, 0, 8, 0)
    if (size < 8 || head.toString('latin1', 4, 8) !== 'ftyp') throw new NotMp4Error(`${path} is not an MP4 (no ftyp box at the start)`)

    const file = createFile()
    let movie: Movie | undefined
    let failure: string | undefined
    file.onReady = info => (movie = info)
    file.onError = (_module, message) => (failure = message)
    let pos = 0
    while (!movie && !failure && pos < size) {
      const len = Math.min(CHUNK, size - pos)
      const buf = Buffer.alloc(len)
      const { bytesRead } = await fh.read(buf, 0, len, pos)
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead)
      const next = file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(ab, pos), pos + bytesRead >= size)
      // mp4box says where it wants to read next; it skips mdat when moov comes later
      pos = next > pos ? next : pos + bytesRead
    }
    if (!movie) throw new NotMp4Error(`${path} is not a playable MP4: ${failure ?? 'no moov box found'}`)
    const video = movie.videoTracks[0]
    if (!video) throw new NotMp4Error(`${path} has no video track`)
    const duration = movie.timescale ? movie.duration / movie.timescale : video.duration / video.timescale
    return {
      duration: Math.round(duration * 1000) / 1000,
      width: video.video?.width ?? video.track_width,
      height: video.video?.height ?? video.track_height,
      videoCodec: video.codec,
      audioCodec: movie.audioTracks[0]?.codec,
      size
    }
  } finally {
    await fh.close()
  }
}
