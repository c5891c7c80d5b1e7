// getInputs(): every input name in one place, typed and validated. All problems are reported
// together, each naming the input (or manifest entry and key) and the fix, before any request.
import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import { entryLabels, MAX_PLANNED_VIDEOS, MAX_VIDEOS, parseManifest } from './manifest.js'
import { isInside, isLoopbackHost } from '../shared/guards.js'
import { artifactGroups, defaultArtifactName, validateArtifactName } from '../shared/artifact-names.js'
import { caseVariants, readWorkspaceText, realDir, realOutputPath } from './workspace-paths.js'
import { writtenFileProblems } from './video-files.js'
import {
  LOUDNESS,
  type AspectRatio,
  type BackendChoice,
  type BackendName,
  type Fit,
  type Loudness,
  type Resolution,
  type Transition
} from '../shared/options.js'
import { log } from '../shared/log.js'
import {
  DEFAULT_OUTPUT,
  DEFAULTS,
  Input,
  kindOf,
  VIDEO_KEYS,
  withDefaults,
  type InputName,
  type InputOfKind,
  type WordOf
} from '../shared/contract.js'
import { InputError, inputLabel, type Label } from './errors.js'

export const DEFAULT_API_URL = 'https://mega-api-prod.nemovideo.ai'

/** Limits on the files the inputs name. */
const MAX_PROMPT_FILE_BYTES = 64 * 1024
const MAX_MANIFEST_BYTES = 1024 * 1024

/** One video to make. */
export interface VideoSpec {
  /** the manifest entry's name; for a single video, the output's file name without extension */
  name: string
  /** glob patterns, in the order given */
  images: string[]
  prompt: string
  duration?: number
  /** the first of `aspectRatios`: the format the prompt is written for */
  aspectRatio?: AspectRatio
  /** every format asked for, in order (empty: unspecified); more than one makes a video each */
  aspectRatios: AspectRatio[]
  resolution: Resolution
  transition?: Transition
  /** local backend: photo framing and the colour behind it */
  fit: Fit
  background: string
  title?: string
  /** each photo's caption, in the order the photos are shown ('': none); undefined: no captions */
  captions?: string[]
  /** an audio file (absolute path) or a description */
  music?: { file: string } | { description: string }
  /** local backend: the music's loudness in LUFS, or 'off' */
  loudness: Loudness
  language: string
  /** absolute path */
  output: string
  /** how problems name this video's values (its images, its music): the input, or its manifest key's file:line */
  label: Label
}

/** What a release is created with when its tag has none ('create-release'). */
export interface NewRelease {
  tag: string
  /** the release's title; empty: the tag */
  name: string
  draft: boolean
  prerelease: boolean
  /** GitHub's generated notes (the changes since the previous release) as the body */
  generateNotes: boolean
  /** where a tag that does not exist yet is made: the run's commit */
  target?: string
}

export interface Inputs {
  videos: VideoSpec[]
  /** true when the videos come from a manifest */
  batch: boolean
  /**
   * With 'only' (one job of a matrix): every video name of the manifest, in order. Each job's
   * release-notes block then keeps the other jobs' videos and lists them all in this order.
   */
  manifestOrder?: string[]
  /** each video's record goes beside its MP4 into its artifact (a manifest uploaded as artifacts) */
  records: boolean
  backend: BackendName
  /** why this backend: what 'backend' said, or for 'auto' whether a token was given */
  backendReason: string
  token: string
  allowAnonymous: boolean
  apiUrl: URL
  clientId: string
  uploadArtifact: boolean
  artifactName: string
  artifactPerVideo: boolean
  retentionDays?: number
  releaseTag: string
  /** with releaseTag: the release to create when the tag has none ('create-release') */
  createRelease?: NewRelease
  overwrite: boolean
  githubToken: string
  timeoutMinutes: number
  pollInterval: number
  ffmpegPath: string
  /** a missing ffmpeg or CJK font may be installed with apt on a GitHub-hosted Linux runner */
  installMissing: boolean
  maxParallel: number
  failFast: boolean
  /** a poster JPEG and a looping WebP preview beside each MP4 */
  previews: boolean
  /** 'append': the poster, linking to the MP4, in the release body between markers */
  releaseNotes: 'none' | 'append'
  /** keep finished videos in the Actions cache under their content key, and restore them instead of rendering */
  cache: boolean
  /** 'cache: true' was given (not 'auto') */
  cacheExplicit: boolean
  workspace: string
  tempDir: string
}

