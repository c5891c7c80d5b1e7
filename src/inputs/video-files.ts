// The files a video writes, named once: its MP4 in each format asked for (one, or `<stem>-<w>x<h>`
// beside the output for each of several aspect ratios) and the poster and preview beside each. The
// inputs check these final names and paths before anything runs (none in `.git/`, no two the same),
// and the render writes exactly them.
import { basename, dirname, extname, join, relative } from 'node:path'
import { isInside } from '../shared/guards.js'
import { canvasSize, type AspectRatio, type Resolution } from '../shared/options.js'
import { inGitDir } from './workspace-paths.js'

export interface Previews {
  posterPath: string
  previewPath: string
}

/** One format of a video: its name (outputs, asset names) and its MP4's path. */
export interface VideoFormat {
  name: string
  output: string
  aspectRatio?: AspectRatio
}

/** What a video's files are made from (a VideoSpec). */
export interface FormatSource {
  name: string
  output: string
  aspectRatio?: AspectRatio
  aspectRatios: AspectRatio[]
  resolution: Resolution
}

/** Where the poster and preview of `video.mp4` go: `video.poster.jpg`, `video.preview.webp`. */
export function previewPaths(output: string): Previews {
  const stem = join(dirname(output), basename(output, extname(output)))
  return { posterPath: `${stem}.poster.jpg`, previewPath: `${stem}.preview.webp` }
}

/**
 * Where the record of a video of a manifest goes, beside its MP4: `video.img2vid.json` (see
 * report/video-record.ts). It travels in the video's artifact, so that collect/ reads each video's
 * outputs, or its error, without probing anything.
 */
export function recordPath(output: string): string {
  return `${join(dirname(output), basename(output, extname(output)))}.img2vid.json`
}

/**
 * The formats a video is made in: one (the request's), or one per aspect ratio asked for, each
 * named and written as `<name>-<w>x<h>` beside the single-format output.
 */
export function formatsOf(spec: FormatSource): VideoFormat[] {
  if (spec.aspectRatios.length <= 1) return [{ name: spec.name, output: spec.output, aspectRatio: spec.aspectRatio }]
  const ext = extname(spec.output)
  const stem = spec.output.slice(0, spec.output.length - ext.length)
  return spec.aspectRatios.map(aspectRatio => {
    const { width, height } = canvasSize(aspectRatio, spec.resolution)
    return { name: `${spec.name}-${width}x${height}`, output: `${stem}-${width}x${height}${ext}`, aspectRatio }
  })
}

/** Every file a format writes: the MP4, and with previews the poster and preview. */
function filesOf(format: VideoFormat, previews: boolean): string[] {
  if (!previews) return [format.output]
  const p = previewPaths(format.output)
  return [format.output, p.posterPath, p.previewPath]
}

/**
 * The problems with what the videos would write, by their final names and paths: a file inside
 * `.git/` (the checkout's config, hooks and credentials: `.git/config` replaced by an MP4 breaks
 * every later git step, a hook runs code), and two videos (or formats) with the same name or the
 * same file — told apart regardless of letter case, as macOS and Windows runners' disks do.
 * `label(video)` says where a video's output was set.
 */
export function writtenFileProblems(
  videos: FormatSource[],
  opts: { roots: string[]; previews: boolean; records: boolean; label: (video: string) => string; fix: string }
): string[] {
  const problems: string[] = []
  const names = new Map<string, string>()
  const files = new Map<string, { video: string; file: string }>()
  const claim = (v: FormatSource, file: string, output: string): void => {
    const shown = shownPath(opts.roots, file)
    if (opts.roots.some(r => isInside(r, file) && inGitDir(r, file))) {
      problems.push(
        `${opts.label(v.name)}: '${shown}' is inside '.git/', which holds the checkout's configuration, hooks and credentials: write the video elsewhere, such as 'videos/${basename(output)}'.`
      )
      return
    }
    const other = files.get(file.toLowerCase())
    if (other) {
      const same =
        other.file === file
          ? `the same file ${shown}`
          : `${shownPath(opts.roots, other.file)} and ${shown}, one file on a disk that ignores letter case`
      problems.push(
        other.video === v.name
          ? `${opts.label(v.name)}: video '${v.name}' would write ${same} twice: ${opts.fix}`
          : `${opts.label(v.name)}: videos '${other.video}' and '${v.name}' write ${same}: ${opts.fix}`
      )
    }
    files.set(file.toLowerCase(), { video: v.name, file })
  }
  for (const v of videos) {
    for (const f of formatsOf(v)) {
      const otherName = names.get(f.name.toLowerCase())
      if (otherName !== undefined && otherName !== v.name) {
        problems.push(
          `${opts.label(v.name)}: videos '${otherName}' and '${v.name}' both make a video named '${f.name}' (a video in several formats is named '<name>-<width>x<height>'): rename one of them.`
        )
      }
      names.set(f.name.toLowerCase(), v.name)
      for (const file of filesOf(f, opts.previews)) claim(v, file, f.output)
    }
    if (opts.records) claim(v, recordPath(v.output), v.output)
  }
  return problems
}

/** A path as the user wrote it: relative to the workspace (or RUNNER_TEMP) it is in. */
function shownPath(roots: string[], path: string): string {
  const root = roots.find(r => isInside(r, path))
  return root === undefined ? path : relative(root, path) || path
}
