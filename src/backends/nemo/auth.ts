// The token: a user's secret, or an anonymous one fetched with X-Client-Id. Every token is
// masked in the log the moment it is known. Also the claim link for anonymous sessions.
import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { NemoError, type NemoHttp, type TokenProvider } from './client.js'

export class Tokens implements TokenProvider {
  private current?: string
  private pending?: Promise<string>
  private readonly clientId: string
  /** anon_… user id of an anonymous token, for the registration link */
  userId?: string

  constructor(
    private readonly cfg: { token: string; allowAnonymous: boolean; clientId: string },
    private http?: NemoHttp
  ) {
    if (cfg.token) {
      core.setSecret(cfg.token)
      this.current = cfg.token
    }
    this.clientId = cfg.clientId.trim() || randomUUID()
  }

  bind(http: NemoHttp): void {
    this.http = http
  }

  get anonymous(): boolean {
    return !this.cfg.token
  }

  async token(signal: AbortSignal): Promise<string> {
    if (this.current) return this.current
    // concurrent callers share one anonymous token
    this.pending ??= this.fetchAnonymous(signal).finally(() => (this.pending = undefined))
    return this.pending
  }

  async renew(rejected: string, signal: AbortSignal): Promise<void> {
    if (!this.anonymous) {
      throw new NemoError(
        "NemoVideo rejected the token from the 'token' input / NEMO_TOKEN secret (code 1001: expired or invalid). Create a new token and update the secret, or remove it to use an anonymous token.",
        { code: 1001 }
      )
    }
    if (this.current !== rejected) return // another call already renewed it
    core.info('The anonymous NemoVideo token was rejected (code 1001); fetching a new one.')
    this.current = undefined
    await this.token(signal)
  }

  private async fetchAnonymous(signal: AbortSignal): Promise<string> {
    if (!this.cfg.allowAnonymous) {
      throw new NemoError("No NemoVideo token: set the 'token' input (or env NEMO_TOKEN) from a secret, or set 'allow-anonymous: true'.")
    }
    if (!this.http) throw new Error('Tokens used before bind()')
    const http = this.http
    const what = 'Getting an anonymous NemoVideo token'
    const ask = (): Promise<{ token?: unknown; user_id?: unknown; credits?: unknown }> =>
      http.call('POST', '/api/auth/anonymous-token', { what, auth: false, headers: { 'x-client-id': this.clientId }, signal })
    let data: Awaited<ReturnType<typeof ask>>
    try {
      data = await ask()
    } catch (err) {
      // HTTP 400 means the X-Client-Id did not arrive (a proxy may strip it): send it again, once
      if (!(err instanceof NemoError && err.httpStatus === 400)) throw err
      core.info(`${what}: HTTP 400 (X-Client-Id missing?); sending it again.`)
      data = await ask()
    }
    if (typeof data.token !== 'string' || !data.token)
      throw new NemoError(`${what}: the reply has no token. Set the 'token' input from a secret instead.`)
    core.setSecret(data.token)
    this.current = data.token
    this.userId = typeof data.user_id === 'string' ? data.user_id : undefined
    core.info(`Using an anonymous NemoVideo token${typeof data.credits === 'number' ? ` (${data.credits} credits)` : ''}.`)
    return data.token
  }
}

/** Registration link that binds an anonymous user's work to a new account. */
export function registerUrl(userId: string | undefined): string {
  return `https://nemovideo.com/register${userId ? `?bind=${encodeURIComponent(userId)}` : ''}`
}

/** A browser link to claim an anonymous session; it grants no API access, so it may be shown. */
export async function claimLink(
  http: NemoHttp,
  session: { taskId: string; sessionId: string },
  signal: AbortSignal
): Promise<string | undefined> {
  const data = await http.call<{ claim_token?: unknown }>('POST', '/api/auth/claim-token', {
    what: 'Creating the claim link',
    json: { task_id: session.taskId, session_id: session.sessionId },
    signal,
    idempotent: true
  })
  return typeof data.claim_token === 'string' && data.claim_token
    ? `https://nemovideo.com/workspace/claim?ct=${encodeURIComponent(data.claim_token)}`
    : undefined
}
