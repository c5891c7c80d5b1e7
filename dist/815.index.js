export const id = 815;
export const ids = [815];
export const modules = {

/***/ 10815:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createLocalBackend: () => (/* binding */ createLocalBackend)
});

// UNUSED EXPORTS: encoderThreads, renderPlan

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/media/errors.ts
var errors = __webpack_require__(77581);
// EXTERNAL MODULE: ./src/media/find-ffmpeg.ts + 4 modules
var find_ffmpeg = __webpack_require__(90711);
// EXTERNAL MODULE: ./src/media/preview-format.ts
var preview_format = __webpack_require__(28654);
// EXTERNAL MODULE: ./src/shared/log.ts
var shared_log = __webpack_require__(21827);
// EXTERNAL MODULE: ./src/shared/pool.ts
var pool = __webpack_require__(15135);
// EXTERNAL MODULE: ./src/shared/timeline.ts
var timeline = __webpack_require__(20098);
// EXTERNAL MODULE: ./src/media/inputs.ts
var media_inputs = __webpack_require__(78619);
;// CONCATENATED MODULE: ./src/backends/local/loudness.ts
// The music at a platform's loudness (EBU R128): the sound track is measured as the video will
// carry it (looped, cut, faded: musicChain), turned up or down by one gain (no compressor, no
// limiter: the music keeps its dynamics), encoded, and measured again as encoded. ffmpeg's
// ebur128 meter does the measuring; it is in every supported ffmpeg (4.3 on) and prints the same
// summary in each. loudnorm is not used: single pass it rides the gain (inaccurate on a short clip,
// audible on music), and its linear mode is refused for a track of steady level (LRA 0).

/** The highest true peak the MP4's sound may have, in dBTP (what the platforms ask for). */
const TRUE_PEAK_MAX = -1;
/** Room left under TRUE_PEAK_MAX for the AAC encoder, which raises peaks a little (~0.1–0.5 dB measured). */
const ENCODER_HEADROOM = 0.5;
/** ebur128 reports this for silence (nothing above its absolute gate): nothing to turn up. */
const SILENCE = -70;
/** A measured level this far from the target is encoded once more with the gain corrected. */
const TOLERANCE = 0.5;
/** What the music's encoders read it as: the file checks let these through. */
const MUSIC = ['mp3', 'aac', 'wav', 'm4a'];
/** The music as the video carries it: cut to the video, 48 kHz stereo, faded in and out. */
function musicChain(total) {
    const fadeOut = Math.min(1.5, total / 3);
    return (`atrim=0:${total},asetpts=PTS-STARTPTS,aresample=48000,aformat=channel_layouts=stereo,` +
        `afade=t=in:st=0:d=${Math.min(1, total / 3)},afade=t=out:st=${Math.max(0, total - fadeOut)}:d=${fadeOut}`);
}
/**
 * A run that measures loudness and true peak: the music shaped as the video carries it
 * (`total` given: looped, musicChain), or an encoded sound track as it is. The meter's summary is
 * printed at the info level, and only it: no stream banner is asked for (-hide_banner), no stats.
 */
function measureArgs(file, total) {
    const opened = total === undefined ? (0,media_inputs/* input */.hF)('mp4', file.path) : ['-stream_loop', '-1', ...(0,media_inputs/* input */.hF)((0,media_inputs/* inputType */.L2)(file.type, MUSIC), file.path)];
    return [
        '-hide_banner',
        '-nostdin',
        '-nostats',
        '-loglevel',
        'info',
        ...opened,
        '-filter_complex',
        `[0:a]${total === undefined ? 'anull' : musicChain(total)},ebur128=peak=true:framelog=verbose[m]`,
        '-map',
        '[m]',
        '-f',
        'null',
        '-'
    ];
}
/**
 * The meter's summary from the end of ffmpeg's stderr (the last one: a tag in the file's metadata
 * printed before it cannot stand in for it). Undefined when there is none.
 */
function parseR128(stderr) {
    const at = stderr.lastIndexOf('Summary:');
    if (at < 0)
        return undefined;
    const summary = stderr.slice(at);
    const integrated = /\bI:\s+(-?\d+(?:\.\d+)?) LUFS/.exec(summary);
    const peak = /\bPeak:\s+(-?\d+(?:\.\d+)?|-inf) dBFS/.exec(summary);
    if (!integrated || !peak)
        return undefined;
    return { integrated: Number(integrated[1]), truePeak: peak[1] === '-inf' ? -Infinity : Number(peak[1]) };
}
/**
 * The gain that brings `measured` to `target` LUFS, at most as much as keeps its true peak at
 * TRUE_PEAK_MAX less the encoder's headroom (`peakRoom` in dB below that, for a second try).
 */
function loudnessGain(measured, target, peakRoom = 0) {
    if (!(measured.integrated > SILENCE))
        return { db: 0, peakBound: false, silent: true };
    const wanted = target - measured.integrated;
    const room = TRUE_PEAK_MAX - ENCODER_HEADROOM - peakRoom - measured.truePeak;
    const db = Math.min(wanted, room);
    return { db: Math.round(db * 100) / 100, peakBound: room < wanted, silent: false };
}
/**
 * After the encoded track was measured: the gain to encode it with once more, or undefined when
 * it is where it should be (within TOLERANCE of the target, or as loud as its peaks allow, and
 * its true peak at most TRUE_PEAK_MAX).
 */
function correctedGain(gain, encoded, target) {
    if (gain.silent)
        return undefined;
    const peakOver = encoded.truePeak - TRUE_PEAK_MAX;
    const off = target - encoded.integrated;
    if (peakOver <= 0 && (Math.abs(off) <= TOLERANCE || (gain.peakBound && off > 0)))
        return undefined;
    // the encoder's own change of level and peak, as measured, taken out
    const db = Math.min(gain.db + off, gain.db - peakOver - ENCODER_HEADROOM / 2);
    return { db: Math.round(db * 100) / 100, peakBound: gain.peakBound || db < gain.db + off, silent: false };
}

// EXTERNAL MODULE: ./src/shared/untrusted.ts
var untrusted = __webpack_require__(37991);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
// EXTERNAL MODULE: ./src/shared/apt.ts
var apt = __webpack_require__(32710);
// EXTERNAL MODULE: ./src/shared/tool-process.ts + 1 modules
var tool_process = __webpack_require__(68726);
;// CONCATENATED MODULE: ./src/backends/local/fonts.ts
// The title's fonts, per script: DejaVu Sans Bold (shipped in fonts/) for Latin, Greek, Cyrillic,
// Arabic and Hebrew; for Chinese, Japanese and Korean a CJK font of the system (Noto Sans CJK
// first, in the face of the text's language), installed with apt on a GitHub-hosted runner when
// there is none. title.ts adds a colour emoji font and others, and checks every character.






/** fc-list's answer: a line per font file (a system has hundreds at most). */
const FC_LIST_BYTES = 1 << 20;
const SYSTEM_FONTS = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
    '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
    'C:\\Windows\\Fonts\\arialbd.ttf'
];
/** CJK fonts where their packages put them: Noto Sans CJK (Debian/Ubuntu, Arch, Fedora), then others. */
const CJK_FONTS = [
    '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
    '/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc',
    '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc',
    '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
    '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
    '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
    '/System/Library/Fonts/Hiragino Sans GB.ttc',
    'C:\\Windows\\Fonts\\msyhbd.ttc'
];
/** The Debian/Ubuntu package installed on a runner when no CJK font is found. */
const CJK_PACKAGE = 'fonts-noto-cjk';
/** The shipped font: walk up from this module (src/backends/local/ in tests, dist/ when bundled). */
function findFont() {
    let dir = import.meta.dirname;
    for (let i = 0; i < 5; i++) {
        const candidate = (0,external_node_path_.join)(dir, 'fonts', 'DejaVuSans-Bold.ttf');
        if ((0,external_node_fs_.existsSync)(candidate))
            return candidate;
        dir = (0,external_node_path_.dirname)(dir);
    }
    return SYSTEM_FONTS.find(f => (0,external_node_fs_.existsSync)(f));
}
/** The script a title needs a font for: kana is Japanese, Hangul Korean, other Han Chinese. */
function scriptOf(text) {
    if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text))
        return 'ja';
    if (/\p{Script=Hangul}/u.test(text))
        return 'ko';
    if (/[\p{Script=Han}\u3000-\u303f\uff01-\uff60]/u.test(text))
        return 'zh';
    return 'latin';
}
/** The face of a region-split CJK collection (Noto Sans CJK "JP", "SC", "KR") for each script. */
const REGION = { ja: /\bJP\b/, zh: /\bSC\b/, ko: /\bKR\b/ };
/** Faces of a font file: one for .ttf/.otf, several in a .ttc collection, each with its family name. */
async function fontFaces(path) {
    const fh = await (0,promises_.open)(path, 'r');
    try {
        const read = async (at, n) => {
            const b = Buffer.alloc(n);
            const { bytesRead } = await fh.read(b, 0, n, at);
            return b.subarray(0, bytesRead);
        };
        const head = await read(0, 12);
        const offsets = [];
        if (head.toString('latin1', 0, 4) === 'ttcf') {
            const n = head.readUInt32BE(8);
            const list = await read(12, 4 * Math.min(n, 64));
            for (let i = 0; i < list.length / 4; i++)
                offsets.push(list.readUInt32BE(4 * i));
        }
        else
            offsets.push(0);
        const faces = [];
        for (const [index, offset] of offsets.entries()) {
            const dir = await read(offset, 12);
            const tables = await read(offset + 12, 16 * dir.readUInt16BE(4));
            let family = '';
            for (let t = 0; t < tables.length; t += 16) {
                if (tables.toString('latin1', t, t + 4) !== 'name')
                    continue;
                const name = await read(tables.readUInt32BE(t + 8), tables.readUInt32BE(t + 12));
                const [count, strings] = [name.readUInt16BE(2), name.readUInt16BE(4)];
                for (let r = 0; r < count; r++) {
                    const at = 6 + 12 * r;
                    const [platform, id, length, from] = [
                        name.readUInt16BE(at),
                        name.readUInt16BE(at + 6),
                        name.readUInt16BE(at + 8),
                        name.readUInt16BE(at + 10)
                    ];
                    // the family name (id 1) in Windows' UTF-16BE
                    if (platform !== 3 || id !== 1)
                        continue;
                    const raw = Buffer.from(name.subarray(strings + from, strings + from + length));
                    family = raw.swap16().toString('utf16le');
                    break;
                }
            }
            faces.push({ index, offset, family });
        }
        return faces;
    }
    finally {
        await fh.close();
    }
}
/**
 * One face of a .ttc as its own font file (CanvasKit's MakeTypefaceFromData takes no face index and
 * reads a collection's first face):
 * its table directory and the tables it points to, copied.
 */
async function extractFace(ttc, offset, out) {
    const src = await (0,promises_.open)(ttc, 'r');
    const dst = await (0,promises_.open)(out, 'w');
    try {
        const dir = Buffer.alloc(12);
        await src.read(dir, 0, 12, offset);
        const n = dir.readUInt16BE(4);
        const records = Buffer.alloc(16 * n);
        await src.read(records, 0, records.length, offset + 12);
        let at = 12 + 16 * n;
        const copies = [];
        for (let t = 0; t < n; t++) {
            const [from, length] = [records.readUInt32BE(16 * t + 8), records.readUInt32BE(16 * t + 12)];
            copies.push({ from, length, to: at });
            records.writeUInt32BE(at, 16 * t + 8);
            at += (length + 3) & ~3;
        }
        await dst.write(dir, 0, 12, 0);
        await dst.write(records, 0, records.length, 12);
        for (const c of copies) {
            const b = Buffer.alloc(c.length);
            await src.read(b, 0, c.length, c.from);
            await dst.write(b, 0, c.length, c.to);
        }
        await dst.truncate(at);
    }
    finally {
        await Promise.all([src.close(), dst.close()]);
    }
}
/** Files fontconfig knows that cover every character of `text` (bold first). */
async function fontconfigCovering(text) {
    const chars = [...new Set([...text].filter(c => /\S/u.test(c)))].map(c => (c.codePointAt(0) ?? 0).toString(16));
    try {
        const stdout = await (0,tool_process/* runTool */.qI)('fc-list', ['-f', '%{file}\t%{style[0]}\n', `:charset=${chars.join(' ')}`], { stdoutBytes: FC_LIST_BYTES });
        const files = stdout
            .split('\n')
            .filter(Boolean)
            .map(l => l.split('\t'));
        return [...new Set([...files.filter(f => /bold/i.test(f[1] ?? '')), ...files].map(f => f[0]))];
    }
    catch {
        return [];
    }
}
/**
 * The font file to draw `text` with. Latin: the shipped DejaVu Sans Bold. CJK: a system font, in
 * the face of its language when the file is a collection (extracted to `tempDir`); on a GitHub
 * runner without one, Debian's fonts-noto-cjk is installed. Throws when there is none, before
 * anything is rendered, rather than draw empty boxes.
 */
async function chooseFont(text, tempDir, policy) {
    const script = scriptOf(text);
    if (script === 'latin')
        return findFont();
    let found = CJK_FONTS.find(f => (0,external_node_fs_.existsSync)(f)) ?? (await fontconfigCovering(text))[0];
    if (!found && (await (0,apt/* aptInstall */.v)(CJK_PACKAGE, 'The title needs a Chinese/Japanese/Korean font and none is installed', policy)))
        found = CJK_FONTS.find(f => (0,external_node_fs_.existsSync)(f));
    if (!found) {
        const lang = { ja: 'Japanese', zh: 'Chinese', ko: 'Korean' }[script];
        throw new errors/* FfmpegError */.Kz(`input 'title' (or the title quoted in the prompt) "${text}" is ${lang} and no font with its characters was found${(0,apt/* notInstalledHint */.T)(policy)}: install one in an earlier step, e.g. 'sudo apt-get install -y ${CJK_PACKAGE}' (Debian/Ubuntu) — the local backend never draws a title as empty boxes.`);
    }
    if (!/\.ttc$/i.test(found))
        return found;
    const faces = await fontFaces(found);
    const face = faces.find(f => REGION[script].test(f.family) && !/mono/i.test(f.family)) ?? faces[0];
    if (face.index === 0)
        return found;
    const out = (0,external_node_path_.join)(tempDir, `title-font-${script}-${face.index}.otf`);
    if (!(0,external_node_fs_.existsSync)(out))
        await extractFace(found, face.offset, out);
    return out;
}

;// CONCATENATED MODULE: ./src/backends/local/title.ts









