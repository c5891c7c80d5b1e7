// What the platforms a video is made for take: one table of the limits a finished MP4 may break
// (length, file size, shape, picture size), each from the platform's own upload documentation,
// and the check of a video against it. The codec side (H.264 High 4:2:0, AAC-LC 48 kHz stereo,
// no edit lists, keyframes at most 2 s apart) is what the local backend makes for all of them.
import type { VideoInfo } from '../media/mp4.js'

export interface PlatformLimits {
  name: string
  /** seconds */
  minSeconds?: number
  maxSeconds?: number
  /** bytes */
  maxBytes?: number
  /** width ÷ height */
  minAspect?: number
  maxAspect?: number
  /** pixels, each side */
  minSide?: number
  maxSide?: number
  /** checked only for a video of this shape (a landscape video is an ordinary YouTube video, not a Short) */
  only?: 'square or vertical'
  /** where the numbers come from */
  source: string
}

const MB = 1024 * 1024

export const PLATFORMS: readonly PlatformLimits[] = [
  {
    // Instagram Graph API, Reels specifications: 3 s to 15 min, 300 MB at most, aspect ratio
    // 0.01:1 to 10:1 (9:16 recommended), at most 1920 px wide
    name: 'Instagram Reels',
    minSeconds: 3,
    maxSeconds: 15 * 60,
    maxBytes: 300 * MB,
    minAspect: 0.01,
    maxAspect: 10,
    source: 'Instagram Graph API, Reels specifications'
  },
  {
    // TikTok Content Posting API, video restrictions: at most 10 min (600 s), at least 3 s;
    // 360 to 4096 px each side; at most 4 GB
    name: 'TikTok',
    minSeconds: 3,
    maxSeconds: 600,
    maxBytes: 4096 * MB,
    minSide: 360,
    maxSide: 4096,
    source: 'TikTok Content Posting API, video restrictions'
  },
  {
    // YouTube Help, "Upload YouTube Shorts": up to 3 minutes, a square or vertical aspect ratio;
    // a landscape video is uploaded as an ordinary video (no limit of its own here), a longer
    // square or vertical one too, which is what the warning is for
    name: 'YouTube Shorts',
    maxSeconds: 180,
    only: 'square or vertical',
    source: 'YouTube Help, Upload YouTube Shorts'
  },
  {
    // X API, media best practices: 0.5 s to 140 s, at most 512 MB, aspect ratio 1:3 to 3:1
    name: 'X',
    minSeconds: 0.5,
    maxSeconds: 140,
    maxBytes: 512 * MB,
    minAspect: 1 / 3,
    maxAspect: 3,
    source: 'X API, media upload best practices'
  },
  {
    // LinkedIn Videos API, video specifications: 3 s to 30 min, 75 KB to 500 MB
    name: 'LinkedIn',
    minSeconds: 3,
    maxSeconds: 30 * 60,
    maxBytes: 500 * MB,
    source: 'LinkedIn Videos API, video specifications'
  }
]

export interface Breach {
  platform: string
  /** what is broken and how to fix it, one sentence */
  message: string
}

const seconds = (s: number): string => `${Number(s.toFixed(1))} s`
const size = (bytes: number): string =>
  bytes >= 1024 * MB ? `${Number((bytes / 1024 / MB).toFixed(1))} GB` : `${Math.round(bytes / MB)} MB`

/** The limits of each platform a video breaks: one entry per platform, naming each limit and the fix. */
export function platformBreaches(info: Pick<VideoInfo, 'duration' | 'width' | 'height' | 'size'>, table = PLATFORMS): Breach[] {
  const out: Breach[] = []
  const aspect = info.width / info.height
  for (const p of table) {
    if (p.only === 'square or vertical' && aspect > 1) continue
    const broken: string[] = []
    const fixes: string[] = []
    if (p.minSeconds !== undefined && info.duration < p.minSeconds) {
      broken.push(`${seconds(info.duration)} is shorter than its minimum of ${seconds(p.minSeconds)}`)
      fixes.push(`make it at least ${seconds(p.minSeconds)} long (input 'duration')`)
    }
    if (p.maxSeconds !== undefined && info.duration > p.maxSeconds) {
      broken.push(`${seconds(info.duration)} is longer than its maximum of ${seconds(p.maxSeconds)}`)
      fixes.push(`make it at most ${seconds(p.maxSeconds)} long (input 'duration')`)
    }
    if (p.maxBytes !== undefined && info.size > p.maxBytes) {
      broken.push(`${size(info.size)} is over its ${size(p.maxBytes)} limit`)
      fixes.push(`make it shorter or use 'resolution: 720p'`)
    }
    if ((p.minAspect !== undefined && aspect < p.minAspect - 1e-9) || (p.maxAspect !== undefined && aspect > p.maxAspect + 1e-9)) {
      broken.push(`${info.width}×${info.height} is not a shape it takes (width ÷ height from ${p.minAspect ?? 0} to ${p.maxAspect ?? '∞'})`)
      fixes.push(`use another 'aspect-ratio'`)
    }
    const [short, long] = [Math.min(info.width, info.height), Math.max(info.width, info.height)]
    if ((p.minSide !== undefined && short < p.minSide) || (p.maxSide !== undefined && long > p.maxSide)) {
      broken.push(`${info.width}×${info.height} is outside its ${p.minSide ?? 1}–${p.maxSide ?? '∞'} px per side`)
      fixes.push(`use 'resolution: 720p' or '1080p'`)
    }
    if (broken.length)
      out.push({ platform: p.name, message: `${p.name} (${p.source}): ${broken.join('; ')}. To post it there, ${fixes.join(' and ')}.` })
  }
  return out
}
