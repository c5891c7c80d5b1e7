// The declarative request both backends render: prompt turns plus options, built once per video
// from its inputs and its checked files.
import type { InputFile } from '../input-files/input-file.js'
import type { VideoSpec } from '../inputs/get-inputs.js'
import type { AspectRatio, Fit, Loudness, Resolution, Transition } from '../shared/options.js'

type Music = { file: InputFile } | { description: string }

export interface VideoRequest {
  /** prompt turns, sent in order in one session */
  turns: string[]
  duration?: number
  aspectRatio?: AspectRatio
  resolution: Resolution
  transition?: Transition
  /** local backend: photo framing and the colour behind it */
  fit?: Fit
  background?: string
  title?: string
  /** each photo's caption, in the order the photos are shown ('': none) */
  captions?: string[]
  music?: Music
  /** local backend: the music's loudness in LUFS, or 'off' (as it is); unset: LOUDNESS.default */
  loudness?: Loudness
  language: string
}

/** Split a prompt into turns at lines holding only `---`. */
export function splitTurns(prompt: string): string[] {
  return prompt
    .split(/^[ \t]*---[ \t]*$/m)
    .map(t => t.trim())
    .filter(t => t !== '')
}

/** The request of one video: its inputs, with the music file replaced by the checked file. */
export function buildRequest(spec: VideoSpec, music: InputFile | undefined): VideoRequest {
  return {
    turns: splitTurns(spec.prompt),
    duration: spec.duration,
    aspectRatio: spec.aspectRatio,
    resolution: spec.resolution,
    transition: spec.transition,
    fit: spec.fit,
    background: spec.background,
    title: spec.title,
    captions: spec.captions,
    music: music ? { file: music } : spec.music && 'description' in spec.music ? spec.music : undefined,
    loudness: spec.loudness,
    language: spec.language
  }
}
