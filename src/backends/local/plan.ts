// Request → plan (+ the same t/tt/sg/d/m draft the cloud returns). Inputs win over what the
// prompt says; the prompt is read the way a person writes it ("30-second", "vertical", "fade").
import { basename } from 'node:path'
import type { InputFile } from '../../input-files/input-file.js'
import { canvasSize, DURATION, LOUDNESS, type AspectRatio, type Fit, type Resolution, type Transition } from '../../shared/options.js'
import type { VideoRequest } from '../../request/request.js'
import { TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO, type Draft } from '../../shared/timeline.js'
import { PlanError } from './errors.js'
import { overlayItems, titleSeconds } from './overlays.js'

interface Clip {
  path: string
  name: string
  /** detected type: jpg, png, gif, webp */
  type?: string
  /** seconds on screen, transitions included */
  duration: number
}

export interface LocalPlan {
  width: number
  height: number
  fps: number
  clips: Clip[]
  transition: Exclude<Transition, 'none'> | 'none'
  /** seconds each transition overlaps */
  transitionDuration: number
  kenBurns: boolean
  fit: Fit
  /** behind transparent pixels and contained photos */
  background: string
  title?: { text: string; duration: number }
  /** each clip's caption, in clip order ('' or missing: none); overlays.ts times them */
  captions?: string[]
  /** `loudness`: LUFS to bring the music to (undefined: as it is) */
  music?: { path: string; name: string; type: string; loudness?: number }
  /** seconds */
  total: number
}

export interface PromptHints {
  /** seconds, the whole video */
  duration?: number
  /** seconds each photo is shown ("each photo for 3 seconds") */
  perImage?: number
  aspectRatio?: AspectRatio
  resolution?: Resolution
  transition?: Transition
  kenBurns?: boolean
  title?: string
}

// Words are matched in the prompt lowercased and NFKC-normalised (full-width digits and colons
// become ASCII). Latin words need a non-letter on each side; Chinese and Japanese ones do not.
const NUM = String.raw`(\d+(?:[.,]\d+)?)`
const SECONDS = String.raw`(?:seconds?|secs?|s|sekunden?|sek|sekündige[nmrs]?|segundos?|segs?|secondes?|sec)(?![\p{L}])|秒(?:钟|鐘|間)?`
const MINUTES = String.raw`(?:minutes?|mins?|min|minuten?|minütige[nmrs]?|minutos?)(?![\p{L}])|分(?:钟|鐘|間)?`
const DURATION_WORDS = new RegExp(String.raw`(?<![\p{Script=Latin}\d.,])${NUM}\s*(?:-\s*)?(?:(${SECONDS})|(${MINUTES}))`, 'gu')
/** photo nouns, for "per photo" */
const PHOTO = String.raw`(?:photos?|images?|pictures?|pics?|slides?|shots?|fotos?|bilde?r?|imagen(?:es)?|imagens?|imagem|diapositivas?|clichés?)`
/** before the number: "each photo for", "jedes Foto", "cada foto", "chaque photo", 每张照片, 各写真, 1枚あたり */
const EACH_BEFORE = new RegExp(
  String.raw`(?:(?<![\p{L}])(?:each|every|jede[snmr]?|cada|chaque)(?![\p{L}])|每|各|ごと|につき|あたり|[1一]枚)[^\d.;!?。！？\n]{0,24}$`,
  'u'
)
/** after the number: "per photo", "pro Bild", "je Foto", "por foto", "par photo", "each", ずつ */
const EACH_AFTER = new RegExp(
  String.raw`^\s*(?:(?:per|pro|je|por|par|para cada|/)\s*(?:(?:a|an|one|cada)\s+)?${PHOTO}|each(?![\p{L}])|ずつ|每张|每張)`,
  'u'
)