const AUDIO_EXT = /\.(mp3|wav|m4a|aac)$/i

/** Split on newlines and on commas outside `{…}` so brace globs like `*.{jpg,png}` survive. */
export function splitPatterns(raw: string): string[] {
  const out: string[] = []
  for (const line of raw.split(/\r?\n/)) {
    let depth = 0
    let cur = ''
    for (const ch of line) {
      if (ch === '{') depth++
      if (ch === '}') depth = Math.max(0, depth - 1)
      if (ch === ',' && depth === 0) {
        out.push(cur)
        cur = ''
      } else cur += ch
    }
    out.push(cur)
  }
  return out.map(p => p.trim()).filter(p => p !== '')
}

/** Reads and checks values; `label(name)` says where a value came from in messages. */
export class Reader {
  readonly problems: string[] = []
  constructor(
    readonly get: (name: string) => string,
    readonly label: Label = inputLabel,
    /** how two inputs set together are named, e.g. "Input 'prompt' and 'prompt-file'" */
    readonly labelBoth: (a: string, b: string) => string = (a, b) => `Input '${a}' and '${b}'`
  ) {}

  fail(name: string, text: string): void {
    this.problems.push(`${this.label(name)}${text.startsWith(':') ? '' : ' '}${text}`)
  }

  // an empty value is unset: the reader's `get` has already put an action.yml default in its place
  oneOf<N extends InputOfKind<'word'>>(name: N): WordOf<N> | undefined {
    const allowed = wordsOf(name) as readonly WordOf<N>[]
    const v = this.get(name).trim()
    if (v === '') return undefined
    const hit = allowed.find(a => a.toLowerCase() === v.toLowerCase())
    if (!hit) this.fail(name, `must be one of ${allowed.join(', ')} (got '${v}').`)
    return hit
  }

  /** A list of allowed words, comma- or space-separated; repeats dropped. */
  someOf<N extends InputOfKind<'words'>>(name: N): WordOf<N>[] {
    const allowed = wordsOf(name) as readonly WordOf<N>[]
    const out: WordOf<N>[] = []
    for (const v of this.get(name)
      .split(/[\s,]+/)
      .filter(Boolean)) {
      const hit = allowed.find(a => a.toLowerCase() === v.toLowerCase())
      if (!hit) this.fail(name, `must be one of ${allowed.join(', ')} (got '${v}'); for several, separate them with commas.`)
      else if (!out.includes(hit)) out.push(hit)
    }
    return out
  }

  bool(name: InputOfKind<'flag'>): boolean {
    const v = this.get(name).trim().toLowerCase()
    if (v === '') return false
    if (['true', 'yes', 'on', '1'].includes(v)) return true
    if (['false', 'no', 'off', '0'].includes(v)) return false
    this.fail(name, `must be true or false (got '${this.get(name)}').`)
    return false
  }

  /** A loudness in LUFS (a negative number in LOUDNESS's range) or 'off'. */
  loudness(name: InputOfKind<'loudness'>): Loudness {
    const v = this.get(name).trim()
    if (v === '') return LOUDNESS.default
    if (['off', 'false', 'none'].includes(v.toLowerCase())) return 'off'
    const n = /^[+-]?(\d+(\.\d*)?|\.\d+)(\s*lufs)?$/i.test(v) ? Number.parseFloat(v) : NaN
    if (Number.isFinite(n) && n >= LOUDNESS.min && n <= LOUDNESS.max) return n
    // a loudness is negative: '14' is almost surely -14
    const hint = Number.isFinite(n) && -n >= LOUDNESS.min && -n <= LOUDNESS.max ? ` (a loudness is negative: did you mean ${-n}?)` : ''
    this.fail(
      name,
      `must be the music's loudness in LUFS, from ${LOUDNESS.min} to ${LOUDNESS.max} (${LOUDNESS.default}, the default, is what the platforms play at), or 'off' to keep the music as it is (got '${v}')${hint}.`
    )
    return LOUDNESS.default
  }

