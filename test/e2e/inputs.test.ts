// Inputs a workflow author or a repository can get wrong, through the built action with every
// action.yml default set: each ends in an ::error:: naming the input and the fix, exit code 1, no
// request to NemoVideo, nothing written outside the workspace. And the defaults themselves: no
// token means the local backend; phone file names (IMG_0001.JPG) match.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runAction, sandbox, type ActionRun, type Sandbox } from '../helpers/action.js'
import { makeImage } from '../helpers/media.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'

const USER = 'nmv_usr_inputs_secret_5d1e'
let server: NemoServer
before(async () => {
  server = await startNemoServer({ config: { credits: 100_000, userTokens: [USER], renderPolls: 0 } })
})
after(() => server.close())

async function box(): Promise<Sandbox> {
  const b = await sandbox()
  await mkdir(join(b.workspace, 'photos'))
  for (const i of [1, 2]) await copyFile(await makeImage({ seed: 60 + i }), join(b.workspace, 'photos', `${i}.jpg`))
  return b
}

async function go(
  inputs: Record<string, string>,
  b?: Sandbox,
  env: Record<string, string> = {}
): Promise<ActionRun & { requests: number }> {
  const before = server.requests.length
  const run = await runAction({
    box: b ?? (await box()),
    env: { IMG2VID_RETRY_WAIT_MS: '200', ...env },
    timeoutMs: 30_000,
    inputs: {
      images: 'photos/*.jpg',
      prompt: 'Promo',
      'api-url': server.url,
      'poll-interval': '1',
      'upload-artifact': 'false',
      token: USER,
      ...inputs
    }
  })
  assert.doesNotMatch(run.stderr, /Unhandled|Uncaught|node:internal|ERR_/, run.stderr)
  return Object.assign(run, { requests: server.requests.length - before })
}

const error = (run: ActionRun): string => decodeURIComponent((/::error::(.*)/.exec(run.stdout)?.[1] ?? '').replace(/%0A/g, '\n'))

/** exit 1, the message, no request, no MP4 anywhere in the workspace. */
async function refused(run: ActionRun & { requests: number }, message: RegExp): Promise<void> {
  assert.equal(run.code, 1, run.all)
  assert.match(error(run), message)
  assert.equal(run.requests, 0, 'no request was sent')
  assert.ok(!run.all.includes(USER), 'the token is not printed')
}

/** A folder outside the workspace, for links to point at; must stay empty. */
const outside = (): Promise<string> => mkdtemp(join(tmpdir(), 'img2vid-outside-'))

describe('prompt-file and manifest: regular files inside the workspace, by real path (13.2)', () => {
  it('a prompt file linked to /proc/self/environ is refused, the environment is never read', async () => {
    const b = await box()
    await symlink('/proc/self/environ', join(b.workspace, 'prompt.txt'))
    const run = await go({ prompt: '', 'prompt-file': 'prompt.txt' }, b, { SECRET_MARKER: 'env-secret-4242' })
    await refused(run, /Input 'prompt-file' must be a file inside the workspace; 'prompt\.txt' is a link to a file outside it/)
    assert.ok(!run.all.includes('env-secret-4242'))
  })

  it("a manifest entry's prompt-file in .git/ is refused (the checkout's credentials live there)", async () => {
    const b = await box()
    await mkdir(join(b.workspace, '.git'))
    await writeFile(join(b.workspace, '.git', 'config'), '[http]\n\textraheader = AUTHORIZATION: basic Z2l0aHViOnNlY3JldA==\n')
    await writeFile(join(b.workspace, 'videos.yml'), '- name: a\n  prompt-file: .git/config\n')
    const run = await go({ manifest: 'videos.yml' }, b)
    await refused(run, /videos\.yml:2: video 'a', key 'prompt-file' must not be inside '\.git\/'/)
    assert.ok(!run.all.includes('Z2l0aHViOnNlY3JldA'))
    // through a link as well
    await symlink('.git/config', join(b.workspace, 'innocent.txt'))
    const linked = await go({ prompt: '', 'prompt-file': 'innocent.txt' }, b)
    await refused(linked, /Input 'prompt-file' must not be inside '\.git\/'; 'innocent\.txt' is a link into it/)
  })

  it('a FIFO is refused without hanging, and a prompt over 64 KB is refused', async () => {
    const b = await box()
    execFileSync('mkfifo', [join(b.workspace, 'pipe.txt')])
    await refused(
      await go({ prompt: '', 'prompt-file': 'pipe.txt' }, b),
      /Input 'prompt-file' must be a file inside the workspace; 'pipe\.txt' is not a regular file/
    )
    await writeFile(join(b.workspace, 'long.txt'), 'x'.repeat(70_000))
    await refused(
      await go({ prompt: '', 'prompt-file': 'long.txt' }, b),
      /Input 'prompt-file': 'long\.txt' is 70000 bytes, over the limit of 64 KB/
    )
  })

  it('a manifest linked to a file outside the workspace is refused', async () => {
    const b = await box()
    const dir = await outside()
    await writeFile(join(dir, 'videos.yml'), '- name: a\n  prompt: x\n')
    await symlink(join(dir, 'videos.yml'), join(b.workspace, 'videos.yml'))
    await refused(
      await go({ manifest: 'videos.yml' }, b),
      /Input 'manifest' must be a file inside the workspace; 'videos\.yml' is a link to a file outside it/
    )
  })
})

