// Titles of the local backend, through the built action where a person sees them: every character
// drawn (CJK with Latin digits, colour emoji, Arabic shaped and right to left), long titles on at
// most three legible lines, the box inside the zones 9:16 apps leave free; a character no font has
// fails before rendering. Frames are measured on a grey photo: its box is dark grey, its text white,
// and nothing but an emoji has colour.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, it } from 'node:test'
import { runAction, sandbox, type ActionRun, type Sandbox } from '../helpers/action.js'
import { FFMPEG_UNDER_TEST } from '../helpers/ffmpeg-under-test.js'
import {
  balance,
  canvasKit,
  coverage,
  drawTitle,
  EMOJI_FONTS,
  isEmoji,
  prepareTitle,
  TITLE,
  titleFonts,
  tokens,
  type TitleImage
} from '../../src/backends/local/title.js'
import { CJK_FONTS, findFont } from '../../src/backends/local/fonts.js'

const run = promisify(execFile)
const DROID = '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf'
const CJK = [DROID, ...CJK_FONTS].find(f => existsSync(f))
const EMOJI = EMOJI_FONTS.find(f => existsSync(f))

/** A sandbox with one mid-grey photo. */
async function greyBox(): Promise<Sandbox> {
  const b = await sandbox()
  await mkdir(join(b.workspace, 'photos'))
  await run(FFMPEG_UNDER_TEST, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=gray:s=1280x720',
    '-frames:v',
    '1',
    join(b.workspace, 'photos', 'grey.jpg')
  ])
  return b
}

/** The action, locally, on the grey photo, 3 s with no motion: the title is fully shown from 0.4 to 2.5 s. */
async function render(title: string, more: Record<string, string> = {}, dist?: string): Promise<ActionRun> {
  return runAction({
    box: await greyBox(),
    dist,
    timeoutMs: 240_000,
    inputs: {
      backend: 'local',
      images: 'photos/*.jpg',
      prompt: 'static',
      title,
      duration: '3',
      transition: 'none',
      resolution: '720p',
      output: 'title.mp4',
      previews: 'false',
      'upload-artifact': 'false',
      'install-missing': 'false',
      ...more
    }
  })
}

interface Frame {
  rgb: Buffer
  W: number
  H: number
}

async function frameAt(file: string, t = 1.5): Promise<Frame> {
  const { stdout: size } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v',
    '-show_entries',
    'stream=width,height',
    '-of',
    'csv=p=0',
    file
  ])
  const [W, H] = size.trim().split(',').map(Number)
  const { stdout } = await run(
    FFMPEG_UNDER_TEST,
    ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 24
    }
  )
  return { rgb: stdout as unknown as Buffer, W, H }
}

const luma = (f: Frame, x: number, y: number): number => {
  const o = (y * f.W + x) * 3
  return 0.2126 * f.rgb[o] + 0.7152 * f.rgb[o + 1] + 0.0722 * f.rgb[o + 2]
}
const chroma = (f: Frame, x: number, y: number): number => {
  const o = (y * f.W + x) * 3
  return Math.max(f.rgb[o], f.rgb[o + 1], f.rgb[o + 2]) - Math.min(f.rgb[o], f.rgb[o + 1], f.rgb[o + 2])
}

/** The title's box: the rows and columns where the grey photo is darkened (box ≈ 51, photo ≈ 128). */
function findBox(f: Frame): { x0: number; x1: number; y0: number; y1: number } {
  const dark = (x: number, y: number): boolean => luma(f, x, y) < 90
  const rows = [...Array(f.H).keys()].filter(y => {
    let n = 0
    for (let x = 0; x < f.W; x++) if (dark(x, y)) n++
    return n > f.W * 0.05
  })
  assert.ok(rows.length > 0, 'a title box is drawn')
  const [y0, y1] = [rows[0], rows.at(-1) as number]
  const cols = [...Array(f.W).keys()].filter(x => {
    let n = 0
    for (let y = y0; y <= y1; y++) if (dark(x, y)) n++
    return n > (y1 - y0) * 0.3
  })
  return { y0, y1, x0: cols[0], x1: cols.at(-1) as number }
}

/** Lines of text in the box: runs of rows with white pixels, apart by rows of box only. */
function textLines(f: Frame, box: ReturnType<typeof findBox>): { top: number; bottom: number }[] {
  const lines: { top: number; bottom: number }[] = []
  for (let y = box.y0; y <= box.y1; y++) {
    let n = 0
    for (let x = box.x0; x <= box.x1; x++) if (luma(f, x, y) > 200) n++
    if (n < 2) continue
    const last = lines.at(-1)
    if (last && y - last.bottom <= 2) last.bottom = y
    else lines.push({ top: y, bottom: y })
  }
  return lines
}

