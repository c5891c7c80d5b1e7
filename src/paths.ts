// Path containment: files the action reads or writes must stay inside allowed folders.
import { isAbsolute, relative } from 'node:path'

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}
