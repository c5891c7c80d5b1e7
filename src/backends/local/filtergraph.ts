// Plan → the ffmpeg runs that make the video (stills, segments, the sound track, the mux): their
// graphs and arguments. Pure, so offsets and graphs are testable without running ffmpeg.
import type { Fit, Transition } from '../../shared/options.js'
import { FfmpegError } from '../../media/errors.js'
import type { Ffmpeg } from '../../media/ffmpeg.js'
import { input, inputType } from '../../media/inputs.js'
import { previewEncoder, previewFilter, previewSeconds, previewTries } from '../../media/preview-format.js'
import { musicChain } from './loudness.js'
import type { LocalPlan } from './plan.js'
import { overlaysIn, type DrawnOverlay } from './overlays.js'

const PRESET = 'veryfast'

/** Every run: no banner, no stdin, only errors on stderr (they are what a failure reports). */
const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error']

/**
 * Each transition as xfade draws it, and the ffmpeg that first has it (fade is drawn by fade and
 * overlay instead, which every supported ffmpeg has).
 */
const XFADE: Record<Exclude<Transition, 'none'>, { name: string; since?: [number, number] }> = {
  fade: { name: 'fade' },
  slide: { name: 'slideleft' },
  wipe: { name: 'wipeleft' },
  zoom: { name: 'zoomin', since: [4, 4] }
}

/** The transitions every supported ffmpeg draws. */
const everywhere = Object.entries(XFADE)
  .filter(([, x]) => !x.since)
  .map(([t]) => t)

/** Refuses, before anything is rendered, a transition this ffmpeg does not have. */
export function checkTransition(transition: Transition, ffmpeg: Pick<Ffmpeg, 'atLeast' | 'version'>): void {
  const since = transition === 'none' ? undefined : XFADE[transition].since
  if (since && !ffmpeg.atLeast(...since))
    throw new FfmpegError(
      `input 'transition': '${transition}' needs ffmpeg ${since.join('.')} or newer and this one is ${ffmpeg.version.text}: choose another transition (${everywhere.join(', ')}) or a newer ffmpeg ('ffmpeg-path').`
    )
}

/** Frames of each clip at the plan's fps (what ffmpeg will really produce). */
export function clipFrames(plan: LocalPlan): number[] {
  return plan.clips.map(c => Math.max(1, Math.round(c.duration * plan.fps)))
}

/**
 * xfade offsets: offset_k = Σ D_j (j<k) − k·T. An offset at or past the end of the chain so far
 * makes ffmpeg silently drop the rest, so every one is checked here.
 */
export function xfadeOffsets(durations: number[], T: number): number[] {
  if (durations.length < 2 || T <= 0) return []
  const shortest = Math.min(...durations)
  if (!(T < shortest)) throw new Error(`transition of ${T} s does not fit a clip of ${shortest} s`)
  const offsets: number[] = []
  let chain = durations[0]
  for (let k = 1; k < durations.length; k++) {
    const offset = chain - T
    const prev = offsets.at(-1) ?? 0
    if (!(offset > prev) || offset + T > chain + 1e-9) throw new Error(`invalid xfade offset ${offset} for clip ${k} (chain ${chain} s)`)
    offsets.push(Math.round(offset * 1e6) / 1e6)
    chain += durations[k] - T
  }
  return offsets
}

// Every photo is decoded once, before the render, by its own small ffmpeg run (prepareArgs): framed
// (fit, transparency over the fill), scaled to the size its motion needs (at most ~1.13× the
// frame), converted to BT.709 4:2:0 and written as raw frames into its own file.
//
// The video is then made in segments (segments(), segmentArgs): each an ffmpeg run that reads the
// stills of its clips (and the previous clip's, for a transition), moves them and encodes its
// stretch of frames with one x264 thread; as many run side by side as there are cores. Each holds
// two small stills and a few frames, however many photos there are. A last run (muxArgs) joins the
// segments by stream copy and adds the music.
//
// Ken Burns, alternating per image, both on the pixel grid of 4:2:0 and so free of judder: a pan
// crops a still wider (taller) than the frame 2 pixels further each frame (even offsets keep the
// chroma aligned); a zoom scales the still each frame to (W+2k)×(H+2m) and crops the centre, so the
// centre stays where it is while the edges grow.
const even = (n: number): number => Math.ceil(n / 2) * 2

