// The batch manifest: a YAML list of videos, each a `name` plus per-video input keys. Every
// problem is reported with the file, the line, the entry and the key, before anything runs.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml'
import type { Label } from './errors.js'

interface ManifestEntry {
  name: string
  /** key → value as an input string (lists of patterns joined by newlines) */
  values: Record<string, string>
  /** key → 1-based line in the file */
  lines: Record<string, number>
  line: number
}

export interface Manifest {
  entries: ManifestEntry[]
  problems: string[]
}

/**
 * How the problems of a manifest's video name a value, the one place a location in the manifest is
 * written: a key the entry sets by the file and line of the key (`videos.yml:7: video 'a', key
 * 'images'`), a key it leaves to the step's input by the line of the entry (`videos.yml:5: video
 * 'a', input 'prompt'`). `both`: two keys set together (prompt and prompt-file).
 */
export function entryLabels(shown: string, entry: ManifestEntry): { label: Label; both: (a: string, b: string) => string } {
  const sets = (key: string): boolean => key in entry.lines
  const at = (key: string): string => `${shown}:${sets(key) ? entry.lines[key] : entry.line}: video '${entry.name}'`
  return {
    label: key => `${at(key)}, ${sets(key) ? 'key' : 'input'} '${key}'`,
    both: (a, b) => `${at(a)}, ${sets(a) ? 'keys' : 'inputs'} '${a}' and '${b}'`
  }
}

/** A video's name: it names the MP4, its artifact and its release assets. */
export const VIDEO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** The most videos one step renders (each is a session and a render; they share one runner). */
export const MAX_VIDEOS = 100
/**
 * The most videos a manifest that is planned onto a job matrix may list (see plan/): 256 jobs of a
 * matrix, each rendering at most MAX_VIDEOS. Its 1 MB size limit usually binds first.
 */
export const MAX_PLANNED_VIDEOS = 256 * MAX_VIDEOS

/**
 * `max`: the most entries the manifest may hold, MAX_VIDEOS for a step that renders all of them;
 * `planned` says the caller renders a part of it (a job of a matrix), which the message names.
 */
export function parseManifest(
  text: string,
  keys: readonly string[],
  shown: string,
  limit: { max: number; planned: boolean } = { max: MAX_VIDEOS, planned: false }
): Manifest {
  const lc = new LineCounter()
  // failsafe: every value is the text as written ('0x10' stays '0x10', 'yes' stays 'yes')
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, schema: 'failsafe' })
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lc.linePos(node.range[0]).line : 1)
  const problems: string[] = doc.errors.map(e => `${shown}:${lc.linePos(e.pos[0]).line}: invalid YAML: ${e.message.split('\n')[0]}`)
  if (problems.length) return { entries: [], problems }

  // a list of videos, or { videos: [...] }
  let list = doc.contents as Node | null
  if (isMap(list) && list.has('videos')) list = list.get('videos', true) as Node
  if (!isSeq(list) || list.items.length === 0) {
    return {
      entries: [],
      problems: [
        `${shown}: expected a list of videos (or 'videos:' holding one), each with a 'name' and keys such as 'images' and 'prompt'.`
      ]
    }
  }

  if (list.items.length > limit.max) {
    const fix = limit.planned
      ? 'Split it into several manifests.'
      : `Split it into several manifests, or plan it onto a job matrix (img2vid-action/plan) and render a part of it in each job with 'only'.`
    return {
      entries: [],
      problems: [
        `${shown}: lists ${list.items.length} videos; ${limit.planned ? 'a planned manifest' : 'one step renders'} at most ${limit.max}. ${fix}`
      ]
    }
  }

  const entries: ManifestEntry[] = []
  const seen = new Map<string, number>()
  list.items.forEach((item, index) => {
    const where = `${shown}:${lineOf(item as Node)}`
    if (!isMap(item)) {
      problems.push(`${where}: video #${index + 1} must be a mapping of keys (name, images, prompt, …).`)
      return
    }
    const nameNode = item.get('name', true)
    const name = isScalar(nameNode) ? String(nameNode.value ?? '').trim() : ''
    const label = name ? `video '${name}'` : `video #${index + 1}`
    if (!name) problems.push(`${where}: ${label} has no 'name'.`)
    else if (!VIDEO_NAME.test(name))
      problems.push(
        `${shown}:${lineOf(nameNode)}: ${label}, key 'name': use letters, digits, '.', '_' and '-' only (it names the MP4 and the artifact).`
      )
    else if (seen.has(name))
      problems.push(`${shown}:${lineOf(nameNode)}: ${label}: the name is already used on line ${seen.get(name)}; names must be unique.`)
    else seen.set(name, lineOf(nameNode))

    const values: Record<string, string> = {}
    const lines: Record<string, number> = {}
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : ''
      const line = lineOf((pair.key as Node) ?? item)
      if (key === 'name') continue
      if (!keys.includes(key)) {
        const hint = closest(key, keys)
        problems.push(
          `${shown}:${line}: ${label}: unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; a video may set ${keys.join(', ')}.`
        )
        continue
      }
      const v = pair.value as Node | null
      if (isSeq(v) && key === 'images') {
        values[key] = v.items.map(i => (isScalar(i) ? String(i.value) : '')).join('\n')
      } else if (isSeq(v) && key === 'captions') {
        // one caption an item, on one line: a line of the value is a photo's caption
        values[key] = v.items.map(i => (isScalar(i) && i.value !== null ? String(i.value).replace(/\s*[\r\n]+\s*/g, ' ') : '')).join('\n')
      } else if (isScalar(v)) {
        values[key] = v.value === null ? '' : String(v.value)
      } else {
        problems.push(
          `${shown}:${line}: ${label}, key '${key}': expected a single value${key === 'images' ? ' or a list of patterns' : key === 'captions' ? ' or a list of captions' : ''}.`
        )
        continue
      }
      lines[key] = line
    }
    if (name) entries.push({ name, values, lines, line: lineOf(item) })
  })
  return { entries, problems }
}

/** The known key nearest to a misspelt one (edit distance ≤ 2). */
function closest(key: string, keys: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = 3
  for (const k of keys) {
    const d = distance(key.toLowerCase(), k)
    if (d < bestD) [best, bestD] = [k, d]
  }
  return best
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]
}
