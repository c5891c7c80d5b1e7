// What the agent left in the session (the timeline draft), and the account's credits.
import { DraftError } from '../../shared/errors.js'
import { readDraftValue, type Draft } from '../../shared/timeline.js'
import type { NemoClient } from './client.js'
import { NemoError } from './errors.js'

export async function readDraft(client: NemoClient, sessionId: string, signal: AbortSignal): Promise<Draft | undefined> {
  const data = await client.call<{ state?: unknown; draft?: unknown }>(
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
  try {
    return readDraftValue(state.draft)
  } catch (err) {
    if (!(err instanceof DraftError)) throw err
    throw new NemoError(
      `Reading the session state: ${err.message}, larger than any timeline the action renders. Re-run the job; if it keeps happening, simplify the prompt.`
    )
  }
}

export async function readCredits(client: NemoClient, signal: AbortSignal): Promise<number | undefined> {
  const data = await client.call<{ available?: unknown }>('GET', '/api/credits/balance/simple', {
    what: 'Reading the credit balance',
    signal,
    idempotent: true
  })
  const n = typeof data.available === 'string' ? Number(data.available) : data.available
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}
