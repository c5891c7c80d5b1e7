// Beside each finished MP4: a poster JPEG (a representative frame: inside a clip, away from its
// transitions, where the title shows when there is one, and not black or flat) and a short looping
// animated WebP preview (at most 480 px wide and 2 MB) for READMEs and pull-request comments.
// Both come from the finished MP4 with ffmpeg, whichever backend made it.
import { execFile } from 'node:child_process'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { promisify } from 'node:util'
import { log } from '../shared/log.js'
import { segmentSpan, trackKind, type Draft } from '../shared/timeline.js'
import type { FinishedVideo } from './finish.js'

const run = promisify(execFile)

export const PREVIEW = { maxWidth: 480, maxBytes: 2 * 1024 * 1024, seconds: 6, fps: 10 } as const
const PROBE = { width: 32, height: 18 }
const JPEG_COLOURS = 'scale=in_color_matrix=auto:in_range=auto:out_color_matrix=bt601:out_range=full,format=yuvj420p'

export interface Previews {
  posterPath: string
  previewPath: string
}

/** Where the poster and preview of `video.mp4` go: `video.poster.jpg`, `video.preview.webp`. */
export function previewPaths(output: string): Previews {
  const stem = join(dirname(output), basename(output, extname(output)))
  return { posterPath: `${stem}.poster.jpg`, previewPath: `${stem}.preview.webp` }
}

/**
 * Moments worth a poster, best first: the middle of each clip (never a transition, which sits at
 * a clip's edges), clips under the title first.
 */
export function posterCandidates(draft: Draft, duration: number): number[] {
  const spans = (kind: string): { start: number; end: number }[] =>
    draft.t
      .filter(t => trackKind(t.tt) === kind)
      .flatMap(t => (t.sg ?? []).map(segmentSpan))
      .map(s => ({ start: s.start / 1000, end: s.end / 1000 }))
      .filter(s => s.end > s.start)
  const title = spans('text')[0]
  const mids = spans('video')
    .sort((a, b) => a.start - b.start)
    .map(s => {
      // under the title when it covers a good part of the clip: the middle of that part
      const from = Math.max(s.start, title?.start ?? Infinity)
      const to = Math.min(s.end, title?.end ?? -Infinity)
      const titled = to - from >= Math.min(1, (s.end - s.start) / 2)
      return { t: titled ? (from + to) / 2 : (s.start + s.end) / 2, titled }
    })
  const ordered = [...mids.filter(m => m.titled), ...mids.filter(m => !m.titled)].map(m => m.t)
  const inside = ordered.filter(t => t > 0 && t < duration)
  return inside.length ? inside : [duration / 2]
}

/** Mean and spread of a frame's brightness (0–255), from a tiny grey copy. */
async function frameStats(ffmpeg: string, file: string, t: number, signal: AbortSignal): Promise<{ mean: number; spread: number }> {
  const { stdout } = await run(
    ffmpeg,
    [
      '-v',
      'error',
      '-ss',
      t.toFixed(3),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `scale=${PROBE.width}:${PROBE.height}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-'
    ],
    { encoding: 'buffer', maxBuffer: 1 << 20, signal }
  )
  const px = stdout as unknown as Buffer
  if (!px.length) return { mean: 0, spread: 0 }
  let sum = 0
  for (const v of px) sum += v
  const mean = sum / px.length
  let sq = 0
  for (const v of px) sq += (v - mean) ** 2
  return { mean, spread: Math.sqrt(sq / px.length) }
}

/** Writes the poster and the preview beside the MP4 (temp files, then renamed). */
export async function makePreviews(ffmpeg: string, video: FinishedVideo, draft: Draft, signal: AbortSignal): Promise<Previews> {
  const paths = previewPaths(video.path)
  const duration = video.info.duration

  // the poster: the first candidate that is neither black nor flat
  let at = posterCandidates(draft, duration)[0]
  for (const t of posterCandidates(draft, duration).slice(0, 12)) {
    const { mean, spread } = await frameStats(ffmpeg, video.path, t, signal)
    if (mean > 24 && spread > 8) {
      at = t
      break
    }
  }
  await atomically(paths.posterPath, tmp =>
    run(
      ffmpeg,
      // JPEG is BT.601 full range; the MP4 may be tagged BT.709: converted, the colours stay the same
      [
        '-v',
        'error',
        '-y',
        '-ss',
        at.toFixed(3),
        '-i',
        video.path,
        '-frames:v',
        '1',
        '-vf',
        JPEG_COLOURS,
        '-q:v',
        '3',
        '-f',
        'image2',
        '-c:v',
        'mjpeg',
        tmp
      ],
      { signal }
    )
  )

  // the preview: the first seconds, looping; smaller until it fits the size cap
  const seconds = Math.min(PREVIEW.seconds, duration)
  const tries = [
    { width: Math.min(PREVIEW.maxWidth, video.info.width), fps: PREVIEW.fps, quality: 60 },
    { width: Math.min(320, video.info.width), fps: 8, quality: 45 },
    { width: Math.min(240, video.info.width), fps: 6, quality: 30 }
  ]
  for (const [i, p] of tries.entries()) {
    await atomically(paths.previewPath, tmp =>
      run(
        ffmpeg,
        [
          '-v',
          'error',
          '-y',
          '-t',
          seconds.toFixed(3),
          '-i',
          video.path,
          '-an',
          '-vf',
          `fps=${p.fps},scale=${p.width}:-2:flags=lanczos:in_color_matrix=auto:out_color_matrix=bt601`,
          '-c:v',
          'libwebp_anim',
          '-loop',
          '0',
          '-quality',
          String(p.quality),
          '-compression_level',
          '4',
          '-f',
          'webp',
          tmp
        ],
        { signal }
      )
    )
    const { size } = await stat(paths.previewPath)
    if (size <= PREVIEW.maxBytes) break
    if (i === tries.length - 1) {
      await rm(paths.previewPath, { force: true })
      throw new Error(`the preview stays over ${PREVIEW.maxBytes / 1048576} MB even at ${p.width} px`)
    }
  }
  log.info(
    `🖼  Poster at ${at.toFixed(1)} s: ${basename(paths.posterPath)}; preview (${seconds.toFixed(1)} s, looping): ${basename(paths.previewPath)}`
  )
  return paths
}

async function atomically(path: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
  const tmp = `${path}.${process.pid}.part`
  try {
    await write(tmp)
    await rename(tmp, path)
  } finally {
    await rm(tmp, { force: true })
  }
}
