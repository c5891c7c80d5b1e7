import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'
import { inspectFile } from '../../src/media/mp4.js'
import { BadMp4Error } from '../../src/media/errors.js'
import { makeMp4 } from '../helpers/media.js'

it('reads duration, size and codecs of a faststart MP4', async () => {
  const { info } = await inspectFile(await makeMp4({ width: 320, height: 180, seconds: 3, audio: true }))
  assert.equal(info.duration, 3)
  assert.equal(info.width, 320)
  assert.equal(info.height, 180)
  assert.match(info.videoCodec, /^avc1\./)
  assert.match(info.audioCodec ?? '', /^mp4a\./)
})

it('finds the moov at the end of a file', async () => {
  const out = join(tmpdir(), `img2vid-moov-end-${process.pid}.mp4`)
  await promisify(execFile)('ffmpeg', [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=256x144:rate=10:duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    out
  ])
  const { info } = await inspectFile(out)
  assert.deepEqual([info.duration, info.width, info.height], [2, 256, 144])
})

it('refuses what is not an MP4', async () => {
  const html = join(tmpdir(), `img2vid-not-mp4-${process.pid}.mp4`)
  await writeFile(html, '<html>rate limited</html>')
  await assert.rejects(inspectFile(html), (e: Error) => e instanceof BadMp4Error && /not an MP4/.test(e.message))
})
