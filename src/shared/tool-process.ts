// Every external tool the action starts (ffmpeg through src/media/ffmpeg.ts, apt-get or sudo,
// fc-list) starts here, so that none outlives the action, however the action ends: a normal exit,
// a thrown error, process.exit, SIGTERM/SIGINT, or SIGKILL of node itself, where no handler of
// node's runs. Each tool runs in a process group of its own (what a wrapper script forks goes
// with it), and one watchdog per action, a few lines of /bin/sh started with the first tool,
// holds a pipe from node: when the pipe closes (node gone, whatever the cause) it stops every
// group still running. Node tells it each group as it starts and as it ends, one line on that
// pipe, so a tool costs one write more than a bare spawn.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'

/** How long a tool asked to stop has before it is killed: SIGTERM lets ffmpeg close its file and sudo hand the signal to apt-get (root's, which the runner's user cannot kill). */
export const STOP_GRACE_MS = 2000

/** Windows has no process groups (and the local backend does not run there): its tools are plain children. */
const GROUPS = process.platform !== 'win32'

/**
 * The watchdog: keeps the set of running groups from "+ <pgid>" and "- <pgid>" lines; at the end
 * of its input (node's end of the pipe closed) it sends each group SIGTERM, then SIGKILL to those
 * still there after the grace (looked at every 0.1 s: it kills no group that has gone, whose id
 * could be another's by then). It runs in a session of its own (a kill of node's group, a
 * terminal's ^C do not reach it) and ignores SIGHUP, SIGINT and SIGTERM (a teardown that signals
 * every process), so that it is still there when node has gone.
 */
const WATCHDOG = `trap '' HUP INT TERM
g=' '
while read -r op id; do
  case $op in
    +) g="$g$id " ;;
    -) case $g in *" $id "*) g="\${g%% $id *} \${g#* $id }" ;; esac ;;
  esac
done
[ -z "\${g# }" ] && exit 0
for id in $g; do kill -TERM -"$id" 2>/dev/null; done
n=0
while [ $n -lt ${STOP_GRACE_MS / 100} ]; do
  sleep 0.1
  left=
  for id in $g; do kill -0 -"$id" 2>/dev/null && left="$left $id"; done
  [ -z "$left" ] && exit 0
  g=$left
  n=$((n + 1))
done
for id in $g; do kill -KILL -"$id" 2>/dev/null; done
`

/** The groups (each its leader's pid) of the tools running now. */
const running = new Set<number>()
let watchdog: ChildProcess | undefined
let hooked = false

function tell(line: string): void {
  watchdog?.stdin?.write(line)
}

/** The watchdog, started with the first tool (and again if it was lost), told every group running. */
function watch(): void {
  if (watchdog) return
  // /bin/sh by its path: a PATH the workflow sets (or a planted 'sh') has no say in it
  const dog = spawn('/bin/sh', ['-c', WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
  watchdog = dog
  const lost = (): void => {
    if (watchdog === dog) watchdog = undefined
  }
  dog.on('error', lost).on('exit', lost)
  // a write to a watchdog that died fails with EPIPE: the next tool starts another
  dog.stdin?.on('error', lost)
  // the action's end does not wait for it: that end is what it waits for (its idle pipe holds nothing up)
  dog.unref()
  for (const pgid of running) tell(`+ ${pgid}\n`)
  if (!hooked) {
    hooked = true
    // where node's exit runs (normal exit, a throw, process.exit), the tools get their SIGTERM at
    // once; the watchdog follows with SIGKILL for those that are still there after the grace
    process.on('exit', () => running.forEach(pgid => signalGroup(pgid, 'SIGTERM')))
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/** A tool's process, and the way to end it. */
export interface Tool {
  readonly child: ChildProcess
  /** Asks the tool (its whole group) to end with SIGTERM and kills it with SIGKILL after STOP_GRACE_MS; nothing once it has exited. */
  stop(): void
}

/** Starts `cmd` as a tool of the action: in a group of its own, ended with the action. */
export function spawnTool(cmd: string, args: readonly string[], opts: { stdio: StdioOptions; env?: NodeJS.ProcessEnv }): Tool {
  if (GROUPS) watch()
  const child = spawn(cmd, args, { stdio: opts.stdio, env: opts.env, detached: GROUPS })
  const pid = child.pid
  if (GROUPS && pid !== undefined) {
    running.add(pid)
    tell(`+ ${pid}\n`)
    child.once('exit', () => {
      running.delete(pid)
      tell(`- ${pid}\n`)
    })
  }
  // only while the leader has not been reaped: after that its pid (the group's id) may be another's
  const send = (signal: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return
    if (GROUPS && pid !== undefined) signalGroup(pid, signal)
    else child.kill(signal)
  }
  return {
    child,
    stop() {
      send('SIGTERM')
      setTimeout(() => send('SIGKILL'), STOP_GRACE_MS).unref()
    }
  }
}

/** The end of a short tool's stderr kept for its error. */
const STDERR_TAIL = 4000

/**
 * Runs a short tool to its end. Resolves with its stdout when `stdoutBytes` is given (the run
 * fails past that many bytes), else with '' (stdout ignored); rejects naming the command, how it
 * ended and the last line of its stderr.
 */
export async function runTool(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; stdoutBytes?: number } = {}
): Promise<string> {
  const collect = opts.stdoutBytes !== undefined
  const tool = spawnTool(cmd, args, { stdio: ['ignore', collect ? 'pipe' : 'ignore', 'pipe'], env: opts.env })
  const { child } = tool
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-STDERR_TAIL)))
  const chunks: Buffer[] = []
  let size = 0
  let overflow = false
  child.stdout?.on('data', (c: Buffer) => {
    size += c.length
    if (size > (opts.stdoutBytes ?? 0)) {
      if (!overflow) tool.stop()
      overflow = true
    } else chunks.push(c)
  })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (c, s) => resolve([c, s]))
  })
  const command = [cmd, ...args].join(' ')
  if (overflow) throw new Error(`'${command}' wrote more than ${opts.stdoutBytes} bytes`)
  if (code !== 0) {
    const said = stderr.trim().split('\n').pop()?.trim()
    throw new Error(`'${command}' failed (${signal ?? `exit ${code}`})${said ? `: ${said}` : ''}`)
  }
  return Buffer.concat(chunks).toString('utf8')
}
