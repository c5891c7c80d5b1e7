// Every ffmpeg process of the action starts here. A binary is opened once: its version is read
// (`-version`) and checked against the minimum, so an old ffmpeg fails with the fix, not with a
// filter error halfway through a render. Each run is stopped on abort and ends with the action
// (src/shared/tool-process.ts), keeps the end of its stderr (bounded) for the error it fails with,
// and is handed only inputs opened by `input()`: an explicit demuxer and the file protocol alone,
// so no file can make ffmpeg open another.
import type { FileHandle } from 'node:fs/promises'
import { log } from '../shared/log.js'
import { spawnTool } from '../shared/tool-process.js'
import { FfmpegError } from './errors.js'
import { checkInputs } from './inputs.js'

/** The oldest ffmpeg the action runs: every graph is tested on it and on the newest lines. */
export const MIN_VERSION = { major: 4, minor: 3 } as const

export interface FfmpegVersion {
  major: number
  minor: number
  /** what the binary calls itself, e.g. '7.1.3-0+deb13u1', 'N-118385-g1a2b3c' */
  text: string
}

/** libavutil's major version → the release line it ships with (for git builds, which have no release number). */
const AVUTIL_RELEASE: Record<number, [number, number]> = {
  56: [4, 0],
  57: [5, 0],
  58: [6, 0],
  59: [7, 0],
  60: [8, 0],
  61: [9, 0]
}

/** The release line of an ffmpeg from its `-version` text; undefined when it does not say. */
export function parseVersion(out: string): FfmpegVersion | undefined {
  const first = /^ffmpeg version (\S+)/m.exec(out)
  if (!first) return undefined
  const text = first[1]
  const release = /^n?(\d+)\.(\d+)/.exec(text)
  if (release) return { major: Number(release[1]), minor: Number(release[2]), text }
  // a git build ('N-118385-g…', '2025-01-02-git-…'): the line is its libavutil's
  const avutil = /^libavutil\s+(\d+)\./m.exec(out)
  const line = avutil && AVUTIL_RELEASE[Number(avutil[1])]
  if (line) return { major: line[0], minor: line[1], text }
  if (avutil && Number(avutil[1]) > 61) return { major: 99, minor: 0, text }
  return undefined
}

const atLeast = (v: { major: number; minor: number }, min: { major: number; minor: number }): boolean =>
  v.major > min.major || (v.major === min.major && v.minor >= min.minor)

/** What a run does with ffmpeg's stdout: nothing, written into a file, or collected (bounded). */
type Stdout = { ignore: true } | { file: FileHandle; position?: number } | { maxBytes: number }

export interface RunOptions {
  signal: AbortSignal
  stdout?: Stdout
}

/** The end of stderr kept for an error message. */
const STDERR_TAIL = 8000
/** `-version` answers at once; a binary that does not is not an ffmpeg to use */
const VERSION_TIMEOUT_MS = 20_000

/** One ffmpeg binary, opened (its version read and checked) once per process. */
export class Ffmpeg {
  private static opened = new Map<string, Promise<Ffmpeg>>()

  private constructor(
    readonly bin: string,
    readonly version: FfmpegVersion
  ) {}

  /** The binary at `bin`, its version read and checked; refuses one older than MIN_VERSION. */
  static open(bin: string): Promise<Ffmpeg> {
    let opened = Ffmpeg.opened.get(bin)
    if (!opened) {
      opened = Ffmpeg.check(bin)
      opened.catch(() => Ffmpeg.opened.delete(bin))
      Ffmpeg.opened.set(bin, opened)
    }
    return opened
  }

  private static async check(bin: string): Promise<Ffmpeg> {
    const { stdout: out } = await spawnFfmpeg(bin, ['-hide_banner', '-version'], {
      signal: AbortSignal.timeout(VERSION_TIMEOUT_MS),
      stdout: { maxBytes: 1 << 16 }
    }).catch((err: unknown) => {
      throw new FfmpegError(`'${bin}' did not answer 'ffmpeg -version': ${(err as Error).message}`, { cause: err })
    })
    const text = out.toString('utf8')
    const version = parseVersion(text)
    const min = `${MIN_VERSION.major}.${MIN_VERSION.minor}`
    if (!version)
      throw new FfmpegError(
        `'${bin}' is not an ffmpeg the action knows (its -version says '${text.split('\n')[0].slice(0, 80)}'): the local backend needs ffmpeg ${min} or newer; set 'ffmpeg-path' to one.`
      )
    if (!atLeast(version, MIN_VERSION))
      throw new FfmpegError(
        `ffmpeg ${version.text} (at '${bin}') is older than ${min}, the oldest the local backend runs: install a newer one in an earlier step (Ubuntu 22.04 and newer, Debian 11 and newer, 'brew install ffmpeg'), or set 'ffmpeg-path' to one.`
      )
    log.info(`ffmpeg ${version.text} (${bin})`)
    return new Ffmpeg(bin, version)
  }

