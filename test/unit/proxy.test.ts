// Which origins the cloud backend sends through the runner's proxy (src/backends/nemo/proxy.ts):
// the toolkit's rule, so the API calls go the way the artifact and cache uploads of the same job go.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { proxyFor, shownProxy } from '../../src/backends/nemo/proxy.js'

const NAMES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']
const saved = Object.fromEntries(NAMES.map(n => [n, process.env[n]]))
afterEach(() => {
  for (const n of NAMES)
    if (saved[n] === undefined) delete process.env[n]
    else process.env[n] = saved[n]
})
const set = (env: Record<string, string>): void => {
  for (const n of NAMES) delete process.env[n]
  Object.assign(process.env, env)
}
const via = (url: string): string | undefined => proxyFor(new URL(url))?.host

describe('the proxy an origin goes through', () => {
  it('https through HTTPS_PROXY (either case), http through HTTP_PROXY, none without', () => {
    set({})
    assert.equal(via('https://mega-api-prod.nemovideo.ai'), undefined)
    set({ HTTPS_PROXY: 'http://proxy.corp:3128' })
    assert.equal(via('https://mega-api-prod.nemovideo.ai'), 'proxy.corp:3128')
    assert.equal(via('http://cdn.example'), undefined, 'HTTPS_PROXY is not used for http')
    set({ https_proxy: 'proxy.lower:8080', HTTP_PROXY: 'http://plain.corp:80' })
    assert.equal(via('https://mega-api-prod.nemovideo.ai'), 'proxy.lower:8080')
    assert.equal(via('http://cdn.example'), 'plain.corp')
  })
  it('NO_PROXY (a host, a domain, host:port, *) goes direct; loopback never goes through a proxy', () => {
    set({ HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'internal.example, .corp.example, api.example:8443' })
    assert.equal(via('https://internal.example'), undefined)
    assert.equal(via('https://cdn.corp.example'), undefined)
    assert.equal(via('https://api.example:8443'), undefined)
    assert.equal(via('https://api.example'), 'proxy.corp:3128', 'another port of a host:port entry is proxied')
    for (const url of ['https://localhost:8443', 'https://127.0.0.1', 'https://[::1]:9']) assert.equal(via(url), undefined, url)
    set({ HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: '*' })
    assert.equal(via('https://mega-api-prod.nemovideo.ai'), undefined)
  })
  it('a proxy is shown by its origin, never its credentials', () => {
    assert.equal(shownProxy(new URL('http://runner:s3cret@proxy.corp:3128')), 'http://proxy.corp:3128')
  })
})
