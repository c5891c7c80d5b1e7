// A file the action sends to a backend: an image, or the music track.

export type MediaKind = 'image' | 'audio'

export interface MediaFile {
  /** absolute path */
  path: string
  /** file name sent to the backend (basename, made unique) */
  name: string
  size: number
  kind: MediaKind
  /** detected from magic bytes, e.g. 'jpg', 'png', 'mp3' */
  type: string
  mime: string
}
