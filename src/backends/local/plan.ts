// Request → plan (+ the same t/tt/sg/d/m draft the cloud returns). Inputs win over what the
// prompt says; the prompt is read the way a person writes it ("30-second", "vertical", "fade").
import { basename } from 'node:path'
import type { InputFile } from '../../input-files/input-file.js'
import type { AspectRatio, Fit, Resolution, Transition } from '../../inputs/options.js'
import { canvasSize, type VideoRequest } from '../../request/request.js'
import { TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO, type Draft } from '../../shared/timeline.js'

export interface Clip {
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
  music?: { path: string; name: string }
  /** seconds */
  total: number
}

export interface PromptHints {
  duration?: number
  aspectRatio?: AspectRatio
  resolution?: Resolution
  transition?: Transition
  kenBurns?: boolean
  title?: string
}

/** What a person's prompt says about the options. */
export function readPrompt(prompt: string): PromptHints {
  const p = prompt.toLowerCase()
  const h: PromptHints = {}
  const dur = /(\d+(?:\.\d+)?)\s*(?:-|\s)?(?:seconds?|secs?|s)\b/.exec(p) ?? /(\d+(?:\.\d+)?)\s*(?:-|\s)?minutes?\b/.exec(p)
  if (dur) h.duration = /minute/.test(dur[0]) ? Number(dur[1]) * 60 : Number(dur[1])
  if (/\b(9:16|vertical|portrait|stories|reels?|tiktok|shorts)\b/.test(p)) h.aspectRatio = '9:16'
  else if (/\b(1:1|square)\b/.test(p)) h.aspectRatio = '1:1'
  else if (/\b4:5\b/.test(p)) h.aspectRatio = '4:5'
  else if (/\b(16:9|horizontal|landscape|widescreen)\b/.test(p)) h.aspectRatio = '16:9'
  if (/\b720p\b/.test(p)) h.resolution = '720p'
  else if (/\b1080p\b|\bfull hd\b/.test(p)) h.resolution = '1080p'
  if (/\bno transitions?\b|\bhard cuts?\b|\bwithout transitions?\b/.test(p)) h.transition = 'none'
  else if (/\b(cross-?fades?|fades?|dissolves?)\b/.test(p)) h.transition = 'fade'
  else if (/\bslides?\b/.test(p)) h.transition = 'slide'
  else if (/\bwipes?\b/.test(p)) h.transition = 'wipe'
  if (/\b(no motion|static|still images?|no ken burns)\b/.test(p)) h.kenBurns = false
  else if (/\b(ken burns|zoom(?:s|ing)?|pan(?:s|ning)?)\b/.test(p)) h.kenBurns = true
  const title = /\btitle[d:]?\s*(?:text\s*)?["“']([^"”']{1,100})["”']/i.exec(prompt) ?? /["“]([^"”]{1,100})["”]/.exec(prompt)
  if (title) h.title = title[1].trim()
  return h
}

const DEFAULT_PER_IMAGE = 4
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
  const target = req.duration ?? hints.duration
  // per-image time: 3–5 s by default; fit to the target when one is given
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
      throw new Error(
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
    title: titleText ? { text: titleText, duration: Math.min(3, total) } : undefined,
    music: req.music && 'file' in req.music ? { path: req.music.file.path, name: req.music.file.name } : undefined,
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
  if (plan.title) t.push({ tt: TRACK_TEXT, sg: [{ st: 0, d: ms(plan.title.duration), txt: plan.title.text }] })
  return { t, d: ms(plan.total), m: { title: plan.title?.text, width: plan.width, height: plan.height } }
}
