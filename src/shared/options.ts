// The words the inputs accept for the video's options, one list each (action.yml says the same).
export const ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:5'] as const
export const RESOLUTIONS = ['720p', '1080p'] as const
export const TRANSITIONS = ['fade', 'slide', 'wipe', 'zoom', 'none'] as const

export type AspectRatio = (typeof ASPECT_RATIOS)[number]
export type Resolution = (typeof RESOLUTIONS)[number]
export type Transition = (typeof TRANSITIONS)[number]

/** Canvas size for an aspect ratio and resolution; the short side is 720 or 1080, even numbers. */
export function canvasSize(aspect: AspectRatio = '16:9', resolution: Resolution = '1080p'): { width: number; height: number } {
  const short = resolution === '720p' ? 720 : 1080
  const [a, b] = aspect.split(':').map(Number)
  const even = (n: number): number => Math.round(n / 2) * 2
  return a >= b ? { width: even((short * a) / b), height: short } : { width: short, height: even((short * b) / a) }
}

/** The video lengths a run makes, in seconds: input 'duration', and what a prompt asks for (clamped). */
export const DURATION = { min: 1, max: 600 } as const

/**
 * What 'loudness' accepts: the music's integrated loudness in LUFS (EBU R128), from a quiet -30 to
 * a loud -5; -14 is what the platforms play at (YouTube, Instagram, TikTok turn louder videos
 * down). 'off' keeps the music as it is.
 */
export const LOUDNESS = { default: -14, min: -30, max: -5 } as const
export type Loudness = number | 'off'

/** How the local backend frames a photo whose shape differs from the video's. */
export const FITS = ['auto', 'cover', 'contain', 'blur'] as const
export type Fit = (typeof FITS)[number]

/** What 'backend' accepts: auto picks the cloud when a token is given, else local. */
export const BACKEND_CHOICES = ['auto', 'nemo', 'local'] as const
export type BackendChoice = (typeof BACKEND_CHOICES)[number]

/** The backends that render (what 'auto' resolves to). */
export const BACKENDS = ['nemo', 'local'] as const
export type BackendName = (typeof BACKENDS)[number]

export const RELEASE_NOTES = ['none', 'append'] as const

/** What 'cache' accepts: auto is on for the cloud backend, off for local. */
export const CACHE_CHOICES = ['auto', 'true', 'false'] as const
