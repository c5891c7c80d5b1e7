// The local backend's own error: a request it cannot render as asked, found before ffmpeg is
// looked for or installed; the message names the input and the fix. (ffmpeg's own failures are
// media/errors.ts:FfmpegError.)

export class PlanError extends Error {
  override name = 'PlanError'
}
