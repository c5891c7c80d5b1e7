// The NemoVideo protocol's timings, as the vendor documents them. Tests shorten them through
// IMG2VID_* variables; no input sets them.
function ms(name: string, fallback: number): number {
  const raw = process.env[name]
  const n = raw === undefined || raw === '' ? NaN : Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

export const timings = {
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
  },
  /** after a dropped or stalled stream, the first state read (vendor: 30 s) */
  get dropFirstWaitMs(): number {
    return ms('IMG2VID_DROP_WAIT_MS', 30_000)
  },
  /** then a read this often while the draft is unchanged (vendor: 60 s) */
  get dropRecheckMs(): number {
    return ms('IMG2VID_DROP_RECHECK_MS', 60_000)
  },
  /** unchanged reads before giving up (vendor: 5, about 5 minutes) */
  dropMaxReads: 5
}