const WORD = (words: string): RegExp => new RegExp(String.raw`(?<![\p{L}])(?:${words})(?![\p{L}])`, 'u')
// adjectives with their inflected forms: vertical(e)(s), verticaux, verticais, vertikal(e|en|er|es|em);
// cuadrado/a(s), carré(e)(s), quadrado/a(s), quadratisch(e…); horizontal(e…), horizontaux, horizontais
const PORTRAIT = WORD(
  '9:16|vertical(?:e|es)?|verticaux|verticais|vertikal(?:e[nmrs]?)?|portrait|hochformat|hochkant|retrato|stories|reels?|tiktok|shorts'
)
const PORTRAIT_CJK = /竖屏|竖版|竖向|竖直|豎屏|豎版|縦型|縦長|縦向き|縦動画/u
const SQUARE = WORD('1:1|square|quadratisch(?:e[nmrs]?)?|cuadrad[oa]s?|carrée?s?|quadrad[oa]s?')
const SQUARE_CJK = /正方形|方形|スクエア/u
const LANDSCAPE = WORD(
  '16:9|horizontal(?:e[nmrs]?|es)?|horizontaux|horizontais|landscape|widescreen|querformat|apaisad[oa]s?|formato paisaje|modo paisaje|format paysage|mode paysage|formato paisagem|modo paisagem'
)
const LANDSCAPE_CJK = /横屏|横版|横向|横型|横長|横向き|ワイド/u

/** words that make the quoted text next to them the title (Latin ones as whole words) */
const TITLE_WORDS =
  String.raw`(?<![\p{L}])(?:title[ds]?|caption(?:ed)?|text|heading|headline|called|named|titel|überschrift|schriftzug|betitelt|` +
  String.raw`t[íi]tulo|titulad[oa]|texto|r[óo]tulo|encabezado|titre|intitulée?|texte|légende|intitulad[oa]|legenda)(?![\p{L}])|` +
  String.raw`标题|標題|题为|題為|文字|字幕|タイトル|見出し|題名|テキスト`
/** quoted text: "…", “…”, „…“, «…», »…«, 「…」, 『…』 */
const QUOTED = String.raw`"([^"\n]{1,100})"|“([^”\n]{1,100})”|„([^“”\n]{1,100})[“”]|«([^»\n]{1,100})»|»([^«\n]{1,100})«|「([^」\n]{1,100})」|『([^』\n]{1,100})』`
const OPENERS = String.raw`"“„«»「『`
/** the title word, a few words (", the", "mit dem", "为", "は"), then the quote; or 「…」というタイトル, "…" as the title */
const TITLE_BEFORE = new RegExp(
  String.raw`(?:${TITLE_WORDS})[^${OPENERS}\n]{0,24}?(?:${QUOTED}|(?<=(?:${TITLE_WORDS})[:：]?\s*)'([^'\n]{1,100})')`,
  'iu'
)
const TITLE_AFTER = new RegExp(String.raw`(?:${QUOTED})[^${OPENERS}\n]{0,10}?(?:${TITLE_WORDS})`, 'iu')

function quoted(m: RegExpExecArray | null): string | undefined {
  const text = m?.slice(1).find(g => g !== undefined)
  return text?.trim() || undefined
}