const PANS = ['right', 'down', 'left', 'up'] as const
/** zoom per side, as a share of the frame (12% over the clip) */
const ZOOM_SIDE = 0.06
/** pans longer than this share of the frame become zooms */
const PAN_MAX = 0.3
/** pixels a pan moves each frame */
const PAN_STEP = 2

type Motion =
  | { kind: 'still' }
  | { kind: 'animated' }
  | { kind: 'pan'; dir: (typeof PANS)[number]; travel: number; /** pixels a frame (even) */ step: number; panorama?: boolean }
  | { kind: 'zoom'; dir: 'in' | 'out'; k: number; m: number }

export interface ClipLayout {
  motion: Motion
  /** the still's size, before motion */
  w: number
  h: number
  /** frames in the clip's still file (1, or an animation's frames, up to the cap: then they loop) */
  count: number
  /** frames on screen */
  frames: number
}

export interface ImageFacts {
  animated?: boolean
  /** the photo's size as shown, when known (a panorama pans across its length) */
  width?: number
  height?: number
}

/**
 * A panorama is at least this many times as long as it is high (or high as it is wide), and this
 * many times the frame's shape when the frame is longer that way than square (3.56:1 in a 16:9
 * frame): a phone's 4:3 photo is never one, in any frame, and is shown as fit 'auto' chooses.
 */
const PANORAMA = 2
/** A panorama pans at most a 240th of the frame's width a frame (8 px at 1080p: 1/8 of the frame a second). */
const PANORAMA_STEP = 240

/**
 * The pan across a panorama (PANORAMA): across its whole length
 * at the panorama's height, at a steady even step of pixels, as far as the clip's frames and the
 * step's cap allow. Undefined for other photos.
 */
export function panoramaPan(
  photo: ImageFacts,
  W: number,
  H: number,
  F: number,
  i: number
): { dir: (typeof PANS)[number]; travel: number; step: number; length: number } | undefined {
  if (!photo.width || !photo.height || F < 2) return undefined
  const wide = photo.width / photo.height >= PANORAMA * Math.max(1, W / H)
  const tall = photo.height / photo.width >= PANORAMA * Math.max(1, H / W)
  if (!wide && !tall) return undefined
  // the panorama's length at the frame's height (or width), less what one frame shows
  const length = wide ? Math.round((photo.width * H) / photo.height) : Math.round((photo.height * W) / photo.width)
  const across = length - (wide ? W : H)
  const cap = Math.max(PAN_STEP, 2 * Math.floor((wide ? W : H) / PANORAMA_STEP / 2))
  const step = Math.min(cap, Math.max(PAN_STEP, 2 * Math.floor(across / (F - 1) / 2)))
  const dir = wide ? (i % 2 === 0 ? 'right' : 'left') : i % 2 === 0 ? 'down' : 'up'
  return { dir, travel: step * (F - 1), step, length }
}

/**
 * An animation's still file holds at most this many bytes of raw frames; a longer clip plays them
 * in a loop. Without a cap one GIF on screen for 600 s at 1080p would be 56 GB of raw frames.
 */
export const MAX_ANIMATION_BYTES = 256 * 1024 * 1024

/** The frames of a w×h 4:2:0 animation that fit the cap (at least 1). */
const animationFrames = (w: number, h: number): number => Math.max(1, Math.floor(MAX_ANIMATION_BYTES / (w * h * 1.5)))

/** An animation on screen for longer than its still file holds: the file is played in a loop. */
export const loopsAnimation = (c: ClipLayout): boolean => c.motion.kind === 'animated' && c.count < c.frames

