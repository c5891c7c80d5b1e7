// Guards at the edges: paths the action reads or writes must stay inside allowed folders, a file
// written beside the user's files is created exclusively under a random name and renamed (never
// opened through a link a repository planted), plain http is allowed only to loopback hosts
// (tests, local proxies), and a URL a server hands us may not lead into the runner's own network
// (its LAN, the cloud metadata service, loopback).
import { randomBytes } from 'node:crypto'
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns'
import { mkdir, open, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { basename, dirname, isAbsolute, join, relative } from 'node:path'
import { RefusedDestination } from './errors.js'

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

// ---- files beside the user's: what every writer of an output, a poster or a record goes through

/**
 * A fresh temp file beside `output` (same folder, so the rename is atomic); makes the folder.
 * `output` is a real path (the inputs resolved its links and checked where it leads): if the
 * folder's real path differs now, a link appeared on the way, and nothing is written through it.
 * The file is created here, empty, under a name of 128 random bits and only if nothing is at that
 * name (O_EXCL): a link a repository planted is never opened (no name of it can be guessed, and
 * one that is there anyway fails the create), and what writes to it later (ffmpeg, the download,
 * a record) opens this new regular file.
 */
export async function tempFileFor(output: string): Promise<string> {
  const dir = dirname(output)
  await mkdir(dir, { recursive: true })
  const real = await realpath(dir)
  if (real !== dir) {
    throw new Error(
      `The output folder ${dir} now leads to ${real} through a link; nothing was written. Write to a folder that is not a link.`
    )
  }
  const temp = join(dir, `.${basename(output)}.${randomBytes(16).toString('hex')}.part`)
  await (await open(temp, 'wx')).close()
  return temp
}

/**
 * `data` at `output`, whole or not at all: written into tempFileFor's file, then renamed over
 * `output` (a rename replaces a link at `output` itself, never writes through it). The temp file
 * is removed when anything fails.
 */
export async function writeFileBeside(output: string, data: string | Uint8Array): Promise<void> {
  const temp = await tempFileFor(output)
  try {
    await writeFile(temp, data)
    await rename(temp, output)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
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

// ---- destinations: which addresses a server-given URL may connect to

const LOOPBACK = 'a loopback address (allowed only when api-url is loopback)'
const PRIVATE = 'a private address'
const LINK_LOCAL = 'a link-local address (where cloud metadata services live)'
const UNSPECIFIED = 'an unspecified address'
const MULTICAST = 'a multicast address'
const RESERVED = 'a reserved address'

/** Every IPv4 range that is not the public internet, and why; each is also refused in its IPv6 forms below. */
const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, UNSPECIFIED],
  ['10.0.0.0', 8, PRIVATE],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, LOOPBACK],
  ['169.254.0.0', 16, LINK_LOCAL],
  ['172.16.0.0', 12, PRIVATE],
  ['192.0.0.0', 24, RESERVED],
  ['192.168.0.0', 16, PRIVATE],
  ['198.18.0.0', 15, RESERVED],
  ['224.0.0.0', 4, MULTICAST],
  ['240.0.0.0', 4, RESERVED]
]
const V6_RANGES: [string, number, string][] = [
  ['::', 128, UNSPECIFIED],
  ['::1', 128, LOOPBACK],
  ['64:ff9b:1::', 48, `${PRIVATE} (local-use NAT64)`],
  ['fc00::', 7, `${PRIVATE} (unique-local)`],
  ['fe80::', 10, LINK_LOCAL],
  ['fec0::', 10, `${PRIVATE} (site-local)`],
  ['ff00::', 8, MULTICAST]
]
/** IPv6 addresses that carry an IPv4 one in their last 32 bits and reach it (or a gateway to it). */
const V4_IN_V6: [string, string][] = [
  ['::ffff:', 'IPv4-mapped'],
  ['64:ff9b::', 'NAT64'],
  ['::', 'IPv4-compatible']
]

interface Rule {
  list: BlockList
  family: 'ipv4' | 'ipv6'
  reason: string
  loopback: boolean
}
const rule = (address: string, prefix: number, family: 'ipv4' | 'ipv6', reason: string, loopback: boolean): Rule => {
  const list = new BlockList()
  // node's BlockList parses both families (a dotted tail in IPv6 too): no address parsing of our own
  list.addSubnet(address, prefix, family)
  return { list, family, reason, loopback }
}
// an address is checked against the rules of its family, in this order (a BlockList matches an
// IPv4 rule and its IPv4-mapped form across families: only the address's own family names it right)
const RULES: Rule[] = [
  ...V6_RANGES.map(([a, p, why]) => rule(a, p, 'ipv6', why, why === LOOPBACK)),
  ...V4_IN_V6.flatMap(([prefix, form]) =>
    V4_RANGES.map(([a, p, why]) =>
      rule(`${prefix}${a}`, 96 + p, 'ipv6', `${why.replace(/ \(.*\)$/, '')} in ${form} form`, why === LOOPBACK)
    )
  ),
  ...V4_RANGES.map(([a, p, why]) => rule(a, p, 'ipv4', why, why === LOOPBACK))
]

/**
 * Why a server-given URL may not connect to `address` (an IP address, as a resolver or the URL
 * parser gives it), or undefined when it may: anything but a public unicast address is refused,
 * loopback only unless `allowLoopback` (api-url is itself loopback: a local test or proxy).
 */
export function addressRefusal(address: string, allowLoopback: boolean): string | undefined {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '') // a zone id (fe80::1%eth0) is not part of the address
  const family = isIP(ip)
  if (!family) return 'not an IP address'
  const type = family === 4 ? 'ipv4' : 'ipv6'
  const hit = RULES.find(r => r.family === type && r.list.check(ip, type))
  if (!hit || (hit.loopback && allowLoopback)) return undefined
  return hit.reason
}

/** 127/8, ::1 and their IPv6 forms (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string): boolean {
  return addressRefusal(address, false) !== undefined && addressRefusal(address, true) === undefined
}

/** A resolver as dns.lookup is with `all: true` (injectable for tests). */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void
) => void

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback)

/**
 * A `lookup` for net/tls.connect that resolves the name and hands the socket only addresses
 * `refusal` allows: the check is on the address connected to, so a name that resolves (or
 * rebinds) to 10.x is refused and there is no window between checking and connecting.
 */
export function guardedLookup(refusal: (address: string) => string | undefined, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0)
      const allowed = addresses.filter(a => !refusal(a.address))
      if (!allowed.length) {
        const first = addresses[0]
        const why = first ? (refusal(first.address) as string) : 'a name that resolved to no address'
        return callback(new RefusedDestination(hostname, first?.address ?? hostname, why), '', 0)
      }
      if (options.all) callback(null, allowed)
      else callback(null, allowed[0].address, allowed[0].family)
    })
  }
}
