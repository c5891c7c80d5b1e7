// Ships the made videos: one artifact (or one per video) and/or release assets. It gets only the
// publishing inputs and each video's name and file.
import { basename, extname } from 'node:path'
import type { Inputs } from '../inputs/get-inputs.js'
import { artifactGroups } from '../shared/artifact-names.js'
import { log } from '../shared/log.js'
import { oneLine } from '../shared/untrusted.js'
import { PublishError } from './errors.js'

export interface VideoLinks {
  artifactId?: string
  artifactUrl?: string
  artifactName?: string
  releaseAssetUrl?: string
  /** the poster's release asset, shown in the summary */
  releasePosterUrl?: string
}

export type PublishSettings = Pick<
  Inputs,
  | 'batch'
  | 'manifestOrder'
  | 'uploadArtifact'
  | 'artifactName'
  | 'artifactPerVideo'
  | 'retentionDays'
  | 'releaseTag'
  | 'createRelease'
  | 'overwrite'
  | 'githubToken'
  | 'releaseNotes'
>

export interface VideoToPublish {
  name: string
  /** the MP4; none for a video that failed (its record alone goes into the artifact) */
  path?: string
  /** files that go with it (poster, preview), named like the MP4 plus a suffix */
  extras: string[]
  /** the video's record (report/video-record.ts): in the artifact only, never on a release */
  record?: string
}

/** Publishes the videos; `links` gets each video's links as soon as they exist (also when a later step fails). */
export async function publishVideos(settings: PublishSettings, videos: VideoToPublish[], links: Map<string, VideoLinks>): Promise<void> {
  const linksOf = (name: string): VideoLinks => {
    const l = links.get(name) ?? {}
    links.set(name, l)
    return l
  }
  const byName = new Map(videos.map(v => [v.name, v]))
  // the artifact client and octokit are large: loaded only when used (cold start)
  if (settings.uploadArtifact) {
    const { uploadArtifact } = await import('./artifact.js')
    const groups = artifactGroups(
      settings.artifactName,
      settings.batch && settings.artifactPerVideo,
      videos.map(v => v.name)
    )
    for (const g of groups) {
      await log.block(`Artifact ${g.name}`, async () => {
        const files = g.videos.flatMap(n => {
          const v = byName.get(n) as VideoToPublish
          return [v.path, ...v.extras, v.record].filter((f): f is string => !!f)
        })
        const a = await uploadArtifact({ name: g.name, files, retentionDays: settings.retentionDays, overwrite: settings.overwrite })
        log.info(`📦 Artifact ${g.name} (id ${a.id}, ${files.length} file${files.length === 1 ? '' : 's'}): ${a.url}`)
        for (const n of g.videos)
          if (byName.get(n)?.path) Object.assign(linksOf(n), { artifactId: String(a.id), artifactUrl: a.url, artifactName: g.name })
      })
    }
  }

  // 'release-notes: append' with no release to write to says so instead of doing nothing
  const noRelease = (): void => {
    if (settings.releaseNotes === 'append')
      log.warning(
        `Input 'release-notes' is 'append' but there is no release: set 'release-tag' (with 'create-release: true' on a tag push), or run on a release event.`
      )
  }
  if (!settings.releaseTag && process.env.GITHUB_EVENT_NAME !== 'release') return noRelease()
  const github = await import('@actions/github')
  const { attachToRelease, createReleaseApi, findRelease, releaseFromEvent, videoBlock, writeVideoBlock } = await import('./release.js')
  const eventRelease = releaseFromEvent(github.context.eventName, github.context.payload)
  if (!settings.releaseTag && !eventRelease) return noRelease()
  if (!settings.githubToken) {
    throw new PublishError(
      `Input 'github-token' is empty: it is needed to attach the video to the release (default: \${{ github.token }} with permissions: contents: write).`
    )
  }
  const { owner, repo } = github.context.repo
  const api = createReleaseApi({ token: settings.githubToken, owner, repo })
  await log.block(`Release ${settings.releaseTag || eventRelease?.tag}`, async () => {
    // found (or created) once, before the first upload: every file goes to the same release
    const release = videos.some(v => v.path)
      ? await findRelease({ api, tag: settings.releaseTag || undefined, eventRelease, create: settings.createRelease })
      : undefined
    const attached: { name: string; mp4Url: string; posterUrl?: string }[] = []
    let releaseId: number | undefined
    for (const { path, ...v } of videos) {
      if (!path) continue
      // a batch names assets after the videos; one video keeps its file names
      const stem = basename(path, extname(path))
      const assetName = (file: string): string => (settings.batch ? `${v.name}${basename(file).slice(stem.length)}` : basename(file))
      const attach = (file: string): ReturnType<typeof attachToRelease> =>
        attachToRelease({
          api,
          tag: release?.tag,
          eventRelease: release,
          file,
          name: assetName(file),
          overwrite: settings.overwrite
        })
      const r = await attach(path)
      releaseId = r.release.id
      log.info(`🚀 Release ${oneLine(r.release.tag)}: ${oneLine(r.assetUrl, 2000)}`)
      linksOf(v.name).releaseAssetUrl = r.assetUrl
      let posterUrl: string | undefined
      for (const extra of v.extras) {
        const e = await attach(extra)
        if (/\.jpe?g$/i.test(extra)) posterUrl = e.assetUrl
      }
      linksOf(v.name).releasePosterUrl = posterUrl
      attached.push({ name: v.name, mp4Url: r.assetUrl, posterUrl })
    }
    if (settings.releaseNotes === 'append' && releaseId !== undefined) {
      const next = await writeVideoBlock(api, releaseId, videoBlock(attached), { order: settings.manifestOrder })
      log.info(`📝 Release notes: the video block ${next.replaced ? 'replaced' : 'added'}.`)
      if (next.repairs)
        log.info(
          `📝 Release notes: other jobs rewrote them at the same time; this job's videos were put back ${next.repairs} time${next.repairs === 1 ? '' : 's'}.`
        )
      if (!next.kept)
        log.warning(
          `The release notes kept being rewritten by other jobs (${next.writes} writes by this one): its videos may be missing from the video block. Re-run this job, or give the matrix 'max-parallel'.`
        )
      if (next.foreign) {
        log.warning(
          `The release notes hold ${next.foreign} img2vid marker${next.foreign === 1 ? '' : 's'} that this action cannot prove it wrote (in a pull request title, hand-written, or edited since): they and the text between them were left as they are, and ${next.replaced ? 'only the block it wrote was replaced' : 'the video block was added at the end'}.`
        )
      }
    }
  })
}