/** Motion and still size per clip. */
export function layoutClips(
  plan: Pick<LocalPlan, 'width' | 'height' | 'kenBurns'> & { fit?: Fit },
  frames: number[],
  facts: ImageFacts[]
): ClipLayout[] {
  const { width: W, height: H } = plan
  return frames.map((F, i): ClipLayout => {
    let motion: Motion = { kind: 'still' }
    let [w, h] = [W, H]
    // a panorama is crossed unless the inputs ask to see it whole ('fit: contain' or 'blur')
    const crossing = plan.kenBurns && (plan.fit ?? 'auto') !== 'contain' && plan.fit !== 'blur'
    const panorama = crossing ? panoramaPan(facts[i] ?? {}, W, H, F, i) : undefined
    if (facts[i]?.animated) motion = { kind: 'animated' }
    else if (panorama) {
      motion = { kind: 'pan', dir: panorama.dir, travel: panorama.travel, step: panorama.step, panorama: true }
      if (panorama.dir === 'right' || panorama.dir === 'left') w = W + panorama.travel
      else h = H + panorama.travel
    } else if (plan.kenBurns && F > 1) {
      const dir = PANS[((i - 1) / 2) % PANS.length]
      const horizontal = dir === 'right' || dir === 'left'
      const travel = PAN_STEP * (F - 1)
      if (i % 2 === 1 && travel <= PAN_MAX * (horizontal ? W : H)) {
        motion = { kind: 'pan', dir, travel, step: PAN_STEP }
        if (horizontal) w = W + travel
        else h = H + travel
      } else {
        const k = Math.max(1, Math.round(ZOOM_SIDE * W))
        const m = Math.round((k * H) / W)
        motion = { kind: 'zoom', dir: (i / 2) % 2 === 1 ? 'out' : 'in', k, m }
        w = W + 2 * k
        h = H + 2 * m
      }
    }
    return { motion, w, h, count: motion.kind === 'animated' ? Math.min(F, animationFrames(w, h)) : 1, frames: F }
  })
}

/**
 * Frames [from, from+count) of clip c, from its still (label `src`) to W×H 4:2:0 frames with clean
 * timestamps (label `out`): graph lines. Only the frames asked for are computed.
 */
function motionGraph(
  c: ClipLayout,
  from: number,
  count: number,
  plan: Pick<LocalPlan, 'width' | 'height' | 'fps'>,
  src: string,
  out: string
): string {
  const { width: W, height: H, fps } = plan
  const clean = `settb=AVTB,setpts=N/${fps}/TB`
  const m = c.motion
  if (m.kind === 'animated') return `[${src}]trim=start_frame=${from}:end_frame=${from + count},${clean}[${out}]`
  const hold = `loop=loop=${count - 1}:size=1:start=0,${clean}`
  if (m.kind === 'still') return `[${src}]${hold}[${out}]`
  if (m.kind === 'pan') {
    // the frame number within the clip
    const n = `(n+${from})`
    const pos = m.dir === 'right' || m.dir === 'down' ? `${m.step}*${n}` : `${m.travel}-${m.step}*${n}`
    const [x, y] = m.dir === 'right' || m.dir === 'left' ? [pos, '0'] : ['0', pos]
    return `[${src}]${hold},crop=${W}:${H}:x='${x}':y='${y}':exact=1[${out}]`
  }
  // k(n): 0→K (in) or K→0 (out) per side, m(n) in proportion; the crop takes the exact centre.
  // The size changes every frame, which `scale` cannot do safely from ffmpeg 7.0 on: there it
  // re-creates its frame sync inside that sync's own callback whenever its output size is
  // re-evaluated (heap corruption, SIGABRT). scale2ref scales the same way (the same frames, bit
  // for bit, on 5.1) without a frame sync; its reference (the still itself) is only read for its size.
  const last = Math.max(1, c.frames - 1)
  const k = (frame: string): string => `round(${m.k}*${m.dir === 'in' ? `${frame}/${last}` : `(${last}-${frame})/${last}`})`
  const mm = (frame: string): string => `round(${k(frame)}*${H}/${W})`
  const [sn, cn] = [`(main_n+${from})`, `(n+${from})`]
  return [
    `[${src}]split[${src}m][${src}r]`,
    `[${src}m]${hold}[${src}h]`,
    `[${src}h][${src}r]scale2ref=w='${W}+2*${k(sn)}':h='${H}+2*${mm(sn)}':eval=frame:flags=bilinear[${src}z][${src}x]`,
    `[${src}x]nullsink`,
    // the crop follows the scale directly: it sees the new size
    `[${src}z]crop=${W}:${H}:x='${k(cn)}':y='${mm(cn)}':exact=1[${out}]`
  ].join(';\n')
}

/** A run of consecutive frames of the video, made and encoded by one ffmpeg run. */
export interface Segment {
  /** clips whose stills the segment reads, in order (the one before a transition for its tail) */
  clips: number[]
  /** its first frame in the video */
  start: number
  frames: number
  /** the frames' graph: the stills ([0:v], [1:v]… in `clips` order) → moving W×H 4:2:0 frames, [v] */
  graph: string
}

