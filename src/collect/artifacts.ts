// This run's artifacts, with the real @actions/artifact client: the jobs' artifacts are listed,
// each downloaded into a folder of its own and checked against the digest the service recorded,
// and after a merge deleted (as actions/upload-artifact/merge's delete-merged does).
import { DefaultArtifactClient } from '@actions/artifact'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { minimatch } from 'minimatch'
import { artifactUrl } from '../publish/artifact.js'
import { log } from '../shared/log.js'
import { CollectError } from './errors.js'
import { errorMessage } from '../shared/errors.js'

/** More artifacts than 256 jobs each with one per video would make is not a matrix's. */
const MAX_ARTIFACTS = 1000

export interface JobArtifact {
  id: number
  name: string
  url: string
  size: number
  /** where its files are */
  dir: string
}

/** Lists the run's artifacts matching `pattern` (not `exclude`) and downloads each into `path/<name>`. */
export async function downloadArtifacts(opts: { pattern: string; path: string; exclude?: string }): Promise<JobArtifact[]> {
  const client = new DefaultArtifactClient()
  const { artifacts } = await client.listArtifacts({ latest: true })
  const wanted = artifacts
    .filter(a => minimatch(a.name, opts.pattern, { dot: true }) && a.name !== opts.exclude)
    .sort((a, b) => a.id - b.id)
  if (!wanted.length) {
    throw new CollectError(
      `No artifact of this run matches '${opts.pattern}' (the run has ${artifacts.length}${
        artifacts.length
          ? `: ${artifacts
              .slice(0, 10)
              .map(a => `'${a.name}'`)
              .join(', ')}${artifacts.length > 10 ? ', …' : ''}`
          : ''
      }). Give collect 'needs:' on the matrix job, and 'pattern' the jobs' artifact names (by default the jobs name them img2vid-<first video>).`
    )
  }
  if (wanted.length > MAX_ARTIFACTS)
    throw new CollectError(`${wanted.length} artifacts match '${opts.pattern}', more than ${MAX_ARTIFACTS}: give a narrower 'pattern'.`)
  const out: JobArtifact[] = []
  for (const a of wanted) {
    const dir = join(opts.path, a.name)
    await mkdir(dir, { recursive: true })
    const r = await client.downloadArtifact(a.id, { path: dir, expectedHash: a.digest }).catch((err: unknown) => {
      throw new CollectError(`Downloading the artifact '${a.name}' (id ${a.id}) failed: ${errorMessage(err)}`, { cause: err })
    })
    if (r.digestMismatch)
      throw new CollectError(
        `The artifact '${a.name}' (id ${a.id}) came down with another SHA-256 than the service recorded for it: re-run collect; if it repeats, the artifact was changed.`
      )
    log.info(`⬇️ ${a.name} (id ${a.id}, ${(a.size / 1048576).toFixed(1)} MB)`)
    out.push({ id: a.id, name: a.name, url: artifactUrl(a.id), size: a.size, dir })
  }
  return out
}

/** Deletes the merged artifacts; one that cannot be deleted is a warning (the merge stands). */
export async function deleteArtifacts(names: string[]): Promise<void> {
  const client = new DefaultArtifactClient()
  for (const name of names) {
    try {
      await client.deleteArtifact(name)
      log.info(`🗑 Deleted the artifact '${name}' ('delete-merged: true').`)
    } catch (err) {
      log.warning(`Could not delete the merged artifact '${name}': ${errorMessage(err)}`)
    }
  }
}
