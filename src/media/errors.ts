// The media layer's one error: ffmpeg missing, too old, or failing (the message says which and the fix).
export class FfmpegError extends Error {
  override name = 'FfmpegError'
}
