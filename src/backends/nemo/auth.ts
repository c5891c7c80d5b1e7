// Links for anonymous users: the registration link that binds their work to an account, and the
// claim link that opens an anonymous session in the browser (it grants no API access, so it may be
// shown in the job summary).
import { claimUrlFor } from '../../shared/checks.js'
import type { NemoClient } from './client.js'

/** Registration link that binds an anonymous user's work to a new account. */
export function registerUrl(userId: string | undefined): string {
  return `https://nemovideo.com/register${userId ? `?bind=${encodeURIComponent(userId)}` : ''}`
}

export async function claimLink(
  client: NemoClient,
  session: { taskId: string; sessionId: string },
  signal: AbortSignal
): Promise<string | undefined> {
  const data = await client.call<{ claim_token?: unknown }>('POST', '/api/auth/claim-token', {
    what: 'Creating the claim link',
    json: { task_id: session.taskId, session_id: session.sessionId },
    signal,
    idempotent: true
  })
  return claimUrlFor(data.claim_token)
}
