// The finished video's stage: a cache entry this action did not write.

/** The entry is not one this action wrote: a miss, never a partial use. */
export class EntryRefused extends Error {
  override name = 'EntryRefused'
}