/** A file URL as a path; ncc turns a `new URL(…, import.meta.url)` of an asset into a path string. */
const toPath = (u) => (typeof u === 'string' ? u : (0,external_node_url_.fileURLToPath)(u));
async function loadKit() {
    // ncc copies the file this names into dist/ byte for byte and points the name there (its asset
    // relocator; it reads this module only while it holds no syntax newer than it parses, such as
    // logical assignment: webpack would then take the URL and copy the file as text); from the
    // sources it is the package's own file
    const wasm = toPath(__webpack_require__.ab + "canvaskit.wasm");
    if (!(0,external_node_fs_.existsSync)(wasm))
        throw new Error(`CanvasKit's WebAssembly is not at ${wasm}: the action is incomplete (rebuild dist/)`);
    // a CommonJS module: its exports are `default`, and the function is their `default` too
    const { default: mod } = await __webpack_require__.e(/* import() */ 969).then(__webpack_require__.t.bind(__webpack_require__, 35969, 23));
    // its loader asks for __dirname, which a bundle (an ES module) has not: defined for the call
    const g = globalThis;
    const had = '__dirname' in g;
    if (!had)
        g.__dirname = (0,external_node_path_.dirname)(wasm);
    try {
        // the loader reads the file it is pointed to (its own guess, beside its script, a bundle moves)
        return await mod.default({ locateFile: () => wasm });
    }
    finally {
        if (!had)
            delete g.__dirname;
    }
}
let kit;
/** CanvasKit, loaded once and only for a title (~7 MB of WebAssembly, compiled in ~0.2 s). */
function canvasKit() {
    if (!kit)
        kit = loadKit();
    return kit;
}
/** Colour emoji fonts where their packages put them (Debian/Ubuntu, Arch, Fedora), macOS's, Windows'. */
const EMOJI_FONTS = [
    '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf',
    '/usr/share/fonts/noto/NotoColorEmoji.ttf',
    '/usr/share/fonts/google-noto-color-emoji-fonts/NotoColorEmoji.ttf',
    '/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf',
    '/System/Library/Fonts/Apple Color Emoji.ttc',
    'C:\\Windows\\Fonts\\seguiemj.ttf'
];
/** The Debian/Ubuntu package installed on a runner when there is no colour emoji font. */
const EMOJI_PACKAGE = 'fonts-noto-color-emoji';
/** … and the one with Noto fonts for most other scripts (Arabic, Hebrew, Devanagari, Thai…). */
const OTHER_PACKAGE = 'fonts-noto-core';
/** Characters drawn with no glyph of their own: spaces, joiners, variation selectors, bidi marks, tags. */
const INVISIBLE = /^[\s\p{Cc}\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]$/u;
/** An emoji as a picture (a flag, a keycap, a sequence, an emoji-presentation character), not as text. */
function isEmoji(cluster) {
    if (cluster.includes('\uFE0E'))
        return false;
    return /\p{Regional_Indicator}|\u20E3|\p{Extended_Pictographic}(?:\uFE0F|\u200D|[\u{1F3FB}-\u{1F3FF}])|\p{Emoji_Presentation}/u.test(cluster);
}
// each segment V8 hands out holds a copy of the whole text: they are dropped as they come (a spread
// of a 64 000-character title's segments ran out of memory)
const graphemes = (text) => Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), s => s.segment);
/** The package that brings a font for characters like `char`. */
const packageFor = (char, emoji) => emoji ? EMOJI_PACKAGE : scriptOf(char) !== 'latin' ? CJK_PACKAGE : OTHER_PACKAGE;
/**
 * Which of `paths` (emoji fonts marked) draws each character of `text`, by each font's character
 * map (Skia's glyph lookup: glyph 0 is the font's empty box). Text tries the text fonts in order,
 * then the emoji font; an emoji the emoji font first.
 */
async function coverage(ck, text, paths) {
    const fonts = [];
    for (const [i, p] of paths.entries()) {
        const bytes = new Uint8Array(await (0,promises_.readFile)(p.path));
        const typeface = ck.Typeface.MakeTypefaceFromData(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        if (!typeface) {
            shared_log/* log */.R.info(`The font ${p.path} cannot be read; the title does not use it.`);
            continue;
        }
        fonts.push({ path: p.path, family: `title-font-${i}`, bytes, typeface, emoji: !!p.emoji });
    }
    const textFonts = [...fonts.filter(f => !f.emoji), ...fonts.filter(f => f.emoji)];
    const emojiFonts = [...fonts.filter(f => f.emoji), ...fonts.filter(f => !f.emoji)];
    const covered = new Map();
    const missing = [];
    const seen = new Set();
    for (const cluster of graphemes(text)) {
        const emoji = isEmoji(cluster);
        for (const char of cluster) {
            if (INVISIBLE.test(char) || seen.has(char))
                continue;
            seen.add(char);
            const font = (emoji ? emojiFonts : textFonts).find(f => f.typeface.getGlyphIDs(char, 1)[0] !== 0);
            if (font)
                covered.set(char, font);
            else
                missing.push({ char, emoji });
        }
    }
    const used = new Set(covered.values());
    const keep = (list) => list.filter(f => used.has(f)).map(f => f.family);
    return { fonts: fonts.filter(f => used.has(f)), text: keep(textFonts), emoji: keep(emojiFonts), covered, missing };
}
/** Font files fontconfig knows with `char` (bold first), when fontconfig is there. */
async function fontconfigFor(char) {
    try {
        const stdout = await (0,tool_process/* runTool */.qI)('fc-list', ['-f', '%{file}\t%{style[0]}\n', `:charset=${(char.codePointAt(0) ?? 0).toString(16)}`], {
            stdoutBytes: FC_LIST_BYTES
        });
        const rows = stdout
            .split('\n')
            .filter(Boolean)
            .map(l => l.split('\t'))
            .filter(r => /\.(ttf|otf)$/i.test(r[0]));
        return [...new Set([...rows.filter(r => /bold/i.test(r[1] ?? '')), ...rows].map(r => r[0]))];
    }
    catch {
        return [];
    }
}
const hex = (c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
/**
 * The fonts for `text`: the shipped DejaVu Sans Bold, a CJK font in the face of the text's
 * language (chooseFont), a colour emoji font, and for other characters what fontconfig knows;
 * what is missing installed with apt when the policy allows. Throws, naming the characters and
 * the package that has them, when a character is in no font.
 */
async function titleFonts(text, tempDir, policy) {
    const ck = await canvasKit();
    const clusters = graphemes(text);
    const paths = [];
    const main = findFont();
    if (main)
        paths.push({ path: main });
    if (scriptOf(text) !== 'latin') {
        const cjk = await chooseFont(text, tempDir, policy);
        if (cjk && cjk !== main)
            paths.push({ path: cjk });
    }
    if (clusters.some(isEmoji)) {
        let emoji = EMOJI_FONTS.find(f => (0,external_node_fs_.existsSync)(f));
        if (!emoji && (await (0,apt/* aptInstall */.v)(EMOJI_PACKAGE, 'The title has emoji and no colour emoji font is installed', policy)))
            emoji = EMOJI_FONTS.find(f => (0,external_node_fs_.existsSync)(f));
        if (emoji)
            paths.push({ path: emoji, emoji: true });
    }
    let fonts = await coverage(ck, text, paths);
    // characters of other scripts: a font fontconfig knows, then one of the package for them
    for (let round = 0; round < 2 && fonts.missing.length; round++) {
        if (round === 1) {
            const pkgs = [...new Set(fonts.missing.map(m => packageFor(m.char, m.emoji)))];
            let installed = false;
            for (const pkg of pkgs)
                installed =
                    (await (0,apt/* aptInstall */.v)(pkg, `The title has characters (${fonts.missing.map(m => m.char).join(' ')}) that no installed font has`, policy)) || installed;
            if (!installed)
                break;
        }
        for (const { char } of fonts.missing.slice(0, 16)) {
            const extra = (await fontconfigFor(char)).find(f => !paths.some(p => p.path === f));
            if (extra)
                paths.push({ path: extra });
        }
        fonts = await coverage(ck, text, paths);
    }
    if (fonts.missing.length) {
        const chars = fonts.missing.map(m => `${m.char} (${hex(m.char)})`).join(', ');
        const pkgs = [...new Set(fonts.missing.map(m => packageFor(m.char, m.emoji)))];
        throw new errors/* FfmpegError */.Kz(`input 'title' (or the title quoted in the prompt) "${text}" has characters that no installed font has: ${chars}${(0,apt/* notInstalledHint */.T)(policy)}. Install a font with them in an earlier step, e.g. 'sudo apt-get install -y ${pkgs.join(' ')}' (Debian/Ubuntu), or leave them out — the local backend never draws a title as empty boxes.`);
    }
    const inEmoji = new Set(clusters.filter(isEmoji).flatMap(k => [...k]));
    const plain = [...fonts.covered].filter(([c, f]) => !f.emoji && inEmoji.has(c));
    if (plain.length)
        shared_log/* log */.R.warning(`input 'title': ${plain.map(([c]) => c).join(' ')} ${plain.length > 1 ? 'are' : 'is'} drawn in one colour: no colour emoji font is installed (Debian/Ubuntu: 'sudo apt-get install -y ${EMOJI_PACKAGE}').`);
    shared_log/* log */.R.info(`Title fonts: ${fonts.fonts.map(f => (0,external_node_path_.basename)(f.path)).join(', ')}.`);
    return fonts;
}
/** A break may not come before these (closing punctuation, small kana, the prolonged sound mark) … */
const NO_START = /^[、。，．,.!?！？)）\]］｝〕〉》」』】〙〗〟’”ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々…‥・：；:;%％]/u;
/** … nor after these (opening punctuation). */
const NO_END = /[(（[［｛〔〈《「『【〘〖〝‘“]$/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;
/** Where lines may break: after spaces, and in Chinese or Japanese between words (ICU's dictionary) outside punctuation. */
function tokens(text) {
    const words = new Set(Array.from(new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text), s => s.index));
    const out = [];
    let cur = { text: '', ws: '' };
    let at = 0;
    let prev = '';
    for (const g of graphemes(text)) {
        const space = /^\s+$/u.test(g);
        if (space) {
            if (cur.text)
                cur.ws += g;
        }
        else {
            const cjkBreak = cur.text && !cur.ws && words.has(at) && (CJK.test(prev) || CJK.test(g)) && !NO_START.test(g) && !NO_END.test(prev);
            if (cur.ws || cjkBreak) {
                out.push(cur);
                cur = { text: '', ws: '' };
            }
            cur.text += g;
            prev = g;
        }
        at += g.length;
    }
    if (cur.text)
        out.push(cur);
    return out;
}
/**
 * Lines of at most `limit` for pieces of widths `w` (trailing space `ws`): exactly `n` lines of
 * balanced width (the least sum of squared widths), or undefined when they cannot fit.
 */
function balance(w, ws, n, limit) {
    const T = w.length;
    if (n > T)
        return undefined;
    // the width of pieces i..j on one line, from running sums: O(1) each
    const sum = [0];
    for (let k = 0; k < T; k++)
        sum.push(sum[k] + w[k] + ws[k]);
    const width = (i, j) => sum[j] - sum[i] + w[j];
    // cost[k][j]: the best k lines over pieces 0..j-1
    const cost = Array.from({ length: n + 1 }, () => new Array(T + 1).fill(Infinity));
    const from = Array.from({ length: n + 1 }, () => new Array(T + 1).fill(-1));
    cost[0][0] = 0;
    // a line grows as its first piece moves back: once it is over the limit, every earlier start is
    // too (O(n · pieces · pieces per line), not O(n · pieces²)); `<=` keeps the earliest start on a tie
    for (let k = 1; k <= n; k++)
        for (let j = k; j <= T; j++)
            for (let i = j - 1; i >= k - 1; i--) {
                const lw = width(i, j - 1);
                if (lw > limit)
                    break;
                if (cost[k - 1][i] === Infinity)
                    continue;
                const c = cost[k - 1][i] + lw * lw;
                if (c <= cost[k][j])
                    [cost[k][j], from[k][j]] = [c, i];
            }
    if (cost[n][T] === Infinity)
        return undefined;
    const breaks = [];
    let widest = 0;
    for (let k = n, j = T; k > 0; k--) {
        const i = from[k][j];
        widest = Math.max(widest, width(i, j - 1));
        breaks.unshift(i);
        j = i;
    }
    return { breaks: breaks.slice(1), widest };
}
/** The least width the widest of `n` lines can have (each line's width is what it holds). */
function narrowest(w, ws, n) {
    let [lo, hi] = [Math.max(...w), w.reduce((s, v, k) => s + v + (k < w.length - 1 ? ws[k] : 0), 0)];
    if (!balance(w, ws, n, hi))
        return undefined;
    for (let step = 0; step < 30 && hi - lo > 0.5; step++) {
        const mid = (lo + hi) / 2;
        if (balance(w, ws, n, mid))
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}
// In a portrait frame (9:16, 4:5) the apps lay their own interface over the video: the bottom
// ~20–25 % (caption, account name, music, the navigation bar), a column of buttons in the right
// ~15 % (like, comment, share, from about the middle down) and the top ~10–14 % (tabs, search).
// Text stays inside: right edge at 85 % of the width, bottom edge at 75 % and top edge at 14 % of
// the height, left edge at 5 % of the width.
const PORTRAIT_SAFE = { left: 0.05, right: 0.85, top: 0.14, bottom: 0.75 };
/** The title: up to three lines in the lower third, a twelfth of the short side. */
const TITLE = {
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
};
/**
 * A photo's caption: up to two lines at the foot of the frame (inside the safe zone in a portrait
 * one), smaller than the title, on the same box; a title shown at the same time sits above the
 * captions (drawText's `floor`).
 */
const CAPTION = {
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
};
/**
 * The text's first `maxChars` characters (TextStyle.maxChars), and whether there is more. Only its
 * first 8 UTF-16 units a character are segmented (a cluster of many marks is cut too):
 * Intl.Segmenter takes time in the text's length for every segment, so a whole 64 000-character
 * title took seconds for each pass over it.
 */
function textHead(text, maxChars) {
    const slice = text.slice(0, 8 * maxChars);
    let [end, n] = [0, 0];
    for (const { segment, index } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(slice)) {
        // the slice's last cluster may go on past it
        if (n === maxChars || (slice.length < text.length && index + segment.length === slice.length))
            break;
        end = index + segment.length;
        n++;
    }
    // one cluster longer than the slice: its first code points
    if (end === 0)
        end = slice.length - (slice.length < text.length && /[\uD800-\uDBFF]$/.test(slice) ? 1 : 0);
    return { head: text.slice(0, end), more: end < text.length };
}
const even = (n) => Math.round(n / 2) * 2;
/** Base direction from the first letter: Arabic or Hebrew (…) is right to left. */
const rtl = (text) => /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Adlam}]/u.test(/\p{L}/u.exec(text)?.[0] ?? '');
/** drawText for the title, as the title was drawn before captions came. */
function drawTitle(fonts, text, W, H, file, more = false) {
    return drawText(fonts, text, W, H, file, { style: TITLE, more });
}
/**
 * Lays out and draws `text` for a W×H frame into `file` in `style`: balanced lines (at most
 * style.lines), as large as fits up to style.size, no smaller than style.minSize (cut when even
 * that many lines at that size cannot hold it), in a translucent box inside the safe zones and,
 * with `floor`, with its bottom edge no lower than that (a title above the captions). `more`:
 * `text` is the head of a longer text (textHead), so it is cut whatever fits.
 */
