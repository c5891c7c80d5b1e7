// Bounds the memory a long transfer holds in buffers it is done with. Node gives each socket read
// (and each file read here) a buffer of its own, outside V8's heap; V8 frees the unused ones at
// its next collection, which on a fast transfer comes only after about 64 MB of them have piled up
// (its trigger for memory outside the heap), with more arriving while it runs. A young-generation
// collection every 16 MB keeps the pile near that: a 500 MiB download over loopback peaked at
// 160-174 MB of RSS in a bare undici or node:http client, and at about 115 MB with this, in the
// same time (npm run bench -- --only=transfers keeps the figure).
//
// V8 has no API for this: the documented way is the --expose-gc flag, set here once at run time,
// which gives contexts created afterwards a gc() function; the one made here is the only one used.
// If a Node ever refuses it, transfers simply run without the bound.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const EVERY_BYTES = 16 * 1024 * 1024

type Gc = (options?: { type?: 'minor' | 'major' }) => void
let collect: Gc | null | undefined

function minorGc(): Gc | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc')
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined')
      collect = typeof gc === 'function' ? (gc as Gc) : null
    } catch {
      collect = null
    }
  }
  return collect
}

/** Count a transfer's bytes through this: every 16 MB, the buffers it is done with are freed. */
export function transferMemoryBound(): (bytes: number) => void {
  const gc = minorGc()
  let since = 0
  return bytes => {
    since += bytes
    if (since < EVERY_BYTES || !gc) return
    since = 0
    gc({ type: 'minor' })
  }
}

/** Whether this Node lets the bound work (the bench's memory figure depends on it). */
export const transferMemoryBoundActive = (): boolean => minorGc() !== null
