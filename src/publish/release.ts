// Attaches the MP4 to a GitHub release. Every GitHub call sits behind ReleaseApi; attachToRelease
// holds the policy (which release, overwrite, the already_exists race) and the user-facing errors.
import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { isLoopbackHost } from '../shared/guards.js'
import { AssetExistsError, PublishError } from './errors.js'

export interface ReleaseRef {
  id: number
  tag: string
  uploadUrl: string
  htmlUrl: string
}
export interface ReleaseAsset {
  id: number
  name: string
  url: string /* browser_download_url */
}

export interface ReleaseApi {
  getReleaseByTag(tag: string): Promise<ReleaseRef | undefined>
  listAssets(releaseId: number): Promise<ReleaseAsset[]>
  deleteAsset(assetId: number): Promise<void>
  uploadAsset(release: ReleaseRef, name: string, file: string, size: number): Promise<ReleaseAsset>
  getBody(releaseId: number): Promise<string>
  setBody(releaseId: number, body: string): Promise<void>
}

/** An asset's content type, from its name: the MP4, its poster and its preview. */
export function contentTypeOf(name: string): string {
  if (/\.jpe?g$/i.test(name)) return 'image/jpeg'
  if (/\.webp$/i.test(name)) return 'image/webp'
  return 'video/mp4'
}

interface RawRelease {
  id: number
  tag_name: string
  upload_url: string
  html_url: string
}
interface RawAsset {
  id: number
  name: string
  browser_download_url: string
}

const toRef = (r: RawRelease): ReleaseRef => ({ id: r.id, tag: r.tag_name, uploadUrl: r.upload_url, htmlUrl: r.html_url })
const toAsset = (a: RawAsset): ReleaseAsset => ({ id: a.id, name: a.name, url: a.browser_download_url })

const PERMISSIONS_HINT = "The 'github-token' needs write access to releases: add `permissions: contents: write` to the workflow or job."

interface HttpError {
  status: number
  message: string
  response?: { data?: unknown; headers?: Record<string, string | undefined> }
}

function isHttpError(err: unknown): err is HttpError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number'
}

function githubMessage(err: HttpError): string {
  const data = err.response?.data as { message?: unknown } | undefined
  return typeof data?.message === 'string' ? data.message : err.message
}

/** Turns an octokit failure into a message that says what to change. */
function explain(err: unknown, doing: string): Error {
  if (err instanceof PublishError || !isHttpError(err)) return err instanceof Error ? err : new Error(String(err))
  const said = githubMessage(err)
  if (err.status === 401) return new PublishError(`GitHub rejected 'github-token' while ${doing} (401 ${said}).`)
  if (err.status === 403 && err.response?.headers?.['x-ratelimit-remaining'] === '0') {
    return new PublishError(`GitHub API rate limit reached while ${doing} (403 ${said}). Retry later.`)
  }
  if (err.status === 403) return new PublishError(`GitHub refused ${doing} (403 ${said}). ${PERMISSIONS_HINT}`)
  return new PublishError(`GitHub request failed while ${doing} (${err.status}): ${said}`)
}

function isAlreadyExists(err: unknown): boolean {
  if (!isHttpError(err) || err.status !== 422) return false
  const errors = (err.response?.data as { errors?: { code?: string }[] } | undefined)?.errors
  return Array.isArray(errors) && errors.some(e => e?.code === 'already_exists')
}

/**
 * Hosts allowed to receive the token for an upload: the API host itself (GHES: /api/uploads), or
 * its `uploads.` sibling (api.github.com → uploads.github.com, api.X.ghe.com → uploads.X.ghe.com).
 */
function uploadHostAllowed(upload: URL, api: URL): boolean {
  if (upload.protocol !== 'https:' && !(upload.protocol === 'http:' && isLoopbackHost(upload.hostname))) return false
  if (upload.host === api.host) return true
  return api.hostname.startsWith('api.') && upload.hostname === `uploads.${api.hostname.slice(4)}` && upload.port === api.port
}

export function createReleaseApi(opts: { token: string; owner: string; repo: string; apiUrl?: string }): ReleaseApi {
  const baseUrl = (opts.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '')
  const octokit = getOctokit(opts.token, { baseUrl })
  const { owner, repo } = opts
  const where = `${owner}/${repo}`
  return {
    async getReleaseByTag(tag) {
      try {
        const { data } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag })
        return toRef(data)
      } catch (err) {
        if (isHttpError(err) && err.status === 404) return undefined
        throw explain(err, `reading release '${tag}' of ${where}`)
      }
    },
    async listAssets(releaseId) {
      try {
        const assets = await octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: releaseId, per_page: 100 })
        return assets.map(toAsset)
      } catch (err) {
        throw explain(err, `listing the assets of release ${releaseId} in ${where}`)
      }
    },
    async getBody(releaseId) {
      try {
        const { data } = await octokit.rest.repos.getRelease({ owner, repo, release_id: releaseId })
        return data.body ?? ''
      } catch (err) {
        throw explain(err, `reading the notes of release ${releaseId} in ${where}`)
      }
    },
    async setBody(releaseId, body) {
      try {
        await octokit.rest.repos.updateRelease({ owner, repo, release_id: releaseId, body })
      } catch (err) {
        throw explain(err, `updating the notes of release ${releaseId} in ${where}`)
      }
    },
    async deleteAsset(assetId) {
      try {
        await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: assetId })
      } catch (err) {
        throw explain(err, `deleting release asset ${assetId} in ${where}`)
      }
    },
    async uploadAsset(release, name, file, size) {
      // upload_url is an RFC 6570 template ("…/assets{?name,label}"); check where the token would go.
      const target = new URL(release.uploadUrl.replace(/\{[^}]*\}/g, ''))
      if (!uploadHostAllowed(target, new URL(baseUrl))) {
        throw new PublishError(
          `Refusing to send 'github-token' to ${target.origin}: the release's upload URL is not on the GitHub API host (${new URL(baseUrl).origin}).`
        )
      }
      try {
        const { data } = await octokit.request({
          method: 'POST',
          url: release.uploadUrl,
          name,
          // streamed: the MP4 is never held in memory
          data: createReadStream(file),
          headers: { 'content-type': contentTypeOf(name), 'content-length': size }
        })
        return toAsset(data as RawAsset)
      } catch (err) {
        if (isAlreadyExists(err)) throw new AssetExistsError(`Release '${release.tag}' already has an asset named '${name}'.`)
        throw explain(err, `uploading '${name}' to release '${release.tag}' of ${where}`)
      }
    }
  }
}

