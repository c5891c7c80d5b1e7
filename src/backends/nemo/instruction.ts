// The request as the cloud agent reads it: the options compiled into one precise instruction
// appended to the first prompt turn, and the checks of the draft the agent produced against them.
import { canvasSize } from '../../shared/options.js'
import type { VideoRequest } from '../../request/request.js'
import { type Draft, TRACK_AUDIO, TRACK_TEXT, draftDurationMs } from '../../shared/timeline.js'

/** The options as one instruction appended to the first turn; empty when none were given. */
export function compileInstruction(req: VideoRequest, uploaded: string[] = []): string {
  const lines: string[] = []
  if (uploaded.length) lines.push(`Use the uploaded images in this order: ${uploaded.join(', ')}.`)
  if (req.duration !== undefined) lines.push(`Total video length: exactly ${req.duration} seconds.`)
  if (req.aspectRatio) {
    const { width, height } = canvasSize(req.aspectRatio, req.resolution)
    lines.push(`Aspect ratio ${req.aspectRatio}, canvas ${width}x${height}.`)
  } else {
    lines.push(`Resolution ${req.resolution}.`)
  }
  if (req.transition === 'none') lines.push('No transitions: hard cuts between images.')
  else if (req.transition) lines.push(`Use ${req.transition} transitions between images.`)
  if (req.title) lines.push(`Show the title text ${JSON.stringify(req.title)} at the start.`)
  const captions = (req.captions ?? []).flatMap((c, i) =>
    c ? [`image ${i + 1}${uploaded[i] ? ` (${uploaded[i]})` : ''}: ${JSON.stringify(c)}`] : []
  )
  if (captions.length)
    lines.push(`Show a caption text over each of these images while it is on screen, at the bottom: ${captions.join('; ')}.`)
  if (req.music && 'file' in req.music)
    lines.push(`Use the uploaded audio file ${req.music.file.name} as background music for the whole video.`)
  else if (req.music) lines.push(`Add background music: ${req.music.description}.`)
  if (lines.length === 0) return ''
  return ['Requirements (follow exactly):', ...lines.map(l => `- ${l}`)].join('\n')
}

/** The first turn carries the compiled requirements; the rest are sent as written. */
export function turnsToSend(req: VideoRequest, uploaded: string[] = []): string[] {
  const instruction = compileInstruction(req, uploaded)
  const turns = req.turns.length ? [...req.turns] : ['Make a video from the uploaded images.']
  if (instruction) turns[0] = `${turns[0]}\n\n${instruction}`
  return turns
}

/** What in the draft misses the request; empty when it fits. */
export function checkDraft(req: VideoRequest, draft: Draft): string[] {
  const problems: string[] = []
  if (req.duration !== undefined) {
    const got = draftDurationMs(draft) / 1000
    if (Math.abs(got - req.duration) > req.duration * 0.1) {
      problems.push(`the video is ${got.toFixed(1)} s long but ${req.duration} s were asked for (±10%)`)
    }
  }
  const has = (tt: number): boolean => draft.t.some(t => Number(t.tt) === tt && Array.isArray(t.sg) && t.sg.length > 0)
  if (req.music && !has(TRACK_AUDIO)) problems.push('there is no music track but background music was asked for')
  if (req.captions?.some(Boolean) && !req.title && !has(TRACK_TEXT)) problems.push('there is no text track but captions were asked for')
  if (req.title && !has(TRACK_TEXT)) problems.push(`there is no title text track but the title ${JSON.stringify(req.title)} was asked for`)
  return problems
}

/** The single corrective turn sent when a check fails. */
export function correctiveTurn(problems: string[]): string {
  return `Please fix the timeline: ${problems.join('; ')}. Keep everything else as it is.`
}
