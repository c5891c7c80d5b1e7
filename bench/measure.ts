// Measuring helpers for the benchmarks: wall time and peak RSS of a child process
// (GNU time's %M for any command), and the median of repeated runs.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Measured {
  ms: number
  peakRssMb: number
  stdout: string
  stderr: string
  code: number | null
}

/** Runs a command under /usr/bin/time and returns wall time and peak RSS. */
export async function measure(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-bench-'))
  const rssFile = join(dir, 'rss')
  const t0 = performance.now()
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const code = await new Promise<number | null>(done => child.on('close', done))
  const ms = performance.now() - t0
  const kb = Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1))
  await rm(dir, { recursive: true, force: true })
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`)
  return { ms, peakRssMb: kb / 1024, stdout, stderr, code }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