async function drawText(fonts, text, W, H, file, opts) {
    const { style, more = false } = opts;
    const ck = await canvasKit();
    const provider = ck.TypefaceFontProvider.Make();
    for (const f of fonts.fonts)
        provider.registerFont(f.bytes, f.family);
    const portrait = H > W;
    const boxMax = portrait ? (style.portrait.right - style.portrait.left) * W : style.width * W;
    const full = Math.min(W, H) * style.size;
    const least = Math.min(full, H * style.minSize);
    const dir = rtl(text) ? ck.TextDirection.RTL : ck.TextDirection.LTR;
    const paragraph = (t, size, width = 1e6) => {
        const builder = ck.ParagraphBuilder.MakeFromFontProvider(new ck.ParagraphStyle({
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
        }), provider);
        // emoji in the colour font, the rest in the text fonts (each run falls back per character)
        for (const g of graphemes(t)) {
            const emoji = isEmoji(g);
            if (emoji)
                builder.pushStyle(new ck.TextStyle({ color: ck.WHITE, fontSize: size, fontFamilies: fonts.emoji }));
            builder.addText(g);
            if (emoji)
                builder.pop();
        }
        const p = builder.build();
        builder.delete();
        p.layout(width);
        return p;
    };
    const measure = (t) => {
        const p = paragraph(t, 100);
        const w = p.getMaxIntrinsicWidth();
        p.delete();
        return w;
    };
    // every piece measured once at 100 px, in order; widths scale with the size
    const widthAt = (size) => boxMax - size;
    // Only what three lines at the least size can hold is measured: a prefix whose pieces and
    // spaces add up to more than three such lines (plus the spaces that may end them) is never
    // drawn, so the pieces after it cannot change the layout; the first one past it stays, so that
    // the title is known to be cut. Measuring and balancing a whole 64 000-character title took
    // minutes (every piece a paragraph, balanced in O(pieces²)).
    const smallest = Math.floor(least);
    const room = (style.lines * widthAt(smallest) * 100) / smallest;
    const pieces = [];
    const w = [];
    const ws = [];
    let total = 0;
    let widestWs = 0;
    // a title measured only in part is cut, even where the part would fit
    let cutShort = more;
    const add = (t, width) => {
        const space = t.ws ? measure(`${t.text}${t.ws}`) - width : 0;
        pieces.push(t);
        w.push(width);
        ws.push(space);
        total += width + space;
        widestWs = Math.max(widestWs, space);
        if (total <= room + style.lines * widestWs)
            return true;
        cutShort = true;
        return false;
    };
    measuring: for (const t of tokens(text)) {
        const width = measure(t.text);
        // a word wider than a line at the least size is broken between its characters (whole
        // grapheme clusters: an emoji sequence, a letter and its marks stay one piece)
        if ((width * least) / 100 <= widthAt(least)) {
            if (!add(t, width))
                break;
            continue;
        }
        const chars = graphemes(t.text);
        for (const [k, g] of chars.entries())
            if (!add({ text: g, ws: k === chars.length - 1 ? t.ws : '' }, measure(g)))
                break measuring;
    }
    let best;
    for (let n = 1; n <= style.lines; n++) {
        const m = narrowest(w, ws, n);
        if (m === undefined)
            break;
        // the largest size at which the widest line and the box's padding (half a size each side) fit
        const size = Math.min(full, boxMax / (m / 100 + 1));
        if (!best || size > best.size)
            best = { n, size };
        if (size >= style.oneMoreLine * full)
            break;
    }
    let lines;
    let size;
    let cut;
    if (best && best.size >= least && !cutShort) {
        size = Math.floor(best.size);
        const b = balance(w, ws, best.n, (widthAt(size) * 100) / size) ?? balance(w, ws, best.n, Infinity);
        const starts = [0, ...(b?.breaks ?? [])];
        lines = starts.map((s, k) => pieces
            .slice(s, starts[k + 1] ?? pieces.length)
            .map((t, i, all) => t.text + (i < all.length - 1 ? t.ws : ''))
            .join(''));
    }
    else {
        // too long for three lines at the least size: the most pieces that fit, then an ellipsis, on
        // balanced lines (a longer prefix never fits where a shorter one does not: a binary search)
        size = Math.floor(least);
        const limit = (widthAt(size) * 100) / size;
        const ellipsis = measure('…');
        const layout = (m) => {
            const wm = w.slice(0, m);
            wm[m - 1] += ellipsis;
            for (let n = 1; n <= Math.min(style.lines, m); n++) {
                const b = balance(wm, ws.slice(0, m), n, limit);
                if (b)
                    return { n, breaks: b.breaks };
            }
            return undefined;
        };
        let [lo, hi] = [1, pieces.length - 1];
        while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            if (layout(mid))
                lo = mid;
            else
                hi = mid - 1;
        }
        const kept = pieces.slice(0, lo);
        const starts = [0, ...(layout(lo)?.breaks ?? [])];
        lines = starts.map((s, k) => kept
            .slice(s, starts[k + 1] ?? kept.length)
            .map((t, i, all) => t.text + (i < all.length - 1 ? t.ws : ''))
            .join(''));
        lines[lines.length - 1] += '…';
        cut = `${kept.map((t, i) => t.text + (i < kept.length - 1 ? t.ws : '')).join('')}…`;
    }
    // the real layout; a line that came out wider than its pieces added up shrinks the size
    let p = paragraph(lines.join('\n'), size);
    for (let tries = 0; tries < 5 && p.getLongestLine() > widthAt(size); tries++) {
        size = Math.floor((size * widthAt(size)) / p.getLongestLine());
        p.delete();
        p = paragraph(lines.join('\n'), size);
    }
    const textW = Math.ceil(p.getLongestLine()) + 2;
    p.layout(textW);
    const pad = { x: Math.round(size / 2), y: Math.round(size * 0.3) };
    const width = even(textW + 2 * pad.x);
    const height = even(p.getHeight() + 2 * pad.y);
    const surface = ck.MakeSurface(width, height);
    if (!surface)
        throw new Error(`CanvasKit could not make a ${width}×${height} surface for the title`);
    const canvas = surface.getCanvas();
    canvas.clear(ck.TRANSPARENT);
    const paint = new ck.Paint();
    paint.setColor(ck.Color(0, 0, 0, style.box));
    canvas.drawRect(ck.XYWHRect(0, 0, width, height), paint);
    canvas.drawParagraph(p, pad.x + (width - 2 * pad.x - textW) / 2, pad.y);
    const image = surface.makeImageSnapshot();
    const png = image.encodeToBytes();
    [image, paint, p].forEach(o => o.delete());
    surface.dispose();
    provider.delete();
    if (!png)
        throw new Error('CanvasKit could not encode the title as PNG');
    await (0,promises_.writeFile)(file, png);
    let x;
    let y;
    const floor = (bottom) => Math.min(bottom, opts.floor ?? Infinity);
    if (portrait) {
        const z = style.portrait;
        // centred on the frame unless that would reach under the buttons on the right
        x = even(Math.max(z.left * W, Math.min(W / 2, z.right * W - width / 2) - width / 2));
        const want = style.anchor === 'bottom' ? z.bottom * H - height : style.y * H - height / 2;
        y = even(Math.max(z.top * H, Math.min(want, floor(z.bottom * H) - height)));
    }
    else {
        x = even((W - width) / 2);
        const want = style.anchor === 'bottom' ? style.y * H - height : style.y * H - height / 2;
        y = even(Math.max(0.05 * H, Math.min(want, floor(0.95 * H) - height)));
    }
    return { file, x, y, width, height, lines, size, cut };
}
/** The warning for a text drawn cut (`what`: "input 'title'", a caption and its photo). */
function cutWarning(what, style, image, more, W, H) {
    return `${what} is too long for a ${W}×${H} video: ${more ? `it has more than ${style.maxChars} characters, of which only the first ${style.maxChars} are laid out, and ` : ''}at a legible size (${image.size} px, ${Math.round(style.minSize * 1000) / 10} % of its height) at most ${style.lines} lines fit, so it is cut to "${image.cut}". Shorten it to about ${graphemes(image.cut ?? '').length - 1} characters.`;
}
/**
 * The title for a W×H video: its fonts checked (throws when a character is in none), drawn into
 * a PNG in `tempDir`; a warning when it had to be cut.
 */
async function prepareTitle(text, W, H, tempDir, policy) {
    if (!text.trim())
        return undefined;
    // what is past the head is never drawn: neither its fonts nor its layout are looked for
    const { head, more } = textHead(text, TITLE.maxChars);
    const fonts = await titleFonts(head, tempDir, policy);
    const image = await drawTitle(fonts, head, W, H, join(tempDir, `title-${W}x${H}.png`), more);
    if (image.cut)
        log.warning(cutWarning("input 'title'", TITLE, image, more, W, H));
    log.info(`Title: ${image.lines.length} line${image.lines.length > 1 ? 's' : ''} at ${image.size} px.`);
    return image;
}

;// CONCATENATED MODULE: ./src/backends/local/overlays.ts
// What is drawn over the photos, in one place: the title and each photo's caption as items of the
// video's timeline, each with its window (frames on the video's clock) and its fades, each drawn
// once as an RGBA still by the text engine (title.ts) and laid over the frames in its window by
// segmentGraph (filtergraph.ts). A new kind of overlay is one more kind here: its items from the
// plan and its drawing; the filter graph lays every item alike.




/** Each kind's style; a title shown with captions sits above them. */
const STYLES = { title: TITLE, caption: CAPTION };
/** The title's time on screen at the start, and its fades. */
const TITLE_SECONDS = 3;
const TITLE_FADE = { in: 0.4, out: 0.5 };
/**
 * The plan's overlays: the title on the first TITLE_SECONDS, and each photo's caption while its
 * photo shows, entering with the transition into it and leaving with the one out of it (with
 * `transition: none`, cut with the photo).
 */
function overlayItems(plan) {
    const items = [];
    const { fps } = plan;
    if (plan.title) {
        const D = plan.title.duration;
        items.push({
            kind: 'title',
            text: plan.title.text,
            start: 0,
            frames: Math.round(D * fps),
            fadeIn: Math.min(TITLE_FADE.in, D),
            fadeOut: Math.min(TITLE_FADE.out, D),
            what: "input 'title'"
        });
    }
    const T = Math.round(plan.transitionDuration * fps);
    let start = 0;
    plan.clips.forEach((c, k) => {
        // as filtergraph.ts's clipFrames: each clip's whole frames, overlapping the next by T
        const frames = Math.max(1, Math.round(c.duration * fps));
        const text = plan.captions?.[k];
        if (text?.trim())
            items.push({
                kind: 'caption',
                text,
                start,
                frames,
                fadeIn: k > 0 ? T / fps : 0,
                fadeOut: k < plan.clips.length - 1 ? T / fps : 0,
                what: `input 'captions', line ${k + 1} (${(0,untrusted/* oneLine */.TN)(c.name, 100)})`
            });
        start += frames - T;
    });
    return items;
}
/** The title's default time on screen: TITLE_SECONDS, or the whole of a shorter video. */
const titleSeconds = (total) => Math.min(TITLE_SECONDS, total);
/** The items with frames in the stretch of `frames` frames from `start`, in the order they are laid. */
function overlaysIn(seg, drawn) {
    return (drawn ?? []).filter(d => d.item.start < seg.start + seg.frames && d.item.start + d.item.frames > seg.start);
}
/**
 * Every item drawn for a W×H frame into `tempDir`, before anything is rendered: the fonts of all
 * their text looked for at once (a character in no font fails the run here), each distinct text
 * drawn once, captions first so that the title is placed above the highest of them; a warning for
 * each one that had to be cut.
 */
async function drawOverlays(items, W, H, tempDir, policy) {
    const shown = items.filter(i => i.text.trim());
    if (!shown.length)
        return [];
    const heads = shown.map(i => textHead(i.text, STYLES[i.kind].maxChars));
    const fonts = await titleFonts(heads.map(h => h.head).join('\n'), tempDir, policy);
    const drawn = [];
    const byText = new Map();
    let top = Infinity;
    // captions, then the title: it stays clear of them, a fiftieth of the height above
    for (const kind of ['caption', 'title']) {
        for (const [k, item] of shown.entries()) {
            if (item.kind !== kind)
                continue;
            const { head, more } = heads[k];
            const key = `${kind}\n${head}`;
            let image = byText.get(key);
            if (!image) {
                const file = (0,external_node_path_.join)(tempDir, `${kind}-${W}x${H}-${byText.size}.png`);
                const floor = kind === 'title' && top < Infinity ? top - Math.round(H / 50) : undefined;
                const d = await drawText(fonts, head, W, H, file, { style: STYLES[kind], more, floor });
                if (d.cut)
                    shared_log/* log */.R.warning(cutWarning(item.what, STYLES[kind], d, more, W, H));
                if (kind === 'caption')
                    top = Math.min(top, d.y);
                image = { file: d.file, x: d.x, y: d.y };
                byText.set(key, image);
                shared_log/* log */.R.info(`${kind === 'title' ? 'Title' : `Caption ${byText.size}`}: ${d.lines.length} line${d.lines.length > 1 ? 's' : ''} at ${d.size} px.`);
            }
            drawn[k] = { item, ...image };
        }
    }
    return drawn.filter((d) => d !== undefined);
}

;// CONCATENATED MODULE: ./src/backends/local/filtergraph.ts





const PRESET = 'veryfast';
/** Every run: no banner, no stdin, only errors on stderr (they are what a failure reports). */
const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
/**
 * Each transition as xfade draws it, and the ffmpeg that first has it (fade is drawn by fade and
 * overlay instead, which every supported ffmpeg has).
 */
const XFADE = {
    fade: { name: 'fade' },
    slide: { name: 'slideleft' },
    wipe: { name: 'wipeleft' },
    zoom: { name: 'zoomin', since: [4, 4] }
};
/** The transitions every supported ffmpeg draws. */
const everywhere = Object.entries(XFADE)
    .filter(([, x]) => !x.since)
    .map(([t]) => t);
/** Refuses, before anything is rendered, a transition this ffmpeg does not have. */
function checkTransition(transition, ffmpeg) {
    const since = transition === 'none' ? undefined : XFADE[transition].since;
    if (since && !ffmpeg.atLeast(...since))
        throw new errors/* FfmpegError */.Kz(`input 'transition': '${transition}' needs ffmpeg ${since.join('.')} or newer and this one is ${ffmpeg.version.text}: choose another transition (${everywhere.join(', ')}) or a newer ffmpeg ('ffmpeg-path').`);
}
/** Frames of each clip at the plan's fps (what ffmpeg will really produce). */
function clipFrames(plan) {
    return plan.clips.map(c => Math.max(1, Math.round(c.duration * plan.fps)));
}
/**
 * xfade offsets: offset_k = Σ D_j (j<k) − k·T. An offset at or past the end of the chain so far
 * makes ffmpeg silently drop the rest, so every one is checked here.
 */
function xfadeOffsets(durations, T) {
    if (durations.length < 2 || T <= 0)
        return [];
    const shortest = Math.min(...durations);
    if (!(T < shortest))
        throw new Error(`transition of ${T} s does not fit a clip of ${shortest} s`);
    const offsets = [];
    let chain = durations[0];
    for (let k = 1; k < durations.length; k++) {
        const offset = chain - T;
        const prev = offsets.at(-1) ?? 0;
        if (!(offset > prev) || offset + T > chain + 1e-9)
            throw new Error(`invalid xfade offset ${offset} for clip ${k} (chain ${chain} s)`);
        offsets.push(Math.round(offset * 1e6) / 1e6);
        chain += durations[k] - T;
    }
    return offsets;
}
// Every photo is decoded once, before the render, by its own small ffmpeg run (prepareArgs): framed
// (fit, transparency over the fill), scaled to the size its motion needs (at most ~1.13× the
// frame), converted to BT.709 4:2:0 and written as raw frames into its own file.
//
// The video is then made in segments (segments(), segmentArgs): each an ffmpeg run that reads the
// stills of its clips (and the previous clip's, for a transition), moves them and encodes its
// stretch of frames with one x264 thread; as many run side by side as there are cores. Each holds
// two small stills and a few frames, however many photos there are. A last run (muxArgs) joins the
// segments by stream copy and adds the music.
//
// Ken Burns, alternating per image, both on the pixel grid of 4:2:0 and so free of judder: a pan
// crops a still wider (taller) than the frame 2 pixels further each frame (even offsets keep the
// chroma aligned); a zoom scales the still each frame to (W+2k)×(H+2m) and crops the centre, so the
// centre stays where it is while the edges grow.
const filtergraph_even = (n) => Math.ceil(n / 2) * 2;
const PANS = ['right', 'down', 'left', 'up'];
/** zoom per side, as a share of the frame (12% over the clip) */
const ZOOM_SIDE = 0.06;
/** pans longer than this share of the frame become zooms */
const PAN_MAX = 0.3;
/** pixels a pan moves each frame */
const PAN_STEP = 2;
/**
 * A panorama is at least this many times as long as it is high (or high as it is wide), and this
 * many times the frame's shape when the frame is longer that way than square (3.56:1 in a 16:9
 * frame): a phone's 4:3 photo is never one, in any frame, and is shown as fit 'auto' chooses.
 */
