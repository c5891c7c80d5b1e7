// The collect action's inputs, named once and checked together, as getInputs checks the main action's.
import * as core from '@actions/core'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { Reader, readNewRelease, type NewRelease } from '../inputs/get-inputs.js'
import { InputError } from '../inputs/errors.js'
import { COLLECT_DEFAULTS, CollectInput, DEFAULT_COLLECT_PATH, Input, withDefaults } from '../shared/contract.js'
import { VIDEO_NAME } from '../inputs/manifest.js'
import { inGitDir, realDir, realOutputPath } from '../inputs/workspace-paths.js'
import { validateArtifactName } from '../shared/artifact-names.js'
import { isInside } from '../shared/guards.js'

export interface CollectInputs {
  /** the plan's names, in manifest order; empty: whatever the artifacts hold */
  names?: string[]
  pattern: string
  /** absolute; each artifact is downloaded into its own folder in it */
  path: string
  merge: boolean
  mergedName: string
  deleteMerged: boolean
  retentionDays?: number
  releaseTag: string
  createRelease?: NewRelease
  releaseNotes: 'none' | 'append'
  overwrite: boolean
  githubToken: string
  workspace: string
}

export function getCollectInputs(env: NodeJS.ProcessEnv = process.env): CollectInputs {
  const r = new Reader(withDefaults(name => core.getInput(name), COLLECT_DEFAULTS))
  const workspace = realDir(env.GITHUB_WORKSPACE || process.cwd())
  const tempDir = realDir(env.RUNNER_TEMP || (env.TMPDIR ?? '/tmp'))

  let names: string[] | undefined
  const rawNames = r.get(CollectInput.names).trim()
  if (rawNames) {
    let parsed: unknown
    try {
      parsed = rawNames.startsWith('[') ? JSON.parse(rawNames) : rawNames.split(/[\s,]+/).filter(Boolean)
    } catch {
      parsed = undefined
    }
    if (!Array.isArray(parsed) || !parsed.every(n => typeof n === 'string' && VIDEO_NAME.test(n))) {
      r.fail(
        CollectInput.names,
        `must be the plan's 'names' output (a JSON array of video names), or names separated by commas (got '${rawNames.slice(0, 80)}').`
      )
    } else names = [...new Set(parsed as string[])]
  }
  const pattern = r.get(CollectInput.pattern).trim()

  const given = r.get(CollectInput.path).trim()
  let path = resolve(workspace, given)
  if (!isInside(workspace, path) && !isInside(tempDir, path))
    r.fail(CollectInput.path, `must be inside the workspace or RUNNER_TEMP (got '${given}').`)
  else {
    // the folder's own real path: a link at 'path' itself is followed too
    path = dirname(realOutputPath(join(path, 'x')))
    if (!isInside(workspace, path) && !isInside(tempDir, path))
      r.fail(CollectInput.path, `goes through a link to ${path}: give a folder that is not a link.`)
    else if ([workspace, tempDir].some(root => isInside(root, path) && inGitDir(root, path)))
      r.fail(CollectInput.path, `is inside '.git/': give another folder, such as '${DEFAULT_COLLECT_PATH}'.`)
    else if (existsSync(path) && (!statSync(path).isDirectory() || readdirSync(path).length))
      r.fail(
        CollectInput.path,
        `('${given}') must be an empty or new folder: the artifacts are downloaded into it, and nothing in it is replaced.`
      )
  }

  const merge = r.bool(CollectInput.merge)
  const mergedName = r.get(CollectInput.mergedName).trim()
  if (merge) {
    const bad = validateArtifactName(mergedName)
    if (bad) r.problems.push(bad.replace(`Input '${Input.artifactName}'`, `Input '${CollectInput.mergedName}'`))
  }
  const deleteMerged = r.bool(CollectInput.deleteMerged)
  if (deleteMerged && !merge)
    r.fail(CollectInput.deleteMerged, `needs 'merge: true': the jobs' artifacts are deleted only once they are merged into one.`)
  const retentionDays = r.number(CollectInput.retentionDays)
  const releaseTag = r.get(CollectInput.releaseTag).trim()
  const createRelease = readNewRelease(r, releaseTag)
  const releaseNotes = r.oneOf(CollectInput.releaseNotes) as 'none' | 'append'
  const overwrite = r.bool(CollectInput.overwrite)
  const githubToken = r.get(CollectInput.githubToken).trim()
  if (githubToken) core.setSecret(githubToken)
  if (r.problems.length) throw new InputError(r.problems)
  return {
    names,
    pattern,
    path,
    merge,
    mergedName,
    deleteMerged,
    retentionDays,
    releaseTag,
    createRelease,
    releaseNotes,
    overwrite,
    githubToken,
    workspace
  }
}
