// What stops collect: no artifact to collect, or one it cannot download; the message says what to change.

export class CollectError extends Error {
  override name = 'CollectError'
}