const video = (r: ActionRun): string => join(r.workspace, 'title.mp4')

describe('titles: fonts for every character, checked before the render', () => {
  it('gives every character of a CJK + Latin title a font that has it (digits and letters not from the CJK font), and names one no font has', async t => {
    if (!CJK) return t.skip('no CJK font installed (scripts/setup.sh installs fonts-droid-fallback)')
    const ck = await canvasKit()
    const text = '夏の思い出 2026 新品 iPhone 15 限时 8 折'
    const fonts = await coverage(ck, text, [{ path: findFont() as string }, { path: CJK }])
    assert.deepEqual(fonts.missing, [])
    for (const c of new Set(text.replace(/\s/g, ''))) {
      const font = fonts.covered.get(c)
      assert.ok(font, `${c} has a font`)
      assert.notEqual(font.typeface.getGlyphIDs(c, 1)[0], 0, `${c}: its font has its glyph`)
    }
    for (const c of '2016iPhone58') assert.match(fonts.covered.get(c)?.path ?? '', /DejaVuSans-Bold/, `${c} is drawn with DejaVu Sans Bold`)
    for (const c of '夏の思出新品限时折') assert.equal(fonts.covered.get(c)?.path, CJK)
    // the CJK font alone has no digits here (Droid Sans Fallback): that is the empty box users saw
    if (CJK === DROID)
      assert.deepEqual(
        (await coverage(ck, '2026', [{ path: DROID }])).missing.map(m => m.char),
        ['2', '0', '6']
      )
    // without a CJK font, the kanji and kana are missing, the rest is not
    assert.deepEqual(
      (await coverage(ck, text, [{ path: findFont() as string }])).missing.map(m => m.char),
      [...new Set('夏の思い出新品限时折')]
    )
  })

  it('a character that no installed font has fails before rendering: the error names the title, the character and the package', async t => {
    const { stdout } = await run('fc-list', [':charset=928'])
    if (stdout.trim()) return t.skip('this machine has a Devanagari font')
    await assert.rejects(
      titleFonts('Launch नमस्ते', tmpdir(), { installMissing: false }),
      /input 'title' \(or the title quoted in the prompt\) "Launch नमस्ते" has characters that no installed font has: न \(U\+0928\), .*input 'install-missing' is false.*'sudo apt-get install -y fonts-noto-core'/
    )
    const r = await render('Launch नमस्ते')
    assert.equal(r.code, 1, r.all)
    assert.match(r.all, /::error::.*input 'title'.*न \(U\+0928\).*apt-get install -y fonts-noto-core/)
    assert.doesNotMatch(r.all, /ffmpeg \d+%/, 'nothing was rendered')
    assert.ok(!existsSync(video(r)))
  })

  it('tells emoji (pictures) from text: flags, keycaps, sequences and emoji-presentation characters', () => {
    for (const e of ['🚀', '❤️', '👩‍👩‍👧', '🇯🇵', '1️⃣', '👍🏽']) assert.ok(isEmoji(e), e)
    for (const e of ['A', '1', '❤', '❤︎', '©', '夏']) assert.ok(!isEmoji(e), e)
  })
})

describe('titles: line breaks', () => {
  it('breaks at spaces, and in Chinese or Japanese between words but never before closing punctuation', () => {
    assert.deepEqual(
      tokens('Big spring sale').map(t => t.text),
      ['Big', 'spring', 'sale']
    )
    const ja = tokens('夏の思い出、京都へ。')
    assert.equal(ja.map(t => t.text).join(''), '夏の思い出、京都へ。')
    assert.ok(ja.length > 2, ja.map(t => t.text).join('|'))
    assert.ok(!ja.some(t => /^[、。]/.test(t.text)), `no line starts with 、 or 。: ${ja.map(t => t.text).join('|')}`)
  })

  it('balances lines: the widest is as narrow as the breaks allow', () => {
    // six words of 10 with spaces of 1: three lines of two words (21 each), not 3 + 2 + 1
    const w = [10, 10, 10, 10, 10, 10]
    const ws = [1, 1, 1, 1, 1, 0]
    assert.deepEqual(balance(w, ws, 3, 40), { breaks: [2, 4], widest: 21 })
    assert.deepEqual(balance(w, ws, 2, 40), { breaks: [3], widest: 32 })
    assert.equal(balance(w, ws, 1, 40), undefined, 'one line of 65 does not fit in 40')
  })
})