/** A segment is at least this long (each is an ffmpeg run with its own x264 start and keyframe) … */
const MIN_SEGMENT_SECONDS = 2
/** … unless it would read more stills than this: each is a chain of frames in its graph (memory) */
const MAX_SEGMENT_STILLS = 6

/**
 * The video as segments, to be encoded side by side (one x264 thread each beats one x264 with
 * frame threads on the same cores: ~15% less CPU, measured on this job's frames) and joined by
 * stream copy. A clip's transition (the tail of the clip before blended with its head) and its
 * body are pieces; a long body is split into pieces of at most ~1/(2·cores) of the video so the
 * cores have work to share; pieces are grouped into segments of at least MIN_SEGMENT_SECONDS (the
 * first one at least `leadFrames` long: the preview is made from its frames), but of at most
 * MAX_SEGMENT_STILLS stills, so that a segment's memory does not grow with the number of photos.
 */
export function segments(plan: LocalPlan, layout: ClipLayout[], opts: { cores: number; leadFrames?: number }): Segment[] {
  const T = plan.transition === 'none' ? 0 : Math.round(plan.transitionDuration * plan.fps)
  const n = layout.length
  if (T > 0 && n > 1)
    xfadeOffsets(
      clipFrames(plan).map(f => f / plan.fps),
      plan.transitionDuration
    )
  const kind = plan.transition === 'none' ? '' : XFADE[plan.transition].name
  const blend = (a: string, b: string, out: string): string =>
    // a crossfade as the head fading in over the tail: integer fade and overlay, ~4× cheaper than xfade's
    plan.transition === 'fade'
      ? `[${b}]format=yuva420p,fade=t=in:s=0:n=${T}:alpha=1[${b}a];[${a}][${b}a]overlay=format=yuv420:eof_action=pass[${out}]`
      : // xfade needs a constant frame rate on its inputs, which setpts (with N) clears from ffmpeg 7.0 on
        `[${a}]fps=${plan.fps}[${a}r];[${b}]fps=${plan.fps}[${b}r];[${a}r][${b}r]xfade=transition=${kind}:duration=${T / plan.fps}:offset=0,settb=AVTB[${out}]`
  const total = layout.reduce((s, c, k) => s + c.frames - (k > 0 ? T : 0), 0)
  const minFrames = MIN_SEGMENT_SECONDS * plan.fps
  const maxFrames = Math.max(minFrames, Math.ceil(total / (2 * Math.max(1, opts.cores))))

  type Piece = { clip: number; from: number; count: number; transition: boolean }
  const pieces: Piece[] = []
  for (let k = 0; k < n; k++) {
    const c = layout[k]
    const head = k > 0 && T > 0 ? T : 0
    const end = k < n - 1 && T > 0 ? c.frames - T : c.frames
    if (end <= head) throw new Error(`clip ${k + 1} (${c.frames} frames) is too short for two ${T}-frame transitions`)
    if (head) pieces.push({ clip: k, from: 0, count: T, transition: true })
    const parts = Math.ceil((end - head) / maxFrames)
    for (let j = 0; j < parts; j++) {
      const from = head + Math.round(((end - head) * j) / parts)
      const to = head + Math.round(((end - head) * (j + 1)) / parts)
      pieces.push({ clip: k, from, count: to - from, transition: false })
    }
  }

  const groups: Piece[][] = [[]]
  let frames = 0
  let stills = new Set<number>()
  const close = (): void => {
    groups.push([])
    frames = 0
    stills = new Set()
  }
  for (const p of pieces) {
    const reads = p.transition ? [p.clip - 1, p.clip] : [p.clip]
    if (groups[groups.length - 1].length && new Set([...stills, ...reads]).size > MAX_SEGMENT_STILLS) close()
    groups[groups.length - 1].push(p)
    for (const c of reads) stills.add(c)
    frames += p.count
    if (frames >= (groups.length === 1 ? Math.max(minFrames, opts.leadFrames ?? 0) : minFrames)) close()
  }
  if (groups[groups.length - 1].length === 0) groups.pop()

  let start = 0
  return groups.map(group => {
    const lines: string[] = []
    const parts: string[] = []
    // the stills this segment reads, each split into the chains that need it
    const uses = new Map<number, string[]>()
    const chain = (clip: number, label: string, from: number, count: number): void => {
      uses.set(clip, [...(uses.get(clip) ?? []), `i${label}`])
      lines.push(motionGraph(layout[clip], from, count, plan, `i${label}`, label))
    }
    group.forEach((p, i) => {
      if (p.transition) {
        chain(p.clip - 1, `t${i}`, layout[p.clip - 1].frames - T, T)
        chain(p.clip, `h${i}`, 0, T)
        lines.push(blend(`t${i}`, `h${i}`, `x${i}`))
        parts.push(`[x${i}]`)
      } else {
        chain(p.clip, `b${i}`, p.from, p.count)
        parts.push(`[b${i}]`)
      }
    })
    const clips = [...uses.keys()].sort((a, b) => a - b)
    clips.forEach((clip, i) => {
      const labels = uses.get(clip) ?? []
      lines.unshift(
        labels.length > 1 ? `[${i}:v]split=${labels.length}${labels.map(l => `[${l}]`).join('')}` : `[${i}:v]null[${labels[0]}]`
      )
    })
    // concat places each part after the previous one's last frame and its duration; a frame out of
    // scale2ref (a zoom) can come without one, so the next part's first frame got the same time and
    // the encoder dropped it (a 1-frame zoom body lost a frame: 40 photos in 20 s came out 594 frames).
    // Every frame is stamped again by its number: the segment has exactly the frames its pieces have.
    lines.push(parts.length > 1 ? `${parts.join('')}concat=n=${parts.length}:v=1:a=0,setpts=N/${plan.fps}/TB[v]` : `${parts[0]}null[v]`)
    const count = group.reduce((s, p) => s + p.count, 0)
    const seg = { clips, start, frames: count, graph: lines.join(';\n') }
    start += count
    return seg
  })
}