  /**
   * A scale filter's options that read the video's colours: from ffmpeg 5.0 on swscale takes them
   * from the frame's tags; 4.x reads an untagged BT.601 there and does not expand the range on the
   * same scale, so the colours of what both backends make (BT.709, limited range) are said outright.
   */
  get videoColours(): string {
    return this.atLeast(5, 0) ? 'in_color_matrix=auto:in_range=auto' : 'in_color_matrix=bt709:in_range=tv'
  }

  /** At least this release line (for the few graphs that differ between versions). */
  atLeast(major: number, minor = 0): boolean {
    return atLeast(this.version, { major, minor })
  }

  /**
   * Runs ffmpeg with `args`; every `-i` in them must come from `input()`. Resolves with what it
   * wrote to stdout when that is collected (else an empty buffer), the bytes it wrote to a file and
   * the end of its stderr (where a measuring filter prints its summary).
   */
  async run(args: string[], opts: RunOptions): Promise<{ stdout: Buffer; written: number; stderr: string }> {
    checkInputs(args)
    let written = 0
    const { stdout, stderr } = await spawnFfmpeg(this.bin, args, opts, n => (written += n))
    return { stdout, written, stderr }
  }
}

/**
 * What ffmpeg said, short: its first lines (where the cause is: a filter's own error) and its last
 * ones (ffmpeg 7 and newer follow the cause with lines of threads terminating).
 */
function summarizeStderr(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  if (!lines.length) return 'no message'
  return (lines.length > 5 ? [...lines.slice(0, 2), '…', ...lines.slice(-3)] : lines).join(' | ')
}

/** Spawns, feeds stdout where asked, stops on abort (TERM, then KILL), and turns a failure into an FfmpegError. */
async function spawnFfmpeg(
  bin: string,
  args: string[],
  opts: RunOptions,
  onWrite?: (n: number) => void
): Promise<{ stdout: Buffer; stderr: string }> {
  const { signal } = opts
  if (signal.aborted) throw signal.reason
  const sink = opts.stdout ?? { ignore: true }
  const tool = spawnTool(bin, args, { stdio: ['ignore', 'ignore' in sink ? 'ignore' : 'pipe', 'pipe'] })
  const { child } = tool
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-STDERR_TAIL)))
  const kill = (): void => tool.stop()
  signal.addEventListener('abort', kill, { once: true })
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (c, s) => resolve([c, s]))
  })
  closed.catch(() => {})
  const chunks: Buffer[] = []
  try {
    if (child.stdout && 'file' in sink) {
      let at = sink.position ?? 0
      // back-pressure: the next chunk is read once this one is on disk
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        await sink.file.write(chunk, 0, chunk.length, at)
        at += chunk.length
        onWrite?.(chunk.length)
      }
    } else if (child.stdout && 'maxBytes' in sink) {
      let size = 0
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size > sink.maxBytes) {
          kill()
          throw new FfmpegError(`ffmpeg wrote more than ${sink.maxBytes} bytes where at most that was expected`)
        }
        chunks.push(chunk)
      }
    }
    const [code, sig] = await closed
    if (signal.aborted) throw signal.reason
    if (code !== 0) {
      const said = summarizeStderr(stderr)
      // a signal from outside (the OOM killer) or ffmpeg's own abort (heap corruption): say which
      throw new FfmpegError(`ffmpeg failed (${sig ?? `exit ${code}`}): ${said}`)
    }
    return { stdout: Buffer.concat(chunks), stderr }
  } catch (err) {
    // stop() leaves a tool that has exited alone
    kill()
    throw err
  } finally {
    signal.removeEventListener('abort', kill)
  }
}
