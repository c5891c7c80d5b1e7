// The render's download URL is the server's word: a token it echoes into the URL never reaches an
// output, the summary or the log, and a URL (or a redirect) that points into the runner's own
// network is refused after DNS resolution, before any connection. Through dist/ against the
// loopback NemoVideo server; the resolver-level rules in-process with an injected resolver.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { isIP, type AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { request, type Agent } from 'undici'
import { downloadAgent, reportedUrl } from '../../src/backends/nemo/download.js'
import { addSecret } from '../../src/backends/nemo/errors.js'
import { addressRefusal, type Resolver } from '../../src/shared/guards.js'
import { RefusedDestination } from '../../src/shared/errors.js'
import { cloudInputs, nemoFixture } from '../helpers/nemo.js'
import { photoSandbox, runAction, type ActionRun } from '../helpers/action.js'

const USER = 'nmv_usr_download_secret_7c3a'
/** a user token that is not NemoVideo-shaped and changes when URI-encoded */
const ODD_USER = 'Sk.live/Ab+Cd=Ef_0123456789xyz'
const env = {
  IMG2VID_RETRY_WAIT_MS: '100',
  IMG2VID_REQUEST_TIMEOUT_MS: '3000'
}
const nemo = nemoFixture({ credits: 100_000, userTokens: [USER, ODD_USER], renderPolls: 1 })

async function go(inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    box: await photoSandbox([1, 2]),
    env,
    inputs: cloudInputs(nemo.server.url, USER, inputs)
  })
}

/** Requests of this run to one route. */
const since = (from: number, route: string): typeof nemo.server.requests => nemo.server.requests.slice(from).filter(r => r.route === route)

/** Neither the token nor its URI-encoded form anywhere a user sees (the runner consumes ::add-mask::). */
function noToken(run: ActionRun, token: string): void {
  for (const form of new Set([token, encodeURIComponent(token)])) {
    assert.ok(!run.outputs['video-url'].includes(form), `video-url holds the token: ${run.outputs['video-url']}`)
    assert.ok(!run.outputs.videos.includes(form), `videos holds the token: ${run.outputs.videos}`)
    assert.ok(!run.summary.includes(form), 'the summary holds the token')
    assert.ok(!run.all.includes(form), 'the log holds the token')
  }
}

describe('a token echoed into the download URL', () => {
  it('the anonymous token in the path and the query is *** in video-url, videos, the summary and the log', async () => {
    nemo.server.config.renderUrl = '{cdn}/t/{token}/renders/{id}.mp4?token={token}&v=1'
    const from = nemo.server.requests.length
    const run = await go({ token: '', 'allow-anonymous': 'true' })
    assert.equal(run.code, 0, run.all)
    const token = nemo.server.issuedTokens.at(-1) as string
    assert.ok(token, 'an anonymous token was issued')
    const [cdn] = since(from, 'download')
    assert.ok(cdn?.path.includes(token), 'the MP4 came from the URL as the server gave it, token and all')
    assert.match(
      run.outputs['video-url'],
      new RegExp(`^${nemo.server.cdnUrl}/t/\\*\\*\\*/renders/render_\\w+\\.mp4\\?token=\\*\\*\\*&v=1$`)
    )
    noToken(run, token)
  })

  it('a user token with URL characters, URI-encoded in the query, is *** too', async () => {
    nemo.server.config.renderUrl = '{cdn}/renders/{id}.mp4?sig={token%}'
    const run = await go({ token: ODD_USER })
    assert.equal(run.code, 0, run.all)
    assert.match(run.outputs['video-url'], /\?sig=\*\*\*$/)
    noToken(run, ODD_USER)
  })
})

