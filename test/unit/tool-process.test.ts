// The one way the action starts a tool: runTool's results and errors, stop() reaching the whole
// group (a wrapper's child too) and escalating to SIGKILL, and a tool ending with a node that ends
// by process.exit, a throw, SIGTERM without a handler, or SIGKILL.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { runTool, spawnTool, STOP_GRACE_MS } from '../../src/shared/tool-process.js'

const linux = process.platform === 'linux'

/** Whether `pid` runs (a zombie does not). */
function runs(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

/** Polls (every 20 ms, at most `ms`) until none of `pids` runs; the ms it took, or undefined. */
async function gone(pids: number[], ms: number): Promise<number | undefined> {
  const start = Date.now()
  for (; Date.now() - start < ms; await sleep(20)) if (!pids.some(runs)) return Date.now() - start
  return undefined
}

/** A shell that prints its own pid and its background child's, then waits (`trap` lines first). */
const forking = (trap = ''): string => `${trap} sleep 300 & echo $$ $!; wait`

describe('runTool', () => {
  it("resolves with stdout, or ignores it; fails naming the command, its exit and stderr's last line", async () => {
    assert.equal(await runTool('/bin/sh', ['-c', 'echo hello'], { stdoutBytes: 100 }), 'hello\n')
    assert.equal(await runTool('/bin/sh', ['-c', 'echo hello']), '')
    await assert.rejects(runTool('/bin/sh', ['-c', 'echo first >&2; echo E: no such package >&2; exit 100']), {
      message: "'/bin/sh -c echo first >&2; echo E: no such package >&2; exit 100' failed (exit 100): E: no such package"
    })
    await assert.rejects(runTool('/nonexistent/tool', []), /ENOENT/)
  })

  it('fails, and stops the tool, past the bound of its stdout', async () => {
    const started = Date.now()
    await assert.rejects(
      runTool('/bin/sh', ['-c', 'while :; do echo xxxxxxxxxxxxxxxx; done'], { stdoutBytes: 1000 }),
      /wrote more than 1000 bytes/
    )
    assert.ok(Date.now() - started < STOP_GRACE_MS, 'stopped by its SIGTERM')
  })
})

describe('spawnTool', { skip: !linux && 'reads /proc' }, () => {
  async function pids(tool: ReturnType<typeof spawnTool>): Promise<number[]> {
    const line = await new Promise<string>(res => tool.child.stdout?.setEncoding('utf8').once('data', res))
    return line.trim().split(' ').map(Number)
  }

  it("stop() ends the tool's whole group: a wrapper's child too", async () => {
    const tool = spawnTool('/bin/sh', ['-c', forking()], { stdio: ['ignore', 'pipe', 'ignore'] })
    const both = await pids(tool)
    try {
      assert.ok(both.every(runs))
      tool.stop()
      assert.ok((await gone(both, 1000)) !== undefined, 'both gone on SIGTERM')
    } finally {
      both.filter(runs).forEach(pid => process.kill(pid, 'SIGKILL'))
    }
  })

  it('stop() kills a tool that ignores SIGTERM once the grace is over', async () => {
    const tool = spawnTool('/bin/sh', ['-c', forking("trap '' TERM;")], { stdio: ['ignore', 'pipe', 'ignore'] })
    const both = await pids(tool)
    try {
      const exited = new Promise(res => tool.child.once('exit', (_c, s) => res(s)))
      tool.stop()
      await sleep(STOP_GRACE_MS / 2)
      assert.ok(both.every(runs), 'still there halfway through the grace')
      assert.equal(await exited, 'SIGKILL')
      assert.ok((await gone(both, 1000)) !== undefined)
    } finally {
      both.filter(runs).forEach(pid => process.kill(pid, 'SIGKILL'))
    }
  })

  /** A node process that starts a forking tool through spawnTool, prints its pids, then ends as `how` says. */
  async function endNode(how: string): Promise<{ pids: number[]; ended: Promise<unknown> }> {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-tool-'))
    const script = join(dir, 'end.mts')
    const mod = resolve(import.meta.dirname, '../../src/shared/tool-process.ts')
    await writeFile(
      script,
      `import { spawnTool } from ${JSON.stringify(mod)}
const tool = spawnTool('/bin/sh', ['-c', ${JSON.stringify(forking())}], { stdio: ['ignore', 'pipe', 'ignore'] })
tool.child.stdout.once('data', line => { process.stdout.write(line); setTimeout(() => { ${how} }, 50) })
`
    )
    const node = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'ignore'] })
    const ended = new Promise(res => node.once('close', (c, s) => res(s ?? c)))
    const line = await new Promise<string>(res => node.stdout.setEncoding('utf8').once('data', res))
    return { pids: line.trim().split(' ').map(Number), ended }
  }

  for (const [name, how, ends] of [
    ['process.exit', 'process.exit(3)', 3],
    ['a throw', "throw new Error('boom')", 1],
    ['SIGTERM (no handler)', "process.kill(process.pid, 'SIGTERM')", 'SIGTERM'],
    ['SIGKILL', "process.kill(process.pid, 'SIGKILL')", 'SIGKILL']
  ] as const)
    it(`a tool ends with a node that ends by ${name}`, async () => {
      const { pids, ended } = await endNode(how)
      try {
        assert.ok(pids.every(runs))
        assert.equal(await ended, ends)
        assert.ok((await gone(pids, 2000)) !== undefined, `left running: ${pids.filter(runs).join(' ')}`)
      } finally {
        pids.filter(runs).forEach(pid => process.kill(pid, 'SIGKILL'))
      }
    })
})
