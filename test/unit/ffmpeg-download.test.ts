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
  await mkdir(process.env.RUNNER_TEMP, { recursive: true })
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

it('downloads and verifies the archive, keeps it in a slot named by its SHA-256, runs ffmpeg from a private folder', async () => {
  const { pinnedFfmpeg } = await import('../../src/media/find-ffmpeg.js')
  const tc = await import('@actions/tool-cache')
  const path = await pinnedFfmpeg({ url, sha256: sha, version: '7.1.0' })
  assert.equal(hits, 1)
  assert.ok(path.startsWith(process.env.RUNNER_TEMP as string), path)
  assert.match((await run(path, ['-version'])).stdout, /7\.1-stub/)
  const slot = tc.find(`img2vid-ffmpeg-${sha}`, '7.1.0')
  assert.ok(slot, 'the archive is kept under its SHA-256')
  assert.equal(
    createHash('sha256')
      .update(await readFile(join(slot, 'ffmpeg.tar.gz')))
      .digest('hex'),
    sha
  )
  // the same pin again in this run: checked and extracted once
  assert.equal(await pinnedFfmpeg({ url, sha256: sha, version: '7.1.0' }), path)
  assert.equal(hits, 1)
})

it('refuses an archive whose checksum does not match, and caches nothing', async () => {
  const { pinnedFfmpeg } = await import('../../src/media/find-ffmpeg.js')
  const tc = await import('@actions/tool-cache')
  const wrong = '0'.repeat(64)
  await assert.rejects(pinnedFfmpeg({ url, sha256: wrong, version: '9.9.9' }), /failed its checksum/)
  assert.equal(tc.find(`img2vid-ffmpeg-${wrong}`, '9.9.9'), '')
})

it('refuses a cached archive that no longer matches its pin, without running anything from it', async () => {
  const { pinnedFfmpeg } = await import('../../src/media/find-ffmpeg.js')
  const tc = await import('@actions/tool-cache')
  const pin = 'a'.repeat(64)
  const planted = join(process.env.RUNNER_TEMP as string, 'planted.tar.gz')
  await writeFile(planted, 'not the pinned archive')
  await tc.cacheFile(planted, 'ffmpeg.tar.gz', `img2vid-ffmpeg-${pin}`, '7.1.0')
  const before = hits
  await assert.rejects(pinnedFfmpeg({ url, sha256: pin, version: '7.1.0' }), /no longer matches IMG2VID_FFMPEG_SHA256/)
  assert.equal(hits, before, 'nothing downloaded instead')
})

it('refuses a download URL without a checksum', async () => {
  const { configuredSource } = await import('../../src/media/find-ffmpeg.js')
  assert.throws(() => configuredSource({ IMG2VID_FFMPEG_URL: url }), /IMG2VID_FFMPEG_SHA256 is not a SHA-256/)
})
