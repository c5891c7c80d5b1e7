// The music at a platform's loudness (EBU R128): the sound track is measured as the video will
// carry it (looped, cut, faded: musicChain), turned up or down by one gain (no compressor, no
// limiter: the music keeps its dynamics), encoded, and measured again as encoded. ffmpeg's
// ebur128 meter does the measuring; it is in every supported ffmpeg (4.3 on) and prints the same
// summary in each. loudnorm is not used: single pass it rides the gain (inaccurate on a short clip,
// audible on music), and its linear mode is refused for a track of steady level (LRA 0).
import { input, inputType, type InputType } from '../../media/inputs.js'

/** The highest true peak the MP4's sound may have, in dBTP (what the platforms ask for). */
export const TRUE_PEAK_MAX = -1
/** Room left under TRUE_PEAK_MAX for the AAC encoder, which raises peaks a little (~0.1–0.5 dB measured). */
const ENCODER_HEADROOM = 0.5
/** ebur128 reports this for silence (nothing above its absolute gate): nothing to turn up. */
const SILENCE = -70
/** A measured level this far from the target is encoded once more with the gain corrected. */
export const TOLERANCE = 0.5

export interface R128 {
  /** integrated loudness, LUFS */
  integrated: number
  /** true peak, dBTP (-Infinity for digital silence) */
  truePeak: number
}

/** What the music's encoders read it as: the file checks let these through. */
const MUSIC = ['mp3', 'aac', 'wav', 'm4a'] as const satisfies readonly InputType[]

/** The music as the video carries it: cut to the video, 48 kHz stereo, faded in and out. */
export function musicChain(total: number): string {
  const fadeOut = Math.min(1.5, total / 3)
  return (
    `atrim=0:${total},asetpts=PTS-STARTPTS,aresample=48000,aformat=channel_layouts=stereo,` +
    `afade=t=in:st=0:d=${Math.min(1, total / 3)},afade=t=out:st=${Math.max(0, total - fadeOut)}:d=${fadeOut}`
  )
}

/**
 * A run that measures loudness and true peak: the music shaped as the video carries it
 * (`total` given: looped, musicChain), or an encoded sound track as it is. The meter's summary is
 * printed at the info level, and only it: no stream banner is asked for (-hide_banner), no stats.
 */
export function measureArgs(file: { path: string; type: string }, total?: number): string[] {
  const opened = total === undefined ? input('mp4', file.path) : ['-stream_loop', '-1', ...input(inputType(file.type, MUSIC), file.path)]
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'info',
    ...opened,
    '-filter_complex',
    `[0:a]${total === undefined ? 'anull' : musicChain(total)},ebur128=peak=true:framelog=verbose[m]`,
    '-map',
    '[m]',
    '-f',
    'null',
    '-'
  ]
}

/**
 * The meter's summary from the end of ffmpeg's stderr (the last one: a tag in the file's metadata
 * printed before it cannot stand in for it). Undefined when there is none.
 */
export function parseR128(stderr: string): R128 | undefined {
  const at = stderr.lastIndexOf('Summary:')
  if (at < 0) return undefined
  const summary = stderr.slice(at)
  const integrated = /\bI:\s+(-?\d+(?:\.\d+)?) LUFS/.exec(summary)
  const peak = /\bPeak:\s+(-?\d+(?:\.\d+)?|-inf) dBFS/.exec(summary)
  if (!integrated || !peak) return undefined
  return { integrated: Number(integrated[1]), truePeak: peak[1] === '-inf' ? -Infinity : Number(peak[1]) }
}

export interface Gain {
  /** dB to apply */
  db: number
  /** turned up less than the target asks, so that the true peak stays under TRUE_PEAK_MAX */
  peakBound: boolean
  /** silence (or nearly): left as it is */
  silent: boolean
}

/**
 * The gain that brings `measured` to `target` LUFS, at most as much as keeps its true peak at
 * TRUE_PEAK_MAX less the encoder's headroom (`peakRoom` in dB below that, for a second try).
 */
export function loudnessGain(measured: R128, target: number, peakRoom = 0): Gain {
  if (!(measured.integrated > SILENCE)) return { db: 0, peakBound: false, silent: true }
  const wanted = target - measured.integrated
  const room = TRUE_PEAK_MAX - ENCODER_HEADROOM - peakRoom - measured.truePeak
  const db = Math.min(wanted, room)
  return { db: Math.round(db * 100) / 100, peakBound: room < wanted, silent: false }
}

/**
 * After the encoded track was measured: the gain to encode it with once more, or undefined when
 * it is where it should be (within TOLERANCE of the target, or as loud as its peaks allow, and
 * its true peak at most TRUE_PEAK_MAX).
 */
export function correctedGain(gain: Gain, encoded: R128, target: number): Gain | undefined {
  if (gain.silent) return undefined
  const peakOver = encoded.truePeak - TRUE_PEAK_MAX
  const off = target - encoded.integrated
  if (peakOver <= 0 && (Math.abs(off) <= TOLERANCE || (gain.peakBound && off > 0))) return undefined
  // the encoder's own change of level and peak, as measured, taken out
  const db = Math.min(gain.db + off, gain.db - peakOver - ENCODER_HEADROOM / 2)
  return { db: Math.round(db * 100) / 100, peakBound: gain.peakBound || db < gain.db + off, silent: false }
}
