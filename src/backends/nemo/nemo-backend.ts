// The nemo backend: session → upload → chat turns → state checks (one corrective turn) → export →
// poll → download into the job's temp file. Session loss is recovered once; a dropped or stalled
// stream is judged by the state, as the vendor documents (the agent keeps working for minutes
// after a disconnect), and never by re-sending (that would charge twice).
import { setTimeout as sleep } from 'node:timers/promises'
import { photosForUpload } from '../../media/photo.js'
import { log } from '../../shared/log.js'
import { describe, hasSegments, summarize, type Draft } from '../../shared/timeline.js'
import { canvasSize } from '../../shared/options.js'
import type { Backend, BackendOptions, JobVideo, RenderedVideo, RenderJob, RenderResult } from '../backend.js'
import { claimLink, registerUrl } from './auth.js'
import { chat, type ChatResult } from './chat.js'
import { NemoClient } from './client.js'
import { downloadVideo } from './download.js'
import { CODE, NemoError, RenderFailed } from './errors.js'
import { checkDraft, correctiveTurn, turnsToSend } from './instruction.js'
import { startExport, waitForRender } from './render.js'
import { createSession, type Session } from './session.js'
import { readCredits, readDraft } from './state.js'
import { timings } from './timings.js'
import { uploadFiles } from './upload.js'

type NemoConfig = BackendOptions['nemo']

export function createNemoBackend(cfg: NemoConfig): Backend {
  // one client for every video of the run: one token, one 429 pause
  const client = new NemoClient(cfg)
  return {
    name: 'nemo',
    async render(job: RenderJob): Promise<RenderResult> {
      try {
        // HEIC, AVIF, rotated and wide-gamut photos as JPEGs the service shows as a viewer does
        const { files, converted } = await photosForUpload(job.images, job.tempDir)
        if (converted.length) log.info(`Converted to upright sRGB JPEG before the upload: ${converted.join('; ')}.`)
        job = { ...job, images: files }
        try {
          return await conversation(client, cfg, job)
        } catch (err) {
          if (!(err instanceof NemoError && err.code === CODE.sessionNotFound) || job.signal.aborted) throw err
          log.warning(
            'The NemoVideo session was lost (code 1002): starting a new session, uploading again and re-sending the request, once.'
          )
          return await conversation(client, cfg, job)
        }
      } catch (err) {
        throw withHints(err, client)
      }
    }
  }
}

function withHints(err: unknown, client: NemoClient): unknown {
  if (err instanceof NemoError && err.code === CODE.outOfCredits) {
    const hint = client.anonymous
      ? ` Anonymous tokens get 100 credits; register to get more: ${registerUrl(client.userId)} and set the 'token' input from a secret.`
      : ' Top up the account, or use the token of an account with credits.'
    return new NemoError(err.message + hint, { code: err.code, httpStatus: err.httpStatus, cause: err })
  }
  return err
}

