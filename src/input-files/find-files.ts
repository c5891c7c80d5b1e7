// The files the image patterns name: pattern order, natural path order inside a pattern, no
// duplicates, `!pattern` excludes. File extensions match regardless of case (`*.jpg` finds
// `IMG_0001.JPG`); a pattern that matches nothing names the files that differ from it only in case.
// The walk stays in the workspace: a link to a folder outside it is not followed, `.git/` is never
// entered, and a folder it cannot read is an input error.
import { Minimatch } from 'minimatch'
import { opendir, readdir, realpath, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { isInside } from '../shared/guards.js'
import { FileCheckError } from './errors.js'
import { inputLabel } from '../inputs/errors.js'

/** How many files and folders one pattern may look through. */
const MAX_WALK_ENTRIES = 100_000

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

export interface FoundFiles {
  /** absolute paths, in order */
  files: string[]
  /** the patterns that matched no file */
  unmatched: string[]
  /** for an unmatched pattern: workspace-relative files that match it but for letter case */
  caseOnly: Map<string, string[]>
}

/**
 * Files matching the patterns: pattern order, natural path order inside a pattern, no duplicates.
 * `where` names the patterns' input in messages (a manifest's video: its key's file:line).
 */
export async function findFiles(patterns: string[], workspace: string, where = inputLabel('images')): Promise<FoundFiles> {
  const excludes = patterns.filter(p => p.startsWith('!')).map(p => anyCaseExtension(toRelative(p.slice(1), workspace, where)))
  const excluded = (rel: string): boolean => excludes.some(x => x.match(rel))
  const seen = new Set<string>()
  const files: string[] = []
  const unmatched: string[] = []
  const caseOnly = new Map<string, string[]>()
  for (const pattern of patterns.filter(p => !p.startsWith('!'))) {
    const rel = toRelative(pattern, workspace, where)
    const exact = anyCaseExtension(rel)
    const loose = new Minimatch(rel, { dot: true, nocase: true })
    const candidates = await walk(workspace, rel, loose, pattern, where)
    const hits = candidates.filter(c => exact.match(c) && !excluded(c)).sort(naturalOrder)
    if (hits.length === 0) {
      unmatched.push(pattern)
      const near = candidates.filter(c => !excluded(c)).sort(naturalOrder)
      if (near.length) caseOnly.set(pattern, near)
    }
    for (const hit of hits) {
      if (seen.has(hit)) continue
      seen.add(hit)
      files.push(join(workspace, hit))
    }
  }
  return { files, unmatched, caseOnly }
}

/** The pattern relative to the workspace, with '/' separators; refused when it leads outside. */
function toRelative(pattern: string, workspace: string, where: string): string {
  const abs = resolve(workspace, pattern)
  if (!isInside(workspace, abs)) {
    throw FileCheckError.at(
      where,
      `the pattern '${pattern}' points outside the workspace (${workspace}); only files in the workspace are sent.`
    )
  }
  return relative(workspace, abs).split(sep).join('/')
}

/** A matcher whose file extension (after the last '.') matches in any letter case. */
function anyCaseExtension(pattern: string): Minimatch {
  const dot = pattern.lastIndexOf('.')
  if (dot <= pattern.lastIndexOf('/')) return new Minimatch(pattern, { dot: true })
  let ext = ''
  let inClass = false
  for (const ch of pattern.slice(dot + 1)) {
    if (ch === '[') inClass = true
    else if (ch === ']') inClass = false
    ext += !inClass && ch.toLowerCase() !== ch.toUpperCase() ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch
  }
  return new Minimatch(pattern.slice(0, dot + 1) + ext, { dot: true })
}

const MAGIC = /[*?[\]{}()!+@\\]/

/**
 * Every file under the pattern's fixed leading folders that could match it, ignoring case
 * (workspace-relative, '/' separators). Folders are entered only while they can still lead to a
 * match, only when their real path is in the workspace, each once.
 */
async function walk(workspace: string, pattern: string, loose: Minimatch, shown: string, where: string): Promise<string[]> {
  const segments = pattern.split('/')
  const fixed: string[] = []
  for (const seg of segments.slice(0, -1)) {
    if (MAGIC.test(seg)) break
    fixed.push(seg)
  }
  const start = await fixedFolder(workspace, fixed)
  if (start === undefined) return []

  const out: string[] = []
  const visited = new Set<string>()
  const queue = [start]
  let entries = 0
  const refuse = (rel: string, err: unknown): never => {
    const code = (err as NodeJS.ErrnoException).code ?? String(err)
    throw FileCheckError.at(
      where,
      `cannot read the folder '${rel || '.'}' while matching '${shown}' (${code}): check its permissions, or narrow the pattern.`
    )
  }
  while (queue.length) {
    const rel = queue.shift() as string
    const abs = join(workspace, rel)
    let real: string
    try {
      real = await realpath(abs)
    } catch (err) {
      if (gone(err)) continue
      refuse(rel, err)
    }
    // a link to a folder outside the workspace is not followed
    if (!isInside(workspace, real!) || visited.has(real!)) continue
    visited.add(real!)
    let dir
    try {
      dir = await opendir(abs)
    } catch (err) {
      if (gone(err)) continue
      refuse(rel, err)
    }
    for await (const d of dir!) {
      if (++entries > MAX_WALK_ENTRIES) {
        throw FileCheckError.at(
          where,
          `the pattern '${shown}' looks through more than ${MAX_WALK_ENTRIES} files and folders: narrow it to the folders that hold the images.`
        )
      }
      const child = rel ? `${rel}/${d.name}` : d.name
      let isDir = d.isDirectory()
      let isFile = d.isFile()
      if (d.isSymbolicLink()) {
        const st = await stat(join(abs, d.name)).catch(() => undefined)
        isDir = !!st?.isDirectory()
        isFile = !!st?.isFile()
      }
      if (isDir) {
        if (d.name !== '.git' && loose.match(child, true)) queue.push(child)
      } else if (isFile && loose.match(child)) out.push(child)
    }
  }
  return out
}

/** The fixed leading folders, each matched exactly or else ignoring case (for the hint). */
async function fixedFolder(workspace: string, segments: string[]): Promise<string | undefined> {
  let rel = ''
  for (const seg of segments) {
    const next = rel ? `${rel}/${seg}` : seg
    if (
      await stat(join(workspace, next)).then(
        s => s.isDirectory(),
        () => false
      )
    ) {
      rel = next
      continue
    }
    const names = await readdir(join(workspace, rel)).catch(() => [] as string[])
    const alt = names.find(n => n.toLowerCase() === seg.toLowerCase())
    if (alt === undefined) return undefined
    rel = rel ? `${rel}/${alt}` : alt
  }
  return rel
}

function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP'
}
