// The text drawn over the photos (the title, each photo's caption: overlays.ts's items), each as one
// transparent PNG (its text and its translucent box) in its style (TEXT_STYLES), drawn before the render by
// Skia's text layout (CanvasKit, WebAssembly: the same on every runner and every ffmpeg) and laid
// over the frames by ffmpeg's overlay. Skia shapes (HarfBuzz), orders right-to-left text (ICU
// bidi), falls back per character across the fonts it is handed and draws colour emoji (CBDT,
// COLR, sbix); ffmpeg's drawtext draws one font, no colour, and before 6.1 neither shapes nor
// orders right-to-left text. Every character is checked against the fonts' character maps
// first: one that no font has fails the run, before anything is rendered, instead of an empty box.
import type { CanvasKit, Paragraph, Typeface } from 'canvaskit-wasm'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FfmpegError } from '../../media/errors.js'
import { aptInstall, notInstalledHint, type InstallPolicy } from '../../shared/apt.js'
import { log } from '../../shared/log.js'
import { runTool } from '../../shared/tool-process.js'
import { chooseFont, CJK_PACKAGE, FC_LIST_BYTES, findFont, scriptOf } from './fonts.js'

/** A file URL as a path; ncc turns a `new URL(…, import.meta.url)` of an asset into a path string. */
const toPath = (u: URL | string): string => (typeof u === 'string' ? u : fileURLToPath(u))

async function loadKit(): Promise<CanvasKit> {
  // ncc copies the file this names into dist/ byte for byte and points the name there (its asset
  // relocator; it reads this module only while it holds no syntax newer than it parses, such as
  // logical assignment: webpack would then take the URL and copy the file as text); from the
  // sources it is the package's own file
  const wasm = toPath(new URL('../../../node_modules/canvaskit-wasm/bin/canvaskit.wasm', import.meta.url))
  if (!existsSync(wasm)) throw new Error(`CanvasKit's WebAssembly is not at ${wasm}: the action is incomplete (rebuild dist/)`)
  // a CommonJS module: its exports are `default`, and the function is their `default` too
  const { default: mod } = await import('canvaskit-wasm')
  // its loader asks for __dirname, which a bundle (an ES module) has not: defined for the call
  const g = globalThis as { __dirname?: string }
  const had = '__dirname' in g
  if (!had) g.__dirname = dirname(wasm)
  try {
    // the loader reads the file it is pointed to (its own guess, beside its script, a bundle moves)
    return await mod.default({ locateFile: () => wasm })
  } finally {
    if (!had) delete g.__dirname
  }
}

let kit: Promise<CanvasKit> | undefined

/** CanvasKit, loaded once and only for a title (~7 MB of WebAssembly, compiled in ~0.2 s). */
export function canvasKit(): Promise<CanvasKit> {
  if (!kit) kit = loadKit()
  return kit
}

/** Colour emoji fonts where their packages put them (Debian/Ubuntu, Arch, Fedora), macOS's, Windows'. */
export const EMOJI_FONTS = [
  '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf',
  '/usr/share/fonts/noto/NotoColorEmoji.ttf',
  '/usr/share/fonts/google-noto-color-emoji-fonts/NotoColorEmoji.ttf',
  '/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf',
  '/System/Library/Fonts/Apple Color Emoji.ttc',
  'C:\\Windows\\Fonts\\seguiemj.ttf'
]
/** The Debian/Ubuntu package installed on a runner when there is no colour emoji font. */
const EMOJI_PACKAGE = 'fonts-noto-color-emoji'
/** … and the one with Noto fonts for most other scripts (Arabic, Hebrew, Devanagari, Thai…). */
const OTHER_PACKAGE = 'fonts-noto-core'

/** Characters drawn with no glyph of their own: spaces, joiners, variation selectors, bidi marks, tags. */
const INVISIBLE = /^[\s\p{Cc}\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]$/u

/** An emoji as a picture (a flag, a keycap, a sequence, an emoji-presentation character), not as text. */
export function isEmoji(cluster: string): boolean {
  if (cluster.includes('\uFE0E')) return false
  return /\p{Regional_Indicator}|\u20E3|\p{Extended_Pictographic}(?:\uFE0F|\u200D|[\u{1F3FB}-\u{1F3FF}])|\p{Emoji_Presentation}/u.test(
    cluster
  )
}

