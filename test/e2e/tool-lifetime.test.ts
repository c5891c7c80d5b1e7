// The tools the action starts (ffmpeg, apt-get) end with it, however it ends: SIGKILL of node
// (no handler runs), SIGTERM (the runner's cancel), and process.exit (the cancel's grace ran out
// while a tool was still running). Processes are found in /proc (Linux) as node's descendants and
// told apart from a later process with the same pid by their start time.
import assert from 'node:assert/strict'
import { execFile, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { photoSandbox, runAction, type ActionRun, type Sandbox } from '../helpers/action.js'

const run = promisify(execFile)
const linux = process.platform === 'linux'

interface Proc {
  pid: number
  ppid: number
  /** clock ticks since boot: with the pid, one process */
  start: string
  argv: string[]
}

/** A process from /proc, or undefined when it has gone (a zombie has gone: it runs nothing). */
function proc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // after the command name in parentheses (which may hold spaces): state ppid pgrp … starttime (field 22)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (f[0] === 'Z' || f[0] === 'X') return undefined
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    return { pid, ppid: Number(f[1]), start: f[19], argv }
  } catch {
    return undefined
  }
}

/** Every living descendant of `root`. */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter(d => /^\d+$/.test(d))
    .flatMap(d => proc(Number(d)) ?? [])
  const found: Proc[] = []
  const parents = new Set([root])
  for (let grew = true; grew;) {
    grew = false
    for (const p of all)
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid)
        found.push(p)
        grew = true
      }
  }
  return found
}

const alive = (p: Proc): boolean => proc(p.pid)?.start === p.start
/** A program `name` (its path ends so), run itself or by a loader or a shell as a script (argv[1] on). */
const runs = (p: Proc, name: string): boolean => p.argv.some(a => a === name || a.endsWith(`/${name}`))

/** Polls (every 20 ms, at most `ms`) until `ok`; whether it came. */
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (ok()) return true
  return ok()
}

interface Ended {
  run: ActionRun
  /** the tools running when the signal was sent */
  tools: Proc[]
  /** the action's other descendants then */
  others: Proc[]
  /** ms from the signal to the action's exit, to the last of the tools gone, and to the last of its processes gone (undefined: not by the end of the wait) */
  exitMs: number
  toolsGoneMs: number | undefined
  goneMs: number | undefined
  /** what was still running at the end of the wait */
  left: string
}

/**
 * Runs the action, waits until `tool` runs under it (a render that long is surely still going),
 * sends node `signal`, and waits (at most `waitMs` after node's exit) until every process it had
 * started is gone. Whatever is left is killed after, so a failure leaves nothing behind.
 */
async function endWhileRunning(opts: {
  box: Sandbox
  inputs: Record<string, string>
  env?: Record<string, string>
  tool: string
  signal: NodeJS.Signals
  waitMs: number
}): Promise<Ended> {
  let node: ChildProcess | undefined
  let seen: Proc[] = []
  const started = runAction({ box: opts.box, inputs: opts.inputs, env: opts.env, timeoutMs: 120_000, onSpawn: c => (node = c) })
  try {
    // a tool seen running for a second (not the `-version` check, nor a short run that would end by itself)
    const since = new Map<string, number>()
    let exited: ActionRun | undefined
    void started.then(r => (exited = r))
    const found = await until(() => {
      if (exited) return true
      if (!node?.pid) return false
      seen = descendants(node.pid)
      const now = Date.now()
      return seen.some(p => {
        if (!runs(p, opts.tool) || p.argv.includes('-version')) return false
        const key = `${p.pid}/${p.start}`
        if (!since.has(key)) since.set(key, now)
        return now - (since.get(key) ?? now) >= 1000
      })
    }, 90_000)
    assert.ok(found && !exited, `${opts.tool} never ran for a second under the action: ${exited?.all ?? 'it ran on'}`)
    const sentAt = Date.now()
    node?.kill(opts.signal)
    const run = await started
    const exitAt = Date.now()
    let toolsGoneMs: number | undefined
    const gone = await until(() => {
      if (toolsGoneMs === undefined && !seen.some(p => runs(p, opts.tool) && alive(p))) toolsGoneMs = Date.now() - sentAt
      return !seen.some(alive)
    }, opts.waitMs)
    const goneMs = gone ? Date.now() - sentAt : undefined
    const left = seen
      .filter(alive)
      .map(p => `${p.pid} ${p.argv.slice(0, 3).join(' ').slice(0, 160)}`)
      .join('; ')
    return {
      run,
      left,
      tools: seen.filter(p => runs(p, opts.tool)),
      others: seen.filter(p => !runs(p, opts.tool)),
      exitMs: exitAt - sentAt,
      toolsGoneMs,
      goneMs
    }
  } finally {
    node?.kill('SIGKILL')
    for (const p of seen) if (alive(p)) process.kill(p.pid, 'SIGKILL')
  }
}

