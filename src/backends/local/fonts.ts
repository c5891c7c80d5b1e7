// The title's fonts, per script: DejaVu Sans Bold (shipped in fonts/) for Latin, Greek, Cyrillic,
// Arabic and Hebrew; for Chinese, Japanese and Korean a CJK font of the system (Noto Sans CJK
// first, in the face of the text's language), installed with apt on a GitHub-hosted runner when
// there is none. title.ts adds a colour emoji font and others, and checks every character.
import { existsSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { FfmpegError } from '../../media/errors.js'
import { aptInstall, notInstalledHint, type InstallPolicy } from '../../shared/apt.js'
import { runTool } from '../../shared/tool-process.js'

/** fc-list's answer: a line per font file (a system has hundreds at most). */
export const FC_LIST_BYTES = 1 << 20

const SYSTEM_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
  'C:\\Windows\\Fonts\\arialbd.ttf'
]

/** CJK fonts where their packages put them: Noto Sans CJK (Debian/Ubuntu, Arch, Fedora), then others. */
export const CJK_FONTS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/System/Library/Fonts/Hiragino Sans GB.ttc',
  'C:\\Windows\\Fonts\\msyhbd.ttc'
]

/** The Debian/Ubuntu package installed on a runner when no CJK font is found. */
export const CJK_PACKAGE = 'fonts-noto-cjk'

/** The shipped font: walk up from this module (src/backends/local/ in tests, dist/ when bundled). */
export function findFont(): string | undefined {
  let dir = import.meta.dirname
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'fonts', 'DejaVuSans-Bold.ttf')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return SYSTEM_FONTS.find(f => existsSync(f))
}

export type Script = 'latin' | 'ja' | 'ko' | 'zh'

/** The script a title needs a font for: kana is Japanese, Hangul Korean, other Han Chinese. */
export function scriptOf(text: string): Script {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'ja'
  if (/\p{Script=Hangul}/u.test(text)) return 'ko'
  if (/[\p{Script=Han}\u3000-\u303f\uff01-\uff60]/u.test(text)) return 'zh'
  return 'latin'
}

/** The face of a region-split CJK collection (Noto Sans CJK "JP", "SC", "KR") for each script. */
const REGION: Record<Exclude<Script, 'latin'>, RegExp> = { ja: /\bJP\b/, zh: /\bSC\b/, ko: /\bKR\b/ }

/** Faces of a font file: one for .ttf/.otf, several in a .ttc collection, each with its family name. */
export async function fontFaces(path: string): Promise<{ index: number; offset: number; family: string }[]> {
  const fh = await open(path, 'r')
  try {
    const read = async (at: number, n: number): Promise<Buffer> => {
      const b = Buffer.alloc(n)
      const { bytesRead } = await fh.read(b, 0, n, at)
      return b.subarray(0, bytesRead)
    }
    const head = await read(0, 12)
    const offsets: number[] = []
    if (head.toString('latin1', 0, 4) === 'ttcf') {
      const n = head.readUInt32BE(8)
      const list = await read(12, 4 * Math.min(n, 64))
      for (let i = 0; i < list.length / 4; i++) offsets.push(list.readUInt32BE(4 * i))
    } else offsets.push(0)
    const faces = []
    for (const [index, offset] of offsets.entries()) {
      const dir = await read(offset, 12)
      const tables = await read(offset + 12, 16 * dir.readUInt16BE(4))
      let family = ''
      for (let t = 0; t < tables.length; t += 16) {
        if (tables.toString('latin1', t, t + 4) !== 'name') continue
        const name = await read(tables.readUInt32BE(t + 8), tables.readUInt32BE(t + 12))
        const [count, strings] = [name.readUInt16BE(2), name.readUInt16BE(4)]
        for (let r = 0; r < count; r++) {
          const at = 6 + 12 * r
          const [platform, id, length, from] = [
            name.readUInt16BE(at),
            name.readUInt16BE(at + 6),
            name.readUInt16BE(at + 8),
            name.readUInt16BE(at + 10)
          ]
          // the family name (id 1) in Windows' UTF-16BE
          if (platform !== 3 || id !== 1) continue
          const raw = Buffer.from(name.subarray(strings + from, strings + from + length))
          family = raw.swap16().toString('utf16le')
          break
        }
      }
      faces.push({ index, offset, family })
    }
    return faces
  } finally {
    await fh.close()
  }
}