// each segment V8 hands out holds a copy of the whole text: they are dropped as they come (a spread
// of a 64 000-character title's segments ran out of memory)
const graphemes = (text: string): string[] =>
  Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), s => s.segment)

/** A font handed to Skia under its own family name. */
interface TitleFont {
  path: string
  family: string
  bytes: Uint8Array
  typeface: Typeface
  /** a colour emoji font */
  emoji: boolean
}

/** Which font draws each character, in the order the layout tries them. */
export interface TitleFonts {
  fonts: TitleFont[]
  /** families for text, in order */
  text: string[]
  /** families for emoji: the colour font first */
  emoji: string[]
  /** each visible character and the font that has it */
  covered: Map<string, TitleFont>
  missing: { char: string; emoji: boolean }[]
}

/** The package that brings a font for characters like `char`. */
const packageFor = (char: string, emoji: boolean): string =>
  emoji ? EMOJI_PACKAGE : scriptOf(char) !== 'latin' ? CJK_PACKAGE : OTHER_PACKAGE

/**
 * Which of `paths` (emoji fonts marked) draws each character of `text`, by each font's character
 * map (Skia's glyph lookup: glyph 0 is the font's empty box). Text tries the text fonts in order,
 * then the emoji font; an emoji the emoji font first.
 */
export async function coverage(ck: CanvasKit, text: string, paths: { path: string; emoji?: boolean }[]): Promise<TitleFonts> {
  const fonts: TitleFont[] = []
  for (const [i, p] of paths.entries()) {
    const bytes = new Uint8Array(await readFile(p.path))
    const typeface = ck.Typeface.MakeTypefaceFromData(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    )
    if (!typeface) {
      log.info(`The font ${p.path} cannot be read; the title does not use it.`)
      continue
    }
    fonts.push({ path: p.path, family: `title-font-${i}`, bytes, typeface, emoji: !!p.emoji })
  }
  const textFonts = [...fonts.filter(f => !f.emoji), ...fonts.filter(f => f.emoji)]
  const emojiFonts = [...fonts.filter(f => f.emoji), ...fonts.filter(f => !f.emoji)]
  const covered = new Map<string, TitleFont>()
  const missing: { char: string; emoji: boolean }[] = []
  const seen = new Set<string>()
  for (const cluster of graphemes(text)) {
    const emoji = isEmoji(cluster)
    for (const char of cluster) {
      if (INVISIBLE.test(char) || seen.has(char)) continue
      seen.add(char)
      const font = (emoji ? emojiFonts : textFonts).find(f => f.typeface.getGlyphIDs(char, 1)[0] !== 0)
      if (font) covered.set(char, font)
      else missing.push({ char, emoji })
    }
  }
  const used = new Set(covered.values())
  const keep = (list: TitleFont[]): string[] => list.filter(f => used.has(f)).map(f => f.family)
  return { fonts: fonts.filter(f => used.has(f)), text: keep(textFonts), emoji: keep(emojiFonts), covered, missing }
}

/** Font files fontconfig knows with `char` (bold first), when fontconfig is there. */
async function fontconfigFor(char: string): Promise<string[]> {
  try {
    const stdout = await runTool('fc-list', ['-f', '%{file}\t%{style[0]}\n', `:charset=${(char.codePointAt(0) ?? 0).toString(16)}`], {
      stdoutBytes: FC_LIST_BYTES
    })
    const rows = stdout
      .split('\n')
      .filter(Boolean)
      .map(l => l.split('\t'))
      .filter(r => /\.(ttf|otf)$/i.test(r[0]))
    return [...new Set([...rows.filter(r => /bold/i.test(r[1] ?? '')), ...rows].map(r => r[0]))]
  } catch {
    return []
  }
}

