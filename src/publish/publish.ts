// Ships the made videos: one artifact (or one per video) and/or release assets.
import * as core from '@actions/core'
import { basename } from 'node:path'
import type { Inputs } from '../inputs/get-inputs.js'
import type { MadeVideo } from '../render-video.js'

export interface VideoLinks {
  artifactId?: string
  artifactUrl?: string
  artifactName?: string
  releaseAssetUrl?: string
}

export interface Published {
  /** per video name */
  videos: Map<string, VideoLinks>
}

export async function publishVideos(inputs: Inputs, made: MadeVideo[]): Promise<Published> {
  const videos = new Map<string, VideoLinks>(made.map(v => [v.spec.name, {}]))
  // the artifact client and octokit are large: loaded only when used (cold start)
  if (inputs.uploadArtifact) {
    const { uploadArtifact } = await import('./artifact.js')
    const groups =
      inputs.batch && inputs.artifactPerVideo
        ? made.map(v => ({ name: `${inputs.artifactName}-${v.spec.name}`, videos: [v] }))
        : [{ name: inputs.artifactName, videos: made }]
    for (const g of groups) {
      core.startGroup(`Artifact ${g.name}`)
      try {
        const a = await uploadArtifact({
          name: g.name,
          files: g.videos.map(v => v.videoPath),
          retentionDays: inputs.retentionDays,
          overwrite: inputs.overwrite
        })
        core.info(`📦 Artifact ${g.name} (id ${a.id}, ${g.videos.length} file${g.videos.length === 1 ? '' : 's'}): ${a.url}`)
        for (const v of g.videos)
          Object.assign(videos.get(v.spec.name) as VideoLinks, { artifactId: String(a.id), artifactUrl: a.url, artifactName: g.name })
      } finally {
        core.endGroup()
      }
    }
  }

  if (!inputs.releaseTag && process.env.GITHUB_EVENT_NAME !== 'release') return { videos }
  const github = await import('@actions/github')
  const { attachToRelease, createReleaseApi, releaseFromEvent } = await import('./release.js')
  const eventRelease = releaseFromEvent(github.context.eventName, github.context.payload)
  if (inputs.releaseTag || eventRelease) {
    if (!inputs.githubToken) {
      throw new Error(
        `Input 'github-token' is empty: it is needed to attach the video to the release (default: \${{ github.token }} with permissions: contents: write).`
      )
    }
    const { owner, repo } = github.context.repo
    const api = createReleaseApi({ token: inputs.githubToken, owner, repo })
    core.startGroup(`Release ${inputs.releaseTag || eventRelease?.tag}`)
    try {
      for (const v of made) {
        const name = inputs.batch ? `${v.spec.name}.mp4` : basename(v.videoPath)
        const r = await attachToRelease({
          api,
          tag: inputs.releaseTag || undefined,
          eventRelease,
          file: v.videoPath,
          name,
          overwrite: inputs.overwrite
        })
        core.info(`🚀 Release ${r.release.tag}: ${r.assetUrl}`)
        ;(videos.get(v.spec.name) as VideoLinks).releaseAssetUrl = r.assetUrl
      }
    } finally {
      core.endGroup()
    }
  }
  return { videos }
}
