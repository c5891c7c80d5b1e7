// The runner's proxy, for every connection the cloud backend makes. Which origin goes through
// which proxy is decided by @actions/http-client's getProxyUrl, the rule of the toolkit's own parts
// (artifact, cache, tool-cache): https_proxy / HTTPS_PROXY for https, http_proxy / HTTP_PROXY for
// http, no_proxy / NO_PROXY, and loopback never through a proxy. So on a proxied self-hosted runner
// the API calls, the upload and the download go the way the artifact upload does.
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { Agent, Client, Pool, ProxyAgent } from 'undici'

/** The proxy an origin's connections go through, or undefined for a direct connection. */
export function proxyFor(url: URL): URL | undefined {
  const proxy = getProxyUrl(url)
  if (!proxy || proxy.protocol === 'http:' || proxy.protocol === 'https:') return proxy
  // 'proxy.corp:3128' without a scheme parses as a URL of scheme 'proxy.corp:'; curl, and the
  // person who wrote it, mean http://proxy.corp:3128
  try {
    return new URL(`http://${proxy.href}`)
  } catch {
    return undefined
  }
}

/** A proxy as a log line may show it: its origin, never its credentials. */
export const shownProxy = (proxy: URL): string => `${proxy.protocol}//${proxy.host}`

/**
 * A dispatcher that connects each origin through the runner's proxy for it, or directly with the
 * options given (a connector of the caller's, which then sees every direct connection). A proxy's
 * credentials in its URL become its Proxy-Authorization header (undici's ProxyAgent).
 */
export function proxyAware(opts: Agent.Options = {}): Agent {
  return new Agent({
    ...opts,
    factory: (origin, options) => {
      const proxy = proxyFor(new URL(origin))
      if (proxy) return new ProxyAgent({ uri: proxy.href })
      // undici's own default for a direct origin
      const direct = options as Pool.Options
      return direct.connections === 1 ? new Client(origin, direct) : new Pool(origin, direct)
    }
  })
}

/**
 * The addresses a proxied host has here. Through a proxy the runner never connects to the host
 * itself, so its connector cannot check the address: the name is resolved here and checked first.
 * The proxy resolves it again, on its own network: this only keeps the runner from asking for an
 * address it would refuse itself.
 */
export async function addressesOf(hostname: string): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (isIP(host)) return [host]
  return (await lookup(host, { all: true })).map(a => a.address)
}
