// Timings that follow the protocol's numbers. Tests shorten them through IMG2VID_* variables;
// nothing user-facing reads these.
function ms(name: string, fallback: number): number {
  const raw = process.env[name]
  const n = raw === undefined || raw === '' ? NaN : Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

export const tuning = {
  /** heartbeats only for this long = a stalled stream (protocol: 10 minutes) */
  get stallMs(): number {
    return ms('IMG2VID_STALL_MS', 10 * 60_000)
  },
  /** "⏳ Still working…" cadence (protocol: every 2 minutes) */
  get stillWorkingMs(): number {
    return ms('IMG2VID_STILL_WORKING_MS', 2 * 60_000)
  },
  /** wait after a 429 without Retry-After (protocol: 30 s) */
  get retryWaitMs(): number {
    return ms('IMG2VID_RETRY_WAIT_MS', 30_000)
  },
  /** cap on any Retry-After we honour */
  get retryWaitCapMs(): number {
    return ms('IMG2VID_RETRY_WAIT_CAP_MS', 120_000)
  },
  /** headers/body inactivity timeout of a plain (non-streaming) request */
  get requestTimeoutMs(): number {
    return ms('IMG2VID_REQUEST_TIMEOUT_MS', 60_000)
  }
}