async function conversation(client: NemoClient, cfg: NemoConfig, job: RenderJob): Promise<RenderResult> {
  const { signal, request } = job

  const session = await log.block('Session', async () => {
    const s = await createSession(client, request.language, signal)
    log.info(`Session ${s.sessionId}${s.taskId ? ` (task ${s.taskId})` : ''}.`)
    return s
  })

  const files = request.music && 'file' in request.music ? [...job.images, request.music.file] : job.images
  const uploaded = await log.block('Upload', () => uploadFiles(client, session.sessionId, files, signal))
  const imageNames = uploaded.slice(0, job.images.length).map(f => f.filename)

  const turns = turnsToSend(request, imageNames)
  const asked = [
    request.title && 'the title',
    request.captions?.some(Boolean) && `${request.captions.filter(Boolean).length} captions`
  ].filter(Boolean)
  if (asked.length) log.info(`The cloud is asked in the prompt for ${asked.join(' and ')}; how it draws them is the service's.`)
  const title = (n: number): string => `Agent: turn ${n} of ${turns.length}`
  let draft: Draft | undefined
  for (const [i, text] of turns.entries()) draft = await turn(client, session, title(i + 1), text, draft, signal)
  // earlier turns may only talk; the last one must leave a timeline
  if (!draft || !hasSegments(draft)) {
    throw new NemoError(
      `${title(turns.length)}: the agent replied but the session has no draft to export (no timeline with segments). Rephrase the prompt, e.g. say which images to use and how long the video should be, then re-run the job.`
    )
  }
  let problems = checkDraft(request, draft)
  if (problems.length) {
    log.info(`The draft misses the request: ${problems.join('; ')}. Sending one corrective turn.`)
    const corrected = await turn(client, session, `Agent: turn ${turns.length + 1} (correction)`, correctiveTurn(problems), draft, signal)
    if (corrected && hasSegments(corrected)) draft = corrected
    problems = checkDraft(request, draft)
    if (problems.length)
      log.warning(`The draft still misses the request after one correction: ${problems.join('; ')}. Rendering it as it is.`)
  }
  const finalDraft = draft

  // one chat, then one export per format: export is free, the chat is what costs credits
  const many = job.videos.length > 1
  const videos: RenderedVideo[] = []
  const ignored: JobVideo[] = []
  for (const v of job.videos) {
    const aspect = v.aspectRatio ?? request.aspectRatio
    const canvas = many && aspect ? canvasSize(aspect, request.resolution) : undefined
    // each format's canvas goes into the draft's metadata; one format exports the draft as the agent left it
    const draft = canvas ? { ...finalDraft, m: { ...finalDraft.m, width: canvas.width, height: canvas.height } } : finalDraft
    const made = await exportVideo(client, cfg, session, draft, v.file, job, canvas ? `Render ${aspect}` : 'Render')
    videos.push(made)
    const got = offCanvas(made, canvas)
    if (got) {
      log.warning(
        `NemoVideo rendered ${aspect} as ${got}: it did not take the canvas from the draft. Making ${aspect} in a session of its own (that chat costs credits).`
      )
      ignored.push(v)
    }
  }
  for (const v of ignored) {
    const own = await conversation(client, cfg, { ...job, request: { ...request, aspectRatio: v.aspectRatio }, videos: [{ file: v.file }] })
    videos[job.videos.indexOf(v)] = own.videos[0]
    const still = offCanvas(own.videos[0], v.aspectRatio && canvasSize(v.aspectRatio, request.resolution))
    if (still) log.warning(`NemoVideo rendered ${v.aspectRatio} as ${still} in its own session too; keeping that video as it is.`)
  }

  const creditsAvailable = await readCredits(client, signal).catch(err => {
    log.info(`Could not read the credit balance: ${(err as Error).message}`)
    return undefined
  })
  if (creditsAvailable !== undefined) log.info(`Credits left: ${creditsAvailable}.`)
  let claimUrl: string | undefined
  if (client.anonymous) {
    claimUrl = await claimLink(client, session, signal).catch(err => {
      log.warning(`No claim link for the anonymous session: ${(err as Error).message}`)
      return undefined
    })
  }
  return {
    videos,
    sessionId: session.sessionId,
    draft: finalDraft,
    creditsAvailable,
    claimUrl
  }
}

const sameDraft = (a: Draft | undefined, b: Draft | undefined): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * One chat turn, then the state. A silent turn (tool calls only) is confirmed and summarised from
 * the state. After a dropped or stalled stream the agent keeps working on the server: as the
 * vendor documents, wait, read the state, and read again while the draft is unchanged, up to a
 * limit; the prompt is never re-sent.
 */
