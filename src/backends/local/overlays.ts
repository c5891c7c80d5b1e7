// What is drawn over the photos, in one place: the title and each photo's caption as items of the
// video's timeline, each with its window (frames on the video's clock) and its fades, each drawn
// once as an RGBA still by the text engine (title.ts) and laid over the frames in its window by
// segmentGraph (filtergraph.ts). A new kind of overlay is one more kind here: its items from the
// plan and its drawing; the filter graph lays every item alike.
import { join } from 'node:path'
import type { InstallPolicy } from '../../shared/apt.js'
import { log } from '../../shared/log.js'
import { oneLine } from '../../shared/untrusted.js'
import type { LocalPlan } from './plan.js'
import { CAPTION, cutWarning, drawText, textHead, TITLE, titleFonts, type TextStyle } from './title.js'

type OverlayKind = 'title' | 'caption'

export interface OverlayItem {
  kind: OverlayKind
  text: string
  /** its first frame, on the video's clock */
  start: number
  frames: number
  /** seconds its alpha fades in and out over (0: it cuts in or out, as its photo does) */
  fadeIn: number
  fadeOut: number
  /** what a warning about it names: the input, and a caption's photo */
  what: string
}

/** An item drawn: its PNG and where it goes on the frame. */
export interface DrawnOverlay {
  item: OverlayItem
  file: string
  x: number
  y: number
}

/** Each kind's style; a title shown with captions sits above them. */
const STYLES: Record<OverlayKind, TextStyle> = { title: TITLE, caption: CAPTION }

/** The title's time on screen at the start, and its fades. */
const TITLE_SECONDS = 3
const TITLE_FADE = { in: 0.4, out: 0.5 }

/**
 * The plan's overlays: the title on the first TITLE_SECONDS, and each photo's caption while its
 * photo shows, entering with the transition into it and leaving with the one out of it (with
 * `transition: none`, cut with the photo).
 */
export function overlayItems(plan: Pick<LocalPlan, 'fps' | 'title' | 'captions' | 'clips' | 'transitionDuration'>): OverlayItem[] {
  const items: OverlayItem[] = []
  const { fps } = plan
  if (plan.title) {
    const D = plan.title.duration
    items.push({
      kind: 'title',
      text: plan.title.text,
      start: 0,
      frames: Math.round(D * fps),
      fadeIn: Math.min(TITLE_FADE.in, D),
      fadeOut: Math.min(TITLE_FADE.out, D),
      what: "input 'title'"
    })
  }
  const T = Math.round(plan.transitionDuration * fps)
  let start = 0
  plan.clips.forEach((c, k) => {
    // as filtergraph.ts's clipFrames: each clip's whole frames, overlapping the next by T
    const frames = Math.max(1, Math.round(c.duration * fps))
    const text = plan.captions?.[k]
    if (text?.trim())
      items.push({
        kind: 'caption',
        text,
        start,
        frames,
        fadeIn: k > 0 ? T / fps : 0,
        fadeOut: k < plan.clips.length - 1 ? T / fps : 0,
        what: `input 'captions', line ${k + 1} (${oneLine(c.name, 100)})`
      })
    start += frames - T
  })
  return items
}

/** The title's default time on screen: TITLE_SECONDS, or the whole of a shorter video. */
export const titleSeconds = (total: number): number => Math.min(TITLE_SECONDS, total)

/** The items with frames in the stretch of `frames` frames from `start`, in the order they are laid. */
export function overlaysIn(seg: { start: number; frames: number }, drawn: DrawnOverlay[] | undefined): DrawnOverlay[] {
  return (drawn ?? []).filter(d => d.item.start < seg.start + seg.frames && d.item.start + d.item.frames > seg.start)
}

/**
 * Every item drawn for a W×H frame into `tempDir`, before anything is rendered: the fonts of all
 * their text looked for at once (a character in no font fails the run here), each distinct text
 * drawn once, captions first so that the title is placed above the highest of them; a warning for
 * each one that had to be cut.
 */
export async function drawOverlays(
  items: OverlayItem[],
  W: number,
  H: number,
  tempDir: string,
  policy: InstallPolicy
): Promise<DrawnOverlay[]> {
  const shown = items.filter(i => i.text.trim())
  if (!shown.length) return []
  const heads = shown.map(i => textHead(i.text, STYLES[i.kind].maxChars))
  const fonts = await titleFonts(heads.map(h => h.head).join('\n'), tempDir, policy)
  const drawn: (DrawnOverlay | undefined)[] = []
  const byText = new Map<string, Omit<DrawnOverlay, 'item'>>()
  let top = Infinity
  // captions, then the title: it stays clear of them, a fiftieth of the height above
  for (const kind of ['caption', 'title'] as const) {
    for (const [k, item] of shown.entries()) {
      if (item.kind !== kind) continue
      const { head, more } = heads[k]
      const key = `${kind}\n${head}`
      let image = byText.get(key)
      if (!image) {
        const file = join(tempDir, `${kind}-${W}x${H}-${byText.size}.png`)
        const floor = kind === 'title' && top < Infinity ? top - Math.round(H / 50) : undefined
        const d = await drawText(fonts, head, W, H, file, { style: STYLES[kind], more, floor })
        if (d.cut) log.warning(cutWarning(item.what, STYLES[kind], d, more, W, H))
        if (kind === 'caption') top = Math.min(top, d.y)
        image = { file: d.file, x: d.x, y: d.y }
        byText.set(key, image)
        log.info(
          `${kind === 'title' ? 'Title' : `Caption ${byText.size}`}: ${d.lines.length} line${d.lines.length > 1 ? 's' : ''} at ${d.size} px.`
        )
      }
      drawn[k] = { item, ...image }
    }
  }
  return drawn.filter((d): d is DrawnOverlay => d !== undefined)
}
