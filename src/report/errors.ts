// A record of a video (video-record.ts) that cannot be read back; the message names the file.

export class RecordError extends Error {
  override name = 'RecordError'
}
