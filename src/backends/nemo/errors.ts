// Typed NemoVideo errors; messages say what happened and what to do, and never carry a token.

export const CODE = {
  tokenInvalid: 1001,
  sessionNotFound: 1002,
  outOfCredits: 2001,
  unsupportedFile: 4001,
  fileTooLarge: 4002
} as const

export class NemoError extends Error {
  readonly code?: number
  readonly httpStatus?: number
  constructor(message: string, opts: { code?: number; httpStatus?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'NemoError'
    this.code = opts.code
    this.httpStatus = opts.httpStatus
  }
}

/** The message for an error reply, by code, as the protocol's error table says. */
export function explain(what: string, code: number | undefined, httpStatus: number, serverMessage: string): string {
  const said = serverMessage ? ` (server: ${serverMessage})` : ''
  switch (code) {
    case CODE.tokenInvalid:
      return `${what}: NemoVideo rejected the token (code 1001: expired or invalid)${said}. Set a valid token in the 'token' input (NEMO_TOKEN secret), or leave it empty to use an anonymous token.`
    case CODE.sessionNotFound:
      return `${what}: the NemoVideo session was not found (code 1002)${said}. It may have expired; re-run the job.`
    case CODE.outOfCredits:
      return `${what}: the NemoVideo account is out of credits (code 2001)${said}.`
    case CODE.unsupportedFile:
      return `${what}: NemoVideo refused a file type (code 4001)${said}. Use JPEG, PNG, WebP or GIF images and MP3, WAV, M4A or AAC music.`
    case CODE.fileTooLarge:
      return `${what}: NemoVideo refused a file over its 200 MB limit (code 4002)${said}. Downscale or recompress it.`
  }
  if (httpStatus === 402 || code === 402) {
    return `${what}: NemoVideo answered HTTP 402: the account's plan does not allow this (a plan/subscription limit, not credits)${said}. Upgrade the plan, or use a token of an account that can export.`
  }
  if (httpStatus === 429 || code === 429)
    return `${what}: NemoVideo is rate limiting this runner (HTTP 429) even after waiting${said}. Try again later or lower max-parallel.`
  if (httpStatus >= 500) return `${what}: NemoVideo answered HTTP ${httpStatus}${said}. The service may be down; re-run the job later.`
  const answer = code !== undefined && code !== 0 && code !== httpStatus ? `code ${code} (HTTP ${httpStatus})` : `HTTP ${httpStatus}`
  return `${what}: NemoVideo answered ${answer}${said}.`
}