  /** A number in the input's range (the contract's); empty, or the kind's `or` word: undefined. */
  number(name: InputOfKind<'number'>): number | undefined {
    const kind = kindOf(name)
    if (kind.type !== 'number') throw new TypeError(`input '${name}' is not a number`)
    const v = this.get(name).trim()
    if (v === '' || (kind.or !== undefined && v.toLowerCase() === kind.or)) return undefined
    // decimal digits only: Number() would also read '0x10' as 16 and '1e2' as 100
    const n = /^(\d+(\.\d*)?|\.\d+)$/.test(v) ? Number(v) : NaN
    if (!Number.isFinite(n) || n < kind.min || n > kind.max || (kind.integer && !Number.isInteger(n))) {
      const what = `${kind.integer ? 'a whole number' : 'a number'} of ${kind.unit} from ${kind.min} to ${kind.max}`
      this.fail(name, `must be ${kind.or ? `'${kind.or}' or ` : ''}${what} (got '${v}').`)
      return undefined
    }
    return n
  }
}

/** The words of a 'word' or 'words' input, from the contract. */
/** More captions than this is no video's: a video is made of at most as many photos. */
const MAX_CAPTIONS = 1000

/** The captions, one a line (trailing empty lines dropped), or undefined when none is given. */
function readCaptions(r: Reader): string[] | undefined {
  const raw = r.get(Input.captions)
  if (!raw.trim()) return undefined
  const lines = raw.split(/\r?\n/).map(l => l.trim())
  while (lines.at(-1) === '') lines.pop()
  if (lines.length > MAX_CAPTIONS) {
    r.fail(Input.captions, `has ${lines.length} lines, more than ${MAX_CAPTIONS}: give one line per photo.`)
    return undefined
  }
  return lines
}

function wordsOf(name: InputName): readonly string[] {
  const kind = kindOf(name)
  if (kind.type !== 'word' && kind.type !== 'words') throw new TypeError(`input '${name}' takes no words`)
  return kind.words
}

