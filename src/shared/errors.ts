// Errors the pipeline tells apart by type, never by the words of a message.

/** The workflow was cancelled (SIGINT/SIGTERM). */
export class CancelledError extends Error {
  override name = 'CancelledError'
}

/** A video's backend part did not finish within 'timeout-minutes'. */
export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

/** The one way an error becomes a message: its own, or the thrown value in words. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** A draft (a server's data) past its limits or not of the draft's shape. */
export class DraftError extends Error {
  override name = 'DraftError'
}

/** A connection refused before it was made: the host, the address it is or resolved to, and why. */
export class RefusedDestination extends Error {
  readonly code = 'IMG2VID_REFUSED_DESTINATION'
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string
  ) {
    super(`${host === address ? host : `${host} (${address})`} is ${reason}: refused`)
    this.name = 'RefusedDestination'
  }
}
