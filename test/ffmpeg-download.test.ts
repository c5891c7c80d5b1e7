// The verified ffmpeg download (tool-cache) against a loopback server serving a small archive.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
let url: string
let sha: string
let hits = 0
let close: () => void

before(async () => {
  const root = await mkdtemp(join(tmpdir(), 'img2vid-tc-'))
  process.env.RUNNER_TEMP = join(root, 'temp')
  process.env.RUNNER_TOOL_CACHE = join(root, 'cache')
  await mkdir(join(root, 'pkg', 'ffmpeg-7.1-static'), { recursive: true })
  const bin = join(root, 'pkg', 'ffmpeg-7.1-static', 'ffmpeg')
  await writeFile(bin, '#!/bin/sh\necho "ffmpeg version 7.1-stub"\n')
  await chmod(bin, 0o755)
  await run('tar', ['-czf', join(root, 'ffmpeg.tar.gz'), '-C', join(root, 'pkg'), '.'])
  const archive = await readFile(join(root, 'ffmpeg.tar.gz'))
  sha = createHash('sha256').update(archive).digest('hex')
  const server = createServer((_req, res) => {
    hits++
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': archive.length })
    res.end(archive)
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ffmpeg-7.1-static.tar.gz`
  close = () => server.close()
})
after(() => close())

it('downloads, verifies, extracts and caches ffmpeg; the cache is used next time', async () => {
  const { downloadFfmpeg, findFfmpeg } = await import('../src/media/find-ffmpeg.js')
  const path = await downloadFfmpeg({ url, sha256: sha, version: '7.1.0' })
  assert.ok(path.startsWith(process.env.RUNNER_TOOL_CACHE as string))
  assert.match((await run(path, ['-version'])).stdout, /7\.1-stub/)
  // found in the tool cache without a second download when ffmpeg is not on PATH
  const before = hits
  const saved = {
    PATH: process.env.PATH,
    url: process.env.IMG2VID_FFMPEG_URL,
    sha: process.env.IMG2VID_FFMPEG_SHA256,
    v: process.env.IMG2VID_FFMPEG_VERSION
  }
  Object.assign(process.env, { PATH: '/nonexistent', IMG2VID_FFMPEG_URL: url, IMG2VID_FFMPEG_SHA256: sha, IMG2VID_FFMPEG_VERSION: '7.1.0' })
  try {
    assert.equal(await findFfmpeg(), path)
    assert.equal(hits, before)
  } finally {
    process.env.PATH = saved.PATH
    delete process.env.IMG2VID_FFMPEG_URL
    delete process.env.IMG2VID_FFMPEG_SHA256
    delete process.env.IMG2VID_FFMPEG_VERSION
  }
})

it('refuses an archive whose checksum does not match, and caches nothing', async () => {
  const { downloadFfmpeg } = await import('../src/media/find-ffmpeg.js')
  const tc = await import('@actions/tool-cache')
  await assert.rejects(downloadFfmpeg({ url, sha256: '0'.repeat(64), version: '9.9.9' }), /failed its checksum/)
  assert.equal(tc.find('img2vid-ffmpeg', '9.9.9'), '')
})

it('refuses a download URL without a checksum', async () => {
  const { configuredSource } = await import('../src/media/find-ffmpeg.js')
  assert.throws(() => configuredSource({ IMG2VID_FFMPEG_URL: url }), /IMG2VID_FFMPEG_SHA256 is not a SHA-256/)
})
