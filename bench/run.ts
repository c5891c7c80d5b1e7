// npm run bench [-- --smoke]: each figure as a ratio against a reference measured in the same run
// (curl, node -e '', the poll interval, an x264 encode-only run), written to bench/RESULTS.md.
import { execFile, spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { ATTRIBUTION, NemoClient } from '../src/backends/nemo/client.js'
import { createSession } from '../src/backends/nemo/session.js'
import { makeMp4 } from '../test/helpers/media.js'
import { startNemoServer, type NemoServer } from '../test/servers/nemo.js'
import { matrixScenario } from './matrix.js'
import { measure, median, type Measured } from './measure.js'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '..')
const smoke = process.argv.includes('--smoke')
// --only=transfers,start,local,versions,matrix runs a part (RESULTS.md is written only by a full run)
const only = process.argv
  .find(a => a.startsWith('--only='))
  ?.slice(7)
  .split(',')
const wanted = (part: string): boolean => !only || only.includes(part)
const S = smoke
  ? {
      files: 2,
      fileMb: 8,
      downloadMb: 16,
      repeats: 1,
      coldRuns: 2,
      latencyRuns: 1,
      renderRuns: 1,
      render: { seconds: 6, res: '720p', size: '1280x720' }
    }
  : {
      files: 10,
      fileMb: 100,
      downloadMb: 500,
      repeats: 3,
      coldRuns: 5,
      latencyRuns: 3,
      renderRuns: 3,
      render: { seconds: 30, res: '1080p', size: '1920x1080' }
    }
const TOKEN = 'nmv_usr_bench_token'
const work = await mkdtemp(join(tmpdir(), 'img2vid-bench-'))
const rows: Array<{ figure: string; value: string; reference: string; ratio: string; target: string; ok: boolean }> = []
const log = (s: string): void => void process.stdout.write(`${s}\n`)

/** A file of `mb` MiB: a JPEG (or MP4) signature, then random bytes (nothing compresses). */
async function bigFile(path: string, mb: number, head: Buffer): Promise<void> {
  const out = createWriteStream(path)
  const chunk = Buffer.alloc(1 << 20)
  for (let i = 0; i < mb; i++) {
    randomFillSync(chunk)
    if (i === 0) head.copy(chunk)
    if (!out.write(chunk)) await new Promise<void>(r => out.once('drain', () => r()))
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())))
}

/**
 * A real MP4 of about `mb` MiB: a short faststart clip whose mdat (the last box) is padded, so the
 * download's structure check passes and the transfer is the size asked for.
 */
async function bigMp4(path: string, mb: number): Promise<void> {
  const clip = await makeMp4({ width: 320, height: 180, seconds: 2 })
  const head = await readFile(clip)
  let at = 0
  while (at < head.length && head.toString('latin1', at + 4, at + 8) !== 'mdat') at += head.readUInt32BE(at)
  const pad = Math.max(0, mb * 1048576 - head.length)
  head.writeUInt32BE(head.length - at + pad, at)
  const out = createWriteStream(path)
  out.write(head)
  const zeros = Buffer.alloc(1 << 20)
  for (let left = pad; left > 0; left -= zeros.length) {
    if (!out.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) await new Promise<void>(r => out.once('drain', () => r()))
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())))
}