function readVideo(
  r: Reader,
  dirs: { workspace: string; tempDir: string },
  entry?: { name: string; sets: (key: string) => boolean }
): VideoSpec {
  const { workspace, tempDir } = dirs
  const name = entry?.name
  const images = splitPatterns(r.get(Input.images))
  if (images.length === 0) {
    r.fail(
      Input.images,
      entry
        ? `is required: give the video an 'images' key, or set the '${Input.images}' input for videos without one (glob patterns such as 'photos/*.jpg').`
        : `is required: give glob patterns of the images, e.g. 'photos/*.jpg'.`
    )
  }

  // prompt / prompt-file: exactly one
  const promptText = r.get(Input.prompt)
  const promptFile = r.get(Input.promptFile).trim()
  let prompt = ''
  if (promptText.trim() && promptFile) {
    r.problems.push(`${r.labelBoth(Input.prompt, Input.promptFile)} are both set: keep exactly one of them.`)
  } else if (promptFile) {
    const read = readWorkspaceText(workspace, promptFile, MAX_PROMPT_FILE_BYTES)
    if ('problem' in read) r.fail(Input.promptFile, read.problem)
    else if ((prompt = read.text).trim() === '') r.fail(Input.promptFile, `: '${promptFile}' is empty.`)
  } else if (promptText.trim()) {
    prompt = promptText
  } else {
    r.problems.push(`${r.label(Input.prompt)} is empty: set '${Input.prompt}' or '${Input.promptFile}', the instruction for the video.`)
  }

  const duration = r.number(Input.duration)
  const aspectRatios = r.someOf(Input.aspectRatio)
  const resolution = r.oneOf(Input.resolution) as Resolution
  const transition = r.oneOf(Input.transition)
  const fit = r.oneOf(Input.fit) as Fit
  const background = r.get(Input.background).trim()
  if (!/^(#[0-9a-fA-F]{6}|[a-zA-Z]{3,20})$/.test(background))
    r.fail(Input.background, `must be a colour name such as 'white' or '#RRGGBB' (got '${background}').`)
  const title = r.get(Input.title).trim() || undefined
  const captions = readCaptions(r)
  const language = r.get(Input.language).trim()
  const loudness = r.loudness(Input.loudness)

  // music: a file in the workspace, or (cloud only) a description
  let music: VideoSpec['music']
  const musicRaw = r.get(Input.music).trim()
  if (musicRaw) {
    let path = resolve(workspace, musicRaw)
    const looksLikePath = AUDIO_EXT.test(musicRaw) || /[\\/]/.test(musicRaw)
    const variants = existsSync(path) ? { others: [] } : caseVariants(path)
    if (variants.same) path = variants.same
    if (existsSync(path) && statSync(path).isFile()) {
      if (!isInside(workspace, path)) r.fail(Input.music, `must be inside the workspace (got '${musicRaw}').`)
      else music = { file: path }
    } else if (looksLikePath) {
      r.fail(
        Input.music,
        `: no audio file at '${musicRaw}' (relative to the workspace).${variants.others.length ? ` A file differs only in letter case: '${variants.others[0]}'.` : ''} Give an mp3, wav, m4a or aac file, or a description such as 'lo-fi' for the cloud backend.`
      )
    } else {
      music = { description: musicRaw }
    }
  }

  // output: a file path; with a manifest also a folder ('out/') or a pattern ('out/{name}.mp4').
  // Its real path (links resolved) must be inside the workspace or the runner's temp dir.
  const given = r.get(Input.output).trim()
  let outputRaw = given || DEFAULT_OUTPUT
  if (name !== undefined) {
    if (outputRaw === DEFAULT_OUTPUT && !entry?.sets(Input.output)) outputRaw = `${name}.mp4`
    else if (outputRaw.endsWith('/')) outputRaw = `${outputRaw}${name}.mp4`
    else outputRaw = outputRaw.replaceAll('{name}', name)
  } else if (outputRaw.endsWith('/') || outputRaw.endsWith('\\')) {
    r.fail(Input.output, `ends in '/': give the MP4's file path, such as 'out/promo.mp4' (a folder is only for a manifest).`)
  } else if (outputRaw.includes('{name}')) {
    r.fail(Input.output, `uses '{name}', which works only with a manifest: give the MP4's file path, such as 'out/promo.mp4'.`)
  }
  let output = resolve(workspace, outputRaw)
  if (!isInside(workspace, output) && !isInside(tempDir, output)) {
    r.fail(Input.output, `must resolve inside the workspace or RUNNER_TEMP (got '${outputRaw}' → ${output}).`)
  } else {
    const real = realOutputPath(output)
    if (!isInside(workspace, real) && !isInside(tempDir, real)) {
      r.fail(
        Input.output,
        `must resolve inside the workspace or RUNNER_TEMP: '${outputRaw}' goes through a link to ${real}. Write to a folder that is not a link.`
      )
    } else if (existsSync(real) && statSync(real).isDirectory()) {
      r.fail(Input.output, `is a directory ('${outputRaw}'): give a file path such as 'out/promo.mp4'.`)
    }
    output = real
  }

  return {
    name: name ?? basename(output, extname(output)),
    images,
    prompt,
    duration,
    aspectRatio: aspectRatios[0],
    aspectRatios,
    resolution,
    transition,
    fit,
    background,
    title,
    captions,
    music,
    loudness,
    language,
    output,
    label: r.label
  }
}

/**
 * 'only': the names of the manifest's videos this step makes (a job of a matrix), as the plan
 * hands them out: one name, or several separated by commas, spaces or lines, or a JSON array.
 */
function readOnly(r: Reader): string[] | undefined {
  const raw = r.get(Input.only).trim()
  if (!raw) return undefined
  let names: string[]
  if (raw.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(raw)
      if (!Array.isArray(parsed) || !parsed.every(n => typeof n === 'string')) throw new Error('not a list of names')
      names = parsed.map(n => n.trim()).filter(Boolean)
    } catch {
      r.fail(
        Input.only,
        `starts with '[' but is not a JSON array of names (got '${raw.slice(0, 80)}'): give names separated by commas, or the plan's 'matrix' value.`
      )
      return []
    }
  } else names = raw.split(/[\s,]+/).filter(Boolean)
  const unique = [...new Set(names)]
  if (unique.length > MAX_VIDEOS)
    r.fail(Input.only, `names ${unique.length} videos; one step renders at most ${MAX_VIDEOS}: give the plan a smaller 'per-job'.`)
  return unique
}

/**
 * The videos of a manifest, each entry's keys over the step's inputs. With `only`, those videos
 * alone (a job of a matrix), from a manifest that may hold up to MAX_PLANNED_VIDEOS; `planned`:
 * every video of such a manifest (the plan checks them all). `order` is every name, in order.
 */
export function readManifestVideos(
  r: Reader,
  dirs: { workspace: string; tempDir: string },
  manifestPath: string,
  opts: { only?: string[]; planned: boolean }
): { videos: VideoSpec[]; order: string[] } {
  const read = readWorkspaceText(dirs.workspace, manifestPath, MAX_MANIFEST_BYTES)
  if ('problem' in read) {
    r.fail(Input.manifest, read.problem)
    return { videos: [], order: [] }
  }
  const part = opts.planned || opts.only !== undefined
  const manifest = parseManifest(read.text, VIDEO_KEYS, manifestPath, {
    max: part ? MAX_PLANNED_VIDEOS : MAX_VIDEOS,
    planned: part
  })
  r.problems.push(...manifest.problems)
  const order = manifest.entries.map(e => e.name)
  let entries = manifest.entries
  const only = opts.only
  if (only) {
    entries = entries.filter(e => only.includes(e.name))
    const unknown = only.filter(n => !order.includes(n))
    if (unknown.length && manifest.problems.length === 0) {
      const listed =
        order.length > 20
          ? `${order
              .slice(0, 20)
              .map(n => `'${n}'`)
              .join(', ')}, … (${order.length} in all)`
          : order.map(n => `'${n}'`).join(', ')
      r.fail(
        Input.only,
        `names ${unknown.length === 1 ? 'no video' : `${unknown.length} names that are no video`} of ${manifestPath} (${unknown
          .slice(0, 5)
          .map(n => `'${n}'`)
          .join(', ')}${unknown.length > 5 ? ', …' : ''}; the names are ${listed}).`
      )
    }
  }
  const videos: VideoSpec[] = []
  for (const e of entries) {
    const sets = (key: string): boolean => key in e.values
    // an entry's own prompt or prompt-file replaces both fallbacks
    const ownPrompt = sets(Input.prompt) || sets(Input.promptFile)
    const labels = entryLabels(manifestPath, e)
    const entryReader = new Reader(
      withDefaults(
        name => (sets(name) ? e.values[name] : ownPrompt && (name === Input.prompt || name === Input.promptFile) ? '' : r.get(name)),
        DEFAULTS
      ),
      labels.label,
      labels.both
    )
    videos.push(readVideo(entryReader, dirs, { name: e.name, sets }))
    r.problems.push(...entryReader.problems)
  }
  return { videos, order }
}

/** 'create-release' and the new release's settings (main and collect read the same inputs). */
export function readNewRelease(r: Reader, tag: string): NewRelease | undefined {
  const create = r.bool(Input.createRelease)
  const settings = {
    name: r.get(Input.releaseName).trim(),
    draft: r.bool(Input.releaseDraft),
    prerelease: r.bool(Input.releasePrerelease),
    generateNotes: r.bool(Input.releaseGenerateNotes)
  }
  if (!create) {
    const set = ([Input.releaseName, Input.releaseDraft, Input.releasePrerelease, Input.releaseGenerateNotes] as const).filter(
      n => r.get(n).trim() !== (DEFAULTS[n] ?? '')
    )
    if (set.length)
      log.warning(
        `${set.map(n => `'${n}'`).join(', ')} ${set.length === 1 ? 'applies' : 'apply'} only with 'create-release: true': ignored.`
      )
    return undefined
  }
  if (!tag) {
    r.fail(
      Input.createRelease,
      `needs '${Input.releaseTag}': the tag whose release is created when it has none (such as \${{ github.ref_name }} on a tag push).`
    )
    return undefined
  }
  return { tag, ...settings, target: process.env.GITHUB_SHA || undefined }
}

/** The files the videos write, by their final names and paths, checked together (see video-files.ts). */
export function writtenFilesProblems(
  videos: VideoSpec[],
  opts: { workspace: string; tempDir: string; manifestPath: string; previews: boolean; records: boolean }
): string[] {
  return writtenFileProblems(videos, {
    roots: [opts.workspace, opts.tempDir],
    previews: opts.previews,
    records: opts.records,
    label: () => (opts.manifestPath ? opts.manifestPath : `Input '${Input.output}'`),
    fix: opts.manifestPath
      ? `give each its own 'output', or set the '${Input.output}' input to a folder ending in '/' or a pattern such as 'videos/{name}.mp4'.`
      : `give another 'output'.`
  })
}

export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  const r = new Reader(withDefaults(name => core.getInput(name), DEFAULTS))
  // real paths: a workspace reached through a link (self-hosted runners) holds the same files
  const workspace = realDir(env.GITHUB_WORKSPACE || process.cwd())
  const tempDir = realDir(env.RUNNER_TEMP || (env.TMPDIR ?? '/tmp'))
  const dirs = { workspace, tempDir }

  // the videos: one from the inputs, or one per manifest entry (unset keys fall back to the inputs)
  const manifestPath = r.get(Input.manifest).trim()
  const only = readOnly(r)
  let videos: VideoSpec[]
  let manifestOrder: string[] | undefined
  if (manifestPath) {
    const read = readManifestVideos(r, dirs, manifestPath, { only, planned: false })
    videos = read.videos
    if (only) manifestOrder = read.order
  } else {
    if (only) r.fail(Input.only, `needs a '${Input.manifest}' to choose from.`)
    videos = [readVideo(r, dirs)]
  }

  // NemoVideo connection: header values are one line of visible characters
  const fromInput = r.get(Input.token).trim()
  const token = fromInput || (env.NEMO_TOKEN ?? '').trim()
  if (token) core.setSecret(token)
  const tokenSource = fromInput ? `input '${Input.token}'` : 'env NEMO_TOKEN'
  const badChar = (v: string): number => v.search(/[^\x21-\x7e]/)
  if (token && badChar(token) >= 0) {
    r.problems.push(
      `The NemoVideo token (${tokenSource}) holds a line break, a space or another character an HTTP header cannot carry (at character ${badChar(token) + 1}): store the secret as a single line.`
    )
  }
  const allowAnonymous = r.bool(Input.allowAnonymous)

  // backend: auto is the cloud when a token is given (or anonymous use is allowed), else local
  const choice = r.oneOf(Input.backend) as BackendChoice
  let backend: BackendName
  let backendReason: string
  if (choice !== 'auto') [backend, backendReason] = [choice, `input '${Input.backend}' is ${choice}`]
  else if (token) [backend, backendReason] = ['nemo', `token from ${tokenSource}`]
  else if (allowAnonymous) [backend, backendReason] = ['nemo', `no token given; '${Input.allowAnonymous}: true' fetches an anonymous one`]
  else [backend, backendReason] = ['local', `no NemoVideo token given`]
  if (backend === 'nemo' && !token && !allowAnonymous) {
    r.problems.push(
      `No NemoVideo token: set the '${Input.token}' input (or env NEMO_TOKEN) from a secret, set '${Input.allowAnonymous}: true' to upload the images with an anonymous token, or use 'backend: local'.`
    )
  }
  const apiRaw = r.get(Input.apiUrl).trim() || (env.NEMO_API_URL ?? '').trim() || DEFAULT_API_URL
  let apiUrl = new URL(DEFAULT_API_URL)
  try {
    apiUrl = new URL(apiRaw)
    if (apiUrl.protocol !== 'https:' && !(apiUrl.protocol === 'http:' && isLoopbackHost(apiUrl.hostname))) {
      r.fail(Input.apiUrl, `must be an https URL (http only for loopback hosts); got '${apiUrl.origin}'.`)
    }
    if (apiUrl.username || apiUrl.password) r.fail(Input.apiUrl, `must not carry credentials; pass the token in '${Input.token}'.`)
    else if (apiUrl.pathname !== '/' || apiUrl.search || apiUrl.hash) {
      r.fail(
        Input.apiUrl,
        `must be the API's origin only, such as ${DEFAULT_API_URL} (got '${apiRaw}'): the action adds the API paths itself, so a path, query or fragment would be dropped.`
      )
    }
  } catch {
    r.fail(Input.apiUrl, `is not a URL (got '${apiRaw}').`)
  }
  const clientId = r.get(Input.clientId).trim() || (env.NEMO_CLIENT_ID ?? '').trim() || randomUUID()
  if (clientId.length > 64) r.fail(Input.clientId, `must be at most 64 characters (got ${clientId.length}).`)
  else if (badChar(clientId) >= 0) {
    r.fail(
      Input.clientId,
      `holds a line break, a space or another character an HTTP header cannot carry (at character ${badChar(clientId) + 1}): use letters, digits and '-'.`
    )
  }

  // publishing
  const uploadArtifact = r.bool(Input.uploadArtifact)
  const artifactName = r.get(Input.artifactName).trim() || defaultArtifactName(only)
  // a manifest's videos each carry a record in their artifact, for collect/
  const records = !!manifestPath && uploadArtifact
  const artifactPerVideo = r.bool(Input.artifactPerVideo)
  if (uploadArtifact) {
    for (const group of artifactGroups(
      artifactName,
      artifactPerVideo && !!manifestPath,
      videos.map(v => v.name)
    )) {
      const bad = validateArtifactName(group.name)
      if (bad) r.problems.push(bad)
    }
  }
  const retentionDays = r.number(Input.retentionDays)
  const releaseTag = r.get(Input.releaseTag).trim()
  const createRelease = readNewRelease(r, releaseTag)
  const overwrite = r.bool(Input.overwrite)
  const githubToken = r.get(Input.githubToken).trim()
  if (githubToken) core.setSecret(githubToken)

  const timeoutMinutes = r.number(Input.timeoutMinutes) as number
  const pollInterval = r.number(Input.pollInterval) as number
  const ffmpegPath = r.get(Input.ffmpegPath).trim()
  const installMissing = r.bool(Input.installMissing)
  const maxParallel = r.number(Input.maxParallel) as number
  const failFast = r.bool(Input.failFast)
  const previews = r.bool(Input.previews)
  const releaseNotes = r.oneOf(Input.releaseNotes) as 'none' | 'append'

  // the files the videos write, by their final names and paths (each format's, the previews)
  r.problems.push(...writtenFilesProblems(videos, { workspace, tempDir, manifestPath, previews, records }))

  // cache: auto is on for the cloud (a render costs credits), off for local (a render costs a
  // minute of CPU), and off on a release event: a run reads the default branch's entries, so anyone
  // who can save one there (a test job's compromised dependency, a pull_request_target job running
  // PR code) would reach every release; 'cache: true' still turns it on, and the log says so
  const cacheChoice = r.oneOf(Input.cache) as 'auto' | 'true' | 'false'
  const release = env.GITHUB_EVENT_NAME === 'release'
  const cache = cacheChoice === 'auto' ? backend === 'nemo' && !release : cacheChoice === 'true'

  if (r.problems.length) throw new InputError(r.problems)
  // the cloud mixes its own sound track: say once that a loudness other than the default is not applied
  const loudnessSet = videos.find(v => v.loudness !== LOUDNESS.default && v.music)
  if (backend === 'nemo' && loudnessSet)
    log.info(
      `Input '${Input.loudness}' (${loudnessSet.loudness}) applies to the local backend only: the NemoVideo cloud mixes the sound track itself, and its level is left as it is.`
    )
  if (release && cacheChoice === 'auto' && backend === 'nemo') {
    log.info(
      `Cache: off on a release event ('cache: auto'): the release's video is rendered, never restored from an entry another run saved. Set 'cache: true' to restore anyway.`
    )
  } else if (release && cache) {
    log.info(
      `Cache: on for a release event, as 'cache: true' asks: an entry saved by another run of this branch or the default branch may be restored (checked, but made by whoever could save it) instead of rendered.`
    )
  }
  return {
    videos,
    batch: !!manifestPath,
    manifestOrder,
    records,
    backend,
    backendReason,
    token,
    allowAnonymous,
    apiUrl,
    clientId,
    uploadArtifact,
    artifactName,
    artifactPerVideo,
    retentionDays,
    releaseTag,
    createRelease,
    overwrite,
    githubToken,
    timeoutMinutes,
    pollInterval,
    ffmpegPath,
    installMissing,
    maxParallel,
    failFast,
    previews,
    releaseNotes,
    cache,
    cacheExplicit: cacheChoice === 'true',
    workspace,
    tempDir
  }
}
