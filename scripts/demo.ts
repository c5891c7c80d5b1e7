// Runs the built action on the example images, the way a runner does, and leaves the MP4 in
// demo-out/. `npm run demo` renders offline with ffmpeg; `npm run demo -- nemo` talks to the
// loopback NemoVideo emulation used by the tests (nothing leaves this machine either way).
// The action's log is shown as a runner's log view shows it (scripts/runner-log.ts):
// `--debug` (or RUNNER_DEBUG=1) shows the debug lines, `--verbose` unfolds long blocks.
import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, relative, resolve } from 'node:path'
import { parseOutputs } from '../test/helpers/action.js'
import { RunnerLog } from './runner-log.js'

const args = process.argv.slice(2)
const known = new Set(['nemo', 'local', '--debug', '--verbose', '--help', '-h'])
const unknown = args.filter(a => !known.has(a))
if (unknown.length || args.includes('--help') || args.includes('-h')) {
  console.log('Usage: npm run demo [-- nemo] [--debug] [--verbose]')
  console.log('  nemo       the cloud backend against the loopback NemoVideo emulation (default: local, ffmpeg)')
  console.log('  --debug    show the debug lines (as RUNNER_DEBUG=1 does on a runner)')
  console.log('  --verbose  unfold long blocks such as the ffmpeg filtergraph')
  process.exit(unknown.length ? 2 : 0)
}
const backend = args.includes('nemo') ? 'nemo' : 'local'
const debug = args.includes('--debug') || process.env.RUNNER_DEBUG === '1'
const verbose = args.includes('--verbose')
const color = process.stdout.isTTY === true && !process.env.NO_COLOR
const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s)
const dim = (s: string): string => (color ? `\x1b[2m${s}\x1b[0m` : s)

const root = resolve(import.meta.dirname, '..')
const outDir = join(root, 'demo-out')
const runnerTemp = await mkdtemp(join(tmpdir(), 'img2vid-demo-'))
await rm(outDir, { recursive: true, force: true })
await mkdir(join(outDir, 'examples'), { recursive: true })
await cp(join(root, 'examples'), join(outDir, 'examples'), { recursive: true })

// The emulation knows this one token, as NemoVideo knows the user's NEMO_TOKEN secret, and answers
// every render with a 12-second 720p test pattern, the length and size the demo asks for (it
// renders no photos).
const DEMO_TOKEN = 'nmv_demo_token'
const server = backend === 'nemo' ? await startEmulation() : undefined
async function startEmulation(): Promise<{ url: string; close(): Promise<void> }> {
  const [{ startNemoServer }, { makeMp4 }] = await Promise.all([import('../test/servers/nemo.js'), import('../test/helpers/media.js')])
  const mp4Path = await makeMp4({ width: 1280, height: 720, seconds: 12, audio: true })
  return startNemoServer({ mp4Path, config: { userTokens: [DEMO_TOKEN] } })
}
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
  ...(server ? { 'api-url': server.url, token: DEMO_TOKEN } : {})
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
  GITHUB_EVENT_NAME: 'workflow_dispatch',
  ...(debug ? { RUNNER_DEBUG: '1' } : {})
}
for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v

console.log(bold(`Run img2vid-action (backend: ${backend}) on examples/*.jpg`) + dim(`  — dist/index.js, as a runner runs it`))
const log = new RunnerLog({ debug, verbose, color, write: s => process.stdout.write(s) })
const started = Date.now()
const code = await new Promise<number | null>(done => {
  const child = spawn(process.execPath, [join(root, 'dist/index.js')], { cwd: outDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.setEncoding('utf8').on('data', (c: string) => log.push(c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => log.push(c))
  child.on('close', c => {
    log.end()
    done(c)
  })
})
const seconds = ((Date.now() - started) / 1000).toFixed(1)
await server?.close()
const outputs = parseOutputs(await readFile(outputFile, 'utf8'))
await cp(summaryFile, join(outDir, 'summary.md'))
await rm(runnerTemp, { recursive: true, force: true })
if (code !== 0) {
  console.error(`\nThe action failed (exit ${code ?? 'signal'}) after ${seconds} s; see the errors above.`)
  process.exit(code ?? 1)
}

/** The one command that plays the video here, or a hint when this machine has none. */
function viewer(file: string): string {
  const onPath = (cmd: string): boolean =>
    (process.env.PATH ?? '').split(delimiter).some(d => {
      try {
        return statSync(join(d, cmd)).isFile()
      } catch {
        return false
      }
    })
  if (process.platform === 'darwin') return `open ${file}`
  const desktop = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  if (desktop && onPath('xdg-open')) return `xdg-open ${file}`
  if (desktop && onPath('ffplay')) return `ffplay -autoexit ${file}`
  return `open ${file} in any video player (this machine has no display: copy it off, e.g. with scp)`
}
const path = outputs['video-path']
const rel = relative(process.cwd(), path) || path
const mb = (Number(outputs.size) / 1_000_000).toFixed(1)
console.log('')
console.log(bold(`✔ ${rel}`) + dim(`  (made in ${seconds} s)`))
console.log(
  `  ${Number(outputs.duration).toFixed(1)} s · ${outputs.width}×${outputs.height} · ${mb} MB (${outputs.size} bytes) · backend ${outputs.backend}`
)
console.log(`  sha256 ${outputs.sha256}`)
if (server) console.log(dim('  (the emulation took the photos and the request; its render is a test pattern)'))
console.log(`  job summary: ${relative(process.cwd(), join(outDir, 'summary.md'))}`)
console.log(`View it: ${viewer(rel)}`)