async function bundleClients(): Promise<string> {
  const out = join(work, 'clients.mjs')
  await run(join(root, 'node_modules/.bin/esbuild'), [
    join(root, 'bench/clients.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node24',
    `--outfile=${out}`,
    '--log-level=warning',
    "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
  ])
  return out
}

function result(stdout: string): { ms: number; maxRssMb: number } {
  const line = stdout.split('\n').find(l => l.startsWith('RESULT '))
  if (!line) throw new Error(`no RESULT in ${stdout.slice(-500)}`)
  return JSON.parse(line.slice(7)) as { ms: number; maxRssMb: number }
}

const attribution = Object.entries(ATTRIBUTION).flatMap(([k, v]) => ['-H', `${k}: ${v}`])

async function transfers(clients: string): Promise<void> {
  const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0])
  const files: string[] = []
  for (let i = 0; i < S.files; i++) {
    const f = join(work, `photo-${i}.jpg`)
    await bigFile(f, S.fileMb, head)
    files.push(f)
  }
  const mp4 = join(work, 'render.mp4')
  await bigMp4(mp4, S.downloadMb)
  const server = await startNemoServer({ mp4Path: mp4, config: { userTokens: [TOKEN], credits: 1e9 } })
  try {
    const http = new NemoClient({ apiUrl: new URL(server.url), token: TOKEN, allowAnonymous: false, clientId: 'bench' })
    const { sessionId } = await createSession(http, 'en', new AbortController().signal)
    const uploadUrl = `${server.url}/api/upload-video/nemo_agent/me/${sessionId}`
    const total = S.files * S.fileMb
    log(`upload: ${S.files} × ${S.fileMb} MiB`)
    const ours: number[] = []
    const theirs: number[] = []
    let rss = 0
    let curlRss = 0
    for (let i = 0; i < S.repeats; i++) {
      const c = await measure('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{time_total}',
        '-H',
        `Authorization: Bearer ${TOKEN}`,
        ...attribution,
        ...files.flatMap(f => ['-F', `files=@${f};type=image/jpeg`]),
        uploadUrl
      ])
      theirs.push(Number(c.stdout.trim()) * 1000)
      curlRss = Math.max(curlRss, c.peakRssMb)
      const m = await measure(process.execPath, [clients, 'upload', server.url, TOKEN, sessionId, ...files])
      ours.push(result(m.stdout).ms)
      rss = Math.max(rss, m.peakRssMb)
      log(
        `  run ${i + 1}: action ${ours.at(-1)?.toFixed(0)} ms, curl ${theirs.at(-1)?.toFixed(0)} ms, action peak RSS ${m.peakRssMb.toFixed(0)} MB`
      )
    }
    const up = median(ours) / median(theirs)
    rows.push({
      figure: `upload ${total} MiB (${S.files} files)`,
      value: `${(median(ours) / 1000).toFixed(2)} s (${(total / (median(ours) / 1000)).toFixed(0)} MiB/s)`,
      reference: `curl -F: ${(median(theirs) / 1000).toFixed(2)} s`,
      ratio: `${up.toFixed(2)}×`,
      target: '≤ 1.1×',
      ok: up <= 1.1
    })
    rows.push({
      figure: 'upload peak RSS',
      value: `${rss.toFixed(0)} MB`,
      reference: `curl: ${curlRss.toFixed(0)} MB`,
      ratio: '',
      target: '≤ 150 MB',
      ok: rss <= 150
    })

    log(`download: ${S.downloadMb} MiB`)
    const url = `${server.cdnUrl}/renders/render_bench.mp4`
    const dOurs: number[] = []
    const dTheirs: number[] = []
    let dRss = 0
    let curlDlRss = 0
    for (let i = 0; i < S.repeats; i++) {
      const out = join(work, `dl-${i}.mp4`)
      // like for like: the action writes the file and hashes it as it arrives (and checks the
      // MP4's structure), so the reference is curl writing the file through sha256sum at once;
      // timed from spawn to exit, a few ms of process start more than the action's own figure
      const c = await measure('sh', ['-c', 'curl -sS "$1" | tee "$2" | sha256sum', 'sh', url, out])
      dTheirs.push(c.ms)
      curlDlRss = Math.max(curlDlRss, c.peakRssMb)
      await rm(out, { force: true })
      const m = await measure(process.execPath, [clients, 'download', server.url, TOKEN, url, out])
      dOurs.push(result(m.stdout).ms)
      dRss = Math.max(dRss, m.peakRssMb)
      await rm(out, { force: true })
      log(
        `  run ${i + 1}: action ${dOurs.at(-1)?.toFixed(0)} ms, curl → tee → sha256sum ${dTheirs.at(-1)?.toFixed(0)} ms, action peak RSS ${m.peakRssMb.toFixed(0)} MB`
      )
    }
    const down = median(dOurs) / median(dTheirs)
    rows.push({
      figure: `download ${S.downloadMb} MiB`,
      value: `${(median(dOurs) / 1000).toFixed(2)} s`,
      reference: `curl → tee → sha256sum: ${(median(dTheirs) / 1000).toFixed(2)} s`,
      ratio: `${down.toFixed(2)}×`,
      target: '≤ 1.1×',
      ok: down <= 1.1
    })
    rows.push({
      figure: 'download peak RSS',
      value: `${dRss.toFixed(0)} MB`,
      reference: `curl → tee → sha256sum: ${curlDlRss.toFixed(0)} MB`,
      ratio: '',
      target: '≤ 150 MB',
      ok: dRss <= 150
    })
  } finally {
    await server.close()
    for (const f of await readdir(work)) if (/^(photo-|render\.mp4|dl-)/.test(f)) await rm(join(work, f), { force: true })
  }
}

