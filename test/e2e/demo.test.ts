// `npm run demo` and `npm run demo -- nemo`, run as a new user runs them (npm, the script, the built
// action): each must succeed and end by saying what it made, and that must be the file it left.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { sha256 } from '../helpers/media.js'

const ROOT = resolve(import.meta.dirname, '../..')
const OUT = resolve(ROOT, 'demo-out')

async function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env.RUNNER_DEBUG
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', 'demo', ...(args.length ? ['--', ...args] : [])], {
      cwd: ROOT,
      env,
      timeout: 180_000,
      maxBuffer: 4 * 1024 * 1024
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/** The demo's closing lines name the MP4 it made, its facts and its SHA-256: check them against the file. */
async function assertMade(r: { code: number; stdout: string; stderr: string }, backend: string): Promise<void> {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
  assert.doesNotMatch(r.stdout, /^(Error|::error)/m, r.stdout)
  assert.match(r.stdout, /^✔ demo-out\/img2vid-demo\.mp4 {2}\(made in \d+\.\d s\)$/m)
  const facts = /^ {2}12\.0 s · 1280×720 · \d+\.\d MB \((\d+) bytes\) · backend (\w+)$/m.exec(r.stdout)
  assert.ok(facts, `the length, size and resolution are said:\n${r.stdout}`)
  assert.equal(facts[2], backend)
  const mp4 = resolve(OUT, 'img2vid-demo.mp4')
  assert.equal(Number(facts[1]), (await stat(mp4)).size)
  assert.equal(/^ {2}sha256 ([0-9a-f]{64})$/m.exec(r.stdout)?.[1], await sha256(mp4))
  assert.match(r.stdout, /^View it: /m)
  assert.match(await readFile(resolve(OUT, 'summary.md'), 'utf8'), /img2vid-demo\.mp4/)
}

describe('npm run demo', () => {
  it('renders the examples offline with ffmpeg and says what it made', async () => {
    await assertMade(await demo(), 'local')
  })

  it('`-- nemo` makes the video through the loopback NemoVideo emulation, with no token to set', async () => {
    const r = await demo('nemo')
    await assertMade(r, 'nemo')
    assert.match(r.stdout, /Backend: nemo/)
    assert.match(r.stdout, /test pattern/)
  })
})
