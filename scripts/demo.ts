// Runs the built action on the example images, the way a runner does, and leaves the MP4 in
// demo-out/. `npm run demo` renders offline with ffmpeg; `npm run demo -- nemo` talks to the
// loopback NemoVideo emulation used by the tests (nothing leaves this machine either way).
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseOutputs } from '../test/helpers/action.js'

const root = resolve(import.meta.dirname, '..')
const backend = process.argv[2] === 'nemo' ? 'nemo' : 'local'
const outDir = join(root, 'demo-out')
const runnerTemp = await mkdtemp(join(tmpdir(), 'img2vid-demo-'))
await rm(outDir, { recursive: true, force: true })
await mkdir(join(outDir, 'examples'), { recursive: true })
await cp(join(root, 'examples'), join(outDir, 'examples'), { recursive: true })

const server = backend === 'nemo' ? await (await import('../test/servers/nemo.js')).startNemoServer() : undefined
const outputFile = join(runnerTemp, 'outputs')
const summaryFile = join(runnerTemp, 'summary.md')
await writeFile(outputFile, '')
await writeFile(summaryFile, '')

const inputs: Record<string, string> = {
  images: 'examples/*.jpg',
  prompt: 'A calm 12-second travel teaser with gentle Ken Burns motion and crossfades.',
  title: 'Postcards',
  music: 'examples/music.m4a',
  'aspect-ratio': '16:9',
  resolution: '720p',
  duration: '12',
  backend,
  output: 'img2vid-demo.mp4',
  'upload-artifact': 'false',
  'poll-interval': '1',
  ...(server ? { 'api-url': server.url } : {})
}
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? runnerTemp,
  GITHUB_ACTIONS: 'true',
  GITHUB_WORKSPACE: outDir,
  RUNNER_TEMP: runnerTemp,
  GITHUB_OUTPUT: outputFile,
  GITHUB_STEP_SUMMARY: summaryFile,
  GITHUB_REPOSITORY: 'demo/img2vid',
  GITHUB_EVENT_NAME: 'workflow_dispatch'
}
for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v

const code = await new Promise<number | null>(done => {
  const child = spawn(process.execPath, [join(root, 'dist/index.js')], { cwd: outDir, env, stdio: ['ignore', 'inherit', 'inherit'] })
  child.on('close', done)
})
await server?.close()
const outputs = parseOutputs(await readFile(outputFile, 'utf8'))
await cp(summaryFile, join(outDir, 'summary.md'))
await rm(runnerTemp, { recursive: true, force: true })
if (code !== 0) process.exit(code ?? 1)
console.log(`\nOutputs:`)
for (const k of ['video-path', 'duration', 'width', 'height', 'size', 'sha256', 'backend']) console.log(`  ${k}: ${outputs[k]}`)
console.log(`Job summary: ${join(outDir, 'summary.md')}`)