/** A workspace with `n` photos (the examples, repeated) and the example music. */
async function workspace(n: number): Promise<{ workspace: string; temp: string }> {
  const ws = await mkdtemp(join(work, 'ws-'))
  const temp = join(ws, '.runner-temp')
  await mkdir(join(ws, 'photos'), { recursive: true })
  await mkdir(temp)
  const examples = (await readdir(join(root, 'examples'))).filter(f => f.endsWith('.jpg')).sort()
  for (let i = 0; i < n; i++)
    await copyFile(join(root, 'examples', examples[i % examples.length]), join(ws, 'photos', `${String(i + 1).padStart(2, '0')}.jpg`))
  await copyFile(join(root, 'examples', 'music.m4a'), join(ws, 'music.m4a'))
  return { workspace: ws, temp }
}

function actionEnv(ws: { workspace: string; temp: string }, inputs: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: ws.workspace,
    RUNNER_TEMP: ws.temp,
    GITHUB_OUTPUT: join(ws.temp, 'out'),
    GITHUB_STEP_SUMMARY: join(ws.temp, 'summary'),
    GITHUB_REPOSITORY: 'bench/img2vid'
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  return env
}

function spawnAction(env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise(done => spawn(process.execPath, [join(root, 'dist/index.js')], { env, stdio: 'ignore' }).on('close', done))
}

async function latencyAndColdStart(): Promise<void> {
  const server: NemoServer = await startNemoServer({ config: { userTokens: [TOKEN], credits: 1e9, renderPolls: 0 } })
  try {
    const ws = await workspace(2)
    await Promise.all([writeFile(join(ws.temp, 'out'), ''), writeFile(join(ws.temp, 'summary'), '')])
    const inputs = { images: 'photos/*.jpg', prompt: 'bench', 'api-url': server.url, token: TOKEN, 'upload-artifact': 'false' }

    // cold start: spawn → first request at the server, against `node -e ''`
    const cold: number[] = []
    const bare: number[] = []
    for (let i = 0; i < S.coldRuns; i++) {
      let t = performance.now()
      await new Promise(done => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('close', done))
      bare.push(performance.now() - t)
      const before = server.requests.length
      const started = Date.now()
      t = performance.now()
      const child = spawn(process.execPath, [join(root, 'dist/index.js')], { env: actionEnv(ws, inputs), stdio: 'ignore' })
      while (server.requests.length === before) await new Promise(r => setTimeout(r, 2))
      cold.push(server.requests[before].at - started)
      child.kill()
      await new Promise(r => child.on('close', r))
    }
    const over = median(cold) - median(bare)
    rows.push({
      figure: 'cold start → first request',
      value: `${median(cold).toFixed(0)} ms`,
      reference: `node -e '': ${median(bare).toFixed(0)} ms`,
      ratio: `+${over.toFixed(0)} ms`,
      target: '≤ +300 ms',
      ok: over <= 300
    })

    // render complete → download starts: the render completes renderMs after export, polls every 2 s
    const interval = 2
    server.config.renderMs = 3100
    const lat: number[] = []
    for (let i = 0; i < S.latencyRuns; i++) {
      const before = server.requests.length
      await spawnAction(actionEnv(ws, { ...inputs, 'poll-interval': String(interval) }))
      const mine = server.requests.slice(before)
      const exp = mine.find(q => q.route === 'export')
      const dl = mine.find(q => q.route === 'download')
      if (!exp || !dl) throw new Error('latency run did not export and download')
      lat.push(dl.at - (exp.at + server.config.renderMs))
    }
    const worst = Math.max(...lat)
    rows.push({
      figure: 'render complete → download starts',
      value: `${(worst / 1000).toFixed(2)} s (worst of ${lat.length})`,
      reference: `poll-interval ${interval} s`,
      ratio: `${(worst / 1000 / interval).toFixed(2)}×`,
      target: '≤ interval + 1 s',
      ok: worst <= interval * 1000 + 1000
    })
  } finally {
    await server.close()
  }
}