const PANORAMA = 2;
/** A panorama pans at most a 240th of the frame's width a frame (8 px at 1080p: 1/8 of the frame a second). */
const PANORAMA_STEP = 240;
/**
 * The pan across a panorama (PANORAMA): across its whole length
 * at the panorama's height, at a steady even step of pixels, as far as the clip's frames and the
 * step's cap allow. Undefined for other photos.
 */
function panoramaPan(photo, W, H, F, i) {
    if (!photo.width || !photo.height || F < 2)
        return undefined;
    const wide = photo.width / photo.height >= PANORAMA * Math.max(1, W / H);
    const tall = photo.height / photo.width >= PANORAMA * Math.max(1, H / W);
    if (!wide && !tall)
        return undefined;
    // the panorama's length at the frame's height (or width), less what one frame shows
    const length = wide ? Math.round((photo.width * H) / photo.height) : Math.round((photo.height * W) / photo.width);
    const across = length - (wide ? W : H);
    const cap = Math.max(PAN_STEP, 2 * Math.floor((wide ? W : H) / PANORAMA_STEP / 2));
    const step = Math.min(cap, Math.max(PAN_STEP, 2 * Math.floor(across / (F - 1) / 2)));
    const dir = wide ? (i % 2 === 0 ? 'right' : 'left') : i % 2 === 0 ? 'down' : 'up';
    return { dir, travel: step * (F - 1), step, length };
}
/**
 * An animation's still file holds at most this many bytes of raw frames; a longer clip plays them
 * in a loop. Without a cap one GIF on screen for 600 s at 1080p would be 56 GB of raw frames.
 */
const MAX_ANIMATION_BYTES = 256 * 1024 * 1024;
/** The frames of a w×h 4:2:0 animation that fit the cap (at least 1). */
const animationFrames = (w, h) => Math.max(1, Math.floor(MAX_ANIMATION_BYTES / (w * h * 1.5)));
/** An animation on screen for longer than its still file holds: the file is played in a loop. */
const loopsAnimation = (c) => c.motion.kind === 'animated' && c.count < c.frames;
/** Motion and still size per clip. */
function layoutClips(plan, frames, facts) {
    const { width: W, height: H } = plan;
    return frames.map((F, i) => {
        let motion = { kind: 'still' };
        let [w, h] = [W, H];
        // a panorama is crossed unless the inputs ask to see it whole ('fit: contain' or 'blur')
        const crossing = plan.kenBurns && (plan.fit ?? 'auto') !== 'contain' && plan.fit !== 'blur';
        const panorama = crossing ? panoramaPan(facts[i] ?? {}, W, H, F, i) : undefined;
        if (facts[i]?.animated)
            motion = { kind: 'animated' };
        else if (panorama) {
            motion = { kind: 'pan', dir: panorama.dir, travel: panorama.travel, step: panorama.step, panorama: true };
            if (panorama.dir === 'right' || panorama.dir === 'left')
                w = W + panorama.travel;
            else
                h = H + panorama.travel;
        }
        else if (plan.kenBurns && F > 1) {
            const dir = PANS[((i - 1) / 2) % PANS.length];
            const horizontal = dir === 'right' || dir === 'left';
            const travel = PAN_STEP * (F - 1);
            if (i % 2 === 1 && travel <= PAN_MAX * (horizontal ? W : H)) {
                motion = { kind: 'pan', dir, travel, step: PAN_STEP };
                if (horizontal)
                    w = W + travel;
                else
                    h = H + travel;
            }
            else {
                const k = Math.max(1, Math.round(ZOOM_SIDE * W));
                const m = Math.round((k * H) / W);
                motion = { kind: 'zoom', dir: (i / 2) % 2 === 1 ? 'out' : 'in', k, m };
                w = W + 2 * k;
                h = H + 2 * m;
            }
        }
        return { motion, w, h, count: motion.kind === 'animated' ? Math.min(F, animationFrames(w, h)) : 1, frames: F };
    });
}
/**
 * Frames [from, from+count) of clip c, from its still (label `src`) to W×H 4:2:0 frames with clean
 * timestamps (label `out`): graph lines. Only the frames asked for are computed.
 */
function motionGraph(c, from, count, plan, src, out) {
    const { width: W, height: H, fps } = plan;
    const clean = `settb=AVTB,setpts=N/${fps}/TB`;
    const m = c.motion;
    if (m.kind === 'animated')
        return `[${src}]trim=start_frame=${from}:end_frame=${from + count},${clean}[${out}]`;
    const hold = `loop=loop=${count - 1}:size=1:start=0,${clean}`;
    if (m.kind === 'still')
        return `[${src}]${hold}[${out}]`;
    if (m.kind === 'pan') {
        // the frame number within the clip
        const n = `(n+${from})`;
        const pos = m.dir === 'right' || m.dir === 'down' ? `${m.step}*${n}` : `${m.travel}-${m.step}*${n}`;
        const [x, y] = m.dir === 'right' || m.dir === 'left' ? [pos, '0'] : ['0', pos];
        return `[${src}]${hold},crop=${W}:${H}:x='${x}':y='${y}':exact=1[${out}]`;
    }
    // k(n): 0→K (in) or K→0 (out) per side, m(n) in proportion; the crop takes the exact centre.
    // The size changes every frame, which `scale` cannot do safely from ffmpeg 7.0 on: there it
    // re-creates its frame sync inside that sync's own callback whenever its output size is
    // re-evaluated (heap corruption, SIGABRT). scale2ref scales the same way (the same frames, bit
    // for bit, on 5.1) without a frame sync; its reference (the still itself) is only read for its size.
    const last = Math.max(1, c.frames - 1);
    const k = (frame) => `round(${m.k}*${m.dir === 'in' ? `${frame}/${last}` : `(${last}-${frame})/${last}`})`;
    const mm = (frame) => `round(${k(frame)}*${H}/${W})`;
    const [sn, cn] = [`(main_n+${from})`, `(n+${from})`];
    return [
        `[${src}]split[${src}m][${src}r]`,
        `[${src}m]${hold}[${src}h]`,
        `[${src}h][${src}r]scale2ref=w='${W}+2*${k(sn)}':h='${H}+2*${mm(sn)}':eval=frame:flags=bilinear[${src}z][${src}x]`,
        `[${src}x]nullsink`,
        // the crop follows the scale directly: it sees the new size
        `[${src}z]crop=${W}:${H}:x='${k(cn)}':y='${mm(cn)}':exact=1[${out}]`
    ].join(';\n');
}
/** A segment is at least this long (each is an ffmpeg run with its own x264 start and keyframe) … */
const MIN_SEGMENT_SECONDS = 2;
/** … unless it would read more stills than this: each is a chain of frames in its graph (memory) */
const MAX_SEGMENT_STILLS = 6;
/**
 * The video as segments, to be encoded side by side (one x264 thread each beats one x264 with
 * frame threads on the same cores: ~15% less CPU, measured on this job's frames) and joined by
 * stream copy. A clip's transition (the tail of the clip before blended with its head) and its
 * body are pieces; a long body is split into pieces of at most ~1/(2·cores) of the video so the
 * cores have work to share; pieces are grouped into segments of at least MIN_SEGMENT_SECONDS (the
 * first one at least `leadFrames` long: the preview is made from its frames), but of at most
 * MAX_SEGMENT_STILLS stills, so that a segment's memory does not grow with the number of photos.
 */
function segments(plan, layout, opts) {
    const T = plan.transition === 'none' ? 0 : Math.round(plan.transitionDuration * plan.fps);
    const n = layout.length;
    if (T > 0 && n > 1)
        xfadeOffsets(clipFrames(plan).map(f => f / plan.fps), plan.transitionDuration);
    const kind = plan.transition === 'none' ? '' : XFADE[plan.transition].name;
    const blend = (a, b, out) => 
    // a crossfade as the head fading in over the tail: integer fade and overlay, ~4× cheaper than xfade's
    plan.transition === 'fade'
        ? `[${b}]format=yuva420p,fade=t=in:s=0:n=${T}:alpha=1[${b}a];[${a}][${b}a]overlay=format=yuv420:eof_action=pass[${out}]`
        : // xfade needs a constant frame rate on its inputs, which setpts (with N) clears from ffmpeg 7.0 on
            `[${a}]fps=${plan.fps}[${a}r];[${b}]fps=${plan.fps}[${b}r];[${a}r][${b}r]xfade=transition=${kind}:duration=${T / plan.fps}:offset=0,settb=AVTB[${out}]`;
    const total = layout.reduce((s, c, k) => s + c.frames - (k > 0 ? T : 0), 0);
    const minFrames = MIN_SEGMENT_SECONDS * plan.fps;
    const maxFrames = Math.max(minFrames, Math.ceil(total / (2 * Math.max(1, opts.cores))));
    const pieces = [];
    for (let k = 0; k < n; k++) {
        const c = layout[k];
        const head = k > 0 && T > 0 ? T : 0;
        const end = k < n - 1 && T > 0 ? c.frames - T : c.frames;
        if (end <= head)
            throw new Error(`clip ${k + 1} (${c.frames} frames) is too short for two ${T}-frame transitions`);
        if (head)
            pieces.push({ clip: k, from: 0, count: T, transition: true });
        const parts = Math.ceil((end - head) / maxFrames);
        for (let j = 0; j < parts; j++) {
            const from = head + Math.round(((end - head) * j) / parts);
            const to = head + Math.round(((end - head) * (j + 1)) / parts);
            pieces.push({ clip: k, from, count: to - from, transition: false });
        }
    }
    const groups = [[]];
    let frames = 0;
    let stills = new Set();
    const close = () => {
        groups.push([]);
        frames = 0;
        stills = new Set();
    };
    for (const p of pieces) {
        const reads = p.transition ? [p.clip - 1, p.clip] : [p.clip];
        if (groups[groups.length - 1].length && new Set([...stills, ...reads]).size > MAX_SEGMENT_STILLS)
            close();
        groups[groups.length - 1].push(p);
        for (const c of reads)
            stills.add(c);
        frames += p.count;
        if (frames >= (groups.length === 1 ? Math.max(minFrames, opts.leadFrames ?? 0) : minFrames))
            close();
    }
    if (groups[groups.length - 1].length === 0)
        groups.pop();
    let start = 0;
    return groups.map(group => {
        const lines = [];
        const parts = [];
        // the stills this segment reads, each split into the chains that need it
        const uses = new Map();
        const chain = (clip, label, from, count) => {
            uses.set(clip, [...(uses.get(clip) ?? []), `i${label}`]);
            lines.push(motionGraph(layout[clip], from, count, plan, `i${label}`, label));
        };
        group.forEach((p, i) => {
            if (p.transition) {
                chain(p.clip - 1, `t${i}`, layout[p.clip - 1].frames - T, T);
                chain(p.clip, `h${i}`, 0, T);
                lines.push(blend(`t${i}`, `h${i}`, `x${i}`));
                parts.push(`[x${i}]`);
            }
            else {
                chain(p.clip, `b${i}`, p.from, p.count);
                parts.push(`[b${i}]`);
            }
        });
        const clips = [...uses.keys()].sort((a, b) => a - b);
        clips.forEach((clip, i) => {
            const labels = uses.get(clip) ?? [];
            lines.unshift(labels.length > 1 ? `[${i}:v]split=${labels.length}${labels.map(l => `[${l}]`).join('')}` : `[${i}:v]null[${labels[0]}]`);
        });
        // concat places each part after the previous one's last frame and its duration; a frame out of
        // scale2ref (a zoom) can come without one, so the next part's first frame got the same time and
        // the encoder dropped it (a 1-frame zoom body lost a frame: 40 photos in 20 s came out 594 frames).
        // Every frame is stamped again by its number: the segment has exactly the frames its pieces have.
        lines.push(parts.length > 1 ? `${parts.join('')}concat=n=${parts.length}:v=1:a=0,setpts=N/${plan.fps}/TB[v]` : `${parts[0]}null[v]`);
        const count = group.reduce((s, p) => s + p.count, 0);
        const seg = { clips, start, frames: count, graph: lines.join(';\n') };
        start += count;
        return seg;
    });
}
/**
 * A segment's whole graph: its frames ([v]), each overlay where the segment shows it (timed on the
 * video's clock, not the segment's), the colour tags ([out]); with `preview`, also the preview's
 * frames ([preview]) from the first seconds (the first segment is at least that long).
 */
function segmentGraph(seg, plan, files, ffmpeg, preview = false) {
    const { width: W, fps } = plan;
    const lines = [seg.graph];
    let last = 'v';
    // each item's PNG (text and box, straight alpha) is an input after the stills, in the order
    // overlaysIn gives (segmentArgs takes the same): converted once to the video's BT.709 4:2:0,
    // held for the frames it is on screen in this segment, stamped with its own clock (a segment may
    // start mid-item), faded in and out on its alpha (text and box together), then moved to the
    // segment's clock at the frame it starts on, and laid over the frames (before it starts, overlay
    // passes the frames as they are; after its last, eof_action=pass)
    overlaysIn(seg, files.overlays).forEach((d, j) => {
        const { item } = d;
        const from = Math.max(seg.start, item.start);
        const count = Math.min(seg.start + seg.frames, item.start + item.frames) - from;
        const fades = [
            item.fadeIn > 0 ? `fade=t=in:st=0:d=${item.fadeIn}:alpha=1` : '',
            item.fadeOut > 0 ? `fade=t=out:st=${Math.max(0, item.frames / fps - item.fadeOut)}:d=${item.fadeOut}:alpha=1` : ''
        ].filter(Boolean);
        lines.push(`[${seg.clips.length + j}:v]format=rgba,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,` +
            `loop=loop=${count - 1}:size=1:start=0,settb=AVTB,setpts=(N+${from - item.start})/${fps}/TB,` +
            `${fades.length ? `${fades.join(',')},` : ''}setpts=(N+${from - seg.start})/${fps}/TB[o${j}]`);
        lines.push(`[${last}][o${j}]overlay=x=${d.x}:y=${d.y}:eof_action=pass:format=yuv420[vo${j}]`);
        last = `vo${j}`;
    });
    // the stills are BT.709 limited range already (prepareArgs); say so in the stream
    const tags = `[${last}]format=yuv420p,setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709`;
    if (preview) {
        lines.push(`${tags},split[out][vp]`);
        lines.push(`[vp]trim=duration=${(0,preview_format/* previewSeconds */.KK)(plan.total)},${(0,preview_format/* previewFilter */.jp)((0,preview_format/* previewTries */.yk)(W)[0], ffmpeg)}[preview]`);
    }
    else
        lines.push(`${tags}[out]`);
    return lines.join(';\n');
}
/** Longest stretch between two keyframes, in seconds: the platforms' ingest and players seek and cut there. */
const KEYFRAME_SECONDS = 2;
/**
 * The video's bit rate cap, bits per second, and the decoder buffer x264's VBV holds it to. CRF 23
 * gives a photo video ~2–3 Mb/s at 1080p; a grainy photo moving in Ken Burns can ask several times
 * more (a photo of pure noise 23 Mb/s), and the platforms re-encode anything above their own caps
 * (X and Instagram take up to ~25 Mb/s, YouTube asks 8–12 Mb/s at 1080p): 12 Mb/s, a 1 s buffer,
 * keeps every video in range. The VBV costs ~5 % of x264's time on every frame, even where it
 * never binds, so a segment is encoded with it only when it came out above the cap
 * (overMaxBitrate): nearly every segment never pays for it.
 */