/**
 * One face of a .ttc as its own font file (CanvasKit's MakeTypefaceFromData takes no face index and
 * reads a collection's first face):
 * its table directory and the tables it points to, copied.
 */
async function extractFace(ttc: string, offset: number, out: string): Promise<void> {
  const src = await open(ttc, 'r')
  const dst = await open(out, 'w')
  try {
    const dir = Buffer.alloc(12)
    await src.read(dir, 0, 12, offset)
    const n = dir.readUInt16BE(4)
    const records = Buffer.alloc(16 * n)
    await src.read(records, 0, records.length, offset + 12)
    let at = 12 + 16 * n
    const copies: { from: number; length: number; to: number }[] = []
    for (let t = 0; t < n; t++) {
      const [from, length] = [records.readUInt32BE(16 * t + 8), records.readUInt32BE(16 * t + 12)]
      copies.push({ from, length, to: at })
      records.writeUInt32BE(at, 16 * t + 8)
      at += (length + 3) & ~3
    }
    await dst.write(dir, 0, 12, 0)
    await dst.write(records, 0, records.length, 12)
    for (const c of copies) {
      const b = Buffer.alloc(c.length)
      await src.read(b, 0, c.length, c.from)
      await dst.write(b, 0, c.length, c.to)
    }
    await dst.truncate(at)
  } finally {
    await Promise.all([src.close(), dst.close()])
  }
}

/** Files fontconfig knows that cover every character of `text` (bold first). */
async function fontconfigCovering(text: string): Promise<string[]> {
  const chars = [...new Set([...text].filter(c => /\S/u.test(c)))].map(c => (c.codePointAt(0) ?? 0).toString(16))
  try {
    const stdout = await runTool('fc-list', ['-f', '%{file}\t%{style[0]}\n', `:charset=${chars.join(' ')}`], { stdoutBytes: FC_LIST_BYTES })
    const files = stdout
      .split('\n')
      .filter(Boolean)
      .map(l => l.split('\t'))
    return [...new Set([...files.filter(f => /bold/i.test(f[1] ?? '')), ...files].map(f => f[0]))]
  } catch {
    return []
  }
}

/**
 * The font file to draw `text` with. Latin: the shipped DejaVu Sans Bold. CJK: a system font, in
 * the face of its language when the file is a collection (extracted to `tempDir`); on a GitHub
 * runner without one, Debian's fonts-noto-cjk is installed. Throws when there is none, before
 * anything is rendered, rather than draw empty boxes.
 */
export async function chooseFont(text: string, tempDir: string, policy: InstallPolicy): Promise<string | undefined> {
  const script = scriptOf(text)
  if (script === 'latin') return findFont()
  let found: string | undefined = CJK_FONTS.find(f => existsSync(f)) ?? (await fontconfigCovering(text))[0]
  if (!found && (await aptInstall(CJK_PACKAGE, 'The title needs a Chinese/Japanese/Korean font and none is installed', policy)))
    found = CJK_FONTS.find(f => existsSync(f))
  if (!found) {
    const lang = { ja: 'Japanese', zh: 'Chinese', ko: 'Korean' }[script]
    throw new FfmpegError(
      `input 'title' (or the title quoted in the prompt) "${text}" is ${lang} and no font with its characters was found${notInstalledHint(policy)}: install one in an earlier step, e.g. 'sudo apt-get install -y ${CJK_PACKAGE}' (Debian/Ubuntu) — the local backend never draws a title as empty boxes.`
    )
  }
  if (!/\.ttc$/i.test(found)) return found
  const faces = await fontFaces(found)
  const face = faces.find(f => REGION[script].test(f.family) && !/mono/i.test(f.family)) ?? faces[0]
  if (face.index === 0) return found
  const out = join(tempDir, `title-font-${script}-${face.index}.otf`)
  if (!existsSync(out)) await extractFace(found, face.offset, out)
  return out
}
