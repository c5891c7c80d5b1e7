// Guards at the edges: paths the action reads or writes must stay inside allowed folders, and
// plain http is allowed only to loopback hosts (tests, local proxies).
import { isIP } from 'node:net'
import { isAbsolute, relative } from 'node:path'

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** https anywhere, http only to loopback. */
export function isAllowedUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}
