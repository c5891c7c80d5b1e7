import assert from 'node:assert/strict'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { getInputs, splitPatterns } from '../../src/inputs/get-inputs.js'
import { InputError } from '../../src/inputs/errors.js'

let workspace: string
let temp: string
const saved = { ...process.env }

function set(inputs: Record<string, string>): void {
  for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v
}

function problems(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof InputError, String(err))
    return err.problems
  }
  assert.fail('expected an InputError')
}

beforeEach(async () => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_') || k.startsWith('NEMO_')) delete process.env[k]
  const root = await mkdtemp(join(tmpdir(), 'img2vid-inputs-'))
  workspace = join(root, 'ws')
  temp = join(root, 'tmp')
  await mkdir(workspace)
  await mkdir(temp)
  process.env.GITHUB_WORKSPACE = workspace
  process.env.RUNNER_TEMP = temp
  set({ images: 'photos/*.jpg', prompt: 'A promo' })
})
afterEach(() => {
  process.env = { ...saved }
})

describe('getInputs', () => {
  it('applies the documented defaults', () => {
    const i = getInputs()
    const v = i.videos[0]
    assert.deepEqual(v.images, ['photos/*.jpg'])
    assert.equal(v.resolution, '1080p')
    assert.equal(v.name, 'img2vid')
    assert.equal(i.batch, false)
    assert.equal(i.backend, 'local')
    assert.equal(i.backendReason, 'no NemoVideo token given')
    assert.equal(i.apiUrl.href, 'https://mega-api-prod.nemovideo.ai/')
    assert.equal(v.output, join(workspace, 'img2vid.mp4'))
    assert.equal(i.uploadArtifact, true)
    assert.equal(i.artifactName, 'img2vid')
    assert.equal(i.overwrite, true)
    assert.equal(i.timeoutMinutes, 20)
    assert.equal(i.pollInterval, 10)
    assert.equal(i.allowAnonymous, false)
    assert.match(i.clientId, /^[0-9a-f-]{36}$/)
  })

  it('reads token, api-url and client-id from NEMO_* env when the inputs are empty', () => {
    process.env.NEMO_TOKEN = 'nmv_usr_env'
    process.env.NEMO_API_URL = 'http://127.0.0.1:8080'
    process.env.NEMO_CLIENT_ID = 'client-1'
    const i = getInputs()
    assert.equal(i.token, 'nmv_usr_env')
    assert.equal(i.apiUrl.origin, 'http://127.0.0.1:8080')
    assert.equal(i.clientId, 'client-1')
  })

  it('reads a prompt file', async () => {
    await writeFile(join(workspace, 'p.txt'), 'one\n---\ntwo')
    set({ prompt: '', 'prompt-file': 'p.txt' })
    assert.equal(getInputs().videos[0].prompt, 'one\n---\ntwo')
  })

  it('names every bad input with its fix, all at once', () => {
    set({
      prompt: 'x',
      'prompt-file': 'p.txt',
      duration: '0',
      'aspect-ratio': '3:2',
      resolution: '4k',
      transition: 'spin',
      backend: 'cloud',
      'poll-interval': 'soon',
      'retention-days': '400',
      'timeout-minutes': '-1',
      'upload-artifact': 'maybe'
    })
    const p = problems(() => getInputs())
    const text = p.join('\n')
    for (const name of [
      "'prompt' and 'prompt-file'",
      "'duration'",
      "'aspect-ratio'",
      "'resolution'",
      "'transition'",
      "'backend'",
      "'poll-interval'",
      "'retention-days'",
      "'timeout-minutes'",
      "'upload-artifact'"
    ]) {
      assert.ok(text.includes(name), `missing ${name} in\n${text}`)
    }
    assert.match(text, /one of 16:9, 9:16, 1:1, 4:5 \(got '3:2'\)/)
  })

  it('requires exactly one of prompt / prompt-file', () => {
    set({ prompt: '' })
    assert.match(problems(() => getInputs())[0], /Input 'prompt' is empty: set 'prompt' or 'prompt-file'/)
  })

  it("names a manifest video's problems by the file:line of its key, or of its entry, and hands that naming on", async () => {
    await writeFile(
      join(workspace, 'videos.yml'),
      [
        'videos:',
        '  - name: a',
        '    images: x/*.jpg',
        '  - name: b',
        '    duration: 0x10',
        '  - name: c',
        '    prompt: Hi',
        '    prompt-file: p.txt',
        ''
      ].join('\n')
    )
    set({ manifest: 'videos.yml', prompt: '' })
    assert.deepEqual(
      problems(() => getInputs()),
      [
        "videos.yml:2: video 'a', input 'prompt' is empty: set 'prompt' or 'prompt-file', the instruction for the video.",
        "videos.yml:4: video 'b', input 'prompt' is empty: set 'prompt' or 'prompt-file', the instruction for the video.",
        "videos.yml:5: video 'b', key 'duration' must be a number of seconds from 1 to 600 (got '0x10').",
        "videos.yml:7: video 'c', keys 'prompt' and 'prompt-file' are both set: keep exactly one of them."
      ]
    )
    set({ prompt: 'A promo' })
    await writeFile(join(workspace, 'videos.yml'), '- name: a\n  images: x/*.jpg\n')
    const [video] = getInputs().videos
    assert.equal(video.label('images'), "videos.yml:2: video 'a', key 'images'")
    assert.equal(video.label('music'), "videos.yml:1: video 'a', input 'music'")
    set({ manifest: '' })
    assert.equal(getInputs().videos[0].label('images'), "Input 'images'")
  })

  it('refuses plain http except to loopback', () => {
    set({ 'api-url': 'http://api.example.com' })
    assert.match(problems(() => getInputs())[0], /'api-url' must be an https URL/)
    set({ 'api-url': 'http://localhost:3000' })
    assert.equal(getInputs().apiUrl.port, '3000')
  })

  it('keeps output inside the workspace or RUNNER_TEMP', () => {
    set({ output: '../elsewhere.mp4' })
    assert.match(problems(() => getInputs())[0], /'output' must resolve inside the workspace or RUNNER_TEMP/)
    set({ output: join(temp, 'v.mp4') })
    assert.equal(getInputs().videos[0].output, join(temp, 'v.mp4'))
  })

  it('tells a music file from a description, and a missing file from both', async () => {
    await writeFile(join(workspace, 'song.mp3'), 'x')
    set({ music: 'song.mp3' })
    assert.deepEqual(getInputs().videos[0].music, { file: join(workspace, 'song.mp3') })
    set({ music: 'lo-fi beats' })
    assert.deepEqual(getInputs().videos[0].music, { description: 'lo-fi beats' })
    set({ music: 'audio/missing.mp3' })
    assert.match(problems(() => getInputs())[0], /'music': no audio file at 'audio\/missing.mp3'/)
  })

  it('refuses the cloud without a token unless anonymous use is allowed', () => {
    set({ backend: 'nemo' })
    assert.match(problems(() => getInputs())[0], /No NemoVideo token: set the 'token' input/)
    set({ 'allow-anonymous': 'true' })
    assert.equal(getInputs().backend, 'nemo')
    set({ backend: 'local' })
    assert.equal(getInputs().backend, 'local')
  })

  it('backend auto: the cloud with a token (input or env) or allowed anonymous use, else local', () => {
    assert.deepEqual([getInputs().backend, getInputs().backendReason], ['local', 'no NemoVideo token given'])
    process.env.NEMO_TOKEN = 'nmv_usr_env'
    assert.deepEqual([getInputs().backend, getInputs().backendReason], ['nemo', 'token from env NEMO_TOKEN'])
    set({ token: 'nmv_usr_input' })
    assert.deepEqual([getInputs().backend, getInputs().backendReason], ['nemo', "token from input 'token'"])
    delete process.env.NEMO_TOKEN
    set({ token: '', 'allow-anonymous': 'true' })
    assert.equal(getInputs().backend, 'nemo')
  })

  it('reads numbers as decimals only', () => {
    for (const bad of ['0x10', '1e1', '0b11', ' 12abc', 'Infinity']) {
      set({ duration: bad })
      assert.match(problems(() => getInputs())[0], /'duration' must be a number of seconds/, bad)
    }
    set({ duration: '12.5' })
    assert.equal(getInputs().videos[0].duration, 12.5)
  })

  it('refuses header-breaking characters in token and client-id, and an api-url with a path', () => {
    set({ token: 'nmv_usr_a\r\nX-Evil: 1' })
    const p = problems(() => getInputs()).join('\n')
    assert.match(p, /token \(input 'token'\) holds a line break/)
    assert.ok(!p.includes('nmv_usr_a'), 'the token is not shown')
    set({ token: '', 'client-id': 'abc\ndef' })
    assert.match(problems(() => getInputs())[0], /Input 'client-id' holds a line break/)
    set({ 'client-id': '', 'api-url': 'https://proxy.example.com/nemo' })
    assert.match(problems(() => getInputs())[0], /'api-url' must be the API's origin only/)
  })

  it('refuses an output ending in / and keeps output inside by its real path', async () => {
    set({ output: 'newdir/' })
    assert.match(problems(() => getInputs())[0], /Input 'output' ends in '\/'/)
    const { symlink } = await import('node:fs/promises')
    await symlink(temp + '/../', join(workspace, 'up'))
    set({ output: 'up/v.mp4' })
    assert.match(
      problems(() => getInputs())[0],
      /'output' must resolve inside the workspace or RUNNER_TEMP: 'up\/v\.mp4' goes through a link/
    )
  })

  it('validates the artifact name only when an artifact is uploaded', () => {
    set({ 'artifact-name': 'a/b' })
    assert.match(problems(() => getInputs()).join('\n'), /artifact-name/)
    set({ 'upload-artifact': 'false' })
    assert.equal(getInputs().artifactName, 'a/b')
  })
})

describe('splitPatterns', () => {
  it('splits on newlines and commas but keeps brace groups', () => {
    assert.deepEqual(splitPatterns('a/*.jpg, b/*.png\n\n  c/*.{jpg,png}  \n!c/skip.jpg'), [
      'a/*.jpg',
      'b/*.png',
      'c/*.{jpg,png}',
      '!c/skip.jpg'
    ])
  })
})