export interface GraphFiles {
  /** what is drawn over the photos (overlays.ts): each item's PNG, where it goes and when */
  overlays?: DrawnOverlay[]
}

/**
 * A segment's whole graph: its frames ([v]), each overlay where the segment shows it (timed on the
 * video's clock, not the segment's), the colour tags ([out]); with `preview`, also the preview's
 * frames ([preview]) from the first seconds (the first segment is at least that long).
 */
export function segmentGraph(
  seg: Segment,
  plan: LocalPlan,
  files: GraphFiles,
  ffmpeg: Pick<Ffmpeg, 'videoColours'>,
  preview = false
): string {
  const { width: W, fps } = plan
  const lines = [seg.graph]
  let last = 'v'
  // each item's PNG (text and box, straight alpha) is an input after the stills, in the order
  // overlaysIn gives (segmentArgs takes the same): converted once to the video's BT.709 4:2:0,
  // held for the frames it is on screen in this segment, stamped with its own clock (a segment may
  // start mid-item), faded in and out on its alpha (text and box together), then moved to the
  // segment's clock at the frame it starts on, and laid over the frames (before it starts, overlay
  // passes the frames as they are; after its last, eof_action=pass)
  overlaysIn(seg, files.overlays).forEach((d, j) => {
    const { item } = d
    const from = Math.max(seg.start, item.start)
    const count = Math.min(seg.start + seg.frames, item.start + item.frames) - from
    const fades = [
      item.fadeIn > 0 ? `fade=t=in:st=0:d=${item.fadeIn}:alpha=1` : '',
      item.fadeOut > 0 ? `fade=t=out:st=${Math.max(0, item.frames / fps - item.fadeOut)}:d=${item.fadeOut}:alpha=1` : ''
    ].filter(Boolean)
    lines.push(
      `[${seg.clips.length + j}:v]format=rgba,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,` +
        `loop=loop=${count - 1}:size=1:start=0,settb=AVTB,setpts=(N+${from - item.start})/${fps}/TB,` +
        `${fades.length ? `${fades.join(',')},` : ''}setpts=(N+${from - seg.start})/${fps}/TB[o${j}]`
    )
    lines.push(`[${last}][o${j}]overlay=x=${d.x}:y=${d.y}:eof_action=pass:format=yuv420[vo${j}]`)
    last = `vo${j}`
  })
  // the stills are BT.709 limited range already (prepareArgs); say so in the stream
  const tags = `[${last}]format=yuv420p,setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709`
  if (preview) {
    lines.push(`${tags},split[out][vp]`)
    lines.push(`[vp]trim=duration=${previewSeconds(plan.total)},${previewFilter(previewTries(W)[0], ffmpeg)}[preview]`)
  } else lines.push(`${tags}[out]`)
  return lines.join(';\n')
}

