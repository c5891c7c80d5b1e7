// The local backend with real ffmpeg: small renders checked from the file (duration, size,
// audio) and from decoded frames (Ken Burns moves, transitions blend).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { createLocalBackend, encoderThreads, renderPlan } from '../../src/backends/local/local-backend.js'
import {
  chooseFit,
  clipFrames,
  layoutClips,
  panoramaPan,
  segmentArgs,
  segmentGraph,
  segments,
  xfadeOffsets
} from '../../src/backends/local/filtergraph.js'
import { describeHints, makePlan, planToDraft, readPrompt, type LocalPlan } from '../../src/backends/local/plan.js'
import { CJK_FONTS, chooseFont, findFont, fontFaces, scriptOf } from '../../src/backends/local/fonts.js'
import { overlayItems } from '../../src/backends/local/overlays.js'
import type { InputFile } from '../../src/input-files/input-file.js'
import { FITS, TRANSITIONS } from '../../src/shared/options.js'
import type { VideoRequest } from '../../src/request/request.js'
import { describe as describeTimeline, summarize } from '../../src/shared/timeline.js'
import { inspectFile } from '../../src/media/mp4.js'
import { ffmpegUnderTest } from '../helpers/ffmpeg-under-test.js'
import { makeAudio, makeImage } from '../helpers/media.js'
import { greyFrames, shift } from '../helpers/motion.js'

const run = promisify(execFile)

/** A decoded frame at `t` seconds, as 64×36 gray bytes. */
async function frame(file: string, t: number): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-vf', 'scale=64:36,format=gray', '-f', 'rawvideo', '-'],
    { encoding: 'buffer', maxBuffer: 1 << 20 }
  )
  return stdout as unknown as Buffer
}
const diff = (a: Buffer, b: Buffer): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length

async function streams(file: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file])
  return stdout.trim().split('\n')
}

const base: VideoRequest = { turns: ['A short travel teaser'], resolution: '720p', language: 'en' }
let images: InputFile[]
let music: InputFile

before(async () => {
  images = await Promise.all(
    [1, 2, 3].map(async seed => ({
      path: await makeImage({ seed, width: 400, height: 300 }),
      name: `${seed}.jpg`,
      size: 1,
      kind: 'image' as const,
      type: 'jpg',
      mime: 'image/jpeg'
    }))
  )
  music = { path: await makeAudio({ seconds: 2 }), name: 'm.mp3', size: 1, kind: 'audio', type: 'mp3', mime: 'audio/mpeg' }
})

/** A one-frame image made by a lavfi source (extra: encoder options before the path). */
const lavfiImage = (source: string, path: string, extra: string[] = []): Promise<unknown> =>
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', source, '-frames:v', '1', ...extra, path])
const small = (plan: LocalPlan): LocalPlan => ({ ...plan, width: 320, height: 180 })

