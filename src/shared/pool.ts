// Runs jobs with at most `limit` at once. With failFast the first failure aborts the rest
// (queued jobs never start; running ones see the signal); otherwise every job runs.
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown; skipped?: boolean }

export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, signal: AbortSignal) => Promise<R>,
  opts: { failFast: boolean; signal: AbortSignal }
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = new Array(items.length)
  const stop = new AbortController()
  const signal = AbortSignal.any([opts.signal, stop.signal])
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      if (signal.aborted) {
        results[i] = { ok: false, error: new Error('not started: an earlier video failed (fail-fast)'), skipped: true }
        continue
      }
      try {
        results[i] = { ok: true, value: await job(items[i], signal) }
      } catch (error) {
        results[i] = { ok: false, error }
        if (opts.failFast) stop.abort(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
