// One video through a backend: render, then read and hash the MP4 it left at `output`.
import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Backend, RenderResult } from './backends/backend.js'
import type { VideoSpec } from './inputs/get-inputs.js'
import type { MediaFile } from './input-files/input-file.js'
import { splitTurns, type VideoRequest } from './request/request.js'
import { describe, summarize, type TimelineSummary } from './shared/timeline.js'
import { readVideoInfo, type VideoInfo } from './output-video/mp4.js'

export interface PreparedVideo {
  spec: VideoSpec
  images: MediaFile[]
  music?: MediaFile
  request: VideoRequest
}

export interface MadeVideo extends RenderResult {
  spec: VideoSpec
  info: VideoInfo
  sha256: string
  timeline: TimelineSummary
}

export function buildRequest(spec: VideoSpec, music: MediaFile | undefined): VideoRequest {
  return {
    turns: splitTurns(spec.prompt),
    duration: spec.duration,
    aspectRatio: spec.aspectRatio,
    resolution: spec.resolution,
    transition: spec.transition,
    title: spec.title,
    music: music ? { file: music } : spec.music && 'description' in spec.music ? spec.music : undefined,
    language: spec.language
  }
}

export async function makeVideo(
  video: PreparedVideo,
  backend: Backend,
  opts: { tempRoot: string; signal: AbortSignal; deadline: number }
): Promise<MadeVideo> {
  const tempDir = await mkdtemp(join(opts.tempRoot, 'img2vid-'))
  try {
    await mkdir(dirname(video.spec.output), { recursive: true })
    const result = await backend.render({
      images: video.images,
      request: video.request,
      output: video.spec.output,
      tempDir,
      signal: opts.signal,
      deadline: opts.deadline
    })
    const info = await readVideoInfo(result.videoPath)
    const timeline = summarize(result.draft)
    core.info(describe(timeline))
    return { ...result, spec: video.spec, info, sha256: await hashFile(result.videoPath), timeline }
  } finally {
    await rm(tempDir, { recursive: true, force: true }).catch(() => undefined)
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}