describe('download destinations in the runner’s own network', () => {
  const refused = [
    { url: 'https://10.0.0.1/renders/v.mp4', says: /the render's download URL points at 10\.0\.0\.1, a private address: refused/ },
    {
      url: 'https://169.254.169.254/latest/meta-data/',
      says: /the render's download URL points at 169\.254\.169\.254, a link-local address [^:]*: refused/
    },
    // odd spellings the URL parser normalises before the check: 0xa.1 is 10.0.0.1
    { url: 'https://0xa.1/v.mp4', says: /points at 10\.0\.0\.1, a private address: refused/ },
    { url: 'https://[::ffff:169.254.169.254]/v.mp4', says: /points at \[::ffff:a9fe:a9fe\], a link-local address [^:]*: refused/ }
  ]
  for (const { url, says } of refused) {
    it(`a render URL ${url} is refused with a clear reason; the download endpoint is used instead`, async () => {
      nemo.server.config.renderUrl = url
      const from = nemo.server.requests.length
      const started = Date.now()
      const run = await go()
      assert.equal(run.code, 0, run.all)
      assert.match(run.stdout, says)
      assert.doesNotMatch(
        run.stdout,
        /ECONN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|no answer within|connect timeout/i,
        'no connection was tried'
      )
      assert.match(run.stdout, /trying the fallback download endpoint/)
      assert.doesNotMatch(run.stdout, /retrying\./, 'a refused URL is not tried twice')
      assert.equal(since(from, 'fallback-download').length, 1)
      assert.ok(Date.now() - started < 60_000)
    })
  }

  it('a redirect from the loopback CDN to a private address is refused, also via the download endpoint', async () => {
    Object.assign(nemo.server.config, { cdnRedirect: 'https://10.0.0.7/renders/{id}.mp4', fallbackRedirect: true })
    const from = nemo.server.requests.length
    const run = await go()
    assert.equal(run.code, 1, run.all)
    assert.match(
      run.stdout,
      /::error::Could not download render render_\S+: download: a redirect from 127\.0\.0\.1 points at 10\.0\.0\.7, a private address: refused; fallback: a redirect from 127\.0\.0\.1 points at 10\.0\.0\.7, a private address: refused\. Nothing was written/
    )
    assert.equal(since(from, 'download').length, 2, 'the CDN once directly, once through the download endpoint; no retry of a refusal')
    assert.doesNotMatch(run.stdout, /ECONN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|no answer within|connect timeout/i)
  })

  it('the loopback CDN still serves the MP4 when api-url is loopback', async () => {
    const from = nemo.server.requests.length
    const run = await go()
    assert.equal(run.code, 0, run.all)
    assert.equal(since(from, 'download').length, 1)
    assert.equal(since(from, 'fallback-download').length, 0)
    assert.match(run.outputs['video-url'], new RegExp(`^${nemo.server.cdnUrl}/renders/render_\\w+\\.mp4$`))
  })
})

describe('the download connector (in-process, an injected resolver)', () => {
  /** A loopback server that counts the connections it got. */
  async function counting(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
    let n = 0
    const s: Server = createServer((req, res) => {
      req.resume()
      res.end('ok')
    })
    s.on('connection', () => n++)
    await new Promise<void>(r => s.listen(0, '127.0.0.1', r))
    return {
      port: (s.address() as AddressInfo).port,
      connections: () => n,
      close: () => new Promise(r => (s.closeAllConnections(), s.close(() => r())))
    }
  }
  /** A resolver that answers from a table and records what it was asked. */
  const resolver = (table: Record<string, string[]>, asked: string[] = []): Resolver => {
    return (hostname, _options, callback) => {
      asked.push(hostname)
      const found = table[hostname]
      if (!found) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), [])
      callback(
        null,
        found.map(address => ({ address, family: isIP(address) }))
      )
    }
  }
  const get = async (url: string, dispatcher: Agent): Promise<string> => {
    const res = await request(url, { dispatcher, headersTimeout: 2000, bodyTimeout: 2000 })
    return res.body.text()
  }

  it('a name that resolves to a private address is refused after resolution, naming it', async () => {
    const asked: string[] = []
    const agent = downloadAgent(new URL('https://api.nemovideo.example'), resolver({ 'cdn.example': ['10.0.0.5'] }, asked))
    try {
      await assert.rejects(get('https://cdn.example/v.mp4', agent), (err: unknown) => {
        assert.ok(err instanceof RefusedDestination, String(err))
        assert.equal(err.message, 'cdn.example (10.0.0.5) is a private address: refused')
        return true
      })
      assert.deepEqual(asked, ['cdn.example'], 'the name was resolved by the connector')
    } finally {
      await agent.close()
    }
  })

  it('refuses before connecting: a loopback name and literal when api-url is not loopback', async () => {
    const s = await counting()
    const agent = downloadAgent(new URL('https://api.nemovideo.example'), resolver({ 'cdn.example': ['127.0.0.1'] }))
    try {
      for (const url of [`http://cdn.example:${s.port}/`, `http://127.0.0.1:${s.port}/`, `http://[::ffff:7f00:1]:${s.port}/`]) {
        await assert.rejects(get(url, agent), /is a loopback address.*: refused/, url)
      }
      assert.equal(s.connections(), 0, 'no connection reached the server')
    } finally {
      await agent.close()
      await s.close()
    }
  })

  it('connects to the address it checked: a name resolved to loopback reaches the loopback server when api-url is loopback', async () => {
    const s = await counting()
    // a private address first: it is skipped, the allowed one is connected to
    const agent = downloadAgent(new URL('http://127.0.0.1:9'), resolver({ 'cdn.test': ['10.0.0.5', '127.0.0.1'] }))
    try {
      assert.equal(await get(`http://cdn.test:${s.port}/`, agent), 'ok')
      assert.equal(s.connections(), 1)
    } finally {
      await agent.close()
      await s.close()
    }
  })

  it("the API's own origin is not checked (the user chose it)", async () => {
    const s = await counting()
    const agent = downloadAgent(new URL(`http://127.0.0.1:${s.port}`), resolver({}))
    try {
      assert.equal(await get(`http://127.0.0.1:${s.port}/x`, agent), 'ok')
    } finally {
      await agent.close()
      await s.close()
    }
  })

  it('classifies addresses as the URL parser normalises them', () => {
    const refused: [string, RegExp][] = [
      ['https://10.0.0.1/', /^a private address$/],
      ['https://0xa.1/', /^a private address$/],
      ['https://167772161/', /^a private address$/],
      ['https://172.16.0.1/', /^a private address$/],
      ['https://192.168.1.1/', /^a private address$/],
      ['https://100.64.0.1/', /carrier-grade NAT/],
      ['https://169.254.169.254/', /^a link-local address/],
      ['https://0.0.0.0/', /unspecified/],
      ['https://224.0.0.1/', /multicast/],
      ['https://255.255.255.255/', /reserved/],
      ['https://0x7f.1/', /^a loopback address/],
      ['https://2130706433/', /^a loopback address/],
      ['https://[::1]/', /^a loopback address/],
      ['https://[::]/', /unspecified/],
      ['https://[fd00::1]/', /unique-local/],
      ['https://[fe80::1]/', /^a link-local address/],
      ['https://[ff02::1]/', /multicast/],
      ['https://[::ffff:10.0.0.1]/', /^a private address in IPv4-mapped form$/],
      ['https://[::ffff:127.0.0.1]/', /^a loopback address in IPv4-mapped form$/],
      ['https://[64:ff9b::10.0.0.1]/', /^a private address in NAT64 form$/],
      ['https://[64:ff9b::169.254.169.254]/', /^a link-local address in NAT64 form$/],
      ['https://[::10.0.0.1]/', /^a private address in IPv4-compatible form$/]
    ]
    for (const [url, why] of refused) assert.match(addressRefusal(new URL(url).hostname, false) ?? 'allowed', why, url)
    for (const url of [
      'https://8.8.8.8/',
      'https://172.32.0.1/',
      'https://100.128.0.1/',
      'https://[2606:4700::1111]/',
      'https://[64:ff9b::8.8.8.8]/'
    ])
      assert.equal(addressRefusal(new URL(url).hostname, false), undefined, url)
    assert.equal(addressRefusal('127.0.0.1', true), undefined, 'loopback when api-url is loopback')
    assert.equal(addressRefusal('[::ffff:7f00:1]', true), undefined)
    assert.match(addressRefusal('10.0.0.1', true) ?? '', /private/, 'private stays refused')
  })
})

describe('the reported download URL', () => {
  it('is the URL with every token of the run as ***, raw or URI-encoded, and no user info', () => {
    const token = 'Tok/en+With=Chars_0123'
    addSecret(token)
    const enc = encodeURIComponent(token)
    assert.equal(
      reportedUrl(new URL(`https://u:p@cdn.example/a/${enc}/b.mp4?t=${enc}&k=${token}&x=a%20b#${enc}`)),
      'https://***@cdn.example/a/***/b.mp4?t=***&k=***&x=a%20b#***'
    )
    assert.equal(reportedUrl(new URL('https://cdn.example/v.mp4?sig=abc')), 'https://cdn.example/v.mp4?sig=abc', 'untouched otherwise')
  })
})