/**
 * n phone-size photos in a fresh workspace: 12 MP JPEGs, landscape 4032×3024 and portrait 3024×4032
 * as the example photographs are (four distinct ones, two of each, repeated), with a little grain.
 */
async function phoneWorkspace(n: number): Promise<{ workspace: string; temp: string }> {
  const ws = await workspace(0)
  const examples = (await readdir(join(root, 'examples'))).filter(f => f.endsWith('.jpg')).sort()
  const made: string[] = []
  for (let i = 0; i < 4; i++) {
    const src = join(root, 'examples', examples[i % examples.length])
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', src])
    const [w, h] = stdout.trim().split(',').map(Number)
    const long = smoke ? 1008 : 4032
    const short = smoke ? 756 : 3024
    const size = w >= h ? `${long}:${short}` : `${short}:${long}`
    const out = join(ws.workspace, `phone-${i}.jpg`)
    await run('ffmpeg', ['-v', 'error', '-y', '-i', src, '-vf', `scale=${size}:flags=bicubic,noise=alls=6`, '-q:v', '3', out])
    made.push(out)
  }
  for (let i = 0; i < n; i++) await copyFile(made[i % 4], join(ws.workspace, 'photos', `${String(i + 1).padStart(3, '0')}.jpg`))
  await Promise.all([writeFile(join(ws.temp, 'out'), ''), writeFile(join(ws.temp, 'summary'), '')])
  return ws
}

/**
 * A hand-written ffmpeg command for the same job, as an expert would write it: each photo scaled
 * once and moved by zoompan, xfade between clips, the title by drawtext, the music faded.
 */
function peerArgs(photos: string[], out: string, seconds: number, size: string, font: string): string[] {
  const [W, H] = size.split('x').map(Number)
  const n = photos.length
  const T = 0.75
  const D = (seconds + (n - 1) * T) / n
  const F = Math.round(D * 30)
  const [sw, sh] = [Math.round(W * 1.12), Math.round(H * 1.12)]
  const lines = photos.map(
    (_p, i) =>
      `[${i}:v]scale=${sw}:${sh}:force_original_aspect_ratio=increase,crop=${sw}:${sh},setsar=1,` +
      `zoompan=z='1+0.12*on/${F}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=${F}:s=${size}:fps=30,format=yuv420p[v${i}]`
  )
  let last = 'v0'
  for (let i = 1; i < n; i++) {
    lines.push(`[${last}][v${i}]xfade=transition=fade:duration=${T}:offset=${(i * (D - T)).toFixed(4)}[x${i}]`)
    last = `x${i}`
  }
  lines.push(
    `[${last}]drawtext=fontfile=${font}:text='Ten Postcards':fontsize=${Math.round(H / 12)}:fontcolor=white:x=(w-text_w)/2:y=h*0.78:enable='lt(t,3)'[vout]`
  )
  lines.push(`[${n}:a]atrim=0:${seconds},afade=t=in:d=1,afade=t=out:st=${seconds - 1.5}:d=1.5[aout]`)
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...photos.flatMap(p => ['-i', p]),
    '-stream_loop',
    '-1',
    '-i',
    join(root, 'examples', 'music.m4a'),
    '-filter_complex',
    lines.join(';'),
    '-map',
    '[vout]',
    '-map',
    '[aout]',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-t',
    String(seconds),
    out
  ]
}