/** Longest stretch between two keyframes, in seconds: the platforms' ingest and players seek and cut there. */
const KEYFRAME_SECONDS = 2
/**
 * The video's bit rate cap, bits per second, and the decoder buffer x264's VBV holds it to. CRF 23
 * gives a photo video ~2–3 Mb/s at 1080p; a grainy photo moving in Ken Burns can ask several times
 * more (a photo of pure noise 23 Mb/s), and the platforms re-encode anything above their own caps
 * (X and Instagram take up to ~25 Mb/s, YouTube asks 8–12 Mb/s at 1080p): 12 Mb/s, a 1 s buffer,
 * keeps every video in range. The VBV costs ~5 % of x264's time on every frame, even where it
 * never binds, so a segment is encoded with it only when it came out above the cap
 * (overMaxBitrate): nearly every segment never pays for it.
 */
export const MAX_BITRATE = 12_000_000
const BUFFER_BITS = MAX_BITRATE

/** A segment file of `bytes` holding `frames` frames at `fps` is above MAX_BITRATE (its few KB of index counted too). */
export const overMaxBitrate = (bytes: number, frames: number, fps: number): boolean => (bytes * 8 * fps) / frames > MAX_BITRATE

/**
 * x264 and the stream's colour tags, the same for every segment (they are joined by stream copy):
 * High profile 4:2:0 with x264's B-frames (without them the rate rises by half and each segment's
 * opening keyframe stands out as a jump in quality), a closed GOP with a keyframe at least every
 * KEYFRAME_SECONDS (each segment starts with one, so the joins keep the rhythm); with `capped`,
 * the rate held to MAX_BITRATE.
 */
function videoEncoder(threads: number, fps: number, capped: boolean): string[] {
  return [
    '-c:v',
    'libx264',
    ...(threads > 0 ? ['-threads', String(threads)] : []),
    '-preset',
    PRESET,
    '-profile:v',
    'high',
    '-crf',
    '23',
    ...(capped ? ['-maxrate', String(MAX_BITRATE), '-bufsize', String(BUFFER_BITS)] : []),
    '-g',
    String(Math.max(1, Math.floor(KEYFRAME_SECONDS * fps))),
    '-flags',
    '+cgop',
    '-pix_fmt',
    'yuv420p',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-colorspace',
    'bt709',
    '-color_range',
    'tv'
  ]
}

/**
 * The MP4's times, for the segments and the final mux alike: no edit list (some platforms' ingest
 * ignores one or refuses the file), and the B-frames' reordering written as signed composition
 * offsets (ctts version 1) instead of a delay: the first frame is shown at 0 and every frame at
 * k/fps, as written, with no edit list to shift them back. Without the signed offsets the video
 * would start two frames (0.067 s at 30 fps) late, behind a blank.
 */
const mp4Times = (movflags = ''): string[] => ['-use_editlist', '0', '-movflags', `+negative_cts_offsets${movflags}`]

/**
 * One segment's ffmpeg run: its stills in, its frames encoded into `output` (an MP4 holding only
 * this stretch of video); with `preview`, the preview WebP too. `threads` 0 lets x264 choose.
 */
export function segmentArgs(
  seg: Segment,
  stills: { file: string; w: number; h: number; loops?: boolean }[],
  plan: Pick<LocalPlan, 'fps' | 'width'>,
  graph: string,
  output: string,
  opts: { threads: number; preview?: string; overlays?: DrawnOverlay[]; capped?: boolean }
): string[] {
  const inputs = seg.clips.flatMap(i =>
    input('raw', stills[i].file, [
      // an animation longer than its still file plays the file again (read again, not held in memory)
      ...(stills[i].loops ? ['-stream_loop', '-1'] : []),
      ...['-pix_fmt', 'yuv420p', '-video_size', `${stills[i].w}x${stills[i].h}`, '-framerate', String(plan.fps)]
    ])
  )
  return [
    ...QUIET,
    '-y',
    ...inputs,
    // each overlay's PNG, one frame (segmentGraph holds it): only those the segment shows
    ...overlaysIn(seg, opts.overlays).flatMap(d => input('png', d.file)),
    '-filter_complex',
    graph,
    '-map',
    '[out]',
    '-frames:v',
    String(seg.frames),
    ...videoEncoder(opts.threads, plan.fps, opts.capped ?? false),
    ...mp4Times(),
    '-f',
    'mp4',
    `file:${output}`,
    ...(opts.preview ? ['-map', '[preview]', ...previewEncoder(previewTries(plan.width)[0]), `file:${opts.preview}`] : [])
  ]
}

