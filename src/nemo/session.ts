// Sessions, the state (timeline draft), credits and the claim link.
import { isDraft, type Draft } from '../timeline.js'
import type { NemoHttp } from './http.js'
import { NemoError } from './errors.js'

export interface Session {
  taskId: string
  sessionId: string
}

export async function createSession(http: NemoHttp, language: string, signal: AbortSignal): Promise<Session> {
  const what = 'Creating the NemoVideo session'
  const data = await http.call<Record<string, unknown>>('POST', '/api/tasks/me/with-session/nemo_agent', {
    what,
    json: { task_name: 'project', language },
    signal
  })
  // some replies carry the ids at the top level instead of under data
  const sessionId = data.session_id ?? data.sessionId
  const taskId = data.task_id ?? data.taskId
  if (sessionId === undefined || sessionId === null || sessionId === '') throw new NemoError(`${what}: the reply has no session_id.`)
  return { sessionId: String(sessionId), taskId: String(taskId ?? '') }
}

export interface SessionState {
  draft?: Draft
  raw: Record<string, unknown>
}

export async function readState(http: NemoHttp, sessionId: string, signal: AbortSignal): Promise<SessionState> {
  const data = await http.call<{ state?: Record<string, unknown> }>('GET', `/api/state/nemo_agent/me/${encodeURIComponent(sessionId)}/latest`, {
    what: 'Reading the session state',
    signal,
    idempotent: true
  })
  const state = data.state ?? {}
  return { draft: isDraft(state.draft) ? state.draft : undefined, raw: state }
}

export async function readCredits(http: NemoHttp, signal: AbortSignal): Promise<number | undefined> {
  const data = await http.call<{ available?: unknown }>('GET', '/api/credits/balance/simple', { what: 'Reading the credit balance', signal, idempotent: true })
  return typeof data.available === 'number' ? data.available : undefined
}

export async function claimLink(http: NemoHttp, session: Session, signal: AbortSignal): Promise<string | undefined> {
  const data = await http.call<{ claim_token?: unknown }>('POST', '/api/auth/claim-token', {
    what: 'Creating the claim link',
    json: { task_id: session.taskId, session_id: session.sessionId },
    signal
  })
  return typeof data.claim_token === 'string' ? `https://nemovideo.com/workspace/claim?ct=${encodeURIComponent(data.claim_token)}` : undefined
}
