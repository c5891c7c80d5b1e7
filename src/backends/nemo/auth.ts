// Links for anonymous users: the registration link that binds their work to an account, and the
// claim link that opens an anonymous session in the browser (it grants no API access, so it may be
// shown in the job summary).
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
  const ct = data.claim_token
  return typeof ct === 'string' && /^[\w.-]{1,200}$/.test(ct)
    ? `https://nemovideo.com/workspace/claim?ct=${encodeURIComponent(ct)}`
    : undefined
}