const MAX_BITRATE = 12_000_000;
const BUFFER_BITS = MAX_BITRATE;
/** A segment file of `bytes` holding `frames` frames at `fps` is above MAX_BITRATE (its few KB of index counted too). */
const overMaxBitrate = (bytes, frames, fps) => (bytes * 8 * fps) / frames > MAX_BITRATE;
/**
 * x264 and the stream's colour tags, the same for every segment (they are joined by stream copy):
 * High profile 4:2:0 with x264's B-frames (without them the rate rises by half and each segment's
 * opening keyframe stands out as a jump in quality), a closed GOP with a keyframe at least every
 * KEYFRAME_SECONDS (each segment starts with one, so the joins keep the rhythm); with `capped`,
 * the rate held to MAX_BITRATE.
 */
function videoEncoder(threads, fps, capped) {
    return [
        '-c:v',
        'libx264',
        ...(threads > 0 ? ['-threads', String(threads)] : []),
        '-preset',
        PRESET,
        '-profile:v',
        'high',
        '-crf',
        '23',
        ...(capped ? ['-maxrate', String(MAX_BITRATE), '-bufsize', String(BUFFER_BITS)] : []),
        '-g',
        String(Math.max(1, Math.floor(KEYFRAME_SECONDS * fps))),
        '-flags',
        '+cgop',
        '-pix_fmt',
        'yuv420p',
        '-color_primaries',
        'bt709',
        '-color_trc',
        'bt709',
        '-colorspace',
        'bt709',
        '-color_range',
        'tv'
    ];
}
/**
 * The MP4's times, for the segments and the final mux alike: no edit list (some platforms' ingest
 * ignores one or refuses the file), and the B-frames' reordering written as signed composition
 * offsets (ctts version 1) instead of a delay: the first frame is shown at 0 and every frame at
 * k/fps, as written, with no edit list to shift them back. Without the signed offsets the video
 * would start two frames (0.067 s at 30 fps) late, behind a blank.
 */
const mp4Times = (movflags = '') => ['-use_editlist', '0', '-movflags', `+negative_cts_offsets${movflags}`];
/**
 * One segment's ffmpeg run: its stills in, its frames encoded into `output` (an MP4 holding only
 * this stretch of video); with `preview`, the preview WebP too. `threads` 0 lets x264 choose.
 */
function segmentArgs(seg, stills, plan, graph, output, opts) {
    const inputs = seg.clips.flatMap(i => (0,media_inputs/* input */.hF)('raw', stills[i].file, [
        // an animation longer than its still file plays the file again (read again, not held in memory)
        ...(stills[i].loops ? ['-stream_loop', '-1'] : []),
        ...['-pix_fmt', 'yuv420p', '-video_size', `${stills[i].w}x${stills[i].h}`, '-framerate', String(plan.fps)]
    ]));
    return [
        ...QUIET,
        '-y',
        ...inputs,
        // each overlay's PNG, one frame (segmentGraph holds it): only those the segment shows
        ...overlaysIn(seg, opts.overlays).flatMap(d => (0,media_inputs/* input */.hF)('png', d.file)),
        '-filter_complex',
        graph,
        '-map',
        '[out]',
        '-frames:v',
        String(seg.frames),
        ...videoEncoder(opts.threads, plan.fps, opts.capped ?? false),
        ...mp4Times(),
        '-f',
        'mp4',
        `file:${output}`,
        ...(opts.preview ? ['-map', '[preview]', ...(0,preview_format/* previewEncoder */.Rk)((0,preview_format/* previewTries */.yk)(plan.width)[0]), `file:${opts.preview}`] : [])
    ];
}
/**
 * The concat demuxer's list of the segment files (plain names, read beside the list), each with its
 * exact length: without it the demuxer takes each MP4's millisecond-rounded length and the video
 * drifts from its frames' times.
 */
function concatList(files, fps) {
    for (const { name } of files)
        if (!/^[\w.-]+$/.test(name))
            throw new Error(`segment file name '${name}' is not a plain name`);
    return files.map(f => `file '${f.name}'\nduration ${(f.frames / fps).toFixed(6)}\n`).join('');
}
/**
 * The music as the video's sound track, encoded while the segments are: looped, cut to the video,
 * faded in and out (musicChain), turned up or down by `gainDb` (input 'loudness'), AAC-LC 48 kHz
 * stereo.
 */
function audioArgs(music, total, output, gainDb = 0) {
    return [
        ...QUIET,
        '-y',
        // the music loops as often as needed; atrim cuts it to the video
        '-stream_loop',
        '-1',
        ...(0,media_inputs/* input */.hF)((0,media_inputs/* inputType */.L2)(music.type, filtergraph_MUSIC), music.path),
        '-filter_complex',
        `[0:a]${musicChain(total)}${gainDb ? `,volume=${gainDb}dB` : ''}[aout]`,
        '-map',
        '[aout]',
        '-c:a',
        'aac',
        '-profile:a',
        'aac_low',
        '-b:a',
        '160k',
        '-ar',
        '48000',
        '-ac',
        '2',
        // the encoder's priming (1024 samples) kept as the track's first 21 ms instead of cut by an
        // edit list: the mux then takes the track from 0, beside the video's first frame
        '-use_editlist',
        '0',
        '-f',
        'mp4',
        `file:${output}`
    ];
}
/**
 * The last run: the segments and the sound joined by stream copy, the MP4's index moved to the
 * front for streaming, and no edit lists (mp4Times): some platforms' ingest ignores them or
 * refuses the file, so the tracks' times are written as they are, from 0 (the video's B-frames as
 * signed offsets, the sound with the encoder's priming as its first 21 ms).
 */
function muxArgs(plan, listFile, output, audioFile) {
    return [
        ...QUIET,
        '-y',
        ...(0,media_inputs/* input */.hF)('concat', listFile),
        ...(audioFile ? [...(0,media_inputs/* input */.hF)('mp4', audioFile), '-map', '0:v', '-map', '1:a'] : ['-map', '0:v']),
        '-c',
        'copy',
        '-t',
        String(plan.total),
        ...mp4Times('+faststart'),
        '-f',
        'mp4',
        `file:${output}`
    ];
}
/** What the file checks let through as music and as photos. */
const filtergraph_MUSIC = ['mp3', 'aac', 'wav', 'm4a'];
const IMAGES = ['jpg', 'png', 'webp', 'gif'];
/** The least share of a photo `auto` lets a cover crop keep; below it, the photo is shown whole, blurred behind. */
const COVER_MIN_KEPT = 0.65;
/** Which framing `auto` picks: cover while it keeps at least COVER_MIN_KEPT of the photo, else blur. */
function chooseFit(fit, photo, frame) {
    if (fit !== 'auto')
        return fit;
    if (!photo.width || !photo.height)
        return 'cover';
    return keptShare(photo, frame) >= COVER_MIN_KEPT ? 'cover' : 'blur';
}
/** The share of a photo a cover crop keeps in a frame of another shape. */
function keptShare(photo, frame) {
    const r = (photo.width ?? 1) / (photo.height ?? 1) / (frame.width / frame.height);
    return Math.min(r, 1 / r);
}
/**
 * One photo → its still: framed over the background (transparent pixels too), scaled once,
 * BT.709 limited-range 4:2:0, as raw frames on stdout.
 */
function prepareArgs(p) {
    const { w, h } = p;
    const framing = FRAMINGS[p.fit];
    // decode big JPEGs at 1/2, 1/4 or 1/8 when that is still larger than needed: less memory and time
    let lowres = 0;
    if (p.type === 'jpg' && !p.pixels && p.width && p.height) {
        const need = framing.fills ? Math.max(w / p.width, h / p.height) : Math.min(w / p.width, h / p.height);
        while (lowres < 3 && need * 2 ** (lowres + 1) <= 1)
            lowres++;
    }
    const lines = [];
    const input = p.count > 1 ? `[0:v]fps=${p.fps}` : '[0:v]null';
    const fg = framing.fills
        ? `scale=${w}:${h}:force_original_aspect_ratio=increase:flags=bicubic,crop=${w}:${h}`
        : `scale=${w}:${h}:force_original_aspect_ratio=decrease:flags=bicubic`;
    if (framing.fills && p.alpha === false) {
        // an opaque photo that fills the frame hides the fill: no background, no blend (~20% less work)
        lines.push(`${input},${fg},format=gbrp,setsar=1,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[out]`);
        return stillArgs(p, lowres, lines);
    }
    lines.push(`color=c=${p.background}:s=${w}x${h}:r=${p.fps},format=rgba[bg]`);
    lines.push(...framing.fill(input, fg, w, h));
    lines.push(`[fill][fg]overlay=x=(W-w)/2:y=(H-h)/2:format=rgb,setsar=1,` + `scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[out]`);
    return stillArgs(p, lowres, lines);
}
/** The background alone around the photo. */
const plainFill = (input, fg) => [`${input},${fg},format=rgba[fg]`, `[bg]null[fill]`];
const FRAMINGS = {
    cover: { fills: true, fill: plainFill },
    contain: { fills: false, fill: plainFill },
    blur: {
        fills: false,
        fill: (input, fg, w, h) => {
            const [bw, bh] = [filtergraph_even(w / 8), filtergraph_even(h / 8)];
            return [
                `${input},split=2[a][b]`,
                `[b]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},format=rgba,boxblur=${Math.max(2, Math.round(Math.min(bw, bh) / 12))}:2,` +
                    `scale=${w}:${h}:flags=bilinear,colorchannelmixer=rr=0.55:gg=0.55:bb=0.55[bl]`,
                `[bg][bl]overlay=format=rgb[fill]`,
                `[a]${fg},format=rgba[fg]`
            ];
        }
    }
};
/** Whether a framing's photo fills the frame (a cover crop) rather than fitting inside it. */
const fillsFrame = (fit) => FRAMINGS[fit].fills;
function stillArgs(p, lowres, lines) {
    return [
        ...QUIET,
        ...(lowres ? ['-lowres', String(lowres)] : []),
        ...(p.count > 1 && p.type === 'gif' ? ['-ignore_loop', '0'] : []),
        ...(p.pixels
            ? (0,media_inputs/* input */.hF)('raw', p.path, ['-pix_fmt', p.pixels.format, '-video_size', `${p.pixels.width}x${p.pixels.height}`])
            : (0,media_inputs/* input */.hF)((0,media_inputs/* inputType */.L2)(p.type, IMAGES), p.path)),
        '-filter_complex',
        lines.join(';'),
        '-map',
        '[out]',
        '-frames:v',
        String(p.count),
        '-f',
        'rawvideo',
        '-pix_fmt',
        'yuv420p',
        'pipe:1'
    ];
}

// EXTERNAL MODULE: ./src/media/image-info.ts
var image_info = __webpack_require__(81086);
// EXTERNAL MODULE: ./src/media/photo.ts + 1 modules
var media_photo = __webpack_require__(44944);
// EXTERNAL MODULE: ./src/shared/options.ts
var options = __webpack_require__(93951);
;// CONCATENATED MODULE: ./src/backends/local/errors.ts
// The local backend's own error: a request it cannot render as asked, found before ffmpeg is
// looked for or installed; the message names the input and the fix. (ffmpeg's own failures are
// media/errors.ts:FfmpegError.)
class PlanError extends Error {
    name = 'PlanError';
}

;// CONCATENATED MODULE: ./src/backends/local/plan.ts
// Request → plan (+ the same t/tt/sg/d/m draft the cloud returns). Inputs win over what the
// prompt says; the prompt is read the way a person writes it ("30-second", "vertical", "fade").





// Words are matched in the prompt lowercased and NFKC-normalised (full-width digits and colons
// become ASCII). Latin words need a non-letter on each side; Chinese and Japanese ones do not.
const NUM = String.raw `(\d+(?:[.,]\d+)?)`;
const SECONDS = String.raw `(?:seconds?|secs?|s|sekunden?|sek|sekündige[nmrs]?|segundos?|segs?|secondes?|sec)(?![\p{L}])|秒(?:钟|鐘|間)?`;
const MINUTES = String.raw `(?:minutes?|mins?|min|minuten?|minütige[nmrs]?|minutos?)(?![\p{L}])|分(?:钟|鐘|間)?`;
const DURATION_WORDS = new RegExp(String.raw `(?<![\p{Script=Latin}\d.,])${NUM}\s*(?:-\s*)?(?:(${SECONDS})|(${MINUTES}))`, 'gu');
/** photo nouns, for "per photo" */
const PHOTO = String.raw `(?:photos?|images?|pictures?|pics?|slides?|shots?|fotos?|bilde?r?|imagen(?:es)?|imagens?|imagem|diapositivas?|clichés?)`;
/** before the number: "each photo for", "jedes Foto", "cada foto", "chaque photo", 每张照片, 各写真, 1枚あたり */
const EACH_BEFORE = new RegExp(String.raw `(?:(?<![\p{L}])(?:each|every|jede[snmr]?|cada|chaque)(?![\p{L}])|每|各|ごと|につき|あたり|[1一]枚)[^\d.;!?。！？\n]{0,24}$`, 'u');
/** after the number: "per photo", "pro Bild", "je Foto", "por foto", "par photo", "each", ずつ */
const EACH_AFTER = new RegExp(String.raw `^\s*(?:(?:per|pro|je|por|par|para cada|/)\s*(?:(?:a|an|one|cada)\s+)?${PHOTO}|each(?![\p{L}])|ずつ|每张|每張)`, 'u');
const WORD = (words) => new RegExp(String.raw `(?<![\p{L}])(?:${words})(?![\p{L}])`, 'u');
// adjectives with their inflected forms: vertical(e)(s), verticaux, verticais, vertikal(e|en|er|es|em);
// cuadrado/a(s), carré(e)(s), quadrado/a(s), quadratisch(e…); horizontal(e…), horizontaux, horizontais
const PORTRAIT = WORD('9:16|vertical(?:e|es)?|verticaux|verticais|vertikal(?:e[nmrs]?)?|portrait|hochformat|hochkant|retrato|stories|reels?|tiktok|shorts');
const PORTRAIT_CJK = /竖屏|竖版|竖向|竖直|豎屏|豎版|縦型|縦長|縦向き|縦動画/u;
const SQUARE = WORD('1:1|square|quadratisch(?:e[nmrs]?)?|cuadrad[oa]s?|carrée?s?|quadrad[oa]s?');
const SQUARE_CJK = /正方形|方形|スクエア/u;
const LANDSCAPE = WORD('16:9|horizontal(?:e[nmrs]?|es)?|horizontaux|horizontais|landscape|widescreen|querformat|apaisad[oa]s?|formato paisaje|modo paisaje|format paysage|mode paysage|formato paisagem|modo paisagem');
const LANDSCAPE_CJK = /横屏|横版|横向|横型|横長|横向き|ワイド/u;
/** words that make the quoted text next to them the title (Latin ones as whole words) */
const TITLE_WORDS = String.raw `(?<![\p{L}])(?:title[ds]?|caption(?:ed)?|text|heading|headline|called|named|titel|überschrift|schriftzug|betitelt|` +
    String.raw `t[íi]tulo|titulad[oa]|texto|r[óo]tulo|encabezado|titre|intitulée?|texte|légende|intitulad[oa]|legenda)(?![\p{L}])|` +
    String.raw `标题|標題|题为|題為|文字|字幕|タイトル|見出し|題名|テキスト`;
