// Hostile repository files and inputs, through the built action with every action.yml default set
// (issue 22, round two): a music file that is a playlist behind an MP3 header, outputs into
// `.git/` or onto another video's files, a prompt asking for a day-long video, an animation whose
// raw frames would fill the disk, a planted ffmpeg in the tool cache, and untrusted text that
// would start a package install.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { chmod, copyFile, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { runAction, sandbox, type ActionRun, type Sandbox } from '../helpers/action.js'
import { FFMPEG_UNDER_TEST } from '../helpers/ffmpeg-under-test.js'
import { makeAudio, makeImage } from '../helpers/media.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'

const run = promisify(execFile)
const USER = 'nmv_usr_hostile_inputs_7c2a'
let server: NemoServer
before(async () => {
  server = await startNemoServer({ config: { credits: 100_000, userTokens: [USER], renderPolls: 0 } })
})
after(() => server.close())

async function photos(seeds = [1, 2]): Promise<Sandbox> {
  const b = await sandbox()
  await mkdir(join(b.workspace, 'photos'))
  for (const s of seeds) await copyFile(await makeImage({ seed: 80 + s }), join(b.workspace, 'photos', `${s}.jpg`))
  return b
}

const error = (r: ActionRun): string => decodeURIComponent((/::error::(.*)/.exec(r.stdout)?.[1] ?? '').replace(/%0A/g, '\n'))

/** The local backend, small and quick, no artifact. */
const local = (inputs: Record<string, string>): Record<string, string> => ({
  images: 'photos/*.jpg',
  prompt: 'Promo',
  backend: 'local',
  resolution: '720p',
  duration: '2',
  'upload-artifact': 'false',
  previews: 'false',
  ...inputs
})

describe('a music file is opened only as what it is', () => {
  /** An ID3 header in front of an HLS playlist whose segment is the step's environment. */
  async function playlistBehindId3(b: Sandbox): Promise<void> {
    const playlist =
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:10,\nenv.bin\n#EXT-X-ENDLIST\n'
    await writeFile(
      join(b.workspace, 'theme.mp3'),
      Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.from(playlist)])
    )
    await symlink('/proc/self/environ', join(b.workspace, 'env.bin'))
    await writeFile(join(b.workspace, 'playlist.m3u8'), playlist)
    await symlink('playlist.m3u8', join(b.workspace, 'renamed.mp3'))
  }

  it('an ID3 header in front of a playlist is refused before anything is uploaded, for the input and a manifest entry', async () => {
    const b = await photos()
    await playlistBehindId3(b)
    await writeFile(join(b.workspace, 'videos.yml'), 'videos:\n  - name: a\n    music: theme.mp3\n  - name: b\n    music: renamed.mp3\n')
    const before = server.requests.length
    for (const inputs of [{ music: 'theme.mp3' }, { manifest: 'videos.yml' }] as Record<string, string>[]) {
      const r = await runAction({
        box: b,
        timeoutMs: 60_000,
        inputs: { images: 'photos/*.jpg', prompt: 'Promo', 'api-url': server.url, token: USER, 'upload-artifact': 'false', ...inputs }
      })
      assert.equal(r.code, 1, r.all)
      const where = 'manifest' in inputs ? "videos\\.yml:3: video 'a', key 'music'" : "Input 'music'"
      assert.match(error(r), new RegExp(`${where}: theme\\.mp3 is not an MP3 file: there are no MPEG audio frames after its ID3 tag`))
      if ('manifest' in inputs)
        assert.match(error(r), /videos\.yml:5: video 'b', key 'music': renamed\.mp3 is not a file type the backend accepts/)
    }
    assert.equal(server.requests.length - before, 0, 'nothing was sent to NemoVideo')
  })

  it('real MP3, AAC, WAV and M4A files are taken', async () => {
    const b = await photos([1])
    for (const type of ['mp3', 'wav', 'm4a'] as const)
      await copyFile(await makeAudio({ type, seconds: 2 }), join(b.workspace, `music.${type}`))
    await run(FFMPEG_UNDER_TEST, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=d=2',
      '-c:a',
      'aac',
      '-f',
      'adts',
      join(b.workspace, 'music.aac')
    ])
    const types = ['mp3', 'aac', 'wav', 'm4a']
    await writeFile(join(b.workspace, 'music.yml'), `videos:\n${types.map(t => `  - name: ${t}\n    music: music.${t}\n`).join('')}`)
    const r = await runAction({
      box: b,
      timeoutMs: 60_000,
      inputs: {
        images: 'photos/*.jpg',
        prompt: 'Promo',
        manifest: 'music.yml',
        'api-url': server.url,
        token: USER,
        'poll-interval': '1',
        'upload-artifact': 'false',
        previews: 'false'
      }
    })
    assert.equal(r.code, 0, r.all)
    assert.deepEqual(
      (JSON.parse(r.outputs.videos) as { name: string; ok: boolean }[]).map(v => [v.name, v.ok]),
      types.map(t => [t, true])
    )
  })
})

