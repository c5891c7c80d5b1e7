// Errors the pipeline tells apart by type, never by the words of a message.

/** The workflow was cancelled (SIGINT/SIGTERM). */
export class CancelledError extends Error {
  override name = 'CancelledError'
}

/** A video's backend part did not finish within 'timeout-minutes'. */
export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
