// Runs the built action (dist/index.js) as a child process, exactly as the runner does:
// INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, RUNNER_TEMP. Like the
// runner, it sets INPUT_<NAME> for every input that has a default in action.yml, whether the
// test gives it or not.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { parse } from 'yaml'
import { FFMPEG_DIR_UNDER_TEST } from './ffmpeg-under-test.js'
import { makeImage } from './media.js'

export const DIST = resolve(import.meta.dirname, '../../dist/index.js')
export const ACTION_YML = resolve(import.meta.dirname, '../../action.yml')
/** package.json's version: the action's, sent as X-Skill-Version. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string })
  .version
/** The sub-actions of the repository (plan/, collect/): their action.yml and their bundle. */
export const SUB_ACTIONS = {
  plan: { yml: resolve(import.meta.dirname, '../../plan/action.yml'), dist: resolve(import.meta.dirname, '../../dist/plan/index.js') },
  collect: {
    yml: resolve(import.meta.dirname, '../../collect/action.yml'),
    dist: resolve(import.meta.dirname, '../../dist/collect/index.js')
  }
} as const

/** What `${{ github.token }}` becomes in tests. */
export const FAKE_GITHUB_TOKEN = 'ghs_e2e_fake_github_token_000000000000'

/** action.yml's defaults, as the runner passes them: expressions evaluated, everything a string. */
export function actionDefaults(yml: string = ACTION_YML): Record<string, string> {
  const action = parse(readFileSync(yml, 'utf8')) as { inputs: Record<string, { default?: unknown }> }
  const defaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.default === undefined || spec.default === null) continue
    defaults[name] = String(spec.default).replace(/\$\{\{\s*github\.token\s*\}\}/g, FAKE_GITHUB_TOKEN)
  }
  return defaults
}

/** The variable the runner sets for an input: spaces become '_', upper case. */
export const inputVar = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  workspace: string
  temp: string
  /** everything the action printed or wrote for the user to see; `::add-mask::` commands are
   *  consumed by the runner (that is how masking works), so they are left out */
  all: string
}

export interface Sandbox {
  workspace: string
  temp: string
}

export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'img2vid-e2e-'))
  const workspace = join(root, 'workspace')
  const temp = join(root, 'runner-temp')
  await mkdir(workspace, { recursive: true })
  await mkdir(temp, { recursive: true })
  return { workspace, temp }
}

/** A sandbox whose workspace has `photos/<seed>.jpg`, one generated photo per seed. */
export async function photoSandbox(seeds: number[], size: { width?: number; height?: number } = {}): Promise<Sandbox> {
  const b = await sandbox()
  await mkdir(join(b.workspace, 'photos'))
  for (const seed of seeds) await copyFile(await makeImage({ seed, ...size }), join(b.workspace, 'photos', `${seed}.jpg`))
  return b
}

/** Parse the runner's GITHUB_OUTPUT file format (name<<delimiter … delimiter, or name=value). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i])
      out[name] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      out[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return out
}

export interface RunOptions {
  inputs: Record<string, string>
  env?: Record<string, string>
  box?: Sandbox
  /** kill with this signal after ms (to test cancellation) */
  killAfter?: { ms: number; signal: NodeJS.Signals }
  timeoutMs?: number
  onStdout?: (chunk: string) => void
  /** the action's process, once started (e.g. to read its memory) */
  onSpawn?: (child: ChildProcess) => void
  /** the bundle to run (a copy of dist/ elsewhere); dist/index.js by default */
  dist?: string
  /** a sub-action of the repository instead of the main one: its bundle, with its action.yml's defaults */
  action?: keyof typeof SUB_ACTIONS
}

export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const box = opts.box ?? (await sandbox())
  const outFile = join(box.temp, `output-${Date.now()}-${Math.random().toString(36).slice(2)}`)
  const summaryFile = join(box.temp, `summary-${Date.now()}-${Math.random().toString(36).slice(2)}`)
  await writeFile(outFile, '')
  await writeFile(summaryFile, '')
  const env: Record<string, string> = {
    // the ffmpeg under test is the one the action finds on PATH
    PATH: [FFMPEG_DIR_UNDER_TEST, process.env.PATH ?? ''].filter(Boolean).join(delimiter),
    HOME: process.env.HOME ?? box.temp,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: box.workspace,
    RUNNER_TEMP: box.temp,
    GITHUB_OUTPUT: outFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'octo/promo',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9/never',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    ...opts.env
  }
  const sub = opts.action && SUB_ACTIONS[opts.action]
  for (const [k, v] of Object.entries({ ...actionDefaults(sub ? sub.yml : ACTION_YML), ...opts.inputs })) env[inputVar(k)] = v
  const child = spawn(process.execPath, [opts.dist ?? (sub ? sub.dist : DIST)], {
    cwd: box.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  opts.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c
    opts.onStdout?.(c)
  })
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const timers: NodeJS.Timeout[] = []
  if (opts.killAfter) {
    const { ms, signal } = opts.killAfter
    timers.push(setTimeout(() => child.kill(signal), ms))
  }
  timers.push(setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000))
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(res => child.on('close', (c, s) => res([c, s])))
  timers.forEach(clearTimeout)
  const outputsText = await readFile(outFile, 'utf8')
  const summary = await readFile(summaryFile, 'utf8')
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseOutputs(outputsText),
    summary,
    workspace: box.workspace,
    temp: box.temp,
    all: [stdout, stderr, outputsText, summary]
      .join('\n')
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n')
  }
}
