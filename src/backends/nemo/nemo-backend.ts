// The nemo backend: token → session → upload → chat turns → state checks (one corrective turn)
// → export → poll → download. Session loss is recovered once; a dropped stream is judged by
// the state, never by re-sending (that would charge twice).
import * as core from '@actions/core'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { checkDraft, correctiveTurn, turnsToSend } from '../../request/request.js'
import { tuning } from './timings.js'
import { describe, hasSegments, summarize, type Draft } from '../../shared/timeline.js'
import { Tokens, claimLink, registerUrl } from './auth.js'
import { chat } from './chat.js'
import { CODE, NemoError, NemoHttp } from './client.js'
import { RenderFailed, downloadVideo, startExport, waitForRender } from './render.js'
import { createSession, type Session } from './session.js'
import { readCredits, readState } from './state.js'
import { uploadFiles } from './upload.js'

export { NemoError } from './client.js'

export interface NemoConfig {
  apiUrl: URL
  token: string
  allowAnonymous: boolean
  clientId: string
  /** ms between render polls */
  pollIntervalMs: number
  /** share one token source between the videos of a batch */
  tokens?: Tokens
}

export function createNemoBackend(cfg: NemoConfig): Backend {
  const tokens = cfg.tokens ?? new Tokens(cfg)
  const http = new NemoHttp(cfg.apiUrl, tokens)
  tokens.bind(http)
  return {
    name: 'nemo',
    async render(job: RenderJob): Promise<RenderResult> {
      try {
        try {
          return await conversation(http, tokens, cfg, job)
        } catch (err) {
          if (!(err instanceof NemoError && err.code === CODE.sessionNotFound) || job.signal.aborted) throw err
          core.warning(
            'The NemoVideo session was lost (code 1002): starting a new session, uploading again and re-sending the request, once.'
          )
          return await conversation(http, tokens, cfg, job)
        }
      } catch (err) {
        throw withHints(err, tokens)
      }
    }
  }
}

function withHints(err: unknown, tokens: Tokens): unknown {
  if (err instanceof NemoError && err.code === CODE.outOfCredits) {
    const hint = tokens.anonymous
      ? ` Anonymous tokens get 100 credits; register to get more: ${registerUrl(tokens.userId)} and set the 'token' input from a secret.`
      : ' Top up the account, or use the token of an account with credits.'
    return new NemoError(err.message + hint, { code: err.code, httpStatus: err.httpStatus, cause: err })
  }
  return err
}

async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  core.startGroup(name)
  try {
    return await fn()
  } finally {
    core.endGroup()
  }
}

async function conversation(http: NemoHttp, tokens: Tokens, cfg: NemoConfig, job: RenderJob): Promise<RenderResult> {
  const { signal, request } = job

  const session = await group('Session', async () => {
    const s = await createSession(http, request.language, signal)
    core.info(`Session ${s.sessionId}${s.taskId ? ` (task ${s.taskId})` : ''}.`)
    return s
  })

  const files = request.music && 'file' in request.music ? [...job.images, request.music.file] : job.images
  const uploaded = await group('Upload', () => uploadFiles(http, session.sessionId, files, signal))
  const imageNames = uploaded.slice(0, job.images.length).map(f => f.filename)

  const turns = turnsToSend(request, imageNames)
  const title = (n: number): string => `Agent: turn ${n} of ${turns.length}`
  let draft: Draft | undefined
  for (const [i, text] of turns.entries()) draft = await turn(http, tokens, session, title(i + 1), text, draft, signal)
  // earlier turns may only talk; the last one must leave a timeline
  if (!draft || !hasSegments(draft)) {
    throw new NemoError(
      `${title(turns.length)}: the agent replied but the session has no draft to export (no timeline with segments). Rephrase the prompt, e.g. say which images to use and how long the video should be, then re-run the job.`
    )
  }
  let problems = checkDraft(request, draft)
  if (problems.length) {
    core.info(`The draft misses the request: ${problems.join('; ')}. Sending one corrective turn.`)
    const corrected = await turn(
      http,
      tokens,
      session,
      `Agent: turn ${turns.length + 1} (correction)`,
      correctiveTurn(problems),
      draft,
      signal
    )
    if (corrected && hasSegments(corrected)) draft = corrected
    problems = checkDraft(request, draft)
    if (problems.length)
      core.warning(`The draft still misses the request after one correction: ${problems.join('; ')}. Rendering it as it is.`)
  }
  const finalDraft = draft

  const { renderId, videoUrl } = await group('Render', async () => {
    for (let attempt = 1; ; attempt++) {
      const id = await startExport(http, session.sessionId, finalDraft, signal)
      core.info(`Export started: ${id}.`)
      let url: string
      try {
        url = await waitForRender(http, id, { intervalMs: cfg.pollIntervalMs, deadline: job.deadline, signal })
      } catch (err) {
        if (signal.aborted || !(err instanceof RenderFailed) || attempt >= 2) throw err
        core.warning(`${err.message} Exporting once more with a new render id.`)
        continue
      }
      await downloadVideo(http, id, url, job.output, signal)
      return { renderId: id, videoUrl: url }
    }
  })

  const creditsAvailable = await readCredits(http, signal).catch(err => {
    core.info(`Could not read the credit balance: ${(err as Error).message}`)
    return undefined
  })
  if (creditsAvailable !== undefined) core.info(`Credits left: ${creditsAvailable}.`)
  let claimUrl: string | undefined
  if (tokens.anonymous) {
    claimUrl = await claimLink(http, session, signal).catch(err => {
      core.warning(`No claim link for the anonymous session: ${(err as Error).message}`)
      return undefined
    })
  }
  return { videoPath: job.output, videoUrl, sessionId: session.sessionId, renderId, draft: finalDraft, creditsAvailable, claimUrl }
}

/**
 * One chat turn, then the state. A silent turn (tool calls only) is confirmed and summarised from
 * the state; a dropped or stalled stream is judged by the state and never re-sent.
 */
async function turn(
  http: NemoHttp,
  tokens: Tokens,
  session: Session,
  title: string,
  text: string,
  before: Draft | undefined,
  signal: AbortSignal
): Promise<Draft | undefined> {
  return group(title, async () => {
    const res = await chat(http, session.sessionId, text, signal, tokens)
    const { draft } = await readState(http, session.sessionId, signal)
    const ready = !!draft && hasSegments(draft)
    const changed = ready && JSON.stringify(draft) !== JSON.stringify(before)
    if (res.stalled) {
      throw new NemoError(
        `The agent sent only heartbeats (or nothing) for ${formatMs(tuning.stallMs)}; treating the stream as stalled. ` +
          (ready ? 'A draft exists, but the agent may still be editing it. ' : 'No draft exists yet. ') +
          'The prompt was not re-sent (that would charge twice); re-run the job.'
      )
    }
    if (res.dropped) {
      if (!changed)
        throw new NemoError(
          'The chat stream broke before the agent changed the draft. The prompt was not re-sent (that would charge twice); re-run the job.'
        )
      core.warning('The chat stream broke, but the session state has an updated draft; going on with it.')
    }
    if (!ready) {
      core.info(
        res.text
          ? 'No timeline yet.'
          : `The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}) and there is no timeline yet.`
      )
      return draft
    }
    if (!res.text)
      core.info(
        `The agent answered with tool calls only (${res.toolCalls.join(', ') || 'none'}); the draft ${changed ? 'changed' : 'did not change'}.`
      )
    core.info(describe(summarize(draft)))
    return draft
  })
}

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${(ms / 1000).toFixed(1)} s`
}