/**
 * The title prepared for a W×H video, with the warnings it logged and how many characters it
 * handed to Skia's layout (each piece measured, each line drawn); past `most` the layout is
 * stopped, so that work growing with the whole title fails the test instead of running for minutes.
 */
async function prepared(
  text: string,
  W: number,
  H: number,
  most: number
): Promise<{ image?: TitleImage; warnings: string[]; laidOut: number }> {
  const ck = await canvasKit()
  const make = ck.ParagraphBuilder.MakeFromFontProvider
  let laidOut = 0
  ck.ParagraphBuilder.MakeFromFontProvider = (...args) => {
    const builder = make(...args)
    const addText = builder.addText.bind(builder)
    builder.addText = (t: string) => {
      laidOut += t.length
      if (laidOut > most) throw new Error(`more than ${most} characters of the title were laid out`)
      addText(t)
    }
    return builder
  }
  const warnings: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string' && chunk.startsWith('::warning::')) {
      warnings.push(chunk.trim())
      return true
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stdout.write
  try {
    const image = await prepareTitle(text, W, H, tmpdir(), { installMissing: false })
    return { image, warnings, laidOut }
  } finally {
    ck.ParagraphBuilder.MakeFromFontProvider = make
    process.stdout.write = write
  }
}

describe('titles: long titles', () => {
  const sentence =
    'Holiday spotlight: playful bright kingdoms, glowing lights, happy dogs, yellow kites and jolly typhoons glide by tonight '

  it('lays out a 64 000-character title as its first 400 characters, from what three lines hold, and says it is cut', async () => {
    const title = sentence.repeat(600).slice(0, 64_000)
    for (const [W, H] of [
      [1080, 1920],
      [1920, 1080]
    ]) {
      const long = await prepared(title, W, H, 1000)
      const head = await prepared(title.slice(0, 400), W, H, 1000)
      console.log(`${W}×${H}: ${long.laidOut} characters laid out for 64 000, ${head.laidOut} for 400`)
      assert.ok(long.image && head.image)
      assert.deepEqual(long.image.lines, head.image.lines)
      assert.equal(long.image.size, head.image.size)
      assert.match(long.image.cut ?? '', /^Holiday spotlight: .*…$/)
      assert.equal(long.warnings.length, 1, long.warnings.join('\n'))
      assert.match(
        long.warnings[0],
        new RegExp(
          `^::warning::input 'title' is too long for a ${W}×${H} video: it has more than 1000 characters, of which only the first 1000 are laid out, and at a legible size \\(\\d+ px, 4\\.2 %25 of its height\\) at most 3 lines fit, so it is cut to "Holiday spotlight: .*…"\\. Shorten it to about \\d+ characters\\.$`
        )
      )
    }
  })

  it('lays out a title of 64 000 zero-width characters from its first 1000, and says it is cut', async () => {
    // twelve W are wider than a line of 9:16: the word is broken between its characters, every one a piece
    const title = `${'W'.repeat(12)}${'\u200B'.repeat(64_000)} end`
    for (const [W, H] of [
      [1080, 1920],
      [1920, 1080]
    ]) {
      // three passes at most over the first 1000 characters: measured as a word, one by one, drawn
      const { image, warnings, laidOut } = await prepared(title, W, H, 3100)
      console.log(`${W}×${H}: ${laidOut} characters laid out`)
      assert.ok(image)
      const drawn = image.lines.join('')
      assert.ok(drawn.startsWith('W'.repeat(12)) && drawn.endsWith('\u200B…'), JSON.stringify(drawn.replace(/\u200B/g, '')))
      assert.ok(drawn.length <= 1001, `${drawn.length} characters drawn`)
      assert.equal(image.cut, drawn)
      assert.equal(warnings.length, 1, warnings.join('\n'))
      assert.match(
        warnings[0],
        /^::warning::input 'title' is too long for a \d+×\d+ video: it has more than 1000 characters, of which only the first 1000 are laid out, .* so it is cut to "W{12}\u200B+…"/u
      )
    }
  })
})

