// What a platform's ingest reads in an MP4, measured from the file itself: its box tree (edit
// lists, where the moov is), its keyframes, its streams and its loudness.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The boxes that hold other boxes, down to the sample tables (and the edit list's edts). */
const CONTAINERS = new Set(['moov', 'trak', 'edts', 'mdia', 'minf', 'stbl', 'dinf', 'udta', 'mvex', 'moof', 'traf'])

/** Every box of the file as its path from the top, e.g. 'moov/trak/edts/elst', in file order. */
export async function boxPaths(file: string): Promise<string[]> {
  return (await boxes(file)).map(b => b.path)
}

/** The boxes whose version (a full box's first byte) tells how their entries are read, e.g. ctts 1: signed offsets. */
const FULL_BOXES = new Set(['ctts', 'elst', 'mvhd', 'tkhd', 'mdhd'])

/** Every box of the file, in file order: its path from the top and, for the FULL_BOXES, its version. */
export async function boxes(file: string): Promise<{ path: string; version?: number }[]> {
  const buf = await readFile(file)
  const out: { path: string; version?: number }[] = []
  const walk = (from: number, to: number, parent: string): void => {
    for (let pos = from; pos + 8 <= to;) {
      let size = buf.readUInt32BE(pos)
      const type = buf.toString('latin1', pos + 4, pos + 8)
      let header = 8
      if (size === 1) [size, header] = [Number(buf.readBigUInt64BE(pos + 8)), 16]
      else if (size === 0) size = to - pos
      if (size < header || pos + size > to) throw new Error(`${file}: box '${type}' at ${pos} does not fit in '${parent || 'file'}'`)
      const path = parent ? `${parent}/${type}` : type
      out.push(FULL_BOXES.has(type) && size > header ? { path, version: buf[pos + header] } : { path })
      if (CONTAINERS.has(type)) walk(pos + header, pos + size, path)
      pos += size
    }
  }
  walk(0, buf.length, '')
  return out
}

/** Each keyframe's time in the video stream (packets flagged K; no decoding), and the stream's end. */
export async function keyframeTimes(file: string): Promise<{ keys: number[]; end: number }> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time,flags', '-of', 'csv=p=0', file],
    { maxBuffer: 64 << 20 }
  )
  const keys: number[] = []
  let end = 0
  for (const line of stdout.trim().split('\n')) {
    const [pts, duration, flags] = line.split(',')
    const t = Number(pts)
    if (flags?.includes('K')) keys.push(t)
    end = Math.max(end, t + (Number(duration) || 0))
  }
  return { keys: keys.sort((a, b) => a - b), end }
}

/** Each frame's time as ffmpeg decodes the video stream and would show it, in seconds, in display order. */
export async function frameTimes(file: string): Promise<number[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time', '-of', 'csv=p=0', file],
    { maxBuffer: 64 << 20 }
  )
  // a frame's side data (an H.264 SEI) is a line of its own, empty in csv
  return stdout
    .split('\n')
    .filter(l => l.trim())
    .map(l => Number(l.split(',')[0]))
}

/** The longest stretch without a keyframe, from each keyframe to the next (and the last one to the end). */
export function maxKeyframeGap({ keys, end }: { keys: number[]; end: number }): number {
  return Math.max(...[...keys, end].slice(1).map((t, i) => t - keys[i]))
}

/** What ffprobe says of each stream (codec, profile, pixel format, colours, sample rate, channels, bit rate). */
export async function streamsOf(file: string): Promise<Record<string, string>[]> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,profile,pix_fmt,color_primaries,color_transfer,color_space,sample_rate,channels,channel_layout,bit_rate:format=bit_rate,duration',
    '-of',
    'json',
    file
  ])
  const parsed = JSON.parse(stdout) as { streams: Record<string, string | number>[]; format: Record<string, string> }
  return [
    ...parsed.streams.map(s => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)]))),
    { codec_type: 'format', ...parsed.format }
  ]
}

/** The integrated loudness (LUFS) and true peak (dBTP) of a file's sound, as ffmpeg's EBU R128 meter reads them. */
export async function loudnessOf(file: string): Promise<{ integrated: number; truePeak: number }> {
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { maxBuffer: 64 << 20 }
  )
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'))
  const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(summary)
  const peak = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)
  if (!integrated || !peak) throw new Error(`no EBU R128 summary for ${file}: ${stderr.slice(-500)}`)
  return { integrated: Number(integrated[1]), truePeak: peak[1] === '-inf' ? -Infinity : Number(peak[1]) }
}
