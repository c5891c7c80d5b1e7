// Finds the input files and checks them before anything is sent: type from magic bytes (the
// extension can lie), size limits, and that they stay inside the workspace.
import * as glob from '@actions/glob'
import { open, realpath, stat } from 'node:fs/promises'
import { basename, extname, isAbsolute, join, relative } from 'node:path'
import { isInside } from '../shared/guards.js'
import type { MediaFile, MediaKind } from './input-file.js'

/** The backend's per-file limit. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024

export class FileCheckError extends Error {}

interface Sniffed {
  type: string
  mime: string
  kind: MediaKind
}

/** Type of a file from its first bytes; undefined when it is none the backend accepts. */
export function sniff(head: Buffer): Sniffed | { refused: string } | undefined {
  const ascii = (a: number, b: number): string => head.toString('latin1', a, b)
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { type: 'jpg', mime: 'image/jpeg', kind: 'image' }
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { type: 'png', mime: 'image/png', kind: 'image' }
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return { type: 'gif', mime: 'image/gif', kind: 'image' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { type: 'webp', mime: 'image/webp', kind: 'image' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return { type: 'wav', mime: 'audio/wav', kind: 'audio' }
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12)
    if (/^(heic|heix|heim|heis|hevc|hevx|mif1|msf1|avif)$/.test(brand)) {
      return {
        refused: `a HEIC/HEIF/AVIF image (brand '${brand}'), which the backend does not accept: convert it to JPEG first, e.g. 'heif-convert in.heic out.jpg' or 'ffmpeg -i in.heic out.jpg'`
      }
    }
    if (/^(M4A |M4B |M4P )$/.test(brand)) return { type: 'm4a', mime: 'audio/mp4', kind: 'audio' }
    return undefined
  }
  if (ascii(0, 3) === 'ID3') return { type: 'mp3', mime: 'audio/mpeg', kind: 'audio' }
  // MPEG audio frame sync: 11 set bits; layer bits tell MP3 (01) from ADTS AAC (00)
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0) {
    const layer = (head[1] >> 1) & 0x3
    if (layer === 0 && (head[1] & 0xf6) === 0xf0) return { type: 'aac', mime: 'audio/aac', kind: 'audio' }
    if (layer !== 0) return { type: 'mp3', mime: 'audio/mpeg', kind: 'audio' }
  }
  return undefined
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

/** Files matching the patterns: pattern order, natural path order inside a pattern, no duplicates. */
export async function findFiles(patterns: string[], workspace: string): Promise<{ files: string[]; unmatched: string[] }> {
  const negations = patterns.filter(p => p.startsWith('!')).map(p => '!' + anchor(p.slice(1), workspace))
  const seen = new Set<string>()
  const files: string[] = []
  const unmatched: string[] = []
  for (const pattern of patterns.filter(p => !p.startsWith('!'))) {
    const globber = await glob.create([anchor(pattern, workspace), ...negations].join('\n'), {
      matchDirectories: false,
      implicitDescendants: false,
      followSymbolicLinks: true
    })
    const hits = (await globber.glob()).sort((a, b) => naturalOrder(relative(workspace, a), relative(workspace, b)))
    if (hits.length === 0) unmatched.push(pattern)
    for (const hit of hits) {
      if (seen.has(hit)) continue
      seen.add(hit)
      files.push(hit)
    }
  }
  return { files, unmatched }
}

function anchor(pattern: string, workspace: string): string {
  return isAbsolute(pattern) ? pattern : join(workspace, pattern)
}

/** Checks one file and describes it for the backend. */
export async function checkFile(path: string, workspace: string, want: MediaKind, inputName: string): Promise<MediaFile> {
  const shown = relative(workspace, path) || path
  const real = await realpath(path)
  if (!isInside(workspace, real)) {
    throw new FileCheckError(
      `Input '${inputName}': ${shown} is outside the workspace (${workspace}); only files in the workspace are sent.`
    )
  }
  const { size } = await stat(real)
  if (size === 0) throw new FileCheckError(`Input '${inputName}': ${shown} is empty (0 bytes).`)
  if (size > MAX_FILE_BYTES) {
    throw new FileCheckError(
      `Input '${inputName}': ${shown} is ${(size / 1048576).toFixed(1)} MB, over the 200 MB limit per file: downscale or recompress it.`
    )
  }
  const head = Buffer.alloc(16)
  const fh = await open(real, 'r')
  try {
    await fh.read(head, 0, 16, 0)
  } finally {
    await fh.close()
  }
  const found = sniff(head)
  if (found && 'refused' in found) throw new FileCheckError(`Input '${inputName}': ${shown} is ${found.refused}.`)
  const accepted = want === 'image' ? 'JPEG, PNG, WebP or GIF' : 'MP3, WAV, M4A or AAC'
  if (!found || found.kind !== want) {
    const what = found ? `${found.kind === 'audio' ? 'an audio' : 'an image'} file (${found.type})` : 'not a file type the backend accepts'
    throw new FileCheckError(
      `Input '${inputName}': ${shown} is ${what}; expected ${want === 'image' ? 'an image' : 'an audio file'}: ${accepted}.`
    )
  }
  return { path: real, name: basename(path), size, kind: found.kind, type: found.type, mime: found.mime }
}

/** Names sent to the backend: the extension says the real type, and no two files share a name. */
export function uniqueNames(files: MediaFile[]): MediaFile[] {
  const used = new Set<string>()
  return files.map(f => {
    const ext = extname(f.name).slice(1).toLowerCase()
    const okExt = ext === f.type || (f.type === 'jpg' && ext === 'jpeg')
    const stem = basename(f.name, extname(f.name)) || 'file'
    const suffix = okExt ? extname(f.name) : `.${f.type}`
    let name = `${stem}${suffix}`
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${stem}-${i}${suffix}`
    used.add(name.toLowerCase())
    return { ...f, name }
  })
}

/** Glob + check every image, and the music file when one is given. */
export async function collectMedia(
  patterns: string[],
  workspace: string,
  musicFile?: string
): Promise<{ images: MediaFile[]; music?: MediaFile; unmatched: string[] }> {
  const { files, unmatched } = await findFiles(patterns, workspace)
  if (files.length === 0) {
    throw new FileCheckError(
      `Input 'images': no file matched ${patterns.map(p => `'${p}'`).join(', ')} in ${workspace}. Check the paths (relative to the workspace) and that an earlier step created the files.`
    )
  }
  const checked: MediaFile[] = []
  for (const f of files) checked.push(await checkFile(f, workspace, 'image', 'images'))
  const music = musicFile ? await checkFile(musicFile, workspace, 'audio', 'music') : undefined
  const named = uniqueNames(music ? [...checked, music] : checked)
  return { images: named.slice(0, checked.length), music: music ? named[checked.length] : undefined, unmatched }
}
