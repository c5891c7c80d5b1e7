// The token: a user's secret, or an anonymous one fetched with X-Client-Id. Every token is
// masked in the log the moment it is known.
import * as core from '@actions/core'
import { NemoError } from './errors.js'
import type { NemoHttp, TokenProvider } from './http.js'

export class Tokens implements TokenProvider {
  private current?: string
  private pending?: Promise<string>
  /** anon_… user id of an anonymous token, for the registration link */
  userId?: string

  constructor(
    private readonly cfg: { token: string; allowAnonymous: boolean; clientId: string },
    private http?: NemoHttp
  ) {
    // a configured token was masked by getInputs(); anonymous ones are masked when fetched
    if (cfg.token) this.current = cfg.token
  }

  bind(http: NemoHttp): void {
    this.http = http
  }

  get anonymous(): boolean {
    return !this.cfg.token
  }

  async token(signal: AbortSignal): Promise<string> {
    if (this.current) return this.current
    // concurrent callers (batch videos) share one anonymous token
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
    if (this.current !== rejected) return // someone already renewed it
    core.info('The anonymous NemoVideo token was rejected (code 1001); fetching a new one.')
    this.current = undefined
    await this.token(signal)
  }

  private async fetchAnonymous(signal: AbortSignal): Promise<string> {
    if (!this.cfg.allowAnonymous) {
      throw new NemoError("No NemoVideo token: set the 'token' input (or env NEMO_TOKEN) from a secret, or set 'allow-anonymous: true'.")
    }
    if (!this.http) throw new Error('Tokens used before bind()')
    const what = 'Getting an anonymous NemoVideo token'
    let data: { token?: unknown; user_id?: unknown; credits?: unknown }
    try {
      data = await this.http.call('POST', '/api/auth/anonymous-token', { what, auth: false, headers: { 'x-client-id': this.cfg.clientId }, signal })
    } catch (err) {
      // HTTP 400 means the X-Client-Id did not arrive: send it again, once
      if (!(err instanceof NemoError && err.httpStatus === 400)) throw err
      data = await this.http.call('POST', '/api/auth/anonymous-token', { what, auth: false, headers: { 'X-Client-Id': this.cfg.clientId }, signal })
    }
    if (typeof data.token !== 'string' || !data.token) throw new NemoError(`${what}: the reply has no token.`)
    core.setSecret(data.token)
    this.current = data.token
    this.userId = typeof data.user_id === 'string' ? data.user_id : undefined
    core.info(`Using an anonymous NemoVideo token${typeof data.credits === 'number' ? ` (${data.credits} credits)` : ''}.`)
    return data.token
  }
}