/** The triggering release on `release` events (github.context.payload.release). */
export function releaseFromEvent(eventName: string, payload: unknown): ReleaseRef | undefined {
  if (eventName !== 'release' || typeof payload !== 'object' || payload === null) return undefined
  const r = (payload as { release?: Partial<RawRelease> }).release
  if (!r || typeof r.id !== 'number' || typeof r.tag_name !== 'string' || typeof r.upload_url !== 'string') return undefined
  return toRef({ id: r.id, tag_name: r.tag_name, upload_url: r.upload_url, html_url: typeof r.html_url === 'string' ? r.html_url : '' })
}

/** GitHub stores spaces in asset names as dots; match either spelling. */
const sameAsset =
  (name: string) =>
  (a: ReleaseAsset): boolean =>
    a.name === name || a.name === name.replace(/ /g, '.')

function existsError(name: string, release: ReleaseRef): PublishError {
  return new PublishError(
    `Release '${release.tag}' already has an asset named '${name}'. Set 'overwrite: true' to replace it, or remove it from the release.`
  )
}

async function removeExisting(api: ReleaseApi, release: ReleaseRef, name: string): Promise<boolean> {
  const existing = (await api.listAssets(release.id)).filter(sameAsset(name))
  for (const a of existing) {
    core.info(`Deleting the existing asset '${a.name}' (id ${a.id}) from release '${release.tag}' (overwrite: true).`)
    await api.deleteAsset(a.id)
  }
  return existing.length > 0
}

export async function attachToRelease(opts: {
  api: ReleaseApi
  tag?: string
  eventRelease?: ReleaseRef
  file: string
  name: string
  overwrite: boolean
}): Promise<{ assetUrl: string; release: ReleaseRef }> {
  const { api, tag, eventRelease, file, name, overwrite } = opts
  let release: ReleaseRef | undefined
  if (tag && tag !== eventRelease?.tag) {
    release = await api.getReleaseByTag(tag)
    if (!release) {
      throw new PublishError(
        `No release with tag '${tag}' was found ('release-tag'). Create or publish it first: draft releases are not found by tag.`
      )
    }
  } else {
    release = eventRelease
  }
  if (!release) throw new PublishError("No release to attach the video to: set 'release-tag', or run on a `release` event.")

  const { size } = await stat(file)
  if (overwrite) {
    await removeExisting(api, release, name)
  } else if ((await api.listAssets(release.id)).some(sameAsset(name))) {
    throw existsError(name, release)
  }

  core.info(`Uploading '${name}' (${size} bytes) to release '${release.tag}'.`)
  let asset: ReleaseAsset
  try {
    asset = await api.uploadAsset(release, name, file, size)
  } catch (err) {
    if (!(err instanceof AssetExistsError)) throw err
    // Another job uploaded the same name between our listing and our upload.
    if (!overwrite) throw existsError(name, release)
    core.info(`'${name}' appeared on release '${release.tag}' during the upload; replacing it once.`)
    await removeExisting(api, release, name)
    asset = await api.uploadAsset(release, name, file, size).catch((again: unknown) => {
      if (!(again instanceof AssetExistsError)) throw again
      throw new PublishError(
        `'${name}' was uploaded to release '${release.tag}' again by someone else while it was being replaced: give each job its own asset name.`
      )
    })
  }
  core.info(`Attached to release '${release.tag}': ${asset.url}`)
  return { assetUrl: asset.url, release }
}

const BEGIN = '<!-- img2vid:begin -->'
const END = '<!-- img2vid:end -->'

/**
 * The release body with the action's block (between its markers) replaced, or appended when
 * there is none; the rest of the body is left as it was.
 */
export function withVideoBlock(body: string, block: string): string {
  const wrapped = `${BEGIN}\n${block.trim()}\n${END}`
  const from = body.indexOf(BEGIN)
  const to = from < 0 ? -1 : body.indexOf(END, from)
  if (from >= 0 && to >= 0) return body.slice(0, from) + wrapped + body.slice(to + END.length)
  return body.trim() ? `${body.replace(/\s+$/, '')}\n\n${wrapped}\n` : `${wrapped}\n`
}

/** One line per video: its poster, linking to its MP4 (Markdown; names stripped of link syntax). */
export function videoBlock(videos: { name: string; mp4Url: string; posterUrl?: string }[]): string {
  const text = (s: string): string => s.replace(/[[\]()<>`*_\\]/g, ' ').trim()
  // a URL inside (…) must not hold a parenthesis or a space (the asset URLs are already encoded)
  const url = (u: string): string => u.replace(/[()\s]/g, c => ({ '(': '%28', ')': '%29' })[c] ?? '%20')
  return videos
    .map(v => (v.posterUrl ? `[![${text(v.name)}](${url(v.posterUrl)})](${url(v.mp4Url)})` : `[${text(v.name)}](${url(v.mp4Url)})`))
    .join('\n')
}