/** quoted text: "…", “…”, „…“, «…», »…«, 「…」, 『…』 */
const QUOTED = String.raw `"([^"\n]{1,100})"|“([^”\n]{1,100})”|„([^“”\n]{1,100})[“”]|«([^»\n]{1,100})»|»([^«\n]{1,100})«|「([^」\n]{1,100})」|『([^』\n]{1,100})』`;
const OPENERS = String.raw `"“„«»「『`;
/** the title word, a few words (", the", "mit dem", "为", "は"), then the quote; or 「…」というタイトル, "…" as the title */
const TITLE_BEFORE = new RegExp(String.raw `(?:${TITLE_WORDS})[^${OPENERS}\n]{0,24}?(?:${QUOTED}|(?<=(?:${TITLE_WORDS})[:：]?\s*)'([^'\n]{1,100})')`, 'iu');
const TITLE_AFTER = new RegExp(String.raw `(?:${QUOTED})[^${OPENERS}\n]{0,10}?(?:${TITLE_WORDS})`, 'iu');
function quoted(m) {
    const text = m?.slice(1).find(g => g !== undefined);
    return text?.trim() || undefined;
}
/** What a person's prompt says about the options, in the languages the README lists (en, de, es, fr, pt, zh, ja). */
function readPrompt(prompt) {
    const p = prompt.normalize('NFKC').toLowerCase();
    const h = {};
    for (const m of p.matchAll(DURATION_WORDS)) {
        const seconds = Number(m[1].replace(',', '.')) * (m[3] ? 60 : 1);
        if (!(seconds > 0))
            continue;
        const before = p.slice(Math.max(0, m.index - 40), m.index);
        const after = p.slice(m.index + m[0].length, m.index + m[0].length + 30);
        if (EACH_BEFORE.test(before) || EACH_AFTER.test(after))
            h.perImage ??= seconds;
        else
            h.duration ??= seconds;
    }
    if (PORTRAIT.test(p) || PORTRAIT_CJK.test(p))
        h.aspectRatio = '9:16';
    else if (SQUARE.test(p) || SQUARE_CJK.test(p))
        h.aspectRatio = '1:1';
    else if (WORD('4:5').test(p))
        h.aspectRatio = '4:5';
    else if (LANDSCAPE.test(p) || LANDSCAPE_CJK.test(p))
        h.aspectRatio = '16:9';
    if (WORD('720p').test(p))
        h.resolution = '720p';
    else if (WORD('1080p|full hd').test(p))
        h.resolution = '1080p';
    if (WORD('no transitions?|hard cuts?|without transitions?|ohne übergänge|ohne überblendungen?|harte schnitte|sin transiciones|sans transitions?|sem transições').test(p) ||
        /无转场|不要转场|沒有轉場|トランジションなし/u.test(p))
        h.transition = 'none';
    else if (WORD('cross-?fades?|fades?|dissolves?|überblendungen?|fundidos?|fondus?|esmaecimentos?').test(p) ||
        /淡入淡出|渐变|フェード/u.test(p))
        h.transition = 'fade';
    else if (WORD('slides?').test(p))
        h.transition = 'slide';
    else if (WORD('wipes?').test(p))
        h.transition = 'wipe';
    if (WORD('no motion|static|still images?|no ken burns|ohne bewegung|sin movimiento|sans mouvement|sem movimento').test(p))
        h.kenBurns = false;
    else if (WORD('ken burns|zoom(?:s|ing)?|pan(?:s|ning)?').test(p))
        h.kenBurns = true;
    // quoted text is the title only when the prompt says so ("title", "Titel", 标题, タイトル…)
    const title = quoted(TITLE_BEFORE.exec(prompt)) ?? quoted(TITLE_AFTER.exec(prompt));
    if (title)
        h.title = title;
    return h;
}
/** The hints as one line for the log ("20 s, 9:16, title "…""), '' when there are none. */
function describeHints(h, overridden = {}) {
    const parts = [
        ['duration', h.duration !== undefined ? `${h.duration} s` : undefined],
        ['perImage', h.perImage !== undefined ? `${h.perImage} s per photo` : undefined],
        ['aspectRatio', h.aspectRatio],
        ['resolution', h.resolution],
        ['transition', h.transition === 'none' ? 'no transitions' : h.transition ? `${h.transition} transitions` : undefined],
        ['kenBurns', h.kenBurns === undefined ? undefined : h.kenBurns ? 'Ken Burns motion' : 'no motion'],
        ['title', h.title !== undefined ? `title "${h.title}"` : undefined]
    ];
    return parts
        .filter((x) => x[1] !== undefined)
        .map(([k, text]) => (overridden[k] ? `${text} (input '${overridden[k]}' wins)` : text))
        .join(', ');
}
const DEFAULT_PER_IMAGE = 4;
/**
 * The video's length: input 'duration', else what the prompt asks for ("each photo for 3 seconds":
 * n photos make n × 3 s). Outside the range 'duration' accepts it is refused as 'duration' is:
 * a prompt is untrusted text, and "a 100000-second video" is not made 600 s long without a word.
 */
function targetDuration(req, hints, n) {
    if (req.duration !== undefined)
        return req.duration;
    const asked = hints.duration ?? (hints.perImage ? hints.perImage * n : undefined);
    if (asked === undefined || (asked >= options/* DURATION */.ft.min && asked <= options/* DURATION */.ft.max))
        return asked;
    const how = hints.duration === undefined ? ` (${hints.perImage} s for each of ${n} photo${n === 1 ? '' : 's'})` : '';
    throw new PlanError(`The prompt asks for a video of ${asked} s${how}; the local backend makes ${options/* DURATION */.ft.min} to ${options/* DURATION */.ft.max} s, what input 'duration' accepts: ask for ${asked > options/* DURATION */.ft.max ? `at most ${options/* DURATION */.ft.max}` : `at least ${options/* DURATION */.ft.min}`} s in the prompt, or set input 'duration' (it wins over the prompt).`);
}
const DEFAULT_TRANSITION = 0.75;
/** the shortest transition: 4 frames at 30 fps */
const MIN_TRANSITION_FRAMES = 4;
function makePlan(req, images) {
    const hints = readPrompt(req.turns.join('\n'));
    const aspect = req.aspectRatio ?? hints.aspectRatio ?? '16:9';
    // 1080p is also the input's default, so a prompt that asks for 720p is heard
    const resolution = hints.resolution && req.resolution === '1080p' ? hints.resolution : req.resolution;
    const { width, height } = (0,options/* canvasSize */.IL)(aspect, resolution);
    const transition = req.transition ?? hints.transition ?? 'fade';
    const n = images.length;
    const target = targetDuration(req, hints, n);
    // per-image time: DEFAULT_PER_IMAGE with no target; fit to the target when one is given
    let T = transition === 'none' || n < 2 ? 0 : DEFAULT_TRANSITION;
    let per = target ? (target + (n - 1) * T) / n : DEFAULT_PER_IMAGE;
    if (T > 0) {
        T = Math.min(T, Math.max(0.2, per * 0.4));
        if (target)
            per = (target + (n - 1) * T) / n;
    }
    // whole frames everywhere, so the rendered length is exactly the planned one
    const fps = 30;
    let Tf = Math.round(T * fps);
    if (Tf > 0 && target) {
        // many images in a short video: shorter transitions, down to a floor, so every clip keeps a
        // body of at least one frame between its two transitions
        const most = Math.floor((Math.round(target * fps) - n) / (n + 1));
        if (most < MIN_TRANSITION_FRAMES) {
            const need = Math.ceil((((n + 1) * MIN_TRANSITION_FRAMES + n) / fps) * 10) / 10;
            throw new PlanError(`${n} images need at least ${need} s with transitions (the duration is ${target} s): set a longer 'duration', fewer images, or 'transition: none'.`);
        }
        Tf = Math.min(Tf, most);
    }
    const totalFrames = target ? Math.round(target * fps) : Math.round(per * fps) * n - (n - 1) * Tf;
    const sum = totalFrames + (n - 1) * Tf;
    const base = Math.floor(sum / n);
    const clips = images.map((f, i) => ({ path: f.path, name: f.name, type: f.type, duration: (base + (i < sum - base * n ? 1 : 0)) / fps }));
    const total = totalFrames / fps;
    const titleText = req.title ?? hints.title;
    return {
        width,
        height,
        fps,
        clips,
        transition,
        transitionDuration: Tf / fps,
        kenBurns: hints.kenBurns ?? true,
        fit: req.fit ?? 'auto',
        background: req.background ?? 'black',
        title: titleText ? { text: titleText, duration: titleSeconds(total) } : undefined,
        captions: req.captions?.some(c => c.trim()) ? req.captions : undefined,
        music: req.music && 'file' in req.music
            ? {
                path: req.music.file.path,
                name: req.music.file.name,
                type: req.music.file.type,
                loudness: req.loudness === 'off' ? undefined : (req.loudness ?? options/* LOUDNESS */.ut.default)
            }
            : undefined,
        total
    };
}
/** The plan as a draft in the cloud's short-key form, so summaries look the same. */
function planToDraft(plan) {
    const ms = (s) => Math.round(s * 1000);
    let at = 0;
    const video = plan.clips.map((c, i) => {
        const sg = {
            st: ms(at),
            d: ms(c.duration),
            n: c.name,
            src: (0,external_node_path_.basename)(c.path),
            ...(i > 0 && plan.transition !== 'none' ? { tr: { type: plan.transition, d: ms(plan.transitionDuration) } } : {}),
            ...(plan.kenBurns ? { kb: true } : {})
        };
        at += c.duration - plan.transitionDuration;
        return sg;
    });
    const t = [{ tt: timeline/* TRACK_VIDEO */.w7, sg: video }];
    if (plan.music)
        t.push({ tt: timeline/* TRACK_AUDIO */.dM, sg: [{ st: 0, d: ms(plan.total), n: plan.music.name, src: plan.music.name, v: 1 }] });
    // the title and the captions, as overlays.ts times them
    const text = overlayItems(plan).map(o => ({ st: ms(o.start / plan.fps), d: ms(o.frames / plan.fps), txt: o.text }));
    if (text.length)
        t.push({ tt: timeline/* TRACK_TEXT */.Wf, sg: text });
    return { t, d: ms(plan.total), m: { title: plan.title?.text, width: plan.width, height: plan.height } };
}

;// CONCATENATED MODULE: ./src/backends/local/local-backend.ts
// The local backend: the same request rendered by ffmpeg on the runner. No token, no
// network. The MP4 goes to the temp file the job names; the finish line checks and renames it.
















/**
 * What is known of each photo before rendering, once per job (every format of the video reads the
 * same photos): a HEIC is decoded here, to photo-i.png in `tempDir` (an animated WebP's first
 * frame to frame-i.webp), which removeInspected() removes; notes in the log for what a person should know.
 */
async function inspectImages(clips, tempDir) {
    const out = { paths: [], types: [], infos: [], photos: [] };
    for (const [i, c] of clips.entries()) {
        let path = c.path;
        let type = c.type ?? '';
        // the header tells a WebP's animation, and whether a viewer would show the photo otherwise
        // than stored (turned, from a profile): only then is libvips loaded and the photo measured by it
        let info = type === 'heic' || type === 'avif' ? undefined : await (0,image_info/* readImageInfo */.Kl)(c.path, type);
        let photo = false;
        if (info?.animated && type === 'webp') {
            // ffmpeg 5.x has no animated WebP decoder: the first frame, as a still WebP
            const first = (0,image_info/* firstWebpFrame */.sN)(await (0,promises_.readFile)(c.path));
            if (!first)
                throw new errors/* FfmpegError */.Kz(`${c.name} is an animated WebP whose frames cannot be read; convert it first, e.g. 'img2webp' to a still WebP or 'convert ${c.name} out.gif' (ImageMagick).`);
            path = (0,external_node_path_.join)(tempDir, `frame-${i}.webp`);
            await (0,promises_.writeFile)(path, first);
            info = (0,image_info/* parseImageInfo */.JO)(first, 'webp') ?? info;
            info = { ...info, animated: false };
            shared_log/* log */.R.info(`${c.name} is an animated WebP: the local backend shows its first frame (use a GIF to have it play).`);
        }
        else if ((0,media_photo/* isPhotoType */.RX)(type) && !info?.animated && (0,image_info/* mayNeedViewer */.IR)(info)) {
            const changes = [];
            if (type === 'heic') {
                path = (0,external_node_path_.join)(tempDir, `photo-${i}.png`);
                await (0,media_photo/* heicToPng */.mB)(c.path, c.name, path);
                type = 'png';
                changes.push('decoded from HEIC');
            }
            const p = await (0,media_photo/* photoInfo */.XU)(path, type, c.name);
            changes.push(...p.changes);
            if (changes.length)
                shared_log/* log */.R.info(`${c.name}: ${changes.join(', ')}.`);
            info = { width: p.width, height: p.height, alpha: p.alpha, animated: false };
            // a plain sRGB JPEG, PNG or WebP shown as stored goes to ffmpeg as before, which decodes it
            // natively (a JPEG at 1/2, 1/4 or 1/8 size): libvips in WebAssembly is ~25 % slower at it
            photo = changes.length > 0;
        }
        out.paths.push(path);
        out.types.push(type);
        out.infos.push(info);
        out.photos.push(photo);
    }
    return out;
}
/** The files inspectImages() wrote (a HEIC's PNG, an animated WebP's first frame). */
async function removeInspected(images, tempDir) {
    await Promise.all(images.paths.flatMap((_p, i) => [`photo-${i}.png`, `frame-${i}.webp`].map(f => (0,promises_.rm)((0,external_node_path_.join)(tempDir, f), { force: true }))));
}
/** A warning for each photo so much smaller than the plan's canvas that it will look blurred. */
function warnSmall(plan, images) {
    for (const [i, info] of images.infos.entries())
        if (info && info.width * 4 <= plan.width && info.height * 4 <= plan.height)
            shared_log/* log */.R.warning(`${plan.clips[i].name} is ${info.width}×${info.height}, much smaller than the ${plan.width}×${plan.height} video: it is enlarged ${Math.round(Math.min(plan.width / info.width, plan.height / info.height))}× and will look blurred.`);
}
/** How many stills may be prepared ahead of the oldest segment not yet made, at least (each is a few MB on disk). */
const AHEAD = 8;
/**
 * Decodes each photo once into its own raw still file (two ffmpeg runs at a time, at most AHEAD
 * clips ahead of the first clip given to `progress()`, and always up to the last one given);
 * still(i) resolves when clip i's file is written, and rejects once any still has failed.
 */