/** The local render's job: n phone photos, crossfades, Ken Burns, a title and music. */
const renderInputs = (n: number, seconds: number): Record<string, string> => ({
  images: 'photos/*.jpg',
  prompt: 'Travel teaser with crossfades and Ken Burns',
  backend: 'local',
  duration: String(seconds),
  resolution: S.render.res,
  'aspect-ratio': '16:9',
  transition: 'fade',
  title: n === 10 ? 'Ten Postcards' : 'A Hundred Postcards',
  music: 'music.m4a',
  'upload-artifact': 'false'
})
/** x264 alone, as the action's encoder runs (veryfast, CRF 23), into nothing */
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-f', 'null', '-']
/** the encode-only bound: x264 on testsrc2 of the render's size and length, with `ffmpeg` */
const encodeOnly = (ffmpeg: string): Promise<Measured> =>
  measure(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${S.render.size}:rate=30:duration=${S.render.seconds}`,
    ...X264
  ])

/**
 * The same job five ways, interleaved RUNS times (this machine's speed drifts; medians of runs taken
 * side by side): the action with its defaults (poster and preview included); x264 alone on testsrc2;
 * x264 alone on this very video's frames (written once by a run whose encoder's input is copied
 * to a file), which is what the encoder needs for this content whatever made the frames; and the
 * hand-written ffmpeg command.
 */
async function localRender(): Promise<void> {
  const ws = await phoneWorkspace(10)
  const env = actionEnv(ws, renderInputs(10, S.render.seconds))
  // the frames x264 gets, copied once (not a timed run): a wrapper runs each segment's ffmpeg, then
  // runs it again with its encoder and output replaced by raw frames into a file of its own
  const raw = join(work, 'frames.yuv')
  const tap = join(work, 'ffmpeg-tap')
  await writeFile(
    tap,
    `#!${process.execPath}
const { spawnSync } = require('node:child_process')
const a = process.argv.slice(2)
const r = spawnSync('ffmpeg', a, { stdio: 'inherit' })
const seg = a.map(x => /segment-(\\d+)\\.mp4$/.exec(x)).find(Boolean)
if (r.status === 0 && seg && a.includes('libx264'))
  spawnSync('ffmpeg', [...a.slice(0, a.indexOf('-c:v')), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'file:${raw}.' + seg[1]], { stdio: 'inherit' })
process.exit(r.status ?? 1)
`,
    { mode: 0o755 }
  )
  const tapped = await measure(process.execPath, [join(root, 'dist/index.js')], {
    env: { ...env, 'INPUT_FFMPEG-PATH': tap, INPUT_PREVIEWS: 'false' },
    cwd: ws.workspace
  })
  if (/::error::/.test(tapped.stdout)) throw new Error(tapped.stdout.split('\n').find(l => l.startsWith('::error::')))
  const pieces = (await readdir(work))
    .filter(f => f.startsWith('frames.yuv.'))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
  await writeFile(raw, '')
  for (const p of pieces) {
    await pipeline(createReadStream(join(work, p)), createWriteStream(raw, { flags: 'a' }))
    await rm(join(work, p))
  }
  const photos = (await readdir(join(ws.workspace, 'photos'))).sort().map(f => join(ws.workspace, 'photos', f))
  const font = join(root, 'fonts', 'DejaVuSans-Bold.ttf')
  const jobs = {
    ours: (): Promise<Measured> => measure(process.execPath, [join(root, 'dist/index.js')], { env, cwd: ws.workspace }),
    testsrc: (): Promise<Measured> => encodeOnly('ffmpeg'),
    frames: (): Promise<Measured> =>
      measure(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', S.render.size].concat([
          '-framerate',
          '30',
          '-i',
          raw,
          ...X264
        ])
      ),
    peer: (): Promise<Measured> => measure('ffmpeg', peerArgs(photos, join(work, 'peer.mp4'), S.render.seconds, S.render.size, font)),
    noPreviews: (): Promise<Measured> =>
      measure(process.execPath, [join(root, 'dist/index.js')], { env: { ...env, INPUT_PREVIEWS: 'false' }, cwd: ws.workspace })
  }
  const runs: Record<keyof typeof jobs, Measured[]> = { ours: [], testsrc: [], frames: [], peer: [], noPreviews: [] }
  for (let r = 0; r < S.renderRuns; r++)
    for (const [name, job] of Object.entries(jobs) as [keyof typeof jobs, () => Promise<Measured>][]) {
      const m = await job()
      if (/::error::/.test(m.stdout)) throw new Error(m.stdout.split('\n').find(l => l.startsWith('::error::')))
      runs[name].push(m)
    }
  await rm(raw, { force: true })
  const ms = (name: keyof typeof jobs): number => median(runs[name].map(m => m.ms))
  const peak = (name: keyof typeof jobs): number => Math.max(...runs[name].map(m => m.peakRssMb))
  const [ours, bound, frames, peer, noPreviews] = [ms('ours'), ms('testsrc'), ms('frames'), ms('peer'), ms('noPreviews')]
  const s = (v: number): string => `${(v / 1000).toFixed(1)} s`
  const what = `${S.render.seconds} s ${S.render.res} from 10 phone photos (${smoke ? '1008×756 and 756×1008' : '4032×3024 and 3024×4032'}; transitions, Ken Burns, title, music), median of ${S.renderRuns}`
  rows.push({
    figure: `local: ${what}, defaults (poster and preview too)`,
    value: s(ours),
    reference: `x264 encode-only (testsrc2, veryfast): ${s(bound)}`,
    ratio: `${(ours / bound).toFixed(2)}×`,
    target: '≤ 1.3×',
    ok: ours / bound <= 1.3
  })
  rows.push({
    figure: `local: the same, against x264 encode-only of this video's own frames`,
    value: s(ours),
    reference: `x264 encode-only (these frames from a file, veryfast): ${s(frames)}; testsrc2 ${s(bound)}`,
    ratio: `${(ours / frames).toFixed(2)}× (the frames: ${(frames / bound).toFixed(2)}× testsrc2)`,
    target: '≤ 1.3×',
    ok: ours / frames <= 1.3
  })
  rows.push({
    figure: `local: the same with 'previews: false' (the job the peer does)`,
    value: s(noPreviews),
    reference: `x264 encode-only: testsrc2 ${s(bound)}, these frames ${s(frames)}`,
    ratio: `${(noPreviews / bound).toFixed(2)}× / ${(noPreviews / frames).toFixed(2)}×`,
    target: '≤ 1.3×',
    ok: noPreviews / bound <= 1.3
  })
  rows.push({
    figure: `local vs a hand-written ffmpeg command (zoompan, xfade, drawtext): ${what}`,
    value: `${s(noPreviews)} (${s(ours)} with previews)`,
    reference: `expert ffmpeg: ${s(peer)}, peak ${peak('peer').toFixed(0)} MB`,
    ratio: `${(noPreviews / peer).toFixed(2)}× (${(ours / peer).toFixed(2)}×)`,
    target: '≤ 1.0×',
    ok: noPreviews <= peer
  })
  rows.push({
    figure: `local peak RSS (largest process), 10 phone photos`,
    value: `${peak('ours').toFixed(0)} MB`,
    reference: `x264 encode-only: ${peak('testsrc').toFixed(0)} MB`,
    ratio: `${(peak('ours') / peak('testsrc')).toFixed(2)}×`,
    target: '≤ 400 MB',
    ok: peak('ours') <= 400
  })
  const many = smoke ? 20 : 100
  const big = await phoneWorkspace(many)
  const hundred = await measure(process.execPath, [join(root, 'dist/index.js')], {
    env: actionEnv(big, renderInputs(many, 40)),
    cwd: big.workspace
  })
  if (/::error::/.test(hundred.stdout)) throw new Error(hundred.stdout.split('\n').find(l => l.startsWith('::error::')))
  rows.push({
    figure: `local peak RSS (largest process), ${many} phone photos, 40 s`,
    value: `${hundred.peakRssMb.toFixed(0)} MB (${(hundred.ms / 1000).toFixed(0)} s)`,
    reference: `x264 encode-only: ${peak('testsrc').toFixed(0)} MB`,
    ratio: `${(hundred.peakRssMb / peak('testsrc')).toFixed(2)}×`,
    target: '≤ 400 MB',
    ok: hundred.peakRssMb <= 400
  })
}