async function turn(
  client: NemoClient,
  session: Session,
  title: string,
  text: string,
  before: Draft | undefined,
  signal: AbortSignal
): Promise<Draft | undefined> {
  return log.block(title, async () => {
    const res = await chat(client, session.sessionId, text, signal)
    let draft = await (res.dropped || res.stalled
      ? awaitDraft(client, session, before, res, signal)
      : readDraft(client, session.sessionId, signal))
    const ready = !!draft && hasSegments(draft)
    if (!ready) {
      log.info(
        res.text
          ? 'No timeline yet.'
          : `The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}) and there is no timeline yet.`
      )
      return draft
    }
    if (!res.text) {
      log.info(
        `The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}); the draft ${sameDraft(draft, before) ? 'did not change' : 'changed'}.`
      )
    }
    draft = draft as Draft
    log.info(describe(summarize(draft)))
    return draft
  })
}

/** The draft after a broken stream: the first read after a wait, then one a period while unchanged. */
async function awaitDraft(
  client: NemoClient,
  session: Session,
  before: Draft | undefined,
  res: ChatResult,
  signal: AbortSignal
): Promise<Draft | undefined> {
  const how = res.stalled ? `sent only heartbeats for ${formatMs(timings.stallMs)}` : 'broke'
  log.info(
    `The chat stream ${how}; the agent keeps working on the server, so the prompt is not re-sent (that would charge twice). Reading the session state in ${formatMs(timings.dropFirstWaitMs)}.`
  )
  await sleep(timings.dropFirstWaitMs, undefined, { signal })
  for (let read = 1; ; read++) {
    const draft = await readDraft(client, session.sessionId, signal)
    if (draft && hasSegments(draft) && !sameDraft(draft, before)) {
      log.warning(
        `The chat stream ${how}, but the agent finished: the session state has an updated draft (read ${read}); going on with it.`
      )
      return draft
    }
    if (read >= timings.dropMaxReads) break
    log.info(`Read ${read} of ${timings.dropMaxReads}: the draft has not changed yet; reading again in ${formatMs(timings.dropRecheckMs)}.`)
    await sleep(timings.dropRecheckMs, undefined, { signal })
  }
  throw new NemoError(
    `The agent did not finish after the stream ${res.stalled ? 'stalled' : 'dropped'}: the draft was unchanged in ${timings.dropMaxReads} reads of the session state over ${formatMs(timings.dropFirstWaitMs + (timings.dropMaxReads - 1) * timings.dropRecheckMs)}. The prompt was not re-sent (that would charge twice); re-run the job.`
  )
}

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${(ms / 1000).toFixed(1)} s`
}

/** One export of `draft` into `file`: a failed render is exported once more with a new id. */
async function exportVideo(
  client: NemoClient,
  cfg: NemoConfig,
  session: Session,
  draft: Draft,
  file: string,
  job: RenderJob,
  title: string
): Promise<RenderedVideo> {
  const { signal } = job
  return log.block(title, async () => {
    for (let attempt = 1; ; attempt++) {
      const id = await startExport(client, session.sessionId, draft, signal)
      log.info(`Export started: ${id}.`)
      let url: string
      try {
        url = await waitForRender(client, id, { intervalMs: cfg.pollIntervalMs, deadline: job.deadline, signal })
      } catch (err) {
        if (signal.aborted || !(err instanceof RenderFailed) || attempt >= 2) throw err
        log.warning(`${err.message} Exporting once more with a new render id.`)
        continue
      }
      const got = await downloadVideo(client, id, url, file, signal)
      return { video: { file, facts: got.facts }, videoUrl: got.url, renderId: id }
    }
  })
}

/** "W×H" when the video's shape differs from the canvas asked for (beyond 2 %), else undefined. */
function offCanvas(made: RenderedVideo, canvas: { width: number; height: number } | undefined): string | undefined {
  const info = made.video.facts?.info
  if (!canvas || !info) return undefined
  const want = canvas.width / canvas.height
  return Math.abs(info.width / info.height - want) > 0.02 * want ? `${info.width}×${info.height}` : undefined
}