describe('every file the action writes is checked by its final path', () => {
  it("an output inside '.git/' is refused, and .git/config stays as it was", async () => {
    const b = await photos()
    await mkdir(join(b.workspace, '.git', 'hooks'), { recursive: true })
    await writeFile(join(b.workspace, '.git', 'config'), '[core]\n\tbare = false\n')
    await writeFile(join(b.workspace, 'videos.yml'), 'videos:\n  - name: post-checkout\n    output: .git/hooks/\n')
    for (const inputs of [{ output: '.git/config' }, { output: '.GIT/config' }, { manifest: 'videos.yml' }] as Record<string, string>[]) {
      const r = await runAction({ box: b, timeoutMs: 60_000, inputs: local(inputs) })
      assert.equal(r.code, 1, r.all)
      assert.match(error(r), /is inside '\.git\/', which holds the checkout's configuration, hooks and credentials/)
    }
    assert.equal(await readFile(join(b.workspace, '.git', 'config'), 'utf8'), '[core]\n\tbare = false\n')
    assert.deepEqual(await readdir(join(b.workspace, '.git', 'hooks')), [])
  })

  it("a video's per-format file or name that is another video's is refused before rendering", async () => {
    const b = await photos()
    await writeFile(
      join(b.workspace, 'files.yml'),
      "videos:\n  - name: a\n    aspect-ratio: '16:9, 9:16'\n    output: out/promo.mp4\n  - name: b\n    output: out/promo-1280x720.mp4\n"
    )
    await writeFile(
      join(b.workspace, 'names.yml'),
      "videos:\n  - name: a\n    aspect-ratio: '16:9, 9:16'\n    output: a/\n  - name: a-1280x720\n    output: b/\n"
    )
    await writeFile(
      join(b.workspace, 'previews.yml'),
      'videos:\n  - name: a\n    output: out/a.mp4\n  - name: b\n    output: out/a.poster.jpg\n'
    )
    const cases: [string, Record<string, string>, RegExp][] = [
      ['files.yml', {}, /videos 'a' and 'b' write the same file out\/promo-1280x720\.mp4/],
      ['names.yml', {}, /videos 'a' and 'a-1280x720' both make a video named 'a-1280x720'/],
      ['previews.yml', { previews: 'true' }, /videos 'a' and 'b' write the same file out\/a\.poster\.jpg/]
    ]
    for (const [manifest, inputs, message] of cases) {
      const r = await runAction({ box: b, timeoutMs: 60_000, inputs: local({ manifest, ...inputs }) })
      assert.equal(r.code, 1, `${manifest}: ${r.all}`)
      assert.match(error(r), message)
      assert.doesNotMatch(r.stdout, /ffmpeg: \d+ images/, 'nothing was rendered')
    }
  })
})

describe('what a repository file can make the local render do is bounded', () => {
  it("a prompt's duration outside what 'duration' accepts is refused, as 'duration' refuses it, before anything is rendered", async () => {
    const b = await photos([1])
    const r = await runAction({
      box: b,
      timeoutMs: 60_000,
      inputs: local({ duration: '', prompt: 'A 100000-second video', transition: 'none' })
    })
    assert.equal(r.code, 1, r.all)
    assert.match(
      error(r),
      /The prompt asks for a video of 100000 s; the local backend makes 1 to 600 s, what input 'duration' accepts: ask for at most 600 s in the prompt, or set input 'duration' \(it wins over the prompt\)\./
    )
    assert.doesNotMatch(r.stdout, /ffmpeg: \d+ images/, 'nothing was rendered')
  })

  it('an animation on screen for long keeps its raw frames under the cap and loops them', async () => {
    const b = await sandbox()
    await mkdir(join(b.workspace, 'photos'))
    const gif = join(b.workspace, 'photos', 'spin.gif')
    await run(FFMPEG_UNDER_TEST, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=320x180:r=10:d=3', '-loop', '0', gif])
    // the still files in the run's temp folder, measured while it renders
    let largest = 0
    let stop = false
    const watch = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) {
        for (const d of await readdir(b.temp).catch(() => [] as string[])) {
          if (!d.startsWith('img2vid-')) continue
          for (const f of await readdir(join(b.temp, d)).catch(() => [] as string[]))
            if (f.startsWith('still-')) largest = Math.max(largest, (await stat(join(b.temp, d, f)).catch(() => ({ size: 0 }))).size)
        }
        await new Promise(res => setTimeout(res, 50))
      }
    })()
    const r = await runAction({ box: b, timeoutMs: 120_000, inputs: local({ images: 'photos/spin.gif', duration: '8' }) })
    stop = true
    await watch
    assert.equal(r.code, 0, r.all)
    assert.equal(r.outputs.duration, '8.000')
    const cap = 256 * 1024 * 1024
    assert.ok(
      largest > 0 && largest <= cap,
      `the largest still file was ${largest} bytes (cap ${cap}); 8 s of raw 720p frames are ${240 * 1280 * 720 * 1.5}`
    )
    assert.match(r.stdout, /spin\.gif is animated and on screen for 8\.0 s: its first 6\.5 s play in a loop/)
  })
})