/**
 * The concat demuxer's list of the segment files (plain names, read beside the list), each with its
 * exact length: without it the demuxer takes each MP4's millisecond-rounded length and the video
 * drifts from its frames' times.
 */
export function concatList(files: { name: string; frames: number }[], fps: number): string {
  for (const { name } of files) if (!/^[\w.-]+$/.test(name)) throw new Error(`segment file name '${name}' is not a plain name`)
  return files.map(f => `file '${f.name}'\nduration ${(f.frames / fps).toFixed(6)}\n`).join('')
}

/**
 * The music as the video's sound track, encoded while the segments are: looped, cut to the video,
 * faded in and out (musicChain), turned up or down by `gainDb` (input 'loudness'), AAC-LC 48 kHz
 * stereo.
 */
export function audioArgs(music: { path: string; type: string }, total: number, output: string, gainDb = 0): string[] {
  return [
    ...QUIET,
    '-y',
    // the music loops as often as needed; atrim cuts it to the video
    '-stream_loop',
    '-1',
    ...input(inputType(music.type, MUSIC), music.path),
    '-filter_complex',
    `[0:a]${musicChain(total)}${gainDb ? `,volume=${gainDb}dB` : ''}[aout]`,
    '-map',
    '[aout]',
    '-c:a',
    'aac',
    '-profile:a',
    'aac_low',
    '-b:a',
    '160k',
    '-ar',
    '48000',
    '-ac',
    '2',
    // the encoder's priming (1024 samples) kept as the track's first 21 ms instead of cut by an
    // edit list: the mux then takes the track from 0, beside the video's first frame
    '-use_editlist',
    '0',
    '-f',
    'mp4',
    `file:${output}`
  ]
}

/**
 * The last run: the segments and the sound joined by stream copy, the MP4's index moved to the
 * front for streaming, and no edit lists (mp4Times): some platforms' ingest ignores them or
 * refuses the file, so the tracks' times are written as they are, from 0 (the video's B-frames as
 * signed offsets, the sound with the encoder's priming as its first 21 ms).
 */
export function muxArgs(plan: LocalPlan, listFile: string, output: string, audioFile?: string): string[] {
  return [
    ...QUIET,
    '-y',
    ...input('concat', listFile),
    ...(audioFile ? [...input('mp4', audioFile), '-map', '0:v', '-map', '1:a'] : ['-map', '0:v']),
    '-c',
    'copy',
    '-t',
    String(plan.total),
    ...mp4Times('+faststart'),
    '-f',
    'mp4',
    `file:${output}`
  ]
}

/** What the file checks let through as music and as photos. */
const MUSIC = ['mp3', 'aac', 'wav', 'm4a'] as const
const IMAGES = ['jpg', 'png', 'webp', 'gif'] as const

export interface PrepareSpec {
  path: string
  type: string
  /** the photo's size, when known */
  width?: number
  height?: number
  fit: Exclude<Fit, 'auto'>
  background: string
  /** may have transparent pixels (unknown: assumed so) */
  alpha?: boolean
  /** the still's size */
  w: number
  h: number
  /** frames to write: 1, or the clip's length for an animation */
  count: number
  fps: number
  /** `path` holds raw 8-bit sRGB pixels of this size (a photo decoded by src/media/photo.ts), not a file of `type` */
  pixels?: { format: 'rgb24' | 'rgba'; width: number; height: number }
}

/** The least share of a photo `auto` lets a cover crop keep; below it, the photo is shown whole, blurred behind. */
export const COVER_MIN_KEPT = 0.65

/** Which framing `auto` picks: cover while it keeps at least COVER_MIN_KEPT of the photo, else blur. */
export function chooseFit(
  fit: Fit,
  photo: { width?: number; height?: number },
  frame: { width: number; height: number }
): Exclude<Fit, 'auto'> {
  if (fit !== 'auto') return fit
  if (!photo.width || !photo.height) return 'cover'
  return keptShare(photo, frame) >= COVER_MIN_KEPT ? 'cover' : 'blur'
}