/**
 * The local render on each ffmpeg the tests run (PATH's and Debian's roots, scripts/ffmpeg-roots.sh),
 * each against x264 encode-only of the same ffmpeg, interleaved, medians of RENDER runs: no version
 * may be slower against its own encoder than Debian 12's 5.1 was (1.36× with the defaults, 1.19×
 * with 'previews: false').
 */
async function localVersions(): Promise<void> {
  const { stdout } = await run('bash', [join(root, 'scripts/ffmpeg-roots.sh'), 'bullseye', 'trixie', 'sid'], { maxBuffer: 1 << 20 })
  // 'ffmpeg-path' takes a path: PATH's ffmpeg by its own
  const onPath = (await run('sh', ['-c', 'command -v ffmpeg'])).stdout.trim()
  const ffmpegs = [onPath, ...stdout.trim().split('\n').filter(Boolean)]
  const names = await Promise.all(ffmpegs.map(async f => (await run(f, ['-hide_banner', '-version'])).stdout.split(' ')[2]))
  const ws = await phoneWorkspace(10)
  const env = actionEnv(ws, renderInputs(10, S.render.seconds))
  const times = ffmpegs.map(() => ({ ours: [] as number[], noPreviews: [] as number[], bound: [] as number[] }))
  for (let r = 0; r < S.renderRuns; r++)
    for (const [i, ffmpeg] of ffmpegs.entries()) {
      const action = async (extra: NodeJS.ProcessEnv): Promise<number> => {
        const m = await measure(process.execPath, [join(root, 'dist/index.js')], {
          env: { ...env, 'INPUT_FFMPEG-PATH': ffmpeg, ...extra },
          cwd: ws.workspace
        })
        if (/::error::/.test(m.stdout)) throw new Error(`${names[i]}: ${m.stdout.split('\n').find(l => l.startsWith('::error::'))}`)
        return m.ms
      }
      times[i].ours.push(await action({}))
      times[i].noPreviews.push(await action({ INPUT_PREVIEWS: 'false' }))
      times[i].bound.push((await encodeOnly(ffmpeg)).ms)
    }
  const s = (v: number): string => `${(v / 1000).toFixed(1)} s`
  for (const [i, t] of times.entries()) {
    const [ours, noPreviews, bound] = [median(t.ours), median(t.noPreviews), median(t.bound)]
    rows.push({
      figure: `local on ffmpeg ${names[i]}: ${S.render.seconds} s ${S.render.res} from 10 phone photos, defaults / 'previews: false', median of ${S.renderRuns}`,
      value: `${s(ours)} / ${s(noPreviews)}`,
      reference: `x264 encode-only of the same ffmpeg (testsrc2, veryfast): ${s(bound)}`,
      ratio: `${(ours / bound).toFixed(2)}× / ${(noPreviews / bound).toFixed(2)}×`,
      target: "≤ 1.36× / ≤ 1.19× (Debian 12's 5.1 before)",
      ok: ours / bound <= 1.36 && noPreviews / bound <= 1.19
    })
  }
}

