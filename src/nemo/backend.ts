// The nemo backend: token → session → upload → chat turns → state checks (one corrective turn)
// → export → poll → download. Session loss is recovered once; a dropped stream is judged by
// the state, never by re-sending (that would charge twice).
import * as core from '@actions/core'
import type { Backend, RenderJob, RenderResult } from '../backend.js'
import { checkDraft, correctiveTurn, turnsToSend } from '../request.js'
import { tuning } from '../tuning.js'
import { describe, hasSegments, summarize, type Draft } from '../timeline.js'
import { Tokens } from './auth.js'
import { chat } from './chat.js'
import { CODE, NemoError } from './errors.js'
import { NemoHttp } from './http.js'
import { BadDownload, cancelRender, download, RenderFailed, startExport, waitForRender } from './render.js'
import { claimLink, createSession, readCredits, readState, type Session } from './session.js'
import { uploadFiles } from './upload.js'

export interface NemoConfig {
  apiUrl: URL
  token: string
  allowAnonymous: boolean
  clientId: string
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
        return await conversation(http, tokens, cfg, job)
      } catch (err) {
        if (err instanceof NemoError && err.code === CODE.sessionNotFound && !job.signal.aborted) {
          core.warning('The NemoVideo session was lost (code 1002): starting a new session, uploading again and re-sending the request, once.')
          return await conversation(http, tokens, cfg, job)
        }
        throw withHints(err, tokens)
      }
    }
  }
}

function withHints(err: unknown, tokens: Tokens): unknown {
  if (err instanceof NemoError && err.code === CODE.outOfCredits) {
    const hint = tokens.anonymous
      ? ` Anonymous tokens have 100 credits; register to get more: https://nemovideo.com/register${tokens.userId ? `?bind=${encodeURIComponent(tokens.userId)}` : ''} and set the 'token' input from a secret.`
      : ' Top up the account or use another token.'
    return new NemoError(err.message + hint, { code: err.code, httpStatus: err.httpStatus, cause: err })
  }
  return err
}

async function conversation(http: NemoHttp, tokens: Tokens, cfg: NemoConfig, job: RenderJob): Promise<RenderResult> {
  const { signal, request } = job

  core.startGroup('Session')
  let session: Session
  try {
    session = await createSession(http, request.language, signal)
    core.info(`Session ${session.sessionId}.`)
  } finally {
    core.endGroup()
  }

  core.startGroup('Upload')
  const files = request.music && 'file' in request.music ? [...job.images, request.music.file] : job.images
  try {
    await uploadFiles(http, session.sessionId, files, signal)
  } finally {
    core.endGroup()
  }

  const turns = turnsToSend(request, job.images.map(f => f.name))
  let draft: Draft | undefined
  for (const [i, text] of turns.entries()) {
    draft = await turn(http, tokens, session, `Agent: turn ${i + 1} of ${turns.length}`, text, draft, signal)
  }
  let problems = draft ? checkDraft(request, draft) : []
  if (draft && problems.length) {
    core.info(`The draft misses the request: ${problems.join('; ')}. Sending one corrective turn.`)
    draft = await turn(http, tokens, session, 'Agent: correction', correctiveTurn(problems), draft, signal)
    problems = checkDraft(request, draft)
    if (problems.length) core.warning(`The draft still misses the request after one correction: ${problems.join('; ')}. Rendering it as it is.`)
  }
  if (!draft || !hasSegments(draft)) throw new NemoError('The agent finished without a timeline to export (the draft has no segments). Rephrase the prompt or re-run the job.')

  core.startGroup('Render')
  let renderId: string
  let videoUrl: string
  try {
    for (let attempt = 1; ; attempt++) {
      renderId = await startExport(http, session.sessionId, draft, signal)
      core.info(`Export started: ${renderId}.`)
      try {
        videoUrl = await waitForRender(http, renderId, { intervalMs: cfg.pollIntervalMs, deadline: job.deadline, signal })
        break
      } catch (err) {
        if (signal.aborted) {
          await cancelRender(http, renderId)
          throw signal.reason ?? err
        }
        if (!(err instanceof RenderFailed) || attempt >= 2) throw err
        core.warning(`${err.message} Exporting once more with a new render id.`)
      }
    }
    await fetchVideo(http, renderId, videoUrl, job.output, signal)
  } finally {
    core.endGroup()
  }

  const creditsAvailable = await readCredits(http, signal).catch(err => {
    core.info(`Could not read the credit balance: ${(err as Error).message}`)
    return undefined
  })
  let claimUrl: string | undefined
  if (tokens.anonymous) {
    claimUrl = await claimLink(http, session, signal).catch(err => {
      core.info(`No claim link: ${(err as Error).message}`)
      return undefined
    })
  }
  return { videoPath: job.output, videoUrl, sessionId: session.sessionId, renderId, draft, creditsAvailable, claimUrl }
}

/** One chat turn, then the state: the draft must exist (and, after a silent turn, is summarised here). */
async function turn(http: NemoHttp, tokens: Tokens, session: Session, title: string, text: string, before: Draft | undefined, signal: AbortSignal): Promise<Draft> {
  core.startGroup(title)
  try {
    const res = await chat(http, session.sessionId, text, signal, tokens)
    const state = await readState(http, session.sessionId, signal)
    const draft = state.draft
    if (res.stalled) {
      throw new NemoError(
        `The agent sent only heartbeats for ${Math.round(tuning.stallMs / 60000)} minutes; treating the stream as stalled. ` +
          (draft && hasSegments(draft) ? 'A draft exists, but the agent may still be editing it. ' : 'No draft exists yet. ') +
          'The prompt was not re-sent (that would charge twice); re-run the job.'
      )
    }
    if (res.dropped) {
      if (!draft || !hasSegments(draft) || JSON.stringify(draft) === JSON.stringify(before)) {
        throw new NemoError('The chat stream broke before the agent changed the draft. The prompt was not re-sent (that would charge twice); re-run the job.')
      }
      core.warning('The chat stream broke, but the session state has an updated draft; going on with it.')
    }
    if (!draft || !hasSegments(draft)) throw new NemoError(`${title}: the agent replied but the session has no draft to export.`)
    if (res.texts.length === 0) {
      const changed = JSON.stringify(draft) !== JSON.stringify(before)
      core.info(`The agent replied with tool calls only (${res.toolCalls.join(', ') || 'none'}); the draft ${changed ? 'changed' : 'did not change'}.`)
    }
    core.info(describe(summarize(draft)))
    return draft
  } finally {
    core.endGroup()
  }
}

async function fetchVideo(http: NemoHttp, renderId: string, url: string, output: string, signal: AbortSignal): Promise<void> {
  const fallback = http.url(`/api/render/proxy/${encodeURIComponent(renderId)}/download`)
  const attempts: URL[] = url ? [new URL(url), new URL(url), fallback] : [fallback, fallback]
  const errors: string[] = []
  for (const [i, target] of attempts.entries()) {
    try {
      const started = Date.now()
      const bytes = await download(http, target, output, signal)
      core.info(`⬇️  ${(bytes / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
      return
    } catch (err) {
      if (!(err instanceof BadDownload)) throw err
      errors.push(`${target === fallback ? 'fallback' : 'download'}: ${err.message}`)
      if (i < attempts.length - 1) core.info(`The download failed (${err.message}); ${attempts[i + 1] === fallback ? 'trying the fallback download endpoint' : 'retrying'}.`)
    }
  }
  throw new NemoError(`Could not download render ${renderId}: ${errors.join('; ')}. Nothing was written to '${output}'.`)
}