const hex = (c: string): string => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`

/**
 * The fonts for `text`: the shipped DejaVu Sans Bold, a CJK font in the face of the text's
 * language (chooseFont), a colour emoji font, and for other characters what fontconfig knows;
 * what is missing installed with apt when the policy allows. Throws, naming the characters and
 * the package that has them, when a character is in no font.
 */
export async function titleFonts(text: string, tempDir: string, policy: InstallPolicy): Promise<TitleFonts> {
  const ck = await canvasKit()
  const clusters = graphemes(text)
  const paths: { path: string; emoji?: boolean }[] = []
  const main = findFont()
  if (main) paths.push({ path: main })
  if (scriptOf(text) !== 'latin') {
    const cjk = await chooseFont(text, tempDir, policy)
    if (cjk && cjk !== main) paths.push({ path: cjk })
  }
  if (clusters.some(isEmoji)) {
    let emoji = EMOJI_FONTS.find(f => existsSync(f))
    if (!emoji && (await aptInstall(EMOJI_PACKAGE, 'The title has emoji and no colour emoji font is installed', policy)))
      emoji = EMOJI_FONTS.find(f => existsSync(f))
    if (emoji) paths.push({ path: emoji, emoji: true })
  }
  let fonts = await coverage(ck, text, paths)
  // characters of other scripts: a font fontconfig knows, then one of the package for them
  for (let round = 0; round < 2 && fonts.missing.length; round++) {
    if (round === 1) {
      const pkgs = [...new Set(fonts.missing.map(m => packageFor(m.char, m.emoji)))]
      let installed = false
      for (const pkg of pkgs)
        installed =
          (await aptInstall(
            pkg,
            `The title has characters (${fonts.missing.map(m => m.char).join(' ')}) that no installed font has`,
            policy
          )) || installed
      if (!installed) break
    }
    for (const { char } of fonts.missing.slice(0, 16)) {
      const extra = (await fontconfigFor(char)).find(f => !paths.some(p => p.path === f))
      if (extra) paths.push({ path: extra })
    }
    fonts = await coverage(ck, text, paths)
  }
  if (fonts.missing.length) {
    const chars = fonts.missing.map(m => `${m.char} (${hex(m.char)})`).join(', ')
    const pkgs = [...new Set(fonts.missing.map(m => packageFor(m.char, m.emoji)))]
    throw new FfmpegError(
      `input 'title' (or the title quoted in the prompt) "${text}" has characters that no installed font has: ${chars}${notInstalledHint(policy)}. Install a font with them in an earlier step, e.g. 'sudo apt-get install -y ${pkgs.join(' ')}' (Debian/Ubuntu), or leave them out — the local backend never draws a title as empty boxes.`
    )
  }
  const inEmoji = new Set(clusters.filter(isEmoji).flatMap(k => [...k]))
  const plain = [...fonts.covered].filter(([c, f]) => !f.emoji && inEmoji.has(c))
  if (plain.length)
    log.warning(
      `input 'title': ${plain.map(([c]) => c).join(' ')} ${plain.length > 1 ? 'are' : 'is'} drawn in one colour: no colour emoji font is installed (Debian/Ubuntu: 'sudo apt-get install -y ${EMOJI_PACKAGE}').`
    )
  log.info(`Title fonts: ${fonts.fonts.map(f => basename(f.path)).join(', ')}.`)
  return fonts
}

/** A break may not come before these (closing punctuation, small kana, the prolonged sound mark) … */
const NO_START = /^[、。，．,.!?！？)）\]］｝〕〉》」』】〙〗〟’”ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々…‥・：；:;%％]/u
/** … nor after these (opening punctuation). */
const NO_END = /[(（[［｛〔〈《「『【〘〖〝‘“]$/u
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u

/** A piece of the title after which a line may break; `ws` is its trailing white space. */
interface Token {
  text: string
  ws: string
}

/** Where lines may break: after spaces, and in Chinese or Japanese between words (ICU's dictionary) outside punctuation. */
export function tokens(text: string): Token[] {
  const words = new Set(Array.from(new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text), s => s.index))
  const out: Token[] = []
  let cur = { text: '', ws: '' }
  let at = 0
  let prev = ''
  for (const g of graphemes(text)) {
    const space = /^\s+$/u.test(g)
    if (space) {
      if (cur.text) cur.ws += g
    } else {
      const cjkBreak = cur.text && !cur.ws && words.has(at) && (CJK.test(prev) || CJK.test(g)) && !NO_START.test(g) && !NO_END.test(prev)
      if (cur.ws || cjkBreak) {
        out.push(cur)
        cur = { text: '', ws: '' }
      }
      cur.text += g
      prev = g
    }
    at += g.length
  }
  if (cur.text) out.push(cur)
  return out
}

/**
 * Lines of at most `limit` for pieces of widths `w` (trailing space `ws`): exactly `n` lines of
 * balanced width (the least sum of squared widths), or undefined when they cannot fit.
 */
export function balance(w: number[], ws: number[], n: number, limit: number): { breaks: number[]; widest: number } | undefined {
  const T = w.length
  if (n > T) return undefined
  // the width of pieces i..j on one line, from running sums: O(1) each
  const sum = [0]
  for (let k = 0; k < T; k++) sum.push(sum[k] + w[k] + ws[k])
  const width = (i: number, j: number): number => sum[j] - sum[i] + w[j]
  // cost[k][j]: the best k lines over pieces 0..j-1
  const cost = Array.from({ length: n + 1 }, () => new Array<number>(T + 1).fill(Infinity))
  const from = Array.from({ length: n + 1 }, () => new Array<number>(T + 1).fill(-1))
  cost[0][0] = 0
  // a line grows as its first piece moves back: once it is over the limit, every earlier start is
  // too (O(n · pieces · pieces per line), not O(n · pieces²)); `<=` keeps the earliest start on a tie
  for (let k = 1; k <= n; k++)
    for (let j = k; j <= T; j++)
      for (let i = j - 1; i >= k - 1; i--) {
        const lw = width(i, j - 1)
        if (lw > limit) break
        if (cost[k - 1][i] === Infinity) continue
        const c = cost[k - 1][i] + lw * lw
        if (c <= cost[k][j]) [cost[k][j], from[k][j]] = [c, i]
      }
  if (cost[n][T] === Infinity) return undefined
  const breaks: number[] = []
  let widest = 0
  for (let k = n, j = T; k > 0; k--) {
    const i = from[k][j]
    widest = Math.max(widest, width(i, j - 1))
    breaks.unshift(i)
    j = i
  }
  return { breaks: breaks.slice(1), widest }
}

/** The least width the widest of `n` lines can have (each line's width is what it holds). */
function narrowest(w: number[], ws: number[], n: number): number | undefined {
  let [lo, hi] = [Math.max(...w), w.reduce((s, v, k) => s + v + (k < w.length - 1 ? ws[k] : 0), 0)]
  if (!balance(w, ws, n, hi)) return undefined
  for (let step = 0; step < 30 && hi - lo > 0.5; step++) {
    const mid = (lo + hi) / 2
    if (balance(w, ws, n, mid)) hi = mid
    else lo = mid
  }
  return hi
}

/**
 * How one kind of text is laid out: sizes as shares of the frame, and the zones of a 9:16 frame that
 * Reels, TikTok and Shorts cover with their own buttons and captions.
 */
export interface TextStyle {
  /** the box: black at this opacity over the whitest photo is grey 102, against which white text
   *  has a WCAG contrast of 5.7:1 (at least 4.5:1 is asked); over a black photo 21:1 */
  box: number
  /** the most lines it takes */
  lines: number
  /** font size: this share of the short side … */
  size: number
  /** … shrunk for a long text, to no less than this share of the frame's height */
  minSize: number
  /** a line rather than two while the size stays at least this share of the full size */
  oneMoreLine: number
  /** the box's widest in a landscape or square frame */
  width: number
  /** in a landscape or square frame: the box's centre line, or (`bottom`) its bottom edge, as shares of the height */
  y: number
  anchor: 'centre' | 'bottom'
  /** in a portrait frame: the box stays inside these shares of the width and height */
  portrait: { left: number; right: number; top: number; bottom: number }
  /**
   * The most characters (grapheme clusters) laid out: more than its lines at the least size can
   * hold of the narrowest visible ones, so a longer text is cut in any case (textHead); only
   * characters of (next to) no width could have shown more.
   */
  maxChars: number
}

// In a portrait frame (9:16, 4:5) the apps lay their own interface over the video: the bottom
// ~20–25 % (caption, account name, music, the navigation bar), a column of buttons in the right
// ~15 % (like, comment, share, from about the middle down) and the top ~10–14 % (tabs, search).
// Text stays inside: right edge at 85 % of the width, bottom edge at 75 % and top edge at 14 % of
// the height, left edge at 5 % of the width.
const PORTRAIT_SAFE = { left: 0.05, right: 0.85, top: 0.14, bottom: 0.75 } as const

/** The title: up to three lines in the lower third, a twelfth of the short side. */
export const TITLE: TextStyle = {
  box: 0.6,
  y: 0.7,
  anchor: 'centre',
  lines: 3,
  size: 1 / 12,
  // a line's ink (ascender to descender, ~0.99 em in DejaVu Sans Bold) stays above 4 % of the
  // frame, what a phone shows legibly
  minSize: 0.042,
  oneMoreLine: 0.8,
  // 8 % margins on each side
  width: 0.84,
  portrait: PORTRAIT_SAFE,
  // three lines at the least size hold about 300 of the narrowest characters (a 16:9 frame)
  maxChars: 1000
}

/**
 * A photo's caption: up to two lines at the foot of the frame (inside the safe zone in a portrait
 * one), smaller than the title, on the same box; a title shown at the same time sits above the
 * captions (drawText's `floor`).
 */
export const CAPTION: TextStyle = {
  box: 0.6,
  y: 0.94,
  anchor: 'bottom',
  lines: 2,
  size: 1 / 18,
  // 30 px at 1080p 16:9, 54 px in a 1080×1920 frame: what a caption under a photo is set in
  minSize: 0.028,
  oneMoreLine: 0.8,
  width: 0.84,
  portrait: PORTRAIT_SAFE,
  // two lines at the least size hold about 420 of the narrowest characters (a 16:9 frame)
  maxChars: 500
}

/**
 * The text's first `maxChars` characters (TextStyle.maxChars), and whether there is more. Only its
 * first 8 UTF-16 units a character are segmented (a cluster of many marks is cut too):
 * Intl.Segmenter takes time in the text's length for every segment, so a whole 64 000-character
 * title took seconds for each pass over it.
 */
export function textHead(text: string, maxChars: number): { head: string; more: boolean } {
  const slice = text.slice(0, 8 * maxChars)
  let [end, n] = [0, 0]
  for (const { segment, index } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(slice)) {
    // the slice's last cluster may go on past it
    if (n === maxChars || (slice.length < text.length && index + segment.length === slice.length)) break
    end = index + segment.length
    n++
  }
  // one cluster longer than the slice: its first code points
  if (end === 0) end = slice.length - (slice.length < text.length && /[\uD800-\uDBFF]$/.test(slice) ? 1 : 0)
  return { head: text.slice(0, end), more: end < text.length }
}

/** The title drawn: its PNG and where it goes on the frame. */
export interface TitleImage {
  file: string
  x: number
  y: number
  width: number
  height: number
  lines: string[]
  size: number
  /** the title as drawn, when it was cut to fit */
  cut?: string
}

const even = (n: number): number => Math.round(n / 2) * 2

/** Base direction from the first letter: Arabic or Hebrew (…) is right to left. */
const rtl = (text: string): boolean =>
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Adlam}]/u.test(
    /\p{L}/u.exec(text)?.[0] ?? ''
  )

/** drawText for the title, as the title was drawn before captions came. */
export function drawTitle(fonts: TitleFonts, text: string, W: number, H: number, file: string, more = false): Promise<TitleImage> {
  return drawText(fonts, text, W, H, file, { style: TITLE, more })
}

/**
 * Lays out and draws `text` for a W×H frame into `file` in `style`: balanced lines (at most
 * style.lines), as large as fits up to style.size, no smaller than style.minSize (cut when even
 * that many lines at that size cannot hold it), in a translucent box inside the safe zones and,
 * with `floor`, with its bottom edge no lower than that (a title above the captions). `more`:
 * `text` is the head of a longer text (textHead), so it is cut whatever fits.
 */
export async function drawText(
  fonts: TitleFonts,
  text: string,
  W: number,
  H: number,
  file: string,
  opts: { style: TextStyle; more?: boolean; floor?: number }
): Promise<TitleImage> {
  const { style, more = false } = opts
  const ck = await canvasKit()
  const provider = ck.TypefaceFontProvider.Make()
  for (const f of fonts.fonts) provider.registerFont(f.bytes, f.family)
  const portrait = H > W
  const boxMax = portrait ? (style.portrait.right - style.portrait.left) * W : style.width * W
  const full = Math.min(W, H) * style.size
  const least = Math.min(full, H * style.minSize)
  const dir = rtl(text) ? ck.TextDirection.RTL : ck.TextDirection.LTR
  const paragraph = (t: string, size: number, width = 1e6): Paragraph => {
    const builder = ck.ParagraphBuilder.MakeFromFontProvider(
      new ck.ParagraphStyle({
        textAlign: ck.TextAlign.Center,
        textDirection: dir,
        textStyle: { color: ck.WHITE, fontSize: size, fontFamilies: fonts.text },
        // every line equally high, whatever font its characters come from
        strutStyle: {
          strutEnabled: true,
          forceStrutHeight: true,
          fontFamilies: fonts.text,
          fontSize: size,
          heightMultiplier: 1.2,
          halfLeading: true
        }
      }),
      provider
    )
    // emoji in the colour font, the rest in the text fonts (each run falls back per character)
    for (const g of graphemes(t)) {
      const emoji = isEmoji(g)
      if (emoji) builder.pushStyle(new ck.TextStyle({ color: ck.WHITE, fontSize: size, fontFamilies: fonts.emoji }))
      builder.addText(g)
      if (emoji) builder.pop()
    }
    const p = builder.build()
    builder.delete()
    p.layout(width)
    return p
  }
  const measure = (t: string): number => {
    const p = paragraph(t, 100)
    const w = p.getMaxIntrinsicWidth()
    p.delete()
    return w
  }
  // every piece measured once at 100 px, in order; widths scale with the size
  const widthAt = (size: number): number => boxMax - size
  // Only what three lines at the least size can hold is measured: a prefix whose pieces and
  // spaces add up to more than three such lines (plus the spaces that may end them) is never
  // drawn, so the pieces after it cannot change the layout; the first one past it stays, so that
  // the title is known to be cut. Measuring and balancing a whole 64 000-character title took
  // minutes (every piece a paragraph, balanced in O(pieces²)).
  const smallest = Math.floor(least)
  const room = (style.lines * widthAt(smallest) * 100) / smallest
  const pieces: Token[] = []
  const w: number[] = []
  const ws: number[] = []
  let total = 0
  let widestWs = 0
  // a title measured only in part is cut, even where the part would fit
  let cutShort = more
  const add = (t: Token, width: number): boolean => {
    const space = t.ws ? measure(`${t.text}${t.ws}`) - width : 0
    pieces.push(t)
    w.push(width)
    ws.push(space)
    total += width + space
    widestWs = Math.max(widestWs, space)
    if (total <= room + style.lines * widestWs) return true
    cutShort = true
    return false
  }
  measuring: for (const t of tokens(text)) {
    const width = measure(t.text)
    // a word wider than a line at the least size is broken between its characters (whole
    // grapheme clusters: an emoji sequence, a letter and its marks stay one piece)
    if ((width * least) / 100 <= widthAt(least)) {
      if (!add(t, width)) break
      continue
    }
    const chars = graphemes(t.text)
    for (const [k, g] of chars.entries()) if (!add({ text: g, ws: k === chars.length - 1 ? t.ws : '' }, measure(g))) break measuring
  }
  let best: { n: number; size: number } | undefined
  for (let n = 1; n <= style.lines; n++) {
    const m = narrowest(w, ws, n)
    if (m === undefined) break
    // the largest size at which the widest line and the box's padding (half a size each side) fit
    const size = Math.min(full, boxMax / (m / 100 + 1))
    if (!best || size > best.size) best = { n, size }
    if (size >= style.oneMoreLine * full) break
  }
  let lines: string[]
  let size: number
  let cut: string | undefined
  if (best && best.size >= least && !cutShort) {
    size = Math.floor(best.size)
    const b = balance(w, ws, best.n, (widthAt(size) * 100) / size) ?? balance(w, ws, best.n, Infinity)
    const starts = [0, ...(b?.breaks ?? [])]
    lines = starts.map((s, k) =>
      pieces
        .slice(s, starts[k + 1] ?? pieces.length)
        .map((t, i, all) => t.text + (i < all.length - 1 ? t.ws : ''))
        .join('')
    )
  } else {
    // too long for three lines at the least size: the most pieces that fit, then an ellipsis, on
    // balanced lines (a longer prefix never fits where a shorter one does not: a binary search)
    size = Math.floor(least)
    const limit = (widthAt(size) * 100) / size
    const ellipsis = measure('…')
    const layout = (m: number): { n: number; breaks: number[] } | undefined => {
      const wm = w.slice(0, m)
      wm[m - 1] += ellipsis
      for (let n = 1; n <= Math.min(style.lines, m); n++) {
        const b = balance(wm, ws.slice(0, m), n, limit)
        if (b) return { n, breaks: b.breaks }
      }
      return undefined
    }
    let [lo, hi] = [1, pieces.length - 1]
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (layout(mid)) lo = mid
      else hi = mid - 1
    }
    const kept = pieces.slice(0, lo)
    const starts = [0, ...(layout(lo)?.breaks ?? [])]
    lines = starts.map((s, k) =>
      kept
        .slice(s, starts[k + 1] ?? kept.length)
        .map((t, i, all) => t.text + (i < all.length - 1 ? t.ws : ''))
        .join('')
    )
    lines[lines.length - 1] += '…'
    cut = `${kept.map((t, i) => t.text + (i < kept.length - 1 ? t.ws : '')).join('')}…`
  }
  // the real layout; a line that came out wider than its pieces added up shrinks the size
  let p = paragraph(lines.join('\n'), size)
  for (let tries = 0; tries < 5 && p.getLongestLine() > widthAt(size); tries++) {
    size = Math.floor((size * widthAt(size)) / p.getLongestLine())
    p.delete()
    p = paragraph(lines.join('\n'), size)
  }
  const textW = Math.ceil(p.getLongestLine()) + 2
  p.layout(textW)
  const pad = { x: Math.round(size / 2), y: Math.round(size * 0.3) }
  const width = even(textW + 2 * pad.x)
  const height = even(p.getHeight() + 2 * pad.y)
  const surface = ck.MakeSurface(width, height)
  if (!surface) throw new Error(`CanvasKit could not make a ${width}×${height} surface for the title`)
  const canvas = surface.getCanvas()
  canvas.clear(ck.TRANSPARENT)
  const paint = new ck.Paint()
  paint.setColor(ck.Color(0, 0, 0, style.box))
  canvas.drawRect(ck.XYWHRect(0, 0, width, height), paint)
  canvas.drawParagraph(p, pad.x + (width - 2 * pad.x - textW) / 2, pad.y)
  const image = surface.makeImageSnapshot()
  const png = image.encodeToBytes()
  ;[image, paint, p].forEach(o => o.delete())
  surface.dispose()
  provider.delete()
  if (!png) throw new Error('CanvasKit could not encode the title as PNG')
  await writeFile(file, png)
  let x: number
  let y: number
  const floor = (bottom: number): number => Math.min(bottom, opts.floor ?? Infinity)
  if (portrait) {
    const z = style.portrait
    // centred on the frame unless that would reach under the buttons on the right
    x = even(Math.max(z.left * W, Math.min(W / 2, z.right * W - width / 2) - width / 2))
    const want = style.anchor === 'bottom' ? z.bottom * H - height : style.y * H - height / 2
    y = even(Math.max(z.top * H, Math.min(want, floor(z.bottom * H) - height)))
  } else {
    x = even((W - width) / 2)
    const want = style.anchor === 'bottom' ? style.y * H - height : style.y * H - height / 2
    y = even(Math.max(0.05 * H, Math.min(want, floor(0.95 * H) - height)))
  }
  return { file, x, y, width, height, lines, size, cut }
}

/** The warning for a text drawn cut (`what`: "input 'title'", a caption and its photo). */
export function cutWarning(what: string, style: TextStyle, image: TitleImage, more: boolean, W: number, H: number): string {
  return `${what} is too long for a ${W}×${H} video: ${more ? `it has more than ${style.maxChars} characters, of which only the first ${style.maxChars} are laid out, and ` : ''}at a legible size (${image.size} px, ${Math.round(style.minSize * 1000) / 10} % of its height) at most ${style.lines} lines fit, so it is cut to "${image.cut}". Shorten it to about ${graphemes(image.cut ?? '').length - 1} characters.`
}

/**
 * The title for a W×H video: its fonts checked (throws when a character is in none), drawn into
 * a PNG in `tempDir`; a warning when it had to be cut.
 */
export async function prepareTitle(
  text: string,
  W: number,
  H: number,
  tempDir: string,
  policy: InstallPolicy
): Promise<TitleImage | undefined> {
  if (!text.trim()) return undefined
  // what is past the head is never drawn: neither its fonts nor its layout are looked for
  const { head, more } = textHead(text, TITLE.maxChars)
  const fonts = await titleFonts(head, tempDir, policy)
  const image = await drawTitle(fonts, head, W, H, join(tempDir, `title-${W}x${H}.png`), more)
  if (image.cut) log.warning(cutWarning("input 'title'", TITLE, image, more, W, H))
  log.info(`Title: ${image.lines.length} line${image.lines.length > 1 ? 's' : ''} at ${image.size} px.`)
  return image
}
