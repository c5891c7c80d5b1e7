// Beside each finished MP4: a poster JPEG (a representative frame: inside a clip, away from its
// transitions, where the title shows when there is one, and not black or flat) and a short looping
// animated WebP preview (at most 480 px wide and 2 MB) for READMEs and pull-request comments.
// The poster comes from the finished MP4; so does the preview, unless the backend made it from the
// frames it encoded (the local backend does: the same filter and encoder settings, no second decode).
import { copyFile, mkdtemp, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Ffmpeg } from '../media/ffmpeg.js'
import { input } from '../media/inputs.js'
import { PREVIEW, previewEncoder, previewFilter, previewSeconds, previewTries } from '../media/preview-format.js'
import { previewPaths, type Previews } from '../inputs/video-files.js'
import { log } from '../shared/log.js'
import { segmentSpan, trackKind, type Draft } from '../shared/timeline.js'
import type { FinishedVideo } from './finish.js'

const PROBE = { width: 32, height: 18 }
/**
 * JPEG is BT.601 full range; the MP4 may be tagged BT.709: converted, the colours stay the same (by
 * way of RGB, where 4.x's one scale would not expand the range).
 */
const jpegColours = (ffmpeg: Ffmpeg): string =>
  `scale=${ffmpeg.videoColours},format=rgb24,scale=out_color_matrix=bt601:out_range=full,format=yuvj420p`

/**
 * Moments worth a poster, best first: the middle of each clip (never a transition, which sits at
 * a clip's edges), clips under the title first.
 */
function posterCandidates(draft: Draft, duration: number): number[] {
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

/**
 * Writes the frame at `t` as a JPEG to `out` and returns the mean and spread of its brightness
 * (0–255, from a tiny grey copy made in the same run): one seek and one decode.
 */
async function writeFrame(
  ffmpeg: Ffmpeg,
  file: string,
  t: number,
  out: string,
  signal: AbortSignal
): Promise<{ mean: number; spread: number }> {
  const graph = `[0:v]split[a][b];[a]${jpegColours(ffmpeg)}[jpeg];[b]scale=${PROBE.width}:${PROBE.height},format=gray[probe]`
  const { stdout: px } = await ffmpeg.run(
    ['-v', 'error', '-y', '-ss', t.toFixed(3), ...input('mp4', file), '-filter_complex', graph, '-frames:v', '1']
      .concat(['-map', '[jpeg]', '-q:v', '3', '-f', 'image2', '-update', '1', '-c:v', 'mjpeg', `file:${out}`])
      .concat(['-map', '[probe]', '-frames:v', '1', '-f', 'rawvideo', 'pipe:1']),
    { signal, stdout: { maxBytes: PROBE.width * PROBE.height } }
  )
  if (!px.length) return { mean: 0, spread: 0 }
  let sum = 0
  for (const v of px) sum += v
  const mean = sum / px.length
  let sq = 0
  for (const v of px) sq += (v - mean) ** 2
  return { mean, spread: Math.sqrt(sq / px.length) }
}

/**
 * Writes the poster and the preview beside the MP4: each is written in a private folder beside it,
 * then renamed into place.
 */
export async function makePreviews(
  ffmpeg: Ffmpeg,
  video: FinishedVideo,
  draft: Draft,
  signal: AbortSignal,
  /** a preview the backend made while rendering (the same settings as the first try below) */
  made?: string
): Promise<Previews> {
  const paths = previewPaths(video.path)
  const duration = video.info.duration
  // The temp files go in a folder of the action's own, made here (mkdtemp: a random name, created
  // only if nothing is there, mode 0700), not at names a repository could predict and plant links
  // at (ffmpeg follows them). Beside the MP4, on its file system, so the renames stay atomic.
  const scratch = await mkdtemp(join(dirname(video.path), '.img2vid-previews-'))
  const posterTemp = join(scratch, 'poster.jpg')
  const previewTemp = join(scratch, 'preview.webp')

  // the poster: the first candidate that is neither black nor flat, else the first
  const poster = (async () => {
    const candidates = posterCandidates(draft, duration)
    let chosen: number | undefined
    await atomically(posterTemp, paths.posterPath, async tmp => {
      for (const t of candidates.slice(0, 12)) {
        const { mean, spread } = await writeFrame(ffmpeg, video.path, t, tmp, signal)
        if (mean > 24 && spread > 8) return (chosen = t)
      }
      return writeFrame(ffmpeg, video.path, candidates[0], tmp, signal)
    })
    return chosen ?? candidates[0]
  })()
  // the preview (at the same time, on the other core): the backend's when it made one while
  // rendering and it fits, else from the MP4, smaller until it fits the size cap
  const seconds = previewSeconds(duration)
  const preview = (async () => {
    const early = made ? await stat(made).catch(() => undefined) : undefined
    if (made && early && early.size > 0 && early.size <= PREVIEW.maxBytes)
      return atomically(previewTemp, paths.previewPath, tmp => copyFile(made, tmp))
    const tries = previewTries(video.info.width)
    for (const [i, p] of tries.entries()) {
      await atomically(previewTemp, paths.previewPath, tmp =>
        ffmpeg.run(
          [
            '-v',
            'error',
            '-y',
            '-t',
            seconds.toFixed(3),
            ...input('mp4', video.path),
            '-an',
            '-vf',
            previewFilter(p, ffmpeg),
            ...previewEncoder(p),
            `file:${tmp}`
          ],
          { signal }
        )
      )
      const { size } = await stat(paths.previewPath)
      if (size <= PREVIEW.maxBytes) return
      if (i === tries.length - 1) {
        await rm(paths.previewPath, { force: true })
        throw new Error(`the preview stays over ${PREVIEW.maxBytes / 1048576} MB even at ${p.width} px`)
      }
    }
  })()
  // both settle before either failure is reported: nothing is written after the caller moved on
  const [at, done] = await Promise.allSettled([poster, preview])
  await rm(scratch, { recursive: true, force: true })
  if (at.status === 'rejected') throw at.reason
  if (done.status === 'rejected') throw done.reason
  log.info(
    `🖼  Poster at ${at.value.toFixed(1)} s: ${basename(paths.posterPath)}; preview (${seconds.toFixed(1)} s, looping): ${basename(paths.previewPath)}`
  )
  return paths
}

/** `write` fills `tmp` (in the private folder), which then replaces `path`. */
async function atomically(tmp: string, path: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
  try {
    await write(tmp)
    await rename(tmp, path)
  } finally {
    await rm(tmp, { force: true })
  }
}
