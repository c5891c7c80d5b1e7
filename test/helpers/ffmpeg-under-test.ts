// The ffmpeg the action is tested with: $IMG2VID_TEST_FFMPEG (a wrapper named ffmpeg that runs
// another Debian release's ffmpeg, made by scripts/ffmpeg-roots.sh), else the one on PATH. The tests'
// own measuring (decoding frames, probing) always uses PATH's, so every version is measured alike.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { Ffmpeg } from '../../src/media/ffmpeg.js'

export const FFMPEG_UNDER_TEST = process.env.IMG2VID_TEST_FFMPEG || 'ffmpeg'

if (process.env.IMG2VID_TEST_FFMPEG && basename(process.env.IMG2VID_TEST_FFMPEG) !== 'ffmpeg')
  throw new Error('IMG2VID_TEST_FFMPEG must name a file called ffmpeg (its folder goes first on the PATH of the action under test)')

/** The folder to put first on the action's PATH, when another ffmpeg is under test. */
export const FFMPEG_DIR_UNDER_TEST = process.env.IMG2VID_TEST_FFMPEG ? dirname(process.env.IMG2VID_TEST_FFMPEG) : undefined

export function ffmpegUnderTest(): Promise<Ffmpeg> {
  return Ffmpeg.open(FFMPEG_UNDER_TEST)
}

/** Whether the action's log names the ffmpeg under test ("ffmpeg <version> (<path>)"): the one it ran. */
export async function namesFfmpegUnderTest(stdout: string): Promise<boolean> {
  const { version } = await ffmpegUnderTest()
  return stdout.split('\n').some(l => l.startsWith(`ffmpeg ${version.text} (`))
}

/** An executable that prints `text` for -version, as an ffmpeg would. */
export async function ffmpegStub(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'img2vid-stub-'))
  const bin = join(dir, 'ffmpeg')
  await writeFile(bin, `#!/bin/sh\ncat <<'EOF'\n${text}\nEOF\n`)
  await chmod(bin, 0o755)
  return bin
}