describe('output: checked by the real path of its folder (13.6, 13.13)', () => {
  it('a folder link leading out of the workspace is refused, nothing is written there', async () => {
    const b = await box()
    const dir = await outside()
    await symlink(dir, join(b.workspace, 'out'))
    const run = await go({ output: 'out/v.mp4' }, b)
    await refused(
      run,
      /Input 'output' must resolve inside the workspace or RUNNER_TEMP: 'out\/v\.mp4' goes through a link to .*\. Write to a folder that is not a link/
    )
    const deeper = await go({ output: 'out/new/sub/v.mp4' }, b)
    await refused(deeper, /Input 'output' must resolve inside the workspace or RUNNER_TEMP: 'out\/new\/sub\/v\.mp4' goes through a link/)
    assert.deepEqual(await readdir(dir), [], 'nothing written outside')
  })

  it("an output ending in '/' is refused, not written as a file of that name", async () => {
    const b = await box()
    await refused(await go({ output: 'newdir/' }, b), /Input 'output' ends in '\/': give the MP4's file path, such as 'out\/promo\.mp4'/)
    assert.deepEqual((await readdir(b.workspace)).sort(), ['photos'])
  })
})

describe('header values, numbers and api-url (13.13)', () => {
  it('a token with a line break: named, never shown', async () => {
    const run = await go({ token: `${USER}\r\nX-Injected: 1` })
    await refused(
      run,
      /The NemoVideo token \(input 'token'\) holds a line break, a space or another character an HTTP header cannot carry \(at character 27\): store the secret as a single line/
    )
  })

  it('a client-id with a line break', async () => {
    await refused(await go({ 'client-id': 'ci\nX-Injected: 1' }), /Input 'client-id' holds a line break/)
  })

  it('duration: 0x10 is not 16 seconds', async () => {
    await refused(await go({ duration: '0x10' }), /Input 'duration' must be a number of seconds from 1 to 600 \(got '0x10'\)/)
  })

  it('an api-url with a path is refused rather than silently dropped', async () => {
    await refused(
      await go({ 'api-url': `${server.url}/proxy/nemo` }),
      /Input 'api-url' must be the API's origin only, such as https:\/\/mega-api-prod\.nemovideo\.ai/
    )
  })
})

describe('the images walk stays in the workspace (13.14, 13.17)', () => {
  it('a link to / is not followed: an input error, quickly, no EACCES', async () => {
    const b = await box()
    await symlink('/', join(b.workspace, 'root'))
    const started = Date.now()
    const run = await go({ images: 'root/**/*.jpg' }, b)
    await refused(run, /Input 'images': no file matched 'root\/\*\*\/\*\.jpg'/)
    assert.ok(Date.now() - started < 15_000, 'the filesystem was not walked')
    assert.doesNotMatch(run.all, /EACCES/)
    // next to it, the workspace's own images are found
    const ok = await go({ images: '**/*.jpg', output: 'v.mp4' }, b)
    assert.equal(ok.code, 0, ok.all)
    assert.match(ok.all, /2 images matched/)
  })

  it('a pattern leading out of the workspace is an input error', async () => {
    await refused(await go({ images: '../**/*.jpg' }), /Input 'images': the pattern '\.\.\/\*\*\/\*\.jpg' points outside the workspace/)
  })

  it('a workspace reached through a link (self-hosted runners) works', async () => {
    const b = await box()
    const link = join(b.temp, 'ws-link')
    await symlink(b.workspace, link)
    const run = await go({ output: 'v.mp4' }, { workspace: link, temp: b.temp })
    assert.equal(run.code, 0, run.all)
    assert.equal(run.outputs['video-path'], join(b.workspace, 'v.mp4'))
  })
})

describe('the manifest is bounded (13.16)', () => {
  it('10,000 entries are refused with the limit', async () => {
    const b = await box()
    const entries = Array.from({ length: 10_000 }, (_, i) => `- name: v${i}\n`).join('')
    await writeFile(join(b.workspace, 'videos.yml'), entries)
    await refused(
      await go({ manifest: 'videos.yml' }, b),
      /^videos\.yml: lists 10000 videos; one step renders at most 100\. Split it into several manifests, or plan it onto a job matrix \(img2vid-action\/plan\) and render a part of it in each job with 'only'\.$/
    )
  })

  it('the combined error is bounded', async () => {
    const b = await box()
    const entries = Array.from({ length: 100 }, (_, i) => `- name: v${i}\n  duration: x\n  transition: spin\n  imagez: a\n`).join('')
    await writeFile(join(b.workspace, 'videos.yml'), entries)
    const run = await go({ manifest: 'videos.yml' }, b)
    await refused(run, /^300 inputs need fixing:/)
    assert.match(error(run), /… and 280 more \(fix these first\)\.$/)
    assert.ok(error(run).length < 12_000, `error is ${error(run).length} characters`)
  })
})

describe('defaults a workflow author can trust (12.B)', () => {
  it('no token: the local backend, said in one line, nothing sent', async () => {
    const b = await box()
    const run = await go({ token: '', output: 'v.mp4' }, b)
    assert.equal(run.code, 0, run.all)
    assert.match(run.stdout, /^Backend: local \(no NemoVideo token given\)\.$/m)
    assert.equal(run.outputs.backend, 'local')
    assert.equal(run.requests, 0)
  })

  it('release-notes: append without a release says so rather than doing nothing silently', async () => {
    const run = await go({ token: '', 'release-notes': 'append', duration: '1', resolution: '720p', previews: 'false', output: 'v.mp4' })
    assert.equal(run.code, 0, run.all)
    assert.match(
      run.stdout,
      /^::warning::Input 'release-notes' is 'append' but there is no release: set 'release-tag' \(with 'create-release: true' on a tag push\), or run on a release event\.$/m
    )
  })

  it('backend: nemo without a token and without allow-anonymous names both ways out', async () => {
    await refused(
      await go({ token: '', backend: 'nemo' }),
      /No NemoVideo token: set the 'token' input \(or env NEMO_TOKEN\) from a secret, set 'allow-anonymous: true'/
    )
  })
})

describe("a manifest's patterns and prompts: each problem at the file:line of its key, or of its entry", () => {
  it('a pattern that matches nothing, alone (an error) or beside live ones (a warning)', async () => {
    const b = await box()
    await writeFile(
      join(b.workspace, 'videos.yml'),
      'videos:\n  - name: a\n    images: [photos/*.jpg, nothing/*.png]\n  - name: c\n    images: nothing/*.jpg\n  - name: d\n'
    )
    const run = await go({ manifest: 'videos.yml', images: 'none/*.gif', backend: 'local' }, b)
    await refused(run, /^videos\.yml:5: video 'c', key 'images': no file matched 'nothing\/\*\.jpg' in /m)
    assert.match(error(run), /^videos\.yml:6: video 'd', input 'images': no file matched 'none\/\*\.gif' in /m)
    assert.match(run.stdout, /^::warning::videos\.yml:3: video 'a', key 'images': the pattern 'nothing\/\*\.png' matched no file\.$/m)
  })

  it("a video without a prompt, and a step that gives none: the entry's line", async () => {
    const b = await box()
    await writeFile(join(b.workspace, 'videos.yml'), '- name: a\n  prompt: Promo\n- name: b\n  duration: 5\n')
    await refused(
      await go({ manifest: 'videos.yml', prompt: '', backend: 'local' }, b),
      /^videos\.yml:3: video 'b', input 'prompt' is empty: set 'prompt' or 'prompt-file'/m
    )
  })
})

describe('phone file names (12.D)', () => {
  it('photos/*.jpg matches IMG_0001.JPG', async () => {
    const b = await sandbox()
    await mkdir(join(b.workspace, 'photos'))
    await copyFile(await makeImage({ seed: 70 }), join(b.workspace, 'photos', 'IMG_0001.JPG'))
    await copyFile(await makeImage({ seed: 71 }), join(b.workspace, 'photos', 'IMG_0002.Jpg'))
    const run = await go({ output: 'v.mp4' }, b)
    assert.equal(run.code, 0, run.all)
    assert.match(run.all, /photos\/IMG_0001\.JPG[\s\S]*photos\/IMG_0002\.Jpg[\s\S]*2 images matched/)
  })

  it('a pattern that differs only in case names the files', async () => {
    await refused(
      await go({ images: 'Photos/*.jpg' }),
      /Input 'images': no file matched 'Photos\/\*\.jpg' in .*\. Files that differ only in letter case \(paths match case-sensitively, extensions do not\): 'photos\/1\.jpg', 'photos\/2\.jpg'\./
    )
  })
})