describe('local plan', () => {
  it('reads what a person writes in the prompt', () => {
    assert.deepEqual(readPrompt('A 30-second vertical reel with fades and Ken Burns, title "Spring Sale"'), {
      duration: 30,
      aspectRatio: '9:16',
      transition: 'fade',
      kenBurns: true,
      title: 'Spring Sale'
    })
    assert.deepEqual(readPrompt('square 45s, no transitions, static, 720p'), {
      duration: 45,
      aspectRatio: '1:1',
      resolution: '720p',
      transition: 'none',
      kenBurns: false
    })
    assert.equal(readPrompt('slide between shots, portrait').transition, 'slide')
    assert.equal(readPrompt('a wipe, 2 minutes').duration, 120)
  })

  // the orientation as people write it: adjectives agree with their noun (fr, es, pt, de)
  const inflected: [string, string, ReturnType<typeof readPrompt>['aspectRatio']][] = [
    ['en', 'Make it vertical, like Reels', '9:16'],
    ['de', 'Ein vertikales Video aus den Fotos', '9:16'],
    ['de', 'Eine vertikale Diashow', '9:16'],
    ['de', 'Ein Querformat-Video', '16:9'],
    ['de', 'Ein horizontales Video', '16:9'],
    ['de', 'Ein quadratisches Video für den Feed', '1:1'],
    ['es', 'Crea unos vídeos verticales', '9:16'],
    ['es', 'Unas imágenes cuadradas', '1:1'],
    ['es', 'Un vídeo apaisado', '16:9'],
    ['es', 'Unas tomas horizontales', '16:9'],
    ['fr', 'Crée une vidéo verticale de mes photos', '9:16'],
    ['fr', 'Des vidéos verticales pour les stories', '9:16'],
    ['fr', 'Des formats verticaux', '9:16'],
    ['fr', 'Une vidéo carrée', '1:1'],
    ['fr', 'Une vidéo horizontale', '16:9'],
    ['fr', 'Des plans horizontaux', '16:9'],
    ['pt', 'Crie uns vídeos verticais', '9:16'],
    ['pt', 'Uma imagem quadrada', '1:1'],
    ['pt', 'Vídeos horizontais', '16:9']
  ]
  for (const [lang, prompt, aspectRatio] of inflected) {
    it(`reads the orientation in its inflected form (${lang}): ${prompt}`, () => {
      assert.equal(readPrompt(prompt).aspectRatio, aspectRatio)
    })
  }

  // one case per language: the whole duration, the time per photo, the orientation and the title
  const languages: [string, string, ReturnType<typeof readPrompt>][] = [
    ['en', 'A 20-second portrait video titled "Summer in Rome"', { duration: 20, aspectRatio: '9:16', title: 'Summer in Rome' }],
    ['en', 'Show each photo for 3 seconds, landscape', { perImage: 3, aspectRatio: '16:9' }],
    ['en', '2.5 seconds per photo, square, caption: “Open house”', { perImage: 2.5, aspectRatio: '1:1', title: 'Open house' }],
    [
      'de',
      'Ein 20 Sekunden langes Video im Hochformat mit dem Titel „Sommer 2024“',
      { duration: 20, aspectRatio: '9:16', title: 'Sommer 2024' }
    ],
    ['de', 'Jedes Foto 3 Sekunden, Querformat, Überschrift »Unser Urlaub«', { perImage: 3, aspectRatio: '16:9', title: 'Unser Urlaub' }],
    ['de', 'Ein 1,5-Minuten-Video, quadratisch, 4 Sekunden pro Bild', { duration: 90, perImage: 4, aspectRatio: '1:1' }],
    [
      'es',
      'Un vídeo vertical de 20 segundos con el título «Verano en Sevilla»',
      { duration: 20, aspectRatio: '9:16', title: 'Verano en Sevilla' }
    ],
    ['es', 'Cada foto 2,5 segundos, formato horizontal', { perImage: 2.5, aspectRatio: '16:9' }],
    ['es', '3 segundos por imagen, cuadrado, por favor', { perImage: 3, aspectRatio: '1:1' }],
    [
      'fr',
      'Une vidéo de 15 secondes au format portrait, avec le titre « Été à Paris »',
      { duration: 15, aspectRatio: '9:16', title: 'Été à Paris' }
    ],
    ['fr', 'Je veux 3 secondes par photo, en carré', { perImage: 3, aspectRatio: '1:1' }],
    [
      'pt',
      'Um vídeo vertical de 20 segundos com o título "Férias no Algarve"',
      { duration: 20, aspectRatio: '9:16', title: 'Férias no Algarve' }
    ],
    ['pt', 'Cada foto por 2 segundos, modo paisagem', { perImage: 2, aspectRatio: '16:9' }],
    ['zh', '制作一个20秒的竖屏视频，标题为“夏日回忆”', { duration: 20, aspectRatio: '9:16', title: '夏日回忆' }],
    ['zh', '每张照片3秒，横屏', { perImage: 3, aspectRatio: '16:9' }],
    ['zh', '１分钟的正方形视频，标题：「旅行」', { duration: 60, aspectRatio: '1:1', title: '旅行' }],
    ['ja', '20秒の縦型動画、タイトルは「夏の思い出」', { duration: 20, aspectRatio: '9:16', title: '夏の思い出' }],
    ['ja', '「京都の秋」というタイトルで、写真1枚あたり3秒、横長', { perImage: 3, aspectRatio: '16:9', title: '京都の秋' }],
    ['ja', '各写真２秒、縦長', { perImage: 2, aspectRatio: '9:16' }]
  ]
  for (const [lang, prompt, want] of languages)
    it(`reads duration, time per photo, orientation and title in ${lang}: ${prompt}`, () => {
      assert.deepEqual(readPrompt(prompt), want)
    })

  it('takes quoted text as the title only next to a title word', () => {
    assert.equal(readPrompt('A "cozy" video of our cabin, 20 seconds').title, undefined)
    assert.equal(readPrompt('Ein „gemütliches“ Video').title, undefined)
    assert.equal(readPrompt("it's a 'nice' video, isn't it").title, undefined)
    assert.equal(readPrompt('a "cozy" mood, with the text "Welcome home"').title, 'Welcome home')
    assert.equal(readPrompt('"Spring Sale" as the title').title, 'Spring Sale')
    assert.equal(readPrompt("title 'Hello'").title, 'Hello')
  })

  it('makes "each photo for N seconds" N seconds per photo, and the whole duration wins over it', () => {
    const plan = makePlan({ ...base, turns: ['show each photo for 3 seconds'] }, images)
    assert.equal(plan.total, 9)
    assert.equal(makePlan({ ...base, turns: ['jedes Foto 2 Sekunden'], transition: 'none' }, images).total, 6)
    assert.equal(makePlan({ ...base, turns: ['a 12-second video, 3 seconds per photo'] }, images).total, 12)
    assert.equal(makePlan({ ...base, turns: ['3 seconds per photo'], duration: 5 }, images).total, 5)
    assert.equal(describeHints(readPrompt('20秒の縦型動画、タイトルは「夏の思い出」')), '20 s, 9:16, title "夏の思い出"')
    assert.equal(
      describeHints({ duration: 20, aspectRatio: '9:16' }, { aspectRatio: 'aspect-ratio' }),
      "20 s, 9:16 (input 'aspect-ratio' wins)"
    )
    assert.equal(describeHints(readPrompt('make it nice')), '')
  })

  it("refuses a prompt's duration outside what input 'duration' accepts, as 'duration' itself, naming the figure, the range and the fix", async () => {
    const refused = (asked: string): RegExp =>
      new RegExp(
        `The prompt asks for a video of ${asked}; the local backend makes 1 to 600 s, what input 'duration' accepts: ask for at (most 600|least 1) s in the prompt, or set input 'duration' \\(it wins over the prompt\\)\\.$`
      )
    assert.throws(() => makePlan({ ...base, turns: ['A 100000-second video'] }, images), refused('100000 s'))
    assert.throws(() => makePlan({ ...base, turns: ['a 20 minute video'] }, images), refused('1200 s'))
    assert.throws(
      () => makePlan({ ...base, turns: ['each photo for 300 seconds'] }, images),
      refused(String.raw`900 s \(300 s for each of 3 photos\)`)
    )
    assert.throws(() => makePlan({ ...base, turns: ['a 0.5-second video'], transition: 'none' }, images), refused('0.5 s'))
    // the range's own ends are made, and input 'duration' wins over the prompt's figure
    assert.equal(makePlan({ ...base, turns: ['a 10-minute video'] }, images).total, 600)
    assert.equal(makePlan({ ...base, turns: ['A 100000-second video'], duration: 20 }, images).total, 20)
    // through the backend: the job fails before ffmpeg is looked for, after the line of what the prompt said
    const backend = createLocalBackend({ path: '/nonexistent/ffmpeg', installMissing: false })
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const out = await capture(() =>
      backend.render({
        images,
        request: { ...base, turns: ['A 100000-second video'] },
        videos: [{ file: join(dir, 'x.mp4') }],
        tempDir: dir,
        signal: new AbortController().signal,
        deadline: Date.now() + 60_000
      })
    )
    assert.match(out.error?.message ?? '', refused('100000 s'))
    assert.match(out.log, /^Understood from the prompt: 100000 s$/m)
    assert.doesNotMatch(out.log, /::warning::/)
  })

  it('lets inputs win over the prompt and fits the clips to the duration', () => {
    const plan = makePlan(
      { ...base, turns: ['vertical 30-second video with wipes'], aspectRatio: '1:1', duration: 12, transition: 'fade' },
      images
    )
    assert.equal(plan.width, 720)
    assert.equal(plan.height, 720)
    assert.equal(plan.transition, 'fade')
    assert.equal(plan.total, 12)
    assert.equal(plan.clips.length, 3)
    assert.ok(plan.transitionDuration >= 0.5 && plan.transitionDuration <= 1)
    const noHints = makePlan({ ...base, turns: ['make a video'] }, images)
    assert.ok(noHints.clips.every(c => c.duration >= 3 && c.duration <= 5))
  })

  it('gives a draft whose summary looks like the cloud one', () => {
    const plan = makePlan({ ...base, title: 'Hello', music: { file: music }, duration: 9 }, images)
    assert.equal(
      describeTimeline(summarize(planToDraft(plan))),
      'Timeline (3 tracks): 1. Video: 3 clips (0-9s) 2. BGM: m.mp3 (0-9s, 100%) 3. Title: "Hello" (0-3s)'
    )
  })

  it('shortens transitions for many images and says early when even the shortest do not fit', () => {
    const many = (n: number): InputFile[] => Array.from({ length: n }, (_v, i) => ({ ...images[0], name: `${i}.jpg` }))
    const plan = makePlan({ ...base, duration: 20, transition: 'fade' }, many(40))
    assert.ok(plan.transitionDuration > 0 && plan.transitionDuration < 0.5, `transition ${plan.transitionDuration}`)
    const parts = segments(plan, layoutClips(plan, clipFrames(plan), []), { cores: 2, leadFrames: 180 })
    // segments of 2 s or more, but none reads more than 6 photos (a segment's memory stays flat); one
    // after the other, the whole video
    assert.ok(
      parts.every(p => p.clips.length <= 6) && parts.slice(0, -1).every(p => p.frames >= 60 || p.clips.length === 6),
      parts.map(p => `${p.frames}/${p.clips.length}`).join(' ')
    )
    assert.ok(parts.length >= 8 && parts.length <= 12, `${parts.length} segments`)
    assert.deepEqual(
      parts.map(p => p.start),
      parts.map((_p, i) => parts.slice(0, i).reduce((s, p) => s + p.frames, 0))
    )
    assert.equal(
      parts.reduce((s, p) => s + p.frames, 0),
      Math.round(plan.total * plan.fps)
    )
    assert.match(parts[1].graph, /fade=t=in:s=0:n=\d+:alpha=1/)
    // one x264 thread for a usual segment, a long first one its share of a big runner, x264's choice alone
    assert.deepEqual(
      [encoderThreads(75, 900, 2, 10), encoderThreads(225, 900, 2, 10), encoderThreads(225, 300, 4, 2), encoderThreads(300, 300, 2, 1)],
      [1, 1, 3, 0]
    )
    assert.throws(
      () => makePlan({ ...base, duration: 10, transition: 'fade' }, many(100)),
      /100 images need at least 16\.8 s .*'transition: none'/
    )
  })

  it('computes xfade offsets as Σ D_j − k·T and refuses ones that would drop clips', () => {
    assert.deepEqual(xfadeOffsets([4, 4, 4], 1), [3, 6])
    assert.deepEqual(xfadeOffsets([2, 3, 4, 2], 0.5), [1.5, 4, 7.5])
    assert.throws(() => xfadeOffsets([4, 0.5, 4], 1), /does not fit/)
  })

  it('takes for a panorama only a photo twice as long as high, and twice the frame when the frame is long', () => {
    const kind = (w: number, h: number, W: number, H: number): string | undefined => panoramaPan({ width: w, height: h }, W, H, 120, 0)?.dir
    // phone photos, portrait and landscape, in every frame: none (fit 'auto' shows them)
    for (const [W, H] of [
      [1920, 1080],
      [1080, 1920],
      [1080, 1080],
      [1080, 1350]
    ])
      for (const [w, h] of [
        [3024, 4032],
        [4032, 3024],
        [1080, 1920]
      ])
        assert.equal(kind(w, h, W, H), undefined, `${w}×${h} in ${W}×${H}`)
    assert.equal(kind(12000, 2000, 1920, 1080), 'right')
    assert.equal(kind(3400, 1000, 1920, 1080), undefined)
    assert.equal(kind(3600, 1000, 1920, 1080), 'right')
    assert.equal(kind(2000, 1000, 1080, 1920), 'right')
    assert.equal(kind(2000, 1000, 1080, 1080), 'right')
    assert.equal(kind(1000, 2000, 1080, 1080), 'down')
    assert.equal(kind(1000, 3600, 1080, 1920), 'down')
    assert.equal(kind(1000, 3400, 1080, 1920), undefined)
  })

  it('lays the title over the frames as a picture (its PNG an input of its own) and never puts its text in a graph', async () => {
    const plan = makePlan({ ...base, title: "It's 50% off: now" }, images)
    const [first] = segments(plan, layoutClips(plan, clipFrames(plan), []), { cores: 2 })
    const [title] = overlayItems(plan)
    const overlays = [{ item: title, file: "/tmp/a b/it's.png", x: 10, y: 20 }]
    const graph = segmentGraph(first, plan, { overlays }, { videoColours: 'in_color_matrix=auto:in_range=auto' })
    assert.ok(!graph.includes('50% off'))
    assert.ok(!graph.includes("it's.png"), 'the file is an input, not a filter option')
    assert.match(
      graph,
      new RegExp(`\\[${first.clips.length}:v\\]format=rgba,.*fade=t=in:st=0:d=0\\.4:alpha=1,fade=t=out:st=2\\.5:d=0\\.5:alpha=1`)
    )
    assert.match(graph, /\[v\]\[o0\]overlay=x=10:y=20:eof_action=pass/)
    const args = segmentArgs(first, [{ file: '/s.yuv', w: 8, h: 8 }], plan, graph, '/o.mp4', { threads: 1, overlays })
    assert.deepEqual(args.slice(args.indexOf("file:/tmp/a b/it's.png") - 5, args.indexOf("file:/tmp/a b/it's.png") + 1), [
      '-f',
      'png_pipe',
      '-protocol_whitelist',
      'file',
      '-i',
      "file:/tmp/a b/it's.png"
    ])
  })
})

