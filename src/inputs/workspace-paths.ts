// Paths the inputs name, checked by their real path: files the action reads (prompt-file, the
// manifest) must be regular files inside the workspace, outside `.git/`, and small; the output's
// folder must really be inside the workspace or the runner's temp dir, links resolved.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs'
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import { isInside } from '../shared/guards.js'

/** A directory's real path (links resolved), or the path as given when it does not exist. */
export function realDir(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return resolve(path)
  }
}

/** True when a path inside `root` goes through a `.git` folder. */
export function inGitDir(root: string, path: string): boolean {
  return relative(root, path)
    .split(sep)
    .some(part => part.toLowerCase() === '.git')
}

/**
 * Reads a text file the user named, relative to the workspace: the real path (links resolved)
 * must be a regular file inside the workspace, not in `.git/`, at most `maxBytes` long.
 * Returns the text, or the problem (a sentence that follows "Input 'x'").
 */
export function readWorkspaceText(workspace: string, given: string, maxBytes: number): { text: string } | { problem: string } {
  const path = resolve(workspace, given)
  const inside = `must be a file inside the workspace`
  if (!isInside(workspace, path)) return { problem: `${inside} (got '${given}').` }
  if (inGitDir(workspace, path)) return { problem: `must not be inside '.git/' (got '${given}'): it holds the checkout's credentials.` }
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    return { problem: `: no file at '${given}' (relative to the workspace).` }
  }
  if (!isInside(workspace, real)) {
    return { problem: `${inside}; '${given}' is a link to a file outside it, which is never read.` }
  }
  if (inGitDir(workspace, real)) {
    return { problem: `must not be inside '.git/'; '${given}' is a link into it, which holds the checkout's credentials.` }
  }
  const st = lstatSync(real)
  if (!st.isFile()) return { problem: `${inside}; '${given}' is ${st.isDirectory() ? 'a folder' : 'not a regular file'}.` }
  if (st.size > maxBytes) {
    return { problem: `: '${given}' is ${st.size} bytes, over the limit of ${maxBytes / 1024} KB.` }
  }
  // no link followed, and a file swapped for a FIFO after the check cannot hang the step
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    if (!fstatSync(fd).isFile()) return { problem: `${inside}; '${given}' is not a regular file.` }
    const buf = Buffer.alloc(maxBytes + 1)
    let n = 0
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null)
    if (n > maxBytes) return { problem: `: '${given}' is over the limit of ${maxBytes / 1024} KB.` }
    return { text: buf.toString('utf8', 0, n) }
  } finally {
    closeSync(fd)
  }
}

/** The output's real path: the real path of its nearest existing folder, plus the rest of the path. */
export function realOutputPath(output: string): string {
  const rest: string[] = [basename(output)]
  let dir = dirname(output)
  for (;;) {
    try {
      return join(realpathSync(dir), ...rest.reverse())
    } catch {
      const parent = dirname(dir)
      if (parent === dir) return output
      rest.push(basename(dir))
      dir = parent
    }
  }
}

/**
 * Files beside a missing `path` whose names differ from it only in letter case: `same` when only
 * the extension differs (`theme.MP3` for `theme.mp3`: extensions match regardless of case).
 */
export function caseVariants(path: string): { same?: string; others: string[] } {
  let names: string[]
  try {
    names = readdirSync(dirname(path))
  } catch {
    return { others: [] }
  }
  const want = basename(path)
  const stem = basename(want, extname(want))
  const hits = names.filter(n => n !== want && n.toLowerCase() === want.toLowerCase())
  const same = hits.find(n => basename(n, extname(n)) === stem)
  return { same: same && join(dirname(path), same), others: hits.filter(n => n !== same) }
}