describe('ffmpeg and packages come only from where the workflow allows', () => {
  /** A PATH holding only what the action may call here, and recording stand-ins for apt-get and sudo. */
  async function bareBin(b: Sandbox): Promise<{ path: string; ran: string }> {
    const bin = join(b.temp, 'bin')
    await mkdir(bin)
    for (const tool of ['tar', 'gzip', 'sh']) await symlink((await run('sh', ['-c', `command -v ${tool}`])).stdout.trim(), join(bin, tool))
    const ran = join(b.temp, 'installs.log')
    for (const tool of ['apt-get', 'sudo']) {
      // 'update' succeeds, so that an install is tried and fails
      await writeFile(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> '${ran}'\ncase "$*" in *update*) exit 0;; esac\nexit 1\n`)
      await chmod(join(bin, tool), 0o755)
    }
    return { path: bin, ran }
  }

  it('install-missing: false starts no package install, and the error says what to install', async () => {
    const b = await photos([1])
    const { path, ran } = await bareBin(b)
    const r = await runAction({
      box: b,
      timeoutMs: 60_000,
      env: { PATH: path },
      inputs: local({ 'install-missing': 'false', title: '夏の思い出 2026' })
    })
    assert.equal(r.code, 1, r.all)
    assert.match(
      error(r),
      /ffmpeg was not found \(input 'install-missing' is false, so the action installed nothing\): install it in an earlier step/
    )
    assert.equal(await readFile(ran, 'utf8').catch(() => ''), '', 'neither apt-get nor sudo was started')
    // the default still installs (here the stand-in fails, and the step says so)
    const d = await runAction({ box: b, timeoutMs: 60_000, env: { PATH: path }, inputs: local({}) })
    assert.equal(d.code, 1, d.all)
    assert.match(await readFile(ran, 'utf8'), /apt-get install -y -qq --no-install-recommends ffmpeg/)
  })

  it('a duration too short for the photos fails before ffmpeg is looked for or installed', async () => {
    const b = await photos([1, 2, 3, 4, 5, 6])
    const { path, ran } = await bareBin(b)
    // 6 photos with transitions need more than 1 s: the plan says so, and nothing is installed
    const r = await runAction({ box: b, timeoutMs: 60_000, env: { PATH: path }, inputs: local({ duration: '1', transition: 'fade' }) })
    assert.equal(r.code, 1, r.all)
    assert.match(error(r), /6 images need at least [\d.]+ s with transitions \(the duration is 1 s\): set a longer 'duration'/)
    assert.doesNotMatch(r.all, /ffmpeg was not found|Installing ffmpeg/)
    assert.equal(await readFile(ran, 'utf8').catch(() => ''), '', 'neither apt-get nor sudo was started')
  })

  it('a binary planted in the tool cache under the pinned version never runs; the pinned archive does', async () => {
    const b = await photos([1])
    const { path } = await bareBin(b)
    const toolCache = join(b.temp, 'tool-cache')
    const marker = join(b.temp, 'planted-ran')
    const real = (await run('sh', ['-c', `command -v ${FFMPEG_UNDER_TEST}`])).stdout.trim()
    // what an earlier job of a self-hosted runner left where the tool cache keeps 'img2vid-ffmpeg' 7.1.0
    const planted = join(toolCache, 'img2vid-ffmpeg', '7.1.0', 'x64')
    await mkdir(planted, { recursive: true })
    await writeFile(join(planted, 'ffmpeg'), `#!/bin/sh\n: > '${marker}'\nexec '${real}' "$@"\n`)
    await chmod(join(planted, 'ffmpeg'), 0o755)
    await writeFile(`${planted}.complete`, '')
    // the pinned archive: a wrapper around the ffmpeg under test
    const pkg = join(b.temp, 'pkg', 'ffmpeg-7.1-static')
    await mkdir(pkg, { recursive: true })
    await writeFile(join(pkg, 'ffmpeg'), `#!/bin/sh\nexec '${real}' "$@"\n`)
    await chmod(join(pkg, 'ffmpeg'), 0o755)
    const archivePath = join(b.temp, 'ffmpeg.tar.gz')
    await run('tar', ['-czf', archivePath, '-C', join(b.temp, 'pkg'), '.'])
    const archive = await readFile(archivePath)
    let hits = 0
    const files = createServer((_req, res) => {
      hits++
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': archive.length }).end(archive)
    })
    await new Promise<void>(res => files.listen(0, '127.0.0.1', res))
    try {
      const env = {
        PATH: path,
        RUNNER_TOOL_CACHE: toolCache,
        IMG2VID_FFMPEG_URL: `http://127.0.0.1:${(files.address() as AddressInfo).port}/ffmpeg-7.1-static.tar.gz`,
        IMG2VID_FFMPEG_SHA256: createHash('sha256').update(archive).digest('hex'),
        IMG2VID_FFMPEG_VERSION: '7.1.0'
      }
      const r = await runAction({ box: b, timeoutMs: 60_000, env, inputs: local({}) })
      assert.equal(r.code, 0, r.all)
      assert.equal(await stat(marker).catch(() => undefined), undefined, 'the planted binary did not run')
      assert.equal(hits, 1, 'the pinned archive was downloaded')
      // the next run takes the archive from the tool cache, checked again: no download
      const again = await runAction({ box: b, timeoutMs: 60_000, env, inputs: local({ output: 'again.mp4' }) })
      assert.equal(again.code, 0, again.all)
      assert.equal(hits, 1)
    } finally {
      files.close()
    }
  })
})