/** A render at 1080p long enough that ffmpeg is still encoding whenever the test signals. */
const longRender = {
  images: 'photos/*.jpg',
  prompt: 'Promo',
  backend: 'local',
  resolution: '1080p',
  duration: '300',
  transition: 'fade',
  'upload-artifact': 'false',
  previews: 'false'
}

describe('the tools end with the action (Linux)', { skip: !linux && 'reads /proc' }, () => {
  it('SIGKILL of node during a render: its ffmpeg processes are gone within 3 s', async () => {
    const e = await endWhileRunning({
      box: await photoSandbox([1, 2, 3]),
      inputs: longRender,
      tool: 'ffmpeg',
      signal: 'SIGKILL',
      waitMs: 5000
    })
    assert.equal(e.run.signal, 'SIGKILL')
    assert.ok(e.tools.length >= 1)
    assert.ok(e.toolsGoneMs !== undefined && e.toolsGoneMs <= 3000, `ffmpeg still running 3 s after node was killed: ${e.left}`)
    // and what watched them has gone too (after the grace at most)
    assert.ok(e.goneMs !== undefined, `still running 5 s after node was killed: ${e.left}`)
    console.log(`SIGKILL: ${e.tools.length} ffmpeg gone ${e.toolsGoneMs} ms after the kill, all ${e.others.length} others ${e.goneMs} ms`)
  })

  it('SIGTERM during a render: the action stops ffmpeg and exits, and nothing of it is left', async () => {
    const e = await endWhileRunning({
      box: await photoSandbox([1, 2, 3]),
      inputs: longRender,
      tool: 'ffmpeg',
      signal: 'SIGTERM',
      waitMs: 3000
    })
    assert.equal(e.run.code, 1, e.run.all)
    assert.match(e.run.stdout, /Received SIGTERM: cancelling/)
    assert.ok(e.goneMs !== undefined, `still running 3 s after the action exited: ${e.left}`)
    console.log(
      `SIGTERM: exit after ${e.exitMs} ms, ${e.tools.length} ffmpeg gone after ${e.toolsGoneMs} ms, ${e.others.length} others ${e.goneMs} ms`
    )
  })

  /**
   * A PATH with no ffmpeg (so the action installs one) and a stand-in apt-get whose `update` runs
   * on in a child of its own and shrugs off SIGTERM, as a slow install might: the action's own
   * cancel does not stop an install, so it is still running when the cancel's grace ends in
   * process.exit, or when node is killed.
   */
  async function slowApt(): Promise<{ box: Sandbox; env: Record<string, string> }> {
    const box = await photoSandbox([1])
    const bin = join(box.temp, 'bin')
    await mkdir(bin)
    for (const tool of ['tar', 'gzip', 'sh', 'sleep'])
      await symlink((await run('sh', ['-c', `command -v ${tool}`])).stdout.trim(), join(bin, tool))
    await writeFile(join(bin, 'apt-get'), `#!/bin/sh\ntrap '' TERM\nsleep 300\n`)
    // where the tests do not run as root the action calls 'sudo -n apt-get'
    await writeFile(join(bin, 'sudo'), `#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n`)
    for (const tool of ['apt-get', 'sudo']) await chmod(join(bin, tool), 0o755)
    return { box, env: { PATH: bin } }
  }

  for (const [signal, how] of [
    ['SIGTERM', 'leaves through process.exit when the grace of its cancel ends'],
    ['SIGKILL', 'is killed']
  ] as const)
    it(`a package install (a stand-in apt-get and its child) ends when the action ${how} (${signal})`, async () => {
      const { box, env } = await slowApt()
      const inputs = { images: 'photos/*.jpg', prompt: 'Promo', backend: 'local', 'upload-artifact': 'false', previews: 'false' }
      // the stand-in ignores SIGTERM: gone only by the SIGKILL that follows it, 2 s on
      const e = await endWhileRunning({ box, inputs, env, tool: 'apt-get', signal, waitMs: 4000 })
      assert.ok(
        e.tools.some(p => p.argv.includes('update')),
        'apt-get update ran'
      )
      assert.ok(
        e.others.some(p => runs(p, 'sleep')),
        'its child ran'
      )
      if (signal === 'SIGTERM') {
        assert.equal(e.run.code, 1)
        assert.match(e.run.stdout, /Received SIGTERM: cancelling/)
        assert.ok(e.exitMs >= 4000, `the action waited for the install until its grace ended (${e.exitMs} ms)`)
      }
      assert.ok(e.goneMs !== undefined, `still running 4 s after the action ended: ${e.left}`)
      console.log(`apt-get, ${signal}: exit after ${e.exitMs} ms, apt-get gone after ${e.toolsGoneMs} ms, all ${e.goneMs} ms`)
    })
})
