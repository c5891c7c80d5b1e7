// How ffmpeg opens a file: with the demuxer of the type the action sniffed from its bytes (never
// ffmpeg's own probing, which picks HLS, concat or image sequences from a file's content or name)
// and with the file protocol alone, so nothing a file says can make ffmpeg open another file or
// reach the network. `checkInputs` holds every ffmpeg run to this.

/** Every kind of file an ffmpeg of the action reads, and the demuxer that reads it. */
export const DEMUXERS = {
  // images: the content-named pipe demuxers read the one file as it is (image2 would take
  // `a%d.jpg` as a numbered sequence)
  jpg: 'jpeg_pipe',
  png: 'png_pipe',
  webp: 'webp_pipe',
  gif: 'gif',
  // music
  mp3: 'mp3',
  aac: 'aac',
  wav: 'wav',
  m4a: 'mov',
  // the action's own files: MP4s (a cloud download once checked, a segment, the sound track),
  // raw stills and the list that joins the segments (its entries are plain names beside it)
  mp4: 'mov',
  raw: 'rawvideo',
  concat: 'concat'
} as const satisfies Record<string, string>

export type InputType = keyof typeof DEMUXERS

const ONLY_FILES = ['-protocol_whitelist', 'file']

/** A sniffed type as one of `kinds`, the types a run takes in that place; throws on any other. */
export function inputType<K extends InputType>(type: string, kinds: readonly K[]): K {
  const kind = kinds.find(k => k === type)
  if (!kind) throw new Error(`a file of type '${type}' is not one ffmpeg is handed here (${kinds.join(', ')})`)
  return kind
}

/**
 * The arguments that open `path` as `type`: its demuxer, demuxer options (`-video_size` for raw
 * frames), the file protocol only, and `file:` so that no `name:` prefix is read as a protocol.
 */
export function input(type: InputType, path: string, options: string[] = []): string[] {
  return ['-f', DEMUXERS[type], ...options, ...ONLY_FILES, '-i', `file:${path}`]
}

/** Throws unless every `-i` in `args` was opened by `input()`: a demuxer named, files only. */
export function checkInputs(args: string[]): void {
  let from = 0
  args.forEach((a, i) => {
    if (a !== '-i') return
    const opts = args.slice(from, i)
    const demuxer = opts.lastIndexOf('-f')
    const ok =
      demuxer >= 0 &&
      (Object.values(DEMUXERS) as string[]).includes(opts[demuxer + 1]) &&
      args[i - 2] === ONLY_FILES[0] &&
      args[i - 1] === ONLY_FILES[1] &&
      args[i + 1]?.startsWith('file:')
    if (!ok) throw new Error(`ffmpeg input ${args[i + 1]} is not opened by input() (an explicit demuxer, files only): ${args.join(' ')}`)
    from = i + 2
  })
}
