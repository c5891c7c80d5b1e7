// The MP4(s) as a workflow artifact, with @actions/artifact. Names are checked up front with the
// service's rules; overwrite deletes a same-named artifact first, as actions/upload-artifact does.
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import { stat } from 'node:fs/promises'
import { dirname, isAbsolute, relative } from 'node:path'
import { validateArtifactName } from '../shared/artifact-names.js'
import { log } from '../shared/log.js'
import { PublishError } from './errors.js'
import { errorMessage } from '../shared/errors.js'

export interface ArtifactUpload {
  name: string
  /** absolute path of the one file; or use `files` */
  file?: string
  /** absolute paths, zipped relative to their deepest common folder */
  files?: string[]
  retentionDays?: number
  overwrite: boolean
}

export interface ArtifactResult {
  id: number
  url: string
  size: number
}

/** The deepest folder holding every file, so the archive keeps only their names (and sub-folders). */
function commonRoot(files: string[]): string {
  let root = dirname(files[0])
  while (!files.every(f => !relative(root, f).startsWith('..'))) root = dirname(root)
  return root
}

/** Where the run's artifact is shown: <server>/<owner>/<repo>/actions/runs/<run_id>/artifacts/<id>. */
export function artifactUrl(id: number): string {
  const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return `${server}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}/artifacts/${id}`
}

const GHES_HINT =
  "Workflow artifacts from actions (@actions/artifact v2+) are not supported on GitHub Enterprise Server: set 'upload-artifact: false' there."

/** The client's own GHES test; checked first so the run does not get its "errors can be temporary" warning. */
function isGhes(): boolean {
  const host = new URL(process.env.GITHUB_SERVER_URL || 'https://github.com').hostname.toLowerCase()
  return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')
}

/** Best effort, like actions/upload-artifact: returns why it failed, if it did. */
async function deleteExisting(client: DefaultArtifactClient, name: string): Promise<string | undefined> {
  try {
    const { id } = await client.deleteArtifact(name)
    log.info(`Deleted the existing artifact '${name}' (id ${id}) to replace it ('overwrite: true').`)
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return undefined
    const why = errorMessage(err)
    log.warning(`Could not delete the existing artifact '${name}' before replacing it: ${why}`)
    return why
  }
  return undefined
}

export async function uploadArtifact(opts: ArtifactUpload): Promise<ArtifactResult> {
  const { name, overwrite } = opts
  const bad = validateArtifactName(name)
  if (bad) throw new PublishError(bad)
  const files = opts.files ?? (opts.file ? [opts.file] : [])
  if (!files.length) throw new PublishError(`No file to upload as the artifact '${name}'.`)
  for (const f of files) {
    if (!isAbsolute(f)) throw new PublishError(`Artifact file paths must be absolute (got '${f}').`)
    const s = await stat(f).catch(() => undefined)
    if (!s?.isFile()) throw new PublishError(`The file for the artifact '${name}' does not exist: ${f}`)
  }

  if (isGhes()) throw new PublishError(GHES_HINT)

  const client = new DefaultArtifactClient()
  const deleteFailure = overwrite ? await deleteExisting(client, name) : undefined
  log.info(
    `Uploading ${files.length === 1 ? 'the video' : `${files.length} videos`} as the artifact '${name}'${opts.retentionDays ? ` (kept ${opts.retentionDays} days)` : ''}.`
  )
  let res
  try {
    res = await client.uploadArtifact(name, files, commonRoot(files), {
      retentionDays: opts.retentionDays,
      // MP4 does not compress; zipping at level 0 saves the CPU
      compressionLevel: 0
    })
  } catch (err) {
    const msg = errorMessage(err)
    if (/\(409\)|already exists/i.test(msg)) {
      const fix = !overwrite
        ? "Set 'overwrite: true' to replace it, or choose another 'artifact-name'."
        : deleteFailure
          ? `Deleting it first failed (${deleteFailure}); retry, or choose another 'artifact-name'.`
          : "Another job created it during this upload: give each job its own 'artifact-name'."
      throw new PublishError(`An artifact named '${name}' already exists in this workflow run. ${fix}`, { cause: err })
    }
    throw new PublishError(`Uploading the artifact '${name}' failed: ${msg}`, { cause: err })
  }
  if (res.id === undefined) throw new PublishError(`Uploading the artifact '${name}' failed: the service returned no artifact id.`)
  return { id: res.id, url: artifactUrl(res.id), size: res.size ?? 0 }
}
