// The cloud backend on a runner behind a proxy, through the built action: HTTPS_PROXY with
// credentials, as a self-hosted runner sets it. The API (https://nemo.test) and its CDN
// (https://cdn.nemo.test) are the test server behind TLS bridges that only the loopback proxy
// reaches (the names do not resolve here), so a run that works went through the proxy; the proxy
// records every request it was asked to pass.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { runAction, sandbox, type Sandbox } from '../helpers/action.js'
import { makeImage, sha256 } from '../helpers/media.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'

const TOKEN = 'nmv_usr_proxy_secret_51c2'
const PROXY_USER = 'runner'
const PROXY_PASSWORD = 'pr0xy-s3cret'

interface Passed {
  method: string
  target: string
  auth?: string
}

/** A TLS bridge: TLS with the test certificate in front of a plain TCP port. */
async function tlsBridge(key: Buffer, cert: Buffer, port: number): Promise<TlsServer> {
  const server = createTlsServer({ key, cert }, tls => {
    const plain = connect(port, '127.0.0.1')
    tls.pipe(plain).pipe(tls)
    const close = (): void => void (tls.destroy(), plain.destroy())
    tls.on('error', close)
    plain.on('error', close)
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  return server
}

describe('the cloud backend behind a proxy (HTTPS_PROXY)', () => {
  let nemo: NemoServer
  let proxy: Server
  let proxyUrl: string
  let certFile: string
  let box: Sandbox
  const bridges: TlsServer[] = []
  const passed: Passed[] = []

  before(async () => {
    box = await sandbox()
    const dir = box.temp
    const [keyFile, crt] = [join(dir, 'nemo.key'), join(dir, 'nemo.crt')]
    certFile = crt
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=nemo.test',
      '-addext',
      'subjectAltName=DNS:nemo.test,DNS:cdn.nemo.test',
      '-keyout',
      keyFile,
      '-out',
      crt
    ])
    const [key, cert] = await Promise.all([readFile(keyFile), readFile(crt)])
    nemo = await startNemoServer({ config: { userTokens: [TOKEN], credits: 100_000, renderUrl: 'https://cdn.nemo.test/renders/{id}.mp4' } })
    const port = (url: string): number => Number(new URL(url).port)
    bridges.push(await tlsBridge(key, cert, port(nemo.url)), await tlsBridge(key, cert, port(nemo.cdnUrl)))
    const routes: Record<string, number> = {
      'nemo.test:443': (bridges[0].address() as AddressInfo).port,
      'cdn.nemo.test:443': (bridges[1].address() as AddressInfo).port
    }
    proxy = createServer((req, res) => {
      // a plain http request through the proxy: recorded and refused
      passed.push({ method: req.method ?? '', target: req.url ?? '', auth: req.headers['proxy-authorization'] })
      res.writeHead(403).end()
    })
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      const target = req.url ?? ''
      passed.push({ method: 'CONNECT', target, auth: req.headers['proxy-authorization'] })
      const to = routes[target]
      if (!to) return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      const upstream = connect(to, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client).pipe(upstream)
      })
      const close = (): void => void (client.destroy(), upstream.destroy())
      upstream.on('error', close)
      client.on('error', close)
    })
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r))
    proxyUrl = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${(proxy.address() as AddressInfo).port}`
    await mkdir(join(box.workspace, 'photos'))
    for (let i = 1; i <= 2; i++) await copyFile(await makeImage({ seed: i }), join(box.workspace, 'photos', `${i}.jpg`))
  })
  after(async () => {
    proxy?.closeAllConnections()
    proxy?.close()
    for (const b of bridges) b.close()
    await nemo?.close()
  })

  const run = (renderUrl: string, output: string) => {
    nemo.config.renderUrl = renderUrl
    return runAction({
      box,
      env: {
        HTTPS_PROXY: proxyUrl,
        // the runner's own services are not proxied here; loopback never is
        NO_PROXY: 'results.example',
        NODE_EXTRA_CA_CERTS: certFile,
        IMG2VID_RETRY_WAIT_MS: '200'
      },
      inputs: {
        images: 'photos/*.jpg',
        prompt: 'A bright spring promo',
        'api-url': 'https://nemo.test',
        token: TOKEN,
        'poll-interval': '1',
        'upload-artifact': 'false',
        previews: 'false',
        output
      }
    })
  }

  it('every call, the upload and the download go through the proxy, with its credentials and nothing else of the run', async () => {
    const first = passed.length
    const r = await run('https://cdn.nemo.test/renders/{id}.mp4', 'out/proxied.mp4')
    assert.equal(r.code, 0, r.all)
    assert.equal(await sha256(join(box.workspace, 'out/proxied.mp4')), nemo.mp4.sha256)
    assert.match(r.outputs['video-url'], /^https:\/\/cdn\.nemo\.test\/renders\/render_/)
    const mine = passed.slice(first)
    // what passed: tunnels to the API and the CDN only, each with the proxy's credentials
    assert.deepEqual([...new Set(mine.map(p => `${p.method} ${p.target}`))].sort(), ['CONNECT cdn.nemo.test:443', 'CONNECT nemo.test:443'])
    const basic = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`
    assert.ok(
      mine.every(p => p.auth === basic),
      JSON.stringify(mine)
    )
    // the API saw the calls the protocol makes, token and all, inside the tunnel
    const paths = nemo.requests.map(q => q.path)
    for (const p of ['/api/tasks/me/with-session/nemo_agent', '/run_sse', '/api/render/proxy/lambda'])
      assert.ok(
        paths.some(x => x.startsWith(p)),
        p
      )
    // the log names the proxy, never its password; the token is never printed
    assert.match(r.stdout, /through the proxy http:\/\/127\.0\.0\.1:\d+/)
    assert.doesNotMatch(r.all, new RegExp(`${PROXY_PASSWORD}|${TOKEN}`))
  })

  it("a download URL into the runner's network is refused before it is asked of the proxy", async () => {
    const first = passed.length
    const r = await run('https://10.0.0.7/renders/{id}.mp4', 'out/refused.mp4')
    const mine = passed.slice(first)
    assert.ok(!mine.some(p => p.target.startsWith('10.0.0.7')), JSON.stringify(mine))
    assert.match(r.all, /10\.0\.0\.7.*refused/)
  })
})