/** What a person's prompt says about the options, in the languages the README lists (en, de, es, fr, pt, zh, ja). */
export function readPrompt(prompt: string): PromptHints {
  const p = prompt.normalize('NFKC').toLowerCase()
  const h: PromptHints = {}
  for (const m of p.matchAll(DURATION_WORDS)) {
    const seconds = Number(m[1].replace(',', '.')) * (m[3] ? 60 : 1)
    if (!(seconds > 0)) continue
    const before = p.slice(Math.max(0, m.index - 40), m.index)
    const after = p.slice(m.index + m[0].length, m.index + m[0].length + 30)
    if (EACH_BEFORE.test(before) || EACH_AFTER.test(after)) h.perImage ??= seconds
    else h.duration ??= seconds
  }
  if (PORTRAIT.test(p) || PORTRAIT_CJK.test(p)) h.aspectRatio = '9:16'
  else if (SQUARE.test(p) || SQUARE_CJK.test(p)) h.aspectRatio = '1:1'
  else if (WORD('4:5').test(p)) h.aspectRatio = '4:5'
  else if (LANDSCAPE.test(p) || LANDSCAPE_CJK.test(p)) h.aspectRatio = '16:9'
  if (WORD('720p').test(p)) h.resolution = '720p'
  else if (WORD('1080p|full hd').test(p)) h.resolution = '1080p'
  if (
    WORD(
      'no transitions?|hard cuts?|without transitions?|ohne übergänge|ohne überblendungen?|harte schnitte|sin transiciones|sans transitions?|sem transições'
    ).test(p) ||
    /无转场|不要转场|沒有轉場|トランジションなし/u.test(p)
  )
    h.transition = 'none'
  else if (
    WORD('cross-?fades?|fades?|dissolves?|überblendungen?|fundidos?|fondus?|esmaecimentos?').test(p) ||
    /淡入淡出|渐变|フェード/u.test(p)
  )
    h.transition = 'fade'
  else if (WORD('slides?').test(p)) h.transition = 'slide'
  else if (WORD('wipes?').test(p)) h.transition = 'wipe'
  if (WORD('no motion|static|still images?|no ken burns|ohne bewegung|sin movimiento|sans mouvement|sem movimento').test(p))
    h.kenBurns = false
  else if (WORD('ken burns|zoom(?:s|ing)?|pan(?:s|ning)?').test(p)) h.kenBurns = true
  // quoted text is the title only when the prompt says so ("title", "Titel", 标题, タイトル…)
  const title = quoted(TITLE_BEFORE.exec(prompt)) ?? quoted(TITLE_AFTER.exec(prompt))
  if (title) h.title = title
  return h
}

/** The hints as one line for the log ("20 s, 9:16, title "…""), '' when there are none. */
export function describeHints(h: PromptHints, overridden: Partial<Record<keyof PromptHints, string>> = {}): string {
  const parts: [keyof PromptHints, string | undefined][] = [
    ['duration', h.duration !== undefined ? `${h.duration} s` : undefined],
    ['perImage', h.perImage !== undefined ? `${h.perImage} s per photo` : undefined],
    ['aspectRatio', h.aspectRatio],
    ['resolution', h.resolution],
    ['transition', h.transition === 'none' ? 'no transitions' : h.transition ? `${h.transition} transitions` : undefined],
    ['kenBurns', h.kenBurns === undefined ? undefined : h.kenBurns ? 'Ken Burns motion' : 'no motion'],
    ['title', h.title !== undefined ? `title "${h.title}"` : undefined]
  ]
  return parts
    .filter((x): x is [keyof PromptHints, string] => x[1] !== undefined)
    .map(([k, text]) => (overridden[k] ? `${text} (input '${overridden[k]}' wins)` : text))
    .join(', ')
}

export const DEFAULT_PER_IMAGE = 4

/**
 * The video's length: input 'duration', else what the prompt asks for ("each photo for 3 seconds":
 * n photos make n × 3 s). Outside the range 'duration' accepts it is refused as 'duration' is:
 * a prompt is untrusted text, and "a 100000-second video" is not made 600 s long without a word.
 */
function targetDuration(req: Pick<VideoRequest, 'duration'>, hints: PromptHints, n: number): number | undefined {
  if (req.duration !== undefined) return req.duration
  const asked = hints.duration ?? (hints.perImage ? hints.perImage * n : undefined)
  if (asked === undefined || (asked >= DURATION.min && asked <= DURATION.max)) return asked
  const how = hints.duration === undefined ? ` (${hints.perImage} s for each of ${n} photo${n === 1 ? '' : 's'})` : ''
  throw new PlanError(
    `The prompt asks for a video of ${asked} s${how}; the local backend makes ${DURATION.min} to ${DURATION.max} s, what input 'duration' accepts: ask for ${asked > DURATION.max ? `at most ${DURATION.max}` : `at least ${DURATION.min}`} s in the prompt, or set input 'duration' (it wins over the prompt).`
  )
}
const DEFAULT_TRANSITION = 0.75
/** the shortest transition: 4 frames at 30 fps */
const MIN_TRANSITION_FRAMES = 4