function prepareStills(ffmpeg, plan, tempDir, layout, images, signal) {
    const ready = layout.map(() => {
        const r = {};
        r.promise = new Promise((resolve, reject) => Object.assign(r, { resolve, reject }));
        r.promise.catch(() => { });
        return r;
    });
    let next = 0;
    let limit = AHEAD;
    let waiting = [];
    const wake = () => {
        for (const w of waiting)
            w();
        waiting = [];
    };
    let stopped = false;
    const worker = async () => {
        while (next < plan.clips.length && !stopped) {
            if (next > limit) {
                await new Promise(r => waiting.push(r));
                continue;
            }
            const i = next++;
            const c = layout[i];
            const info = images.infos[i];
            const file = (0,external_node_path_.join)(tempDir, `still-${i}.yuv`);
            // a panorama that pans is shown at the frame's height (width) and crossed, not fitted inside
            const fit = c.motion.kind === 'pan' && c.motion.panorama ? 'cover' : chooseFit(plan.fit, info ?? {}, plan);
            const spec = {
                path: images.paths[i],
                type: images.types[i],
                width: info?.width,
                height: info?.height,
                fit,
                background: plan.background,
                alpha: info?.alpha,
                w: c.w,
                h: c.h,
                count: c.count,
                fps: plan.fps
            };
            const pixels = (0,external_node_path_.join)(tempDir, `photo-${i}.rgb`);
            try {
                if (images.photos[i]) {
                    // upright, sRGB and shrunk to the still's size (never enlarged) before ffmpeg frames it
                    // the upright size inspectImages() measured: libvips does not read the header again
                    const d = await (0,media_photo/* decodePhoto */.z7)(images.paths[i], images.types[i], plan.clips[i].name, { width: c.w, height: c.h, fit: fillsFrame(fit) ? 'cover' : 'inside' }, info);
                    await (0,promises_.writeFile)(pixels, d.data, { mode: 0o600 });
                    Object.assign(spec, {
                        path: pixels,
                        alpha: d.channels === 4,
                        pixels: { format: d.channels === 4 ? 'rgba' : 'rgb24', width: d.width, height: d.height }
                    });
                }
                const fh = await (0,promises_.open)(file, 'w');
                let written;
                try {
                    ;
                    ({ written } = await ffmpeg.run(prepareArgs(spec), { signal, stdout: { file: fh } }));
                }
                finally {
                    await fh.close();
                }
                await (0,promises_.rm)(pixels, { force: true });
                const want = c.count * c.w * c.h * 1.5;
                if (written !== want)
                    throw new errors/* FfmpegError */.Kz(`${plan.clips[i].name} could not be decoded by ffmpeg (${written} of ${want} bytes); convert it to JPEG or PNG first, e.g. 'ffmpeg -i ${plan.clips[i].name} out.png'.`);
                ready[i].resolve({ file, w: c.w, h: c.h, loops: loopsAnimation(c) });
            }
            catch (err) {
                // every segment waiting for a still hears of it, not only the one that needs this one
                for (const r of ready.slice(i))
                    r.reject(err);
                stopped = true;
                wake();
            }
        }
    };
    void Promise.all([worker(), worker()]);
    return {
        still: i => ready[i].promise,
        progress: (first, last) => {
            limit = Math.max(limit, first + AHEAD, last);
            wake();
        },
        stop: () => {
            stopped = true;
            wake();
        }
    };
}
/** A progress reporter for the log: a line every 10% or, when there is news, every 10 s. */
function progressLog(totalSeconds) {
    let lastPct = -1;
    let lastLog = 0;
    return secs => {
        const pct = Math.min(100, Math.floor((secs / totalSeconds) * 100));
        const now = Date.now();
        if (pct >= lastPct + 10 || (now - lastLog > 10_000 && pct > lastPct)) {
            shared_log/* log */.R.info(`🎞  ffmpeg ${pct}% (${secs.toFixed(1)} of ${totalSeconds.toFixed(1)} s)`);
            lastPct = pct;
            lastLog = now;
        }
    };
}
/** `work`, or the abort's reason as soon as `signal` aborts (its listener removed either way). */
async function unlessAborted(work, signal) {
    if (signal.aborted)
        throw signal.reason;
    let onAbort = () => { };
    const stopped = new Promise((_resolve, reject) => (onAbort = () => reject(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
        return await Promise.race([work, stopped]);
    }
    finally {
        signal.removeEventListener('abort', onAbort);
    }
}
/** At most this many segments are encoded at once (each holds an x264 and two stills). */
const MAX_ENCODERS = 8;
/**
 * x264 threads for a segment: its share of the cores by length (one for the usual short segment,
 * more for the long first one on a big runner); x264's own choice when it is the only segment.
 */
function encoderThreads(frames, total, cores, count) {
    if (count === 1)
        return 0;
    return Math.min(cores, Math.max(1, Math.round((cores * frames) / total)));
}
/**
 * The sound track: the music encoded as the video carries it; with a loudness, measured first (as
 * the video carries it) and encoded with the gain that brings it there, then measured as encoded
 * and, when the encoder moved it off the target or over the peak, encoded once more with the
 * gain corrected. Audio only: each run takes a fraction of the segments' time.
 */
async function renderSound(ffmpeg, music, total, file, signal) {
    const target = music.loudness;
    if (target === undefined) {
        await ffmpeg.run(audioArgs(music, total, file), { signal });
        return undefined;
    }
    const measure = async (args) => {
        const r128 = parseR128((await ffmpeg.run(args, { signal })).stderr);
        if (!r128)
            throw new errors/* FfmpegError */.Kz(`ffmpeg's loudness meter (ebur128) gave no reading of ${music.name}; set 'loudness: off' to keep the music as it is.`);
        return r128;
    };
    const source = await measure(measureArgs(music, total));
    let gain = loudnessGain(source, target);
    await ffmpeg.run(audioArgs(music, total, file, gain.db), { signal });
    let encoded = await measure(measureArgs({ path: file, type: 'mp4' }));
    const again = correctedGain(gain, encoded, target);
    if (again) {
        gain = again;
        await ffmpeg.run(audioArgs(music, total, file, gain.db), { signal });
        encoded = await measure(measureArgs({ path: file, type: 'mp4' }));
    }
    const level = (m) => `${m.integrated.toFixed(1)} LUFS, true peak ${m.truePeak.toFixed(1)} dBTP`;
    if (gain.silent)
        shared_log/* log */.R.info(`Music ${music.name}: silent (${level(source)}); left as it is.`);
    else
        shared_log/* log */.R.info(`Music ${music.name}: ${level(source)} → ${level(encoded)} (${gain.db >= 0 ? '+' : ''}${gain.db.toFixed(1)} dB; input 'loudness' ${target} LUFS).`);
    if (gain.peakBound && target - encoded.integrated > TOLERANCE)
        shared_log/* log */.R.info(`Music ${music.name}: its peaks stand ${(source.truePeak - source.integrated).toFixed(1)} dB above its loudness, so it is turned up only until they reach ${TRUE_PEAK_MAX} dBTP (${encoded.integrated.toFixed(1)} LUFS, not ${target}): no limiter squashes it. A lower 'loudness' keeps it level with that.`);
    return encoded;
}
/** Renders a plan into `videoFile`: stills, then segments encoded side by side, then one mux. */
async function renderPlan(ffmpeg, plan, videoFile, tempDir, signal, opts = {}) {
    const { preview, cores = (0,external_node_os_.availableParallelism)() } = opts;
    checkTransition(plan.transition, ffmpeg);
    // the title's and captions' fonts checked and each drawn before anything is rendered: a
    // character no font has fails the run here
    const files = {
        overlays: await drawOverlays(overlayItems(plan), plan.width, plan.height, tempDir, { installMissing: opts.installMissing ?? false })
    };
    await shared_log/* log */.R.block(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`, async () => {
        const started = Date.now();
        const images = opts.images ?? (await inspectImages(plan.clips, tempDir));
        warnSmall(plan, images);
        const layout = layoutClips(plan, clipFrames(plan), images.infos.map(i => ({ animated: i?.animated, width: i?.width, height: i?.height })));
        for (const [i, c] of layout.entries()) {
            const info = images.infos[i];
            if (c.motion.kind === 'pan' && c.motion.panorama && info) {
                const horizontal = c.motion.dir === 'left' || c.motion.dir === 'right';
                // its length at the frame's height (width), against what the pan passes over
                const length = horizontal ? (info.width * plan.height) / info.height : (info.height * plan.width) / info.width;
                const shown = Math.min(1, (c.motion.travel + (horizontal ? plan.width : plan.height)) / length);
                shared_log/* log */.R.info(`${plan.clips[i].name} is a panorama (${info.width}×${info.height}): the camera pans across ${Math.round(shown * 100)} % of it in ${(c.frames / plan.fps).toFixed(1)} s${shown < 0.98 ? ' (a longer duration shows more of it)' : ''}.`);
            }
            if (loopsAnimation(c))
                shared_log/* log */.R.info(`${plan.clips[i].name} is animated and on screen for ${(c.frames / plan.fps).toFixed(1)} s: its first ${(c.count / plan.fps).toFixed(1)} s play in a loop (${MAX_ANIMATION_BYTES / 1048576} MB of frames at most per animation).`);
        }
        const leadFrames = preview ? Math.ceil((0,preview_format/* previewSeconds */.KK)(plan.total) * plan.fps) : 0;
        const parts = segments(plan, layout, { cores, leadFrames });
        // the preview comes from the first segment's frames when it is long enough (with many short
        // clips it is not: the preview is then made from the MP4 after the render)
        const early = preview && parts[0].frames >= leadFrames ? preview : undefined;
        const graphs = parts.map((seg, i) => segmentGraph(seg, plan, files, ffmpeg, !!early && i === 0));
        shared_log/* log */.R.debug(`Segment ${Math.min(2, parts.length)} of ${parts.length}:\n${graphs[Math.min(1, parts.length - 1)]}`);
        const names = parts.map((_s, i) => `segment-${i}.mp4`);
        const listFile = (0,external_node_path_.join)(tempDir, 'segments.txt');
        const audioFile = plan.music ? (0,external_node_path_.join)(tempDir, 'audio.m4a') : undefined;
        const totalFrames = parts.reduce((s, p) => s + p.frames, 0);
        // each still is deleted once every segment that reads it is done
        const readers = layout.map((_c, i) => parts.filter(p => p.clips.includes(i)).length);
        const finished = parts.map(() => false);
        const workers = Math.min(cores, MAX_ENCODERS, parts.length);
        // stills are made for the segments being encoded and the next one, at least AHEAD clips ahead
        const window = (oldest) => oldest < parts.length
            ? [parts[oldest].clips[0], parts[Math.min(oldest + workers, parts.length - 1)].clips.at(-1) ?? 0]
            : [layout.length, layout.length];
        const stills = prepareStills(ffmpeg, plan, tempDir, layout, images, signal);
        stills.progress(...window(0));
        const progress = progressLog(plan.total);
        let framesDone = 0;
        const capped = [];
        const encode = async (i, poolSignal) => {
            const part = parts[i];
            // a segment waiting for its stills stops when another one has failed
            const inputs = await unlessAborted(Promise.all(part.clips.map(c => stills.still(c))), poolSignal);
            const byClip = [];
            part.clips.forEach((c, j) => (byClip[c] = inputs[j]));
            const threads = encoderThreads(part.frames, totalFrames, cores, parts.length);
            const file = (0,external_node_path_.join)(tempDir, names[i]);
            const args = (held) => segmentArgs(part, byClip, plan, graphs[i], file, {
                threads,
                preview: i === 0 ? early : undefined,
                overlays: files.overlays,
                capped: held
            });
            await ffmpeg.run(args(false), { signal: poolSignal });
            const { size } = await (0,promises_.stat)(file);
            if (overMaxBitrate(size, part.frames, plan.fps)) {
                // rare (a grainy photo): this stretch again, held to the cap (MAX_BITRATE says why not always)
                capped.push({ frames: part.frames, mbps: (size * 8 * plan.fps) / part.frames / 1e6 });
                await ffmpeg.run(args(true), { signal: poolSignal });
            }
            finished[i] = true;
            framesDone += part.frames;
            progress(framesDone / plan.fps);
            await Promise.all(part.clips.filter(c => --readers[c] === 0).map(c => (0,promises_.rm)(byClip[c].file, { force: true })));
            const oldest = finished.indexOf(false);
            stills.progress(...window(oldest < 0 ? parts.length : oldest));
        };
        try {
            await (0,promises_.writeFile)(listFile, concatList(parts.map((p, i) => ({ name: names[i], frames: p.frames })), plan.fps));
            // the sound is encoded beside the segments; a failure of either stops the other
            const stop = new AbortController();
            const both = AbortSignal.any([signal, stop.signal]);
            const sound = plan.music && audioFile ? renderSound(ffmpeg, plan.music, plan.total, audioFile, both) : undefined;
            sound?.catch((err) => stop.abort(err));
            const results = await (0,pool/* runPool */.k)([...parts.keys()], workers, encode, { failFast: true, signal: both });
            const failed = results.find(r => !r.ok && !r.skipped);
            if (failed && !failed.ok)
                stop.abort(failed.error);
            await sound;
            if (signal.aborted)
                throw signal.reason;
            if (failed && !failed.ok)
                throw failed.error;
            await ffmpeg.run(muxArgs(plan, listFile, videoFile, audioFile), { signal });
            if (capped.length) {
                const seconds = capped.reduce((t, c) => t + c.frames, 0) / plan.fps;
                shared_log/* log */.R.info(`${seconds.toFixed(1)} of ${plan.total.toFixed(1)} s of the video came out above ${MAX_BITRATE / 1e6} Mb/s (up to ${Math.max(...capped.map(c => c.mbps)).toFixed(1)} Mb/s: fine detail or grain in motion) and ${capped.length === 1 ? 'was' : 'were'} encoded again, held to ${MAX_BITRATE / 1e6} Mb/s for the platforms.`);
            }
        }
        catch (err) {
            // nothing half-written is left behind, whatever ffmpeg managed to write before it failed
            await Promise.all([videoFile, preview].map(f => f && (0,promises_.rm)(f, { force: true })));
            throw err;
        }
        finally {
            stills.stop();
            await Promise.all([
                ...layout.flatMap((_c, i) => [`still-${i}.yuv`, `photo-${i}.rgb`].map(f => (0,promises_.rm)((0,external_node_path_.join)(tempDir, f), { force: true }))),
                !opts.images && removeInspected(images, tempDir),
                ...names.map(n => (0,promises_.rm)((0,external_node_path_.join)(tempDir, n), { force: true })),
                (0,promises_.rm)(listFile, { force: true }),
                ...(files.overlays ?? []).map(d => (0,promises_.rm)(d.file, { force: true })),
                audioFile && (0,promises_.rm)(audioFile, { force: true })
            ]);
        }
        shared_log/* log */.R.info(`Rendered in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    });
}
/**
 * One line in the log saying what the planner took from the prompt; a warning when it took
 * nothing, or when the session language is not English (only a few phrasings are read).
 * `formats`: the job's videos carry their own aspect ratios (input 'aspect-ratio' set, one ratio or several).
 */
function reportPrompt(request, formats = false) {
    const prompt = request.turns.join('\n');
    const hints = readPrompt(prompt);
    const overridden = {};
    if (request.duration !== undefined)
        Object.assign(overridden, { duration: 'duration', perImage: 'duration' });
    else if (hints.duration !== undefined && hints.perImage !== undefined)
        overridden.perImage = 'the whole duration';
    if (request.aspectRatio || formats)
        overridden.aspectRatio = 'aspect-ratio';
    if (request.resolution !== '1080p')
        overridden.resolution = 'resolution';
    if (request.transition)
        overridden.transition = 'transition';
    if (request.title !== undefined)
        overridden.title = 'title';
    const understood = describeHints(hints, overridden);
    const language = request.language.trim().toLowerCase();
    if (!/^en\b/.test(language))
        shared_log/* log */.R.warning(`input 'language' is '${request.language}': the local backend does not translate; it reads only the duration, time per photo, orientation, resolution, transitions, motion and a quoted title from the prompt, in English, German, Spanish, French, Portuguese, Chinese or Japanese (README: "What the local backend reads in the prompt").`);
    if (understood)
        shared_log/* log */.R.info(`Understood from the prompt: ${understood}`);
    else if (prompt.trim())
        shared_log/* log */.R.warning(`The local backend understood nothing in the prompt ("${prompt.length > 80 ? `${prompt.slice(0, 77)}…` : prompt}"): it reads the duration, time per photo, orientation, resolution, transitions, motion and a quoted title (README: "What the local backend reads in the prompt"); the rest comes from the inputs and defaults.`);
    return hints;
}
function createLocalBackend(opts) {
    return {
        name: 'local',
        async render(job) {
            let request = job.request;
            if (request.music && 'description' in request.music) {
                shared_log/* log */.R.warning(`input 'music': '${request.music.description}' is a description; the local backend needs an audio file, so the video has no music.`);
                request = { ...request, music: undefined };
            }
            // one plan per format (the same photos, timing and title, framed for each canvas), one render each
            reportPrompt(request, job.videos.some(v => v.aspectRatio));
            const id = (0,external_node_crypto_.randomBytes)(6).toString('hex');
            let draft;
            const plans = job.videos.map(v => makePlan(v.aspectRatio ? { ...request, aspectRatio: v.aspectRatio } : request, job.images));
            // only a request that can be rendered looks for ffmpeg (and installs it): a plan's problem
            // (a duration too short for the photos) is said before anything is installed
            const ffmpeg = await (0,find_ffmpeg/* openFfmpeg */.on)(opts);
            // the photos are read (a HEIC decoded) once for every format
            const images = await inspectImages(plans[0].clips, job.tempDir);
            try {
                for (const [i, v] of job.videos.entries()) {
                    if (i === 0) {
                        draft = planToDraft(plans[i]);
                        shared_log/* log */.R.info((0,timeline/* describe */.q0)((0,timeline/* summarize */.eh)(draft)));
                    }
                    await renderPlan(ffmpeg, plans[i], v.file, job.tempDir, job.signal, {
                        preview: v.preview,
                        installMissing: opts.installMissing,
                        images
                    });
                }
            }
            finally {
                await removeInspected(images, job.tempDir);
            }
            return {
                videos: job.videos.map((v, i) => ({
                    video: { file: v.file },
                    videoUrl: '',
                    renderId: `render_local_${id}${job.videos.length > 1 ? `_${i + 1}` : ''}`,
                    preview: v.preview
                })),
                sessionId: `local-${id}`,
                draft: draft
            };
        }
    };
}


/***/ }),

