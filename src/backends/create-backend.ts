// The factory: loads only the backend that runs (the other's code is never read: cold start).
import type { Backend, BackendOptions } from './backend.js'
import type { BackendName } from '../shared/options.js'

/** One backend for every video of the run (on the cloud they share one token and the 429 pause). */
export async function createBackend(name: BackendName, opts: BackendOptions): Promise<Backend> {
  if (name === 'local') {
    const { createLocalBackend } = await import('./local/local-backend.js')
    return createLocalBackend(opts.local)
  }
  const { createNemoBackend } = await import('./nemo/nemo-backend.js')
  return createNemoBackend(opts.nemo)
}
