// The files the image patterns name: pattern order, natural path order inside a pattern, no
// duplicates, `!pattern` excludes.
import * as glob from '@actions/glob'
import { isAbsolute, join, relative } from 'node:path'

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
