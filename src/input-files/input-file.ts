// A file the action sends to a backend: an image, or the music track.

export type InputKind = 'image' | 'audio'

export interface InputFile {
  /** absolute path */
  path: string
  /** file name sent to the backend (basename, made unique) */
  name: string
  size: number
  kind: InputKind
  /** detected from magic bytes, e.g. 'jpg', 'png', 'mp3' */
  type: string
  mime: string
}
