// Checks the input files before anything is sent: type from magic bytes, size limits, and that
// they stay inside the workspace; names them uniquely for the backend.
import { open, realpath, stat } from 'node:fs/promises'
import { basename, extname, relative } from 'node:path'
import { isInside } from '../shared/guards.js'
import { sniff, structureProblem } from './file-type.js'
import { findFiles, type FoundFiles } from './find-files.js'
import { type InputFile, type InputKind } from './input-file.js'
import { FileCheckError } from './errors.js'
import { inputLabel, type Label } from '../inputs/errors.js'

export { FileCheckError }

/** The backend's per-file limit. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024

/** Checks one file and describes it for the backend; `label` names the input in messages. */
export async function checkFile(
  path: string,
  workspace: string,
  want: InputKind,
  inputName: string,
  label: Label = inputLabel
): Promise<InputFile> {
  const shown = relative(workspace, path) || path
  const where = label(inputName)
  const real = await realpath(path)
  if (!isInside(workspace, real)) {
    throw FileCheckError.at(where, `${shown} is outside the workspace (${workspace}); only files in the workspace are sent.`)
  }
  const st = await stat(real)
  if (!st.isFile()) throw FileCheckError.at(where, `${shown} is not a regular file.`)
  const { size } = st
  if (size === 0) throw FileCheckError.at(where, `${shown} is empty (0 bytes).`)
  if (size > MAX_FILE_BYTES) {
    throw FileCheckError.at(
      where,
      `${shown} is ${(size / 1048576).toFixed(1)} MB, over the 200 MB limit per file: downscale or recompress it.`
    )
  }
  const fh = await open(real, 'r')
  try {
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - position)))
      const { bytesRead } = await fh.read(buf, 0, buf.length, position)
      return buf.subarray(0, bytesRead)
    }
    const found = sniff(await read(0, 16))
    const accepted = want === 'image' ? 'JPEG, PNG, WebP, GIF, HEIC or AVIF' : 'MP3, WAV, M4A or AAC'
    if (!found || found.kind !== want) {
      const what = found
        ? `${found.kind === 'audio' ? 'an audio' : 'an image'} file (${found.type})`
        : 'not a file type the backend accepts'
      throw FileCheckError.at(where, `${shown} is ${what}; expected ${want === 'image' ? 'an image' : 'an audio file'}: ${accepted}.`)
    }
    // the rest of the file must be what its first bytes claim: no file is handed on by its header alone
    const wrong = await structureProblem(found.type, size, read)
    if (wrong) throw FileCheckError.at(where, `${shown} is ${wrong}; expected ${accepted}.`)
    return { path: real, name: basename(path), size, kind: found.kind, type: found.type, mime: found.mime }
  } finally {
    await fh.close()
  }
}

/** Names sent to the backend: the extension says the real type, and no two files share a name. */
function uniqueNames(files: InputFile[]): InputFile[] {
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

/**
 * The checks of many videos' files (a manifest's): each distinct pattern list looked up once and
 * each distinct file checked once, however many videos name them; a problem is said of each
 * video that has it, in that video's words (its label), as when each is checked alone.
 */
export class FileChecks {
  private readonly found = new Map<string, Promise<FoundFiles>>()
  private readonly checked = new Map<string, Promise<InputFile>>()

  find(patterns: string[], workspace: string, where: string): Promise<FoundFiles> {
    return FileChecks.once(this.found, JSON.stringify([workspace, patterns]), where, () => findFiles(patterns, workspace, where))
  }

  file(path: string, workspace: string, want: InputKind, inputName: string, label: Label): Promise<InputFile> {
    const where = label(inputName)
    return FileChecks.once(this.checked, JSON.stringify([workspace, want, path]), where, () =>
      checkFile(path, workspace, want, inputName, label)
    )
  }

  private static async once<T>(memo: Map<string, Promise<T>>, key: string, where: string, work: () => Promise<T>): Promise<T> {
    let result = memo.get(key)
    if (!result) {
      result = work()
      memo.set(key, result)
    }
    try {
      return await result
    } catch (err) {
      // the problem was found under the first video's label: said again under this one's
      if (err instanceof FileCheckError && err.detail !== undefined) throw FileCheckError.at(where, err.detail)
      throw err
    }
  }
}

/**
 * Glob + check every image, and the music file when one is given. `label` names the inputs in
 * messages (a manifest's video: its keys' file:line); `unmatched` are warnings, each so named.
 * `checks`: shared by the videos of one run, so that what they share is looked at once.
 */
export async function collectInputFiles(
  patterns: string[],
  workspace: string,
  musicFile?: string,
  label: Label = inputLabel,
  checks = new FileChecks()
): Promise<{ images: InputFile[]; music?: InputFile; unmatched: string[] }> {
  const { files, unmatched, caseOnly } = await checks.find(patterns, workspace, label('images'))
  if (files.length === 0) {
    throw new FileCheckError(
      `${label('images')}: no file matched ${patterns.map(p => `'${p}'`).join(', ')} in ${workspace}.${caseHint(caseOnly)} Check the paths (relative to the workspace) and that an earlier step created the files.`
    )
  }
  const checked: InputFile[] = []
  for (const f of files) checked.push(await checks.file(f, workspace, 'image', 'images', label))
  const music = musicFile ? await checks.file(musicFile, workspace, 'audio', 'music', label) : undefined
  const named = uniqueNames(music ? [...checked, music] : checked)
  return {
    images: named.slice(0, checked.length),
    music: music ? named[checked.length] : undefined,
    unmatched: unmatched.map(
      p => `${label('images')}: the pattern '${p}' matched no file.${caseHint(new Map([[p, caseOnly.get(p) ?? []]]))}`
    )
  }
}

/** " These differ only in letter case: …" for patterns that missed files by case alone. */
function caseHint(caseOnly: Map<string, string[]>): string {
  const names = [...caseOnly.values()].flat()
  if (names.length === 0) return ''
  const shown = names.slice(0, 5).map(n => `'${n}'`)
  if (names.length > 5) shown.push(`and ${names.length - 5} more`)
  return ` Files that differ only in letter case (paths match case-sensitively, extensions do not): ${shown.join(', ')}.`
}