/** The share of a photo a cover crop keeps in a frame of another shape. */
function keptShare(photo: { width?: number; height?: number }, frame: { width: number; height: number }): number {
  const r = (photo.width ?? 1) / (photo.height ?? 1) / (frame.width / frame.height)
  return Math.min(r, 1 / r)
}

/**
 * One photo → its still: framed over the background (transparent pixels too), scaled once,
 * BT.709 limited-range 4:2:0, as raw frames on stdout.
 */
export function prepareArgs(p: PrepareSpec): string[] {
  const { w, h } = p
  const framing = FRAMINGS[p.fit]
  // decode big JPEGs at 1/2, 1/4 or 1/8 when that is still larger than needed: less memory and time
  let lowres = 0
  if (p.type === 'jpg' && !p.pixels && p.width && p.height) {
    const need = framing.fills ? Math.max(w / p.width, h / p.height) : Math.min(w / p.width, h / p.height)
    while (lowres < 3 && need * 2 ** (lowres + 1) <= 1) lowres++
  }
  const lines: string[] = []
  const input = p.count > 1 ? `[0:v]fps=${p.fps}` : '[0:v]null'
  const fg = framing.fills
    ? `scale=${w}:${h}:force_original_aspect_ratio=increase:flags=bicubic,crop=${w}:${h}`
    : `scale=${w}:${h}:force_original_aspect_ratio=decrease:flags=bicubic`
  if (framing.fills && p.alpha === false) {
    // an opaque photo that fills the frame hides the fill: no background, no blend (~20% less work)
    lines.push(`${input},${fg},format=gbrp,setsar=1,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[out]`)
    return stillArgs(p, lowres, lines)
  }
  lines.push(`color=c=${p.background}:s=${w}x${h}:r=${p.fps},format=rgba[bg]`)
  lines.push(...framing.fill(input, fg, w, h))
  lines.push(`[fill][fg]overlay=x=(W-w)/2:y=(H-h)/2:format=rgb,setsar=1,` + `scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[out]`)
  return stillArgs(p, lowres, lines)
}

/**
 * Each framing: whether the scaled photo fills the frame (cropped) or fits inside it, and the
 * lines that make [fill], what shows around and behind it, from [bg] and the photo, with the
 * photo as [fg]. A fit added to FITS fails to compile until it has an entry here.
 */
type Fill = (input: string, fg: string, w: number, h: number) => string[]
/** The background alone around the photo. */
const plainFill: Fill = (input, fg) => [`${input},${fg},format=rgba[fg]`, `[bg]null[fill]`]
const FRAMINGS: Record<Exclude<Fit, 'auto'>, { fills: boolean; fill: Fill }> = {
  cover: { fills: true, fill: plainFill },
  contain: { fills: false, fill: plainFill },
  blur: {
    fills: false,
    fill: (input, fg, w, h) => {
      const [bw, bh] = [even(w / 8), even(h / 8)]
      return [
        `${input},split=2[a][b]`,
        `[b]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},format=rgba,boxblur=${Math.max(2, Math.round(Math.min(bw, bh) / 12))}:2,` +
          `scale=${w}:${h}:flags=bilinear,colorchannelmixer=rr=0.55:gg=0.55:bb=0.55[bl]`,
        `[bg][bl]overlay=format=rgb[fill]`,
        `[a]${fg},format=rgba[fg]`
      ]
    }
  }
}

/** Whether a framing's photo fills the frame (a cover crop) rather than fitting inside it. */
export const fillsFrame = (fit: Exclude<Fit, 'auto'>): boolean => FRAMINGS[fit].fills

function stillArgs(p: PrepareSpec, lowres: number, lines: string[]): string[] {
  return [
    ...QUIET,
    ...(lowres ? ['-lowres', String(lowres)] : []),
    ...(p.count > 1 && p.type === 'gif' ? ['-ignore_loop', '0'] : []),
    ...(p.pixels
      ? input('raw', p.path, ['-pix_fmt', p.pixels.format, '-video_size', `${p.pixels.width}x${p.pixels.height}`])
      : input(inputType(p.type, IMAGES), p.path)),
    '-filter_complex',
    lines.join(';'),
    '-map',
    '[out]',
    '-frames:v',
    String(p.count),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1'
  ]
}