/** A manifest on a job matrix (bench/matrix.ts): what a real matrix's wall time would be, against one job. */
async function matrix(): Promise<void> {
  const videos = smoke ? 6 : 24
  const jobs = smoke ? 2 : 8
  const sec = (v: number): string => `${v.toFixed(1)} s`
  const f = await matrixScenario({ videos, jobs })
  const longest = Math.max(...f.jobs)
  const wall = f.plan + longest + f.collect
  log(`matrix: one job ${sec(f.oneJob)}; plan ${sec(f.plan)}, jobs ${f.jobs.map(sec).join(' ')}, collect ${sec(f.collect)}`)
  rows.push({
    figure: `matrix: ${videos} local videos, plan + the longest of ${jobs} jobs + collect`,
    value: `${sec(wall)} (plan ${sec(f.plan)}, collect ${sec(f.collect)}: ${((100 * (f.plan + f.collect)) / wall).toFixed(0)} %)`,
    reference: `one job, max-parallel 2: ${sec(f.oneJob)}`,
    ratio: `${(f.oneJob / wall).toFixed(2)}× faster`,
    target: `≥ ${jobs / 2}× faster`,
    ok: f.oneJob / wall >= jobs / 2
  })
}

try {
  log(`img2vid bench${smoke ? ' (smoke)' : ''}: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`)
  const clients = await bundleClients()
  if (wanted('transfers')) await transfers(clients)
  if (wanted('start')) await latencyAndColdStart()
  if (wanted('local')) await localRender()
  if (wanted('versions')) await localVersions()
  if (wanted('matrix')) await matrix()
  const table = [
    '| figure | action | reference (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r.figure} | ${r.value} | ${r.reference} | ${r.ratio} | ${r.target} | ${r.ok ? '✅' : '❌'} |`)
  ].join('\n')
  log(`\n${table}`)
  if (!smoke && !only) {
    const { stdout: ff } = await run('ffmpeg', ['-version'])
    const { stdout: curl } = await run('curl', ['--version'])
    await writeFile(
      join(root, 'bench/RESULTS.md'),
      `# Benchmark results\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${ff.split('\n')[0]}, ${curl.split('\n')[0].split(' ').slice(0, 2).join(' ')}. ` +
        `Everything runs on loopback on this one machine, so client and server share its ${cpus().length} cores. Transfers are the median of ${S.repeats} runs; the action's side is its own transfer code (src/nemo/upload.ts, src/nemo/render.ts) bundled and run as a separate process, timed from the start to the end of the transfer, like curl's \`time_total\`.\n\n${table}\n`
    )
    log('\nwritten to bench/RESULTS.md')
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