describe('local render (real ffmpeg)', () => {
  it('renders Ken Burns, crossfades, title and music to the planned length', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const plan = small(makePlan({ ...base, duration: 4, title: 'Hi there', music: { file: music }, transition: 'fade' }, images))
    const out = join(dir, 'out.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal)
    const { info } = await inspectFile(out)
    assert.ok(Math.abs(info.duration - 4) <= 0.1, `duration ${info.duration}`)
    assert.deepEqual([info.width, info.height], [320, 180])
    assert.match(info.videoCodec, /^avc1\.64/, 'H.264 High')
    assert.deepEqual(await streams(out), ['video', 'audio'], 'music shorter than the video was looped in')
    // Ken Burns: two moments inside the first clip differ; a crossfade blends its neighbours
    const [d0, t] = [plan.clips[0].duration, plan.transitionDuration]
    const a = await frame(out, 0.2)
    const b = await frame(out, d0 - t - 0.05)
    assert.ok(diff(a, b) > 0.5, `the still moves (${diff(a, b)})`)
    const mid = await frame(out, d0 - t / 2)
    const next = await frame(out, d0 + 0.1)
    assert.ok(diff(mid, b) > 1 && diff(mid, next) > 1, 'the transition frame is neither neighbour')
    assert.deepEqual(
      (await readdir(dir)).filter(f => f.includes('.part')),
      [],
      'no temp file left'
    )
  })

  it("renders every fit: what shows beside a portrait photo in a landscape frame is each framing's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const path = join(dir, 'tall.png')
    // a mid-grey portrait photo with a light top and a dark bottom, opaque
    await lavfiImage("color=c=0x808080:s=180x320,format=gray,geq=lum='if(lt(Y,40),220,if(gt(Y,280),20,128))'", path)
    const photo: InputFile = { path, name: 'tall.png', size: 1, kind: 'image', type: 'png', mime: 'image/png' }
    // the luma at the frame's left edge (the photo's, the background's or the blur's) and at its top middle
    const measured: Record<string, { edge: number; top: number }> = {}
    for (const fit of FITS) {
      const plan = small(makePlan({ ...base, turns: ['static'], duration: 1, transition: 'none', fit, background: 'white' }, [photo]))
      const out = join(dir, `${fit}.mp4`)
      await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal)
      const f = await frame(out, 0.5)
      measured[fit] = { edge: f[18 * 64 + 1], top: f[1 * 64 + 32] }
    }
    const { cover, contain, blur, auto } = measured
    const shown = JSON.stringify(measured)
    // cover crops to fill: the edge is the photo's grey and its top is cut off (mid grey, not light)
    assert.ok(Math.abs(cover.edge - 128) < 25 && Math.abs(cover.top - 128) < 25, shown)
    // contain: the white background beside the whole photo, whose light top shows
    assert.ok(contain.edge > 220 && contain.top > 190, shown)
    // blur: the photo darkened and blurred beside it, neither the background nor the photo's grey
    assert.ok(blur.edge > 30 && blur.edge < 110 && blur.top > 190, shown)
    // auto keeps too little of a portrait photo with a cover crop: it blurs
    assert.ok(Math.abs(auto.edge - blur.edge) < 6, shown)
  })

  it('renders every transition: the frame in its middle is neither neighbour, the video its planned length', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    for (const transition of TRANSITIONS.filter(t => t !== 'none')) {
      const plan = small(makePlan({ ...base, turns: ['static'], duration: 3, transition }, images.slice(0, 2)))
      const out = join(dir, `${transition}.mp4`)
      const ffmpeg = await ffmpegUnderTest()
      if (transition === 'zoom' && !ffmpeg.atLeast(4, 4)) {
        // xfade's zoomin came with ffmpeg 4.4: refused before anything is rendered, naming the input and the fix
        await assert.rejects(
          renderPlan(ffmpeg, plan, out, dir, new AbortController().signal),
          /input 'transition': 'zoom' needs ffmpeg 4\.4/
        )
        assert.equal(existsSync(out), false)
        continue
      }
      await renderPlan(ffmpeg, plan, out, dir, new AbortController().signal)
      const { info } = await inspectFile(out)
      assert.ok(Math.abs(info.duration - 3) <= 0.05, `${transition}: duration ${info.duration}`)
      const [d0, t] = [plan.clips[0].duration, plan.transitionDuration]
      const [before, mid, after] = await Promise.all([d0 - t - 0.1, d0 - t / 2, d0 + 0.1].map(at => frame(out, at)))
      assert.ok(
        diff(mid, before) > 1 && diff(mid, after) > 1,
        `${transition}: the middle frame is a blend (${diff(mid, before)}, ${diff(mid, after)})`
      )
      assert.ok(diff(before, after) > 2, `${transition}: the photos differ`)
    }
  })

  it('renders hard cuts without music, and nothing when ffmpeg fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const plan = small(makePlan({ ...base, turns: ['no transitions, static'], duration: 3 }, images))
    const out = join(dir, 'cuts.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal)
    const { info } = await inspectFile(out)
    assert.ok(Math.abs(info.duration - 3) <= 0.1)
    assert.deepEqual(await streams(out), ['video'])
    await writeFile(join(dir, 'garbage.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))
    const broken = { ...plan, clips: [{ ...plan.clips[0], path: join(dir, 'garbage.jpg') }] }
    await assert.rejects(
      renderPlan(await ffmpegUnderTest(), broken, join(dir, 'broken.mp4'), dir, new AbortController().signal),
      /ffmpeg failed|could not be decoded/
    )
    // music that cannot be decoded stops the segments being encoded beside it
    await writeFile(join(dir, 'garbage.mp3'), Buffer.from('ID3 not really'))
    const deaf = { ...plan, music: { path: join(dir, 'garbage.mp3'), name: 'garbage.mp3', type: 'mp3' } }
    await assert.rejects(
      renderPlan(await ffmpegUnderTest(), deaf, join(dir, 'deaf.mp4'), dir, new AbortController().signal),
      /ffmpeg failed/
    )
    assert.deepEqual(
      (await readdir(dir)).filter(f => /^(\.?broken|\.?deaf|segment|still|audio)/.test(f)),
      []
    )
  })

  it('renders many short clips, more than are decoded ahead, in segments of a few photos each', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const many = Array.from({ length: 68 }, (_v, i) => images[i % images.length])
    const plan = small(makePlan({ ...base, turns: ['static'], duration: 13.6, transition: 'none' }, many))
    const parts = segments(plan, layoutClips(plan, clipFrames(plan), []), { cores: 2 })
    assert.deepEqual(
      parts.map(p => p.clips.length),
      [...Array(11).fill(6), 2]
    )
    // and quietly: no warning from Node (e.g. listeners piling up on one abort signal, one per segment)
    const warnings: string[] = []
    const warned = (w: Error): number => warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', warned)
    const out = join(dir, 'short.mp4')
    try {
      await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal, { cores: 2 })
    } finally {
      process.off('warning', warned)
    }
    assert.deepEqual(warnings, [])
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      out
    ])
    assert.equal(Number(stdout.trim()), 408)
  })

  it(
    'makes many short Ken Burns clips with fades exactly as long as asked: every frame, one frame apart',
    { timeout: 120_000 },
    async () => {
      // 40 photos in 20 s and in 21 s leave bodies of one or two frames between the fades; a zoom's
      // one-frame body used to lose a frame at each join inside a segment (594 of 600 frames)
      const many = Array.from({ length: 40 }, (_v, i) => images[i % images.length])
      for (const duration of [20, 21]) {
        const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
        const plan = small(makePlan({ ...base, duration, transition: 'fade' }, many))
        const layout = layoutClips(plan, clipFrames(plan), [])
        assert.ok(plan.kenBurns && layout.some(c => c.motion.kind === 'zoom'), 'the clips zoom')
        const out = join(dir, 'many.mp4')
        await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal, { cores: 2 })
        const probe = async (entries: string): Promise<string> =>
          (await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', entries, '-of', 'csv=p=0', out])).stdout.trim()
        const [num, den] = (await probe('stream=time_base')).split('/').map(Number)
        // each frame's number on the video's clock (a time base need not be a multiple of 30)
        const at = (await probe('packet=pts'))
          .split('\n')
          .map(p => (Number(p) * num * 30) / den)
          .sort((a, b) => a - b)
        assert.equal(at.length, duration * 30, `${duration} s: frames`)
        assert.deepEqual(
          at.flatMap((t, i) => (Math.abs(t - i) > 0.01 ? [`frame ${i} at ${t.toFixed(3)}`] : [])).slice(0, 5),
          [],
          `${duration} s: every frame at k/30 s`
        )
      }
    }
  )

  it("draws each photo's caption while its photo shows, legible on a white, a black and a busy photo", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-captions-'))
    const photos = await Promise.all(
      ['color=c=white:s=640x360', 'color=c=black:s=640x360', 'testsrc2=s=640x360'].map(async (src, i) => {
        const path = join(dir, `p${i}.png`)
        await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', src, '-frames:v', '1', path])
        return { ...images[0], path, name: `p${i}.png`, type: 'png' }
      })
    )
    const plan = { ...makePlan({ ...base, turns: ['static'], duration: 6, transition: 'fade' }, photos), width: 640, height: 360 }
    const captions = ['Dark mode', '', 'Sync 3× faster ✨']
    const render = async (name: string, c?: string[]): Promise<string> => {
      const out = join(dir, `${name}.mp4`)
      await renderPlan(await ffmpegUnderTest(), { ...plan, captions: c }, out, dir, new AbortController().signal)
      return out
    }
    const [plain, captioned] = [await render('plain'), await render('captioned', captions)]
    // the foot of the frame, full size, grey
    const foot = async (file: string, t: number): Promise<Buffer> =>
      (
        await run(
          'ffmpeg',
          [
            '-v',
            'error',
            '-ss',
            String(t),
            '-i',
            file,
            '-frames:v',
            '1',
            '-vf',
            'crop=iw*0.6:ih*0.16:iw*0.2:ih*0.8,format=gray',
            '-f',
            'rawvideo',
            '-'
          ],
          { encoding: 'buffer', maxBuffer: 1 << 22 }
        )
      ).stdout as unknown as Buffer
    const lum = (v: number): number => {
      const c = (v - 16) / 219
      const x = Math.min(1, Math.max(0, c))
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4
    }
    const { duration } = plan.clips[0]
    const T = plan.transitionDuration
    const mids = [duration / 2, duration - T + duration / 2 - T / 2, plan.total - duration / 4]
    for (const [k, t] of mids.entries()) {
      const [a, b] = [await foot(plain, t), await foot(captioned, t)]
      const changed = diff(a, b)
      if (!captions[k]) {
        assert.ok(changed < 1, `photo ${k + 1} has no caption, and its foot is as without captions (${changed.toFixed(2)})`)
        continue
      }
      assert.ok(changed > 5, `photo ${k + 1}'s caption is drawn (${changed.toFixed(2)})`)
      // the text (its brightest pixels) against the box behind it (the middle of the drawn pixels)
      const drawn = [...b].filter((_v, i) => Math.abs(b[i] - a[i]) > 8).sort((x, y) => x - y)
      const text = drawn[Math.floor(drawn.length * 0.98)]
      const box = drawn[Math.floor(drawn.length * 0.3)]
      const contrast = (lum(text) + 0.05) / (lum(box) + 0.05)
      assert.ok(contrast >= 4.5, `photo ${k + 1}: the caption's contrast is ${contrast.toFixed(2)}:1`)
    }
    // the draft holds the captions as text, each in its photo's window
    const text = planToDraft({ ...plan, captions }).t.find(t => t.tt === 7)?.sg
    assert.deepEqual(
      text?.map(s => s.txt),
      ['Dark mode', 'Sync 3× faster ✨']
    )
  })

  it('draws the title literally (%, backslashes, %{…}) and opens an image named like a sequence pattern', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const odd = join(dir, 'a%d.jpg')
    await copyFile(images[0].path, odd)
    const plan = small(makePlan({ ...base, turns: ['static'], duration: 1, transition: 'none' }, [{ ...images[0], path: odd }]))
    const plain = join(dir, 'plain.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, plain, dir, new AbortController().signal)
    const titled = join(dir, 'titled.mp4')
    const text = 'Spring Sale 50% off \\ %{localtime}'
    await renderPlan(await ffmpegUnderTest(), { ...plan, title: { text, duration: 1 } }, titled, dir, new AbortController().signal)
    assert.ok(diff(await frame(plain, 0.5), await frame(titled, 0.5)) > 1, 'the title with % is drawn')
  })

  it('draws a Japanese title with real glyphs (a CJK font in the face of its language), never as boxes', async t => {
    assert.equal(scriptOf('Summer in Rome'), 'latin')
    assert.equal(scriptOf('夏の思い出'), 'ja')
    assert.equal(scriptOf('夏日回忆'), 'zh')
    assert.equal(scriptOf('여름'), 'ko')
    assert.equal(await chooseFont('Été à Paris', tmpdir(), { installMissing: false }), findFont())
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    let font: string | undefined
    try {
      font = await chooseFont('夏の思い出', dir, { installMissing: false })
    } catch (err) {
      // no CJK font on this machine: the error says how to install one, and the render is skipped
      assert.match((err as Error).message, /no font with its characters was found: install one .*apt-get install -y fonts-noto-cjk/)
      t.skip('no CJK font installed (apt-get install fonts-noto-cjk or fonts-droid-fallback)')
      return
    }
    // a collection is opened in the face of the text's language (Noto Sans CJK JP, SC, KR)
    if (CJK_FONTS[0] && existsSync(CJK_FONTS[0])) {
      for (const [text, face] of [
        ['夏の思い出', 'Noto Sans CJK JP'],
        ['夏日回忆', 'Noto Sans CJK SC'],
        ['여름', 'Noto Sans CJK KR']
      ])
        assert.equal((await fontFaces((await chooseFont(text, dir, { installMissing: false })) as string))[0].family, face)
    }
    const photo = join(dir, 'grey.jpg')
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=640x360', '-frames:v', '1', photo])
    const plan = small(makePlan({ ...base, turns: ['static'], duration: 1, transition: 'none' }, [{ ...images[0], path: photo }]))
    const render = async (name: string, text?: string): Promise<Buffer> => {
      const out = join(dir, `${name}.mp4`)
      await renderPlan(
        await ffmpegUnderTest(),
        { ...plan, title: text ? { text, duration: 1 } : undefined },
        out,
        dir,
        new AbortController().signal
      )
      return frame(out, 0.5)
    }
    const plain = await render('plain')
    const title = await render('title', '夏の思い出')
    const shuffled = await render('shuffled', '出思の夏い')
    assert.ok(diff(plain, title) > 1, 'the title is drawn')
    // a font without the glyphs draws every character as the same box: the same characters in
    // another order would look the same. Real glyphs do not.
    assert.ok(diff(title, shuffled) > 0.5, `real glyphs (${diff(title, shuffled).toFixed(2)})`)
    const boxes = async (text: string): Promise<Buffer> => {
      await writeFile(join(dir, 'box.txt'), text)
      const { stdout } = await run(
        'ffmpeg',
        [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          'color=c=gray:s=320x180',
          '-vf',
          `drawtext=fontfile=${findFont()}:textfile=${join(dir, 'box.txt')}:fontsize=40:x=20:y=60,scale=64:36,format=gray`,
          '-frames:v',
          '1',
          '-f',
          'rawvideo',
          '-'
        ],
        { encoding: 'buffer', maxBuffer: 1 << 20 }
      )
      return stdout as unknown as Buffer
    }
    assert.ok(diff(await boxes('夏の思い出'), await boxes('出思の夏い')) < 0.05, 'the check tells boxes apart from glyphs')
    console.log(`Japanese title font: ${font}`)
  })

  it('draws the title in the lower third with WCAG contrast ≥ 4.5:1 on a white and on a black photo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const W = 640
    const H = 360
    const contrasts: number[] = []
    for (const colour of ['white', 'black']) {
      const path = join(dir, `${colour}.jpg`)
      await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=800x450`, '-frames:v', '1', path])
      const plan = {
        ...makePlan({ ...base, turns: ['static'], duration: 2, transition: 'none', title: 'Summer Trip' }, [{ ...images[0], path }]),
        width: W,
        height: H
      }
      const out = join(dir, `${colour}.mp4`)
      await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal)
      const { stdout } = await run(
        'ffmpeg',
        ['-v', 'error', '-ss', '1', '-i', out, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
        {
          encoding: 'buffer',
          maxBuffer: 1 << 22
        }
      )
      const rgb = stdout as unknown as Buffer
      // relative luminance (WCAG 2) of the pixels in the middle of the title's line
      const lin = (v: number): number => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4)
      const lum: number[] = []
      const size = Math.round(Math.min(W, H) / 12)
      for (let y = Math.round(0.7 * H - 0.3 * size); y <= Math.round(0.7 * H + 0.3 * size); y++)
        for (let x = W / 2 - 80; x < W / 2 + 80; x++) {
          const o = (y * W + x) * 3
          lum.push(0.2126 * lin(rgb[o]) + 0.7152 * lin(rgb[o + 1]) + 0.0722 * lin(rgb[o + 2]))
        }
      lum.sort((a, b) => a - b)
      const [ground, text] = [lum[Math.floor(lum.length * 0.05)], lum[Math.floor(lum.length * 0.98)]]
      contrasts.push((text + 0.05) / (ground + 0.05))
    }
    console.log(`title contrast: white photo ${contrasts[0].toFixed(1)}:1, black photo ${contrasts[1].toFixed(1)}:1`)
    assert.ok(
      contrasts.every(c => c >= 4.5),
      contrasts.join(', ')
    )
  })

  it('moves with sub-pixel smoothness across segment joins: pans at constant speed, zooms about a still centre (phase correlation)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    // blurred noise: texture everywhere, nothing periodic to confuse the correlation
    const path = join(dir, 'texture.jpg')
    await lavfiImage('color=s=1200x675,geq=lum=random(1)*255:cb=128:cr=128,gblur=sigma=1.5', path)
    const photo = { ...images[0], path }
    const [W, H] = [960, 540]
    const plan = { ...makePlan({ ...base, duration: 250 / 30, transition: 'none' }, [photo, photo]), width: W, height: H }
    // on two cores each 125-frame clip is made by two segments: the joins at frames 63 and 188 fall inside the motion
    const layout = layoutClips(plan, clipFrames(plan), [])
    assert.deepEqual(
      segments(plan, layout, { cores: 2 }).map(p => p.start),
      [0, 63, 125, 188]
    )
    const out = join(dir, 'motion.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal, { cores: 2 })
    // every frame at its own time, k/30 s exactly: the joins neither drift nor leave gaps
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v',
      '-show_entries',
      'stream=time_base:packet=pts',
      '-of',
      'json',
      out
    ])
    const probe = JSON.parse(stdout) as { streams: { time_base: string }[]; packets: { pts: number }[] }
    const [num, den] = probe.streams[0].time_base.split('/').map(Number)
    const times = probe.packets.map(p => (p.pts * num) / den).sort((a, b) => a - b)
    assert.equal(times.length, 250)
    assert.ok(
      times.every((t, k) => Math.abs(t - k / 30) < 1e-4),
      `frame times: ${times.map((t, k) => (t - k / 30).toFixed(5)).find(d => Math.abs(Number(d)) >= 1e-4)} s off`
    )
    const frames = await greyFrames(out, W, H)
    assert.equal(frames.length, 250)
    const steps = (from: number, to: number): { x: number; y: number }[] =>
      Array.from({ length: to - from - 1 }, (_v, k) => shift(frames[from + k], frames[from + k + 1], W, H))
    // clip 1 (frames 125–249) pans right: the picture moves left two pixels a frame, on both sides of the join
    const pan = steps(126, 249)
    const speed = pan.reduce((s, p) => s + p.x, 0) / pan.length
    const panDev = Math.max(...pan.map(p => Math.max(Math.abs(p.x - speed), Math.abs(p.y))))
    assert.ok(Math.abs(speed + 2) < 0.1, `pan speed ${speed}`)
    assert.ok(panDev < 0.25, `pan deviation ${panDev.toFixed(3)} px`)
    // clip 0 (frames 0–124) zooms in about its centre, and goes on growing where the second segment takes over
    const zoom = steps(1, 124)
    const drift = Math.max(...zoom.map(p => Math.hypot(p.x, p.y)))
    assert.ok(drift < 0.25, `zoom centre drift ${drift.toFixed(3)} px`)
    const change = Array.from({ length: 122 }, (_v, k) => diff(frames[k + 1], frames[k + 2]))
    const typical = [...change].sort((a, b) => a - b)[61]
    // change[61] is frame 62 → 63, across the join
    assert.ok(
      change[61] < 3 * typical && change[61] > typical / 3,
      `frame 62→63 changes ${change[61].toFixed(2)}, typically ${typical.toFixed(2)}`
    )
    console.log(`motion: pan ${speed.toFixed(3)} px/frame, deviation ≤ ${panDev.toFixed(3)} px; zoom centre drift ≤ ${drift.toFixed(3)} px`)
  })

  it('times the title on the clock of the video in every segment it spans, and leaves no segment files behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const path = join(dir, 'black.jpg')
    await lavfiImage('color=c=black:s=640x360', path)
    const photo = { ...images[0], path }
    const plan = {
      ...makePlan({ ...base, turns: ['static'], duration: 6, transition: 'none', title: 'Summer Trip' }, [photo, photo, photo]),
      width: 640,
      height: 360
    }
    // three 2 s segments; the 3 s title spans the first two
    assert.deepEqual(
      segments(plan, layoutClips(plan, clipFrames(plan), []), { cores: 2 }).map(p => p.start),
      [0, 60, 120]
    )
    const out = join(dir, 'title.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal, { cores: 2 })
    // the title's line: white text on a black photo, so its mean brightness follows the title's opacity
    const line = async (t: number): Promise<number> => {
      const { stdout } = await run(
        'ffmpeg',
        ['-v', 'error', '-ss', String(t), '-i', out, '-frames:v', '1', '-vf', 'crop=400:30:120:237,format=gray', '-f', 'rawvideo', '-'],
        { encoding: 'buffer', maxBuffer: 1 << 20 }
      )
      const px = stdout as unknown as Buffer
      return px.reduce((s, v) => s + v, 0) / px.length
    }
    const [early, second, fading, gone] = [await line(1), await line(2.1), await line(2.75), await line(3.5)]
    assert.ok(early > 30, `title drawn at 1 s (${early.toFixed(1)})`)
    // 2.1 s is in the second segment: fully shown there too, not fading in again
    assert.ok(Math.abs(second - early) < 0.1 * early, `title at 2.1 s ${second.toFixed(1)}, at 1 s ${early.toFixed(1)}`)
    assert.ok(fading < early - 5 && fading > gone + 5, `fading out at 2.75 s (${fading.toFixed(1)})`)
    assert.ok(gone < 20, `gone at 3.5 s (${gone.toFixed(1)})`)
    assert.deepEqual(
      (await readdir(dir)).filter(f => /^(segment|still|audio)/.test(f)),
      [],
      'segments, stills and their list are removed'
    )
  })

  it('frames photos (fit, transparency over the background), plays GIFs, reads animated WebP, tags BT.709', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const make = async (name: string, args: string[]): Promise<InputFile> => {
      const path = join(dir, name)
      await run('ffmpeg', ['-v', 'error', '-y', ...args, path])
      const type = name.split('.').pop() as string
      return { path, name, size: 1, kind: 'image', type, mime: `image/${type}` }
    }
    // a transparent PNG with an opaque green square in the middle
    const png = await make('cut.png', [
      '-f',
      'lavfi',
      '-i',
      "color=s=160x90,format=rgba,geq=r=0:g=128:b=0:a='255*between(X,60,99)*between(Y,25,64)'",
      '-frames:v',
      '1'
    ])
    const gif = await make('anim.gif', ['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=10:d=1', '-loop', '0'])
    const still = await make('still.gif', ['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=1:d=1', '-frames:v', '1'])
    const webp = await make('anim.webp', ['-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=10:d=0.5', '-c:v', 'libwebp_anim', '-loop', '0'])
    const req = { ...base, turns: ['static'], transition: 'none' as const, fit: 'contain' as const, background: 'white' }
    const plan = small(makePlan({ ...req, duration: 4 }, [png, gif, still, webp]))
    const out = join(dir, 'framed.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal)
    const { info } = await inspectFile(out)
    assert.ok(Math.abs(info.duration - 4) <= 0.1, `duration ${info.duration}`)
    const px = async (t: number, x: number, y: number): Promise<number> => (await frame(out, t))[y * 64 + x]
    assert.ok((await px(0.5, 2, 2)) > 230, 'transparent pixels show the white background')
    assert.ok((await px(0.5, 32, 18)) < 180, 'the opaque square is drawn')
    assert.ok(diff(await frame(out, 1.1), await frame(out, 1.6)) > 1, 'the animated GIF plays')
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=color_range,color_space,color_transfer,color_primaries',
      '-of',
      'csv=p=0',
      out
    ])
    assert.equal(stdout.trim(), 'tv,bt709,bt709,bt709')
    // auto: a portrait photo in a landscape frame is not cropped to 42% but shown whole over a blur
    assert.equal(chooseFit('auto', { width: 3024, height: 4032 }, { width: 1920, height: 1080 }), 'blur')
    assert.equal(chooseFit('auto', { width: 4032, height: 3024 }, { width: 1920, height: 1080 }), 'cover')
    const portrait = await make('tall.jpg', ['-f', 'lavfi', '-i', 'testsrc2=s=90x160', '-frames:v', '1'])
    const blurred = join(dir, 'blur.mp4')
    await renderPlan(
      await ffmpegUnderTest(),
      small(makePlan({ ...base, turns: ['static'], duration: 1 }, [portrait])),
      blurred,
      dir,
      new AbortController().signal
    )
    const edge = (await frame(blurred, 0.5)).subarray(0, 8)
    assert.ok(Math.max(...edge) > 20, 'the sides show the blurred photo, not black bars')
  })

  it('keeps the colours of an opaque JPEG that fills the frame (BT.709 converted, not just tagged)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const path = join(dir, 'green.jpg')
    // a saturated green and a skin tone, where BT.601 read as BT.709 is off by 10–25 levels
    await lavfiImage('color=c=0x20B040:s=400x450,format=rgb24[a];color=c=0xE0A080:s=400x450,format=rgb24[b];[a][b]hstack', path, [
      '-q:v',
      '1'
    ])
    const photo: InputFile = { path, name: 'green.jpg', size: 1, kind: 'image', type: 'jpg', mime: 'image/jpeg' }
    const plan = small(makePlan({ ...base, turns: ['static'], transition: 'none', fit: 'cover', duration: 1 }, [photo]))
    const out = join(dir, 'green.mp4')
    await renderPlan(await ffmpegUnderTest(), plan, out, dir, new AbortController().signal)
    // 8 columns of each picture: the green at 1, the skin tone at 6, each as RGB
    const columns = async (file: string, vf: string): Promise<number[]> => {
      const args = ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `${vf}scale=8:1:flags=area,format=rgb24`, '-f', 'rawvideo', '-']
      const b = (await run('ffmpeg', args, { encoding: 'buffer' })).stdout as unknown as Buffer
      return [...b.subarray(3, 6), ...b.subarray(18, 21)]
    }
    const want = await columns(path, '')
    const got = await columns(out, 'scale=in_color_matrix=bt709:in_range=tv:out_range=full,')
    for (const [i, v] of want.entries())
      assert.ok(Math.abs(got[i] - v) <= 6, `channel ${i}: ${got[i]}, want ${v} (got ${got.join(',')}, want ${want.join(',')})`)
  })

  it('stops ffmpeg when the job is cancelled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const plan = makePlan({ ...base, duration: 60, resolution: '1080p' }, images)
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('cancelled by test')), 300)
    const t0 = Date.now()
    await assert.rejects(renderPlan(await ffmpegUnderTest(), plan, join(dir, 'long.mp4'), dir, ac.signal), /cancelled by test/)
    assert.ok(Date.now() - t0 < 3000)
  })

  it('refuses an ffmpeg-path that is not an executable', async () => {
    const backend = createLocalBackend({ path: '/nonexistent/ffmpeg', installMissing: false })
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    await assert.rejects(
      backend.render({
        images,
        request: base,
        videos: [{ file: join(dir, 'x.mp4') }],
        tempDir: dir,
        signal: new AbortController().signal,
        deadline: Date.now() + 60_000
      }),
      /Input 'ffmpeg-path': no executable ffmpeg/
    )
  })

  it("names input 'aspect-ratio' where it wins over the prompt's orientation, for one format and for several", async () => {
    const backend = createLocalBackend({ path: '/nonexistent/ffmpeg', installMissing: false })
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-local-'))
    const request: VideoRequest = { ...base, turns: ['A vertical travel teaser'], aspectRatio: '16:9' }
    for (const videos of [
      [{ file: join(dir, 'x.mp4'), aspectRatio: '16:9' as const }],
      [
        { file: join(dir, 'x-1280x720.mp4'), aspectRatio: '16:9' as const },
        { file: join(dir, 'x-720x720.mp4'), aspectRatio: '1:1' as const }
      ]
    ]) {
      // the line is written before ffmpeg is looked for: a missing ffmpeg ends the job right after it
      const out = await capture(() =>
        backend.render({ images, request, videos, tempDir: dir, signal: new AbortController().signal, deadline: Date.now() + 60_000 })
      )
      assert.match(out.error?.message ?? '', /no executable ffmpeg/)
      assert.match(out.log, /^Understood from the prompt: 9:16 \(input 'aspect-ratio' wins\)$/m)
    }
  })
})

/** Runs `fn`, capturing the log lines @actions/core writes (strings); the test runner's own output passes. */
async function capture<T>(fn: () => Promise<T>): Promise<{ log: string; error?: Error }> {
  const out: { log: string; error?: Error } = { log: '' }
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== 'string') return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
    out.log += chunk
    return true
  }) as typeof process.stdout.write
  try {
    await fn()
  } catch (err) {
    out.error = err as Error
  } finally {
    process.stdout.write = write
  }
  return out
}
