// The media layer's errors, each a type its callers tell apart.

/** ffmpeg missing, too old, or failing (the message says which and the fix). */
export class FfmpegError extends Error {
  override name = 'FfmpegError'
}

/** A photo that cannot be decoded (the message names it and what to do). */
export class PhotoError extends Error {
  override name = 'PhotoError'
}

/** The bytes are not a whole, playable MP4. A cloud download retries on it. */
export class BadMp4Error extends Error {
  override name = 'BadMp4Error'
}