export function makePlan(req: VideoRequest, images: InputFile[]): LocalPlan {
  const hints = readPrompt(req.turns.join('\n'))
  const aspect = req.aspectRatio ?? hints.aspectRatio ?? '16:9'
  // 1080p is also the input's default, so a prompt that asks for 720p is heard
  const resolution = hints.resolution && req.resolution === '1080p' ? hints.resolution : req.resolution
  const { width, height } = canvasSize(aspect, resolution)
  const transition = req.transition ?? hints.transition ?? 'fade'
  const n = images.length
  const target = targetDuration(req, hints, n)
  // per-image time: DEFAULT_PER_IMAGE with no target; fit to the target when one is given
  let T = transition === 'none' || n < 2 ? 0 : DEFAULT_TRANSITION
  let per = target ? (target + (n - 1) * T) / n : DEFAULT_PER_IMAGE
  if (T > 0) {
    T = Math.min(T, Math.max(0.2, per * 0.4))
    if (target) per = (target + (n - 1) * T) / n
  }
  // whole frames everywhere, so the rendered length is exactly the planned one
  const fps = 30
  let Tf = Math.round(T * fps)
  if (Tf > 0 && target) {
    // many images in a short video: shorter transitions, down to a floor, so every clip keeps a
    // body of at least one frame between its two transitions
    const most = Math.floor((Math.round(target * fps) - n) / (n + 1))
    if (most < MIN_TRANSITION_FRAMES) {
      const need = Math.ceil((((n + 1) * MIN_TRANSITION_FRAMES + n) / fps) * 10) / 10
      throw new PlanError(
        `${n} images need at least ${need} s with transitions (the duration is ${target} s): set a longer 'duration', fewer images, or 'transition: none'.`
      )
    }
    Tf = Math.min(Tf, most)
  }
  const totalFrames = target ? Math.round(target * fps) : Math.round(per * fps) * n - (n - 1) * Tf
  const sum = totalFrames + (n - 1) * Tf
  const base = Math.floor(sum / n)
  const clips = images.map((f, i) => ({ path: f.path, name: f.name, type: f.type, duration: (base + (i < sum - base * n ? 1 : 0)) / fps }))
  const total = totalFrames / fps
  const titleText = req.title ?? hints.title
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
    music:
      req.music && 'file' in req.music
        ? {
            path: req.music.file.path,
            name: req.music.file.name,
            type: req.music.file.type,
            loudness: req.loudness === 'off' ? undefined : (req.loudness ?? LOUDNESS.default)
          }
        : undefined,
    total
  }
}

/** The plan as a draft in the cloud's short-key form, so summaries look the same. */
export function planToDraft(plan: LocalPlan): Draft {
  const ms = (s: number): number => Math.round(s * 1000)
  let at = 0
  const video = plan.clips.map((c, i) => {
    const sg = {
      st: ms(at),
      d: ms(c.duration),
      n: c.name,
      src: basename(c.path),
      ...(i > 0 && plan.transition !== 'none' ? { tr: { type: plan.transition, d: ms(plan.transitionDuration) } } : {}),
      ...(plan.kenBurns ? { kb: true } : {})
    }
    at += c.duration - plan.transitionDuration
    return sg
  })
  const t: Draft['t'] = [{ tt: TRACK_VIDEO, sg: video }]
  if (plan.music) t.push({ tt: TRACK_AUDIO, sg: [{ st: 0, d: ms(plan.total), n: plan.music.name, src: plan.music.name, v: 1 }] })
  // the title and the captions, as overlays.ts times them
  const text = overlayItems(plan).map(o => ({ st: ms(o.start / plan.fps), d: ms(o.frames / plan.fps), txt: o.text }))
  if (text.length) t.push({ tt: TRACK_TEXT, sg: text })
  return { t, d: ms(plan.total), m: { title: plan.title?.text, width: plan.width, height: plan.height } }
}