describe('titles: what the video shows', () => {
  it('draws the digits of "夏の思い出 2026" (not empty boxes): other digits look different', async t => {
    if (!CJK) return t.skip('no CJK font installed')
    const [a, b] = [await render('夏の思い出 2026'), await render('夏の思い出 1111')]
    assert.equal(a.code, 0, a.all)
    assert.equal(b.code, 0, b.all)
    const [fa, fb] = [await frameAt(video(a)), await frameAt(video(b))]
    const box = findBox(fa)
    // the same characters before the digits, the digits' place the same (DejaVu's digits are all
    // as wide): only the digits can differ. Boxes for digits would all be the same box.
    let differ = 0
    for (let y = box.y0; y <= box.y1; y++)
      for (let x = box.x0; x <= box.x1; x++) if (Math.abs(luma(fa, x, y) - luma(fb, x, y)) > 64) differ++
    console.log(`"2026" vs "1111": ${differ} pixels differ by more than 64 in the title's box`)
    assert.ok(differ > 300, `the digits are drawn (${differ} pixels differ)`)
  })

  it('draws an emoji in colour, from a copy of dist/ outside the repository', async t => {
    if (!EMOJI) return t.skip('no colour emoji font (scripts/setup.sh installs fonts-noto-color-emoji)')
    // the bundle finds its WebAssembly beside itself, with no node_modules around it
    const copy = await mkdtemp(join(tmpdir(), 'img2vid-dist-'))
    await cp(join(import.meta.dirname, '..', '..', 'dist'), copy, { recursive: true })
    const r = await render('🚀 Launch', {}, join(copy, 'index.js'))
    assert.equal(r.code, 0, r.all)
    const f = await frameAt(video(r))
    const box = findBox(f)
    let coloured = 0
    let sumX = 0
    for (let y = box.y0; y <= box.y1; y++)
      for (let x = box.x0; x <= box.x1; x++)
        if (chroma(f, x, y) > 80) {
          coloured++
          sumX += x
        }
    // nothing else in the frame has colour: the photo is grey, the box black, the text white
    let outside = 0
    for (let y = 0; y < f.H; y += 2) for (let x = 0; x < f.W; x += 2) if ((y < box.y0 || y > box.y1) && chroma(f, x, y) > 80) outside++
    const h = box.y1 - box.y0
    console.log(
      `emoji: ${coloured} saturated pixels in the box (${((100 * coloured) / (h * h)).toFixed(0)} % of a box-high square), ${outside} outside`
    )
    assert.ok(coloured > 0.03 * h * h, `the emoji is in colour (${coloured} saturated pixels)`)
    assert.equal(outside, 0)
    // …where it stands: at the start of the line
    assert.ok(sumX / coloured < box.x0 + (box.x1 - box.x0) / 3, 'the coloured pixels are the emoji, on the left')
  })

  it('wraps a 120-character title on at most three lines, each at least 4 % of the frame high, inside the safe zones of 9:16', async () => {
    const title = 'Holiday spotlight: playful bright kingdoms, glowing lights, happy dogs, yellow kites and jolly typhoons glide by tonight'
    assert.equal(title.length, 120)
    // cover: the grey photo fills both frames (no darkened blur around it to be taken for the box)
    const r = await render(title, { resolution: '1080p', 'aspect-ratio': '16:9, 9:16', fit: 'cover' })
    assert.equal(r.code, 0, r.all)
    for (const [file, W, H] of [
      ['title-1920x1080.mp4', 1920, 1080],
      ['title-1080x1920.mp4', 1080, 1920]
    ] as const) {
      const f = await frameAt(join(r.workspace, file))
      assert.deepEqual([f.W, f.H], [W, H])
      const box = findBox(f)
      const lines = textLines(f, box)
      const heights = lines.map(l => l.bottom - l.top + 1)
      console.log(
        `${W}×${H}: ${lines.length} lines, ink ${heights.map(h => `${((100 * h) / H).toFixed(1)} %`).join(', ')} of the height; box x ${box.x0}–${box.x1}, y ${box.y0}–${box.y1}`
      )
      assert.ok(lines.length >= 2 && lines.length <= 3, `${lines.length} lines`)
      for (const h of heights) assert.ok(h >= 0.04 * H, `a line's ink is ${h} px high, at least 4 % of ${H}`)
      // balanced: no line much shorter than the others (widths of white ink per line)
      const widths = lines.map(l => {
        let [a, b] = [Infinity, -Infinity]
        for (let y = l.top; y <= l.bottom; y++)
          for (let x = box.x0; x <= box.x1; x++) if (luma(f, x, y) > 200) [a, b] = [Math.min(a, x), Math.max(b, x)]
        return b - a
      })
      if (W > H) assert.ok(Math.min(...widths) > 0.7 * Math.max(...widths), `balanced lines: ${widths.join(', ')} px`)
      if (H > W) {
        const z = TITLE.portrait
        assert.ok(box.x1 <= z.right * W + 2 && box.x0 >= z.left * W - 2, `clear of the buttons on the right: x ${box.x0}–${box.x1}`)
        assert.ok(
          box.y1 <= z.bottom * H + 2 && box.y0 >= z.top * H - 2,
          `clear of the caption below and the tabs above: y ${box.y0}–${box.y1}`
        )
      }
    }
    // 16:9 holds it all; 9:16 holds three lines at the least size, and says it cut the rest
    assert.match(
      r.all,
      /::warning::input 'title' is too long for a 1080×1920 video: .* at most 3 lines fit, so it is cut to "Holiday spotlight: .*…"/
    )
    assert.doesNotMatch(r.all, /too long for a 1920×1080 video/)
  })

  it('draws Arabic shaped and right to left, the same on every ffmpeg (a picture, not drawtext)', async () => {
    const text = 'مرحبا بالعالم'
    const r = await render(text)
    assert.equal(r.code, 0, r.all)
    const f = await frameAt(video(r))
    // the reference: the same library's drawing of the title, over the same grey
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-title-'))
    const fonts = await titleFonts(text, dir, { installMissing: false })
    const ref = await drawTitle(fonts, text, f.W, f.H, join(dir, 'ref.png'))
    const { stdout } = await run(FFMPEG_UNDER_TEST, ['-v', 'error', '-i', ref.file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
      encoding: 'buffer',
      maxBuffer: 1 << 24
    })
    const rgba = stdout as unknown as Buffer
    const grey = luma(f, 10, 10)
    const refLuma = (x: number, y: number): number => {
      const o = (y * ref.width + x) * 4
      const a = rgba[o + 3] / 255
      return (0.2126 * rgba[o] + 0.7152 * rgba[o + 1] + 0.0722 * rgba[o + 2]) * a + grey * (1 - a)
    }
    let [same, mirrored] = [0, 0]
    for (let y = 0; y < ref.height; y++)
      for (let x = 0; x < ref.width; x++) {
        const v = luma(f, ref.x + x, ref.y + y)
        same += Math.abs(v - refLuma(x, y))
        mirrored += Math.abs(v - refLuma(ref.width - 1 - x, y))
      }
    const n = ref.width * ref.height
    console.log(`Arabic title vs its reference: ${(same / n).toFixed(2)}; vs the mirrored reference: ${(mirrored / n).toFixed(2)}`)
    assert.ok(same / n < 8, `the video shows the reference drawing (${(same / n).toFixed(2)})`)
    assert.ok(mirrored > 2 * same, 'and not its mirror')
  })

  it('joins Arabic letters (shaping) and sets a number left of Arabic words (right-to-left order)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-title-'))
    const draw = async (text: string, name: string): Promise<{ px: Buffer; w: number; h: number }> => {
      const img = await drawTitle(await titleFonts(text, dir, { installMissing: false }), text, 1280, 720, join(dir, `${name}.png`))
      const { stdout } = await run(FFMPEG_UNDER_TEST, ['-v', 'error', '-i', img.file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
        encoding: 'buffer',
        maxBuffer: 1 << 24
      })
      return { px: stdout as unknown as Buffer, w: img.width, h: img.height }
    }
    // the same letters kept from joining (zero-width non-joiners between them) look different
    const joined = await draw('مرحبا', 'joined')
    const apart = await draw([...'مرحبا'].join('\u200C'), 'apart')
    assert.ok(joined.w < apart.w, `joined letters are narrower (${joined.w} vs ${apart.w} px)`)
    // the digits of "مرحبا 2026" against "مرحبا 1111": where they differ is left of the middle
    const [a, b] = [await draw('مرحبا 2026', 'a'), await draw('مرحبا 1111', 'b')]
    assert.deepEqual([a.w, a.h], [b.w, b.h])
    let [n, sum] = [0, 0]
    for (let i = 0; i < a.px.length; i++)
      if (Math.abs(a.px[i] - b.px[i]) > 64) {
        n++
        sum += i % a.w
      }
    assert.ok(n > 100)
    assert.ok(sum / n < a.w / 2, `the number is on the left (mean x ${(sum / n).toFixed(0)} of ${a.w})`)
  })
})