/***/ 44944:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  z7: () => (/* binding */ decodePhoto),
  mB: () => (/* binding */ heicToPng),
  RX: () => (/* binding */ isPhotoType),
  XU: () => (/* binding */ photoInfo),
  q5: () => (/* binding */ photosForUpload)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./src/media/image-info.ts
var image_info = __webpack_require__(81086);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
;// CONCATENATED MODULE: ./src/media/sharp.ts
// sharp (libvips) in its WebAssembly build, loaded from beside the bundle where `npm run build`
// puts it (scripts/vendor-sharp.mjs), or from dist/ when the sources run under tsx. Loaded on first
// use only: runs that decode no photo do not pay its start (~0.3 s).


const ENTRY = 'sharp/node_modules/sharp/dist/index.mjs';
let loaded;
function loadSharp() {
    loaded ??= (async () => {
        const candidates = [new URL(`./${ENTRY}`, import.meta.url), new URL(`../../dist/${ENTRY}`, import.meta.url)];
        const found = candidates.find(u => (0,external_node_fs_.existsSync)(u));
        if (!found)
            throw new Error(`sharp's WebAssembly build is missing beside the action (${ENTRY}): run 'npm run build'.`);
        // webpackIgnore: the bundler leaves this import to Node (it is a file beside the bundle, not in it)
        const mod = (await import(/* webpackIgnore: true */ (0,external_node_url_.pathToFileURL)(found.pathname).href));
        const sharp = mod.default;
        // one photo at a time per decode; libvips' own cache would hold every photo's pixels
        sharp.cache(false);
        return sharp;
    })();
    return loaded;
}

// EXTERNAL MODULE: ./src/media/errors.ts
var errors = __webpack_require__(77581);
;// CONCATENATED MODULE: ./src/media/photo.ts
// Photos decoded the way a colour-managed viewer shows them, for both backends: upright (EXIF
// orientation, all eight values; HEIF's own rotation), converted from their ICC profile (Display
// P3, Adobe RGB, CMYK) to sRGB, 8 bits per channel, and shrunk on load to the size they are shown
// at. libvips does the work (sharp's WebAssembly build, src/media/sharp.ts); HEIC, whose HEVC
// codec libvips' build leaves out, is decoded by libheif's WebAssembly build first.






/** The still types decoded here (GIFs and animated WebPs go to ffmpeg, which plays them). */
const PHOTO_TYPES = ['jpg', 'png', 'webp', 'heic', 'avif'];
const isPhotoType = (type) => PHOTO_TYPES.includes(type);
/**
 * The most pixels a photo may have (a 100 MP camera's; a 12 MP phone photo is 12): a small file
 * that claims 60000×60000 pixels would otherwise take 14 GB to decode.
 */
const MAX_PIXELS = 100_000_000;
/** HEIC/HEIF through libheif (transformations applied), as RGBA with the file's ICC profile. */
async function decodeHeif(path, name) {
    const libheif = await heifModule();
    const decoder = new libheif.HeifDecoder();
    const images = decoder.decode(await (0,promises_.readFile)(path));
    const image = images[0];
    if (!image)
        throw new errors/* PhotoError */.To(`${name} holds no image libheif can decode`);
    try {
        const width = image.get_width();
        const height = image.get_height();
        if (width * height > MAX_PIXELS)
            throw new errors/* PhotoError */.To(`${name} is ${width}×${height}, more than ${MAX_PIXELS / 1e6} MP`);
        const rgba = Buffer.alloc(width * height * 4);
        const shown = await new Promise(resolve => image.display({ data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length), width, height }, resolve));
        if (!shown)
            throw new errors/* PhotoError */.To(`${name}: libheif could not decode its image`);
        return { width, height, alpha: !!image.has_alpha_channel(), rgba, icc: heifProfile(libheif, image) };
    }
    finally {
        for (const im of images)
            im.free();
    }
}
let libheifModule;
function heifModule() {
    // the build with its WebAssembly inline: one chunk of the bundle, loaded on the first HEIC only
    libheifModule ??= __webpack_require__.e(/* import() */ 602).then(__webpack_require__.bind(__webpack_require__, 54602)).then(m => m.default());
    return libheifModule;
}
/** The image's ICC profile ('prof' or 'rICC'), read through libheif's C API; undefined for nclx or none. */
function heifProfile(libheif, image) {
    const handle = image.handle.$$?.ptr;
    if (!handle)
        return undefined;
    const type = libheif._heif_image_handle_get_color_profile_type(handle);
    if (type !== 0x70726f66 && type !== 0x72494343)
        return undefined;
    const size = libheif._heif_image_handle_get_raw_color_profile_size(handle);
    if (size <= 0 || size > 1 << 20)
        return undefined;
    // heif_error is returned through a pointer first (the WebAssembly ABI for a struct result)
    const error = libheif._malloc(16);
    const out = libheif._malloc(size);
    try {
        libheif._heif_image_handle_get_raw_color_profile(error, handle, out);
        return Buffer.from(libheif.HEAPU8.slice(out, out + size));
    }
    finally {
        libheif._free(out);
        libheif._free(error);
    }
}
/**
 * A HEIC/HEIF photo as a PNG file (lossless, with its ICC profile in an iCCP chunk), which the
 * rest of the pipeline reads like any other: libvips' build has no HEVC decoder.
 */
async function heicToPng(path, name, output) {
    const h = await decodeHeif(path, name);
    const sharp = await loadSharp();
    let image = sharp(h.rgba, { raw: { width: h.width, height: h.height, channels: 4 } });
    if (!h.alpha)
        image = image.removeAlpha();
    const png = await image.png({ compressionLevel: 1 }).toBuffer();
    await (0,promises_.writeFile)(output, h.icc ? withIccp(png, h.icc) : png, { flag: 'wx', mode: 0o600 });
}
/** The PNG with `icc` in an iCCP chunk right after IHDR (the PNG spec's place for it). */
function withIccp(png, icc) {
    const body = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), (0,external_node_zlib_.deflateSync)(icc)]);
    const chunk = Buffer.alloc(12 + body.length);
    chunk.writeUInt32BE(body.length, 0);
    chunk.write('iCCP', 4, 'latin1');
    body.copy(chunk, 8);
    chunk.writeUInt32BE((0,external_node_zlib_.crc32)(chunk.subarray(4, 8 + body.length)), 8 + body.length);
    // the 8-byte signature and the 25-byte IHDR chunk come first
    return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}
/** The file as libvips opens it; HEIC must have been made a PNG by heicToPng() first. */
function source(path, type) {
    if (type === 'heic')
        throw new errors/* PhotoError */.To('a HEIC photo is decoded by heicToPng() first');
    return path;
}
const SHARP_OPTIONS = { limitInputPixels: MAX_PIXELS, failOn: 'error' };
/** Size as shown, transparency, orientation and profile of a photo. */
async function photoInfo(path, type, name) {
    const sharp = await loadSharp();
    try {
        const m = await sharp(source(path, type), SHARP_OPTIONS).metadata();
        const orientation = m.orientation ?? 1;
        const changes = [];
        if (type === 'avif')
            changes.push('decoded from AVIF');
        if (orientation !== 1)
            changes.push(`turned upright (EXIF orientation ${orientation})`);
        const profile = m.icc ? profileName(m.icc) : undefined;
        if (m.space === 'cmyk')
            changes.push(`CMYK${profile ? ` (${profile})` : ''} → sRGB`);
        else if (profile && !/srgb|iec61966/i.test(profile))
            changes.push(`${profile} → sRGB`);
        if (m.depth && !/char$/.test(m.depth))
            changes.push('16 → 8 bits');
        return {
            width: m.autoOrient?.width ?? m.width ?? 0,
            height: m.autoOrient?.height ?? m.height ?? 0,
            alpha: !!m.hasAlpha,
            orientation,
            profile,
            changes
        };
    }
    catch (err) {
        throw photoError(err, name);
    }
}
/**
 * The photo upright and in sRGB as raw 8-bit RGB or RGBA, halved as often as it stays at least as
 * large as `box` needs (covered, or fitted inside): a JPEG is then shrunk while it is decoded (its
 * DCT scaled, not resampled), and ffmpeg makes the last, exact scale as it does for every still.
 */
async function decodePhoto(path, type, name, box, 
/** the size as shown, when photoInfo() has measured it already */
shown) {
    const sharp = await loadSharp();
    try {
        const { width, height } = shown ?? (await photoInfo(path, type, name));
        const need = box.fit === 'cover' ? Math.max(box.width / width, box.height / height) : Math.min(box.width / width, box.height / height);
        let shrink = 1;
        while (shrink < 8 && need * shrink * 2 <= 1)
            shrink *= 2;
        let image = sharp(source(path, type), SHARP_OPTIONS).autoOrient();
        if (shrink > 1)
            image = image.resize({ width: Math.round(width / shrink), height: Math.round(height / shrink), fit: 'fill' });
        const { data, info } = await image.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        if (info.channels !== 3 && info.channels !== 4)
            throw new errors/* PhotoError */.To(`${name} decoded to ${info.channels} channels`);
        return { data, width: info.width, height: info.height, channels: info.channels };
    }
    catch (err) {
        throw photoError(err, name);
    }
}
/** The photo as an upright sRGB JPEG (for a backend that takes JPEG, PNG, WebP and GIF only). */
async function photoAsJpeg(path, type, name, output) {
    const sharp = await loadSharp();
    try {
        await sharp(source(path, type), SHARP_OPTIONS)
            .autoOrient()
            .toColourspace('srgb')
            .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
            .toFile(output);
    }
    catch (err) {
        throw photoError(err, name);
    }
}
/** The profile's description tag ('desc', v2 text or v4 'mluc'), when it has one. */
function profileName(icc) {
    if (icc.length < 132)
        return undefined;
    const count = Math.min(icc.readUInt32BE(128), 100);
    for (let i = 0; i < count; i++) {
        const at = 132 + i * 12;
        if (at + 12 > icc.length)
            return undefined;
        if (icc.toString('latin1', at, at + 4) !== 'desc')
            continue;
        const off = icc.readUInt32BE(at + 4);
        const len = icc.readUInt32BE(at + 8);
        if (off + len > icc.length || len < 12)
            return undefined;
        const tag = icc.subarray(off, off + len);
        const kind = tag.toString('latin1', 0, 4);
        if (kind === 'desc')
            return clean(tag.toString('latin1', 12, 12 + Math.min(tag.readUInt32BE(8), len - 12)));
        if (kind === 'mluc' && len >= 28) {
            const size = tag.readUInt32BE(20);
            const start = tag.readUInt32BE(24);
            if (start + size <= len)
                return clean(Buffer.from(tag.subarray(start, start + size))
                    .swap16()
                    .toString('utf16le'));
        }
        return undefined;
    }
    return undefined;
}
function clean(s) {
    const t = s
        .replace(/\0+$/, '')
        .replace(/[^\p{L}\p{N} ._()-]/gu, '')
        .trim();
    return t.slice(0, 60) || undefined;
}
function photoError(err, name) {
    if (err instanceof errors/* PhotoError */.To)
        return err;
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (/pixel limit/i.test(why))
        return new errors/* PhotoError */.To(`${name} has more than ${MAX_PIXELS / 1e6} MP: scale it down first, e.g. 'vipsthumbnail ${name} -s 8000'.`);
    return new errors/* PhotoError */.To(`${name} could not be decoded (${why}): open it in an image editor and save it again as JPEG or PNG.`);
}
/**
 * The images as a backend that takes JPEG, PNG, WebP and GIF as they are shows them: a HEIC or
 * AVIF photo, or one that a viewer turns upright or converts from its profile, becomes an upright
 * sRGB JPEG in `tempDir` (named like the photo, with .jpg); the others are sent as they are.
 */
async function photosForUpload(images, tempDir) {
    const files = [];
    const converted = [];
    for (const [i, f] of images.entries()) {
        if (!isPhotoType(f.type)) {
            files.push(f);
            continue;
        }
        // a plain photo (no orientation, profile, CMYK or 16 bits in its header) is sent as it is,
        // without loading libvips
        if (f.type !== 'heic' && f.type !== 'avif' && !(0,image_info/* mayNeedViewer */.IR)(await (0,image_info/* readImageInfo */.Kl)(f.path, f.type))) {
            files.push(f);
            continue;
        }
        let path = f.path;
        let type = f.type;
        const changes = [];
        if (type === 'heic') {
            path = (0,external_node_path_.join)(tempDir, `upload-${i}.png`);
            await heicToPng(f.path, f.name, path);
            type = 'png';
            changes.push('HEIC');
        }
        const info = await photoInfo(path, type, f.name);
        changes.push(...info.changes);
        if (!changes.length) {
            files.push(f);
            continue;
        }
        const jpeg = (0,external_node_path_.join)(tempDir, `upload-${i}.jpg`);
        await photoAsJpeg(path, type, f.name, jpeg);
        if (path !== f.path)
            await (0,promises_.rm)(path, { force: true });
        const base = f.name.replace(/\.[^.]*$/, '');
        // the names stay unique: IMG_1.heic beside IMG_1.jpg is sent as IMG_1-heic.jpg
        const name = images.some(o => o !== f && o.name.toLowerCase() === `${base}.jpg`.toLowerCase()) ? `${base}-${f.type}.jpg` : `${base}.jpg`;
        files.push({ ...f, path: jpeg, name, type: 'jpg', mime: 'image/jpeg', size: (await (0,promises_.stat)(jpeg)).size });
        converted.push(`${f.name} → ${name} (${changes.join(', ')})`);
    }
    return { files, converted };
}


/***/ })

};
