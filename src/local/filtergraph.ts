// Plan → one ffmpeg filtergraph and its arguments. Pure, so offsets and the graph are testable
// without running ffmpeg.
import type { LocalPlan } from './plan.js'

export const PRESET = 'veryfast'

const XFADE: Record<string, string> = { fade: 'fade', slide: 'slideleft', wipe: 'wipeleft', zoom: 'zoomin' }

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

/** Quote a value for a filtergraph option (paths, expressions with commas). */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`
}

// Ken Burns variants, cycled per image: zoom in/out with a slow drift, so consecutive stills differ
const MOTIONS = [
  { z: (p: string) => `1+0.12*${p}`, x: () => `(iw-iw/zoom)*0.5`, y: () => `(ih-ih/zoom)*0.5` },
  { z: (p: string) => `1.12-0.12*${p}`, x: (p: string) => `(iw-iw/zoom)*${p}`, y: () => `(ih-ih/zoom)*0.5` },
  { z: (p: string) => `1+0.12*${p}`, x: (p: string) => `(iw-iw/zoom)*(1-${p})`, y: () => `(ih-ih/zoom)*0.3` },
  { z: (p: string) => `1.12-0.12*${p}`, x: () => `(iw-iw/zoom)*0.5`, y: (p: string) => `(ih-ih/zoom)*${p}` }
]

export interface GraphFiles {
  titleFile?: string
  fontFile?: string
}

export function buildGraph(plan: LocalPlan, files: GraphFiles): { graph: string; videoOut: string; audioOut?: string } {
  const { width: W, height: H, fps } = plan
  const frames = clipFrames(plan)
  const durations = frames.map(f => f / fps)
  const lines: string[] = []
  // upscale the still so zoompan's integer crop positions move in sub-pixel steps (no jitter)
  const up = plan.kenBurns ? 2 : 1
  plan.clips.forEach((_c, i) => {
    const F = frames[i]
    const norm = `scale=${W * up}:${H * up}:force_original_aspect_ratio=increase:flags=bicubic,crop=${W * up}:${H * up},setsar=1`
    const p = `(on/${Math.max(1, F - 1)})`
    const m = MOTIONS[i % MOTIONS.length]
    const motion = plan.kenBurns
      ? `zoompan=z='${m.z(p)}':x='${m.x(p)}':y='${m.y(p)}':d=${F}:s=${W}x${H}:fps=${fps}`
      : `zoompan=z=1:d=${F}:s=${W}x${H}:fps=${fps}`
    lines.push(`[${i}:v]${norm},${motion},setsar=1,format=yuv420p,settb=AVTB,setpts=PTS-STARTPTS[v${i}]`)
  })

  let last = 'v0'
  if (plan.clips.length > 1) {
    if (plan.transition === 'none' || plan.transitionDuration <= 0) {
      lines.push(`${plan.clips.map((_c, i) => `[v${i}]`).join('')}concat=n=${plan.clips.length}:v=1:a=0[vcat]`)
      last = 'vcat'
    } else {
      const offsets = xfadeOffsets(durations, plan.transitionDuration)
      offsets.forEach((offset, k) => {
        const out = `x${k + 1}`
        lines.push(`[${last}][v${k + 1}]xfade=transition=${XFADE[plan.transition] ?? 'fade'}:duration=${plan.transitionDuration}:offset=${offset}[${out}]`)
        last = out
      })
    }
  }

  if (plan.title && files.titleFile && files.fontFile) {
    const D = plan.title.duration
    const size = Math.round(Math.min(W, H) / 12)
    const alpha = `if(lt(t,0.4),t/0.4,if(lt(t,${D - 0.5}),1,max(0,(${D}-t)/0.5)))`
    lines.push(
      `[${last}]drawtext=fontfile=${quote(files.fontFile)}:textfile=${quote(files.titleFile)}:fontsize=${size}:fontcolor=white:` +
        `box=1:boxcolor=black@0.35:boxborderw=${Math.round(size / 2)}:x=(w-text_w)/2:y=(h-text_h)/2:` +
        `alpha=${quote(alpha)}:enable=${quote(`lt(t,${D})`)}[vt]`
    )
    last = 'vt'
  }
  lines.push(`[${last}]format=yuv420p[vout]`)

  let audioOut: string | undefined
  if (plan.music) {
    const total = plan.total
    const fadeOut = Math.min(1.5, total / 3)
    lines.push(
      `[${plan.clips.length}:a]atrim=0:${total},asetpts=PTS-STARTPTS,aresample=48000,aformat=channel_layouts=stereo,` +
        `afade=t=in:st=0:d=${Math.min(1, total / 3)},afade=t=out:st=${Math.max(0, total - fadeOut)}:d=${fadeOut}[aout]`
    )
    audioOut = 'aout'
  }
  return { graph: lines.join(';\n'), videoOut: 'vout', audioOut }
}

/** The ffmpeg command line, with the graph read from `graphFile`. */
export function buildArgs(plan: LocalPlan, graphFile: string, output: string, hasAudio: boolean): string[] {
  const inputs = plan.clips.flatMap(c => ['-i', c.path])
  // the music loops as often as needed; atrim cuts it to the video
  const music = plan.music ? ['-stream_loop', '-1', '-i', plan.music.path] : []
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats',
    ...inputs, ...music,
    '-filter_complex_script', graphFile,
    '-map', '[vout]', ...(hasAudio ? ['-map', '[aout]'] : []),
    '-c:v', 'libx264', '-preset', PRESET, '-profile:v', 'high', '-crf', '21', '-pix_fmt', 'yuv420p', '-r', String(plan.fps),
    ...(hasAudio ? ['-c:a', 'aac', '-b:a', '160k'] : []),
    '-t', String(plan.total), '-movflags', '+faststart', '-f', 'mp4', output
  ]
}
