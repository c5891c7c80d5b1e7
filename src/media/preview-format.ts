// The preview's format, one rule for both makers: the local backend encodes it from the frames it
// renders, the finish line from a finished MP4. A looping animated WebP of the video's first seconds.
import type { Ffmpeg } from './ffmpeg.js'

export const PREVIEW = { maxWidth: 480, maxBytes: 2 * 1024 * 1024, seconds: 6, fps: 10 } as const
/** How much of a video's start its preview shows. */
export function previewSeconds(duration: number): number {
  return Math.min(PREVIEW.seconds, duration)
}

/** The preview's size, rate and quality: the first try, then smaller until it fits `maxBytes`. */
export function previewTries(videoWidth: number): { width: number; fps: number; quality: number }[] {
  return [
    { width: Math.min(PREVIEW.maxWidth, videoWidth), fps: PREVIEW.fps, quality: 60 },
    { width: Math.min(320, videoWidth), fps: 8, quality: 45 },
    { width: Math.min(240, videoWidth), fps: 6, quality: 30 }
  ]
}

/** The filter that turns frames of the video into the preview's (BT.601, which WebP decoders assume). */
export function previewFilter(p: { width: number; fps: number }, ffmpeg: Pick<Ffmpeg, 'videoColours'>): string {
  return `fps=${p.fps},scale=${p.width}:-2:flags=lanczos:${ffmpeg.videoColours}:out_color_matrix=bt601`
}

/** The preview's encoder and container: a WebP looping forever. */
export function previewEncoder(p: { quality: number }): string[] {
  return ['-c:v', 'libwebp_anim', '-loop', '0', '-quality', String(p.quality), '-compression_level', '4', '-f', 'webp']
}
