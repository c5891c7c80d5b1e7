// What the agent left in the session (the timeline draft), and the account's credits.
import { isDraft, type Draft } from '../../shared/timeline.js'
import type { NemoHttp } from './client.js'

export interface SessionState {
  draft?: Draft
  raw: Record<string, unknown>
}

export async function readState(http: NemoHttp, sessionId: string, signal: AbortSignal): Promise<SessionState> {
  const data = await http.call<{ state?: unknown; draft?: unknown }>(
    'GET',
    `/api/state/nemo_agent/me/${encodeURIComponent(sessionId)}/latest`,
    {
      what: 'Reading the session state',
      signal,
      idempotent: true
    }
  )
  // data.state.draft per the protocol; a state object given directly is accepted too
  const state = (data.state && typeof data.state === 'object' ? data.state : data) as Record<string, unknown>
  let draft = state.draft
  if (typeof draft === 'string') {
    try {
      draft = JSON.parse(draft)
    } catch {
      draft = undefined
    }
  }
  return { draft: isDraft(draft) ? draft : undefined, raw: state }
}

export async function readCredits(http: NemoHttp, signal: AbortSignal): Promise<number | undefined> {
  const data = await http.call<{ available?: unknown }>('GET', '/api/credits/balance/simple', {
    what: 'Reading the credit balance',
    signal,
    idempotent: true
  })
  const n = typeof data.available === 'string' ? Number(data.available) : data.available
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}
