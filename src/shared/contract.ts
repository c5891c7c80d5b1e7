// The three actions' contract with their action.yml files, named once (as actions/cache keeps
// Inputs and Outputs): each input's name and plain default, each output's name. The code reads and
// sets only these names, an empty input reads as its default through `withDefaults`, and
// test/unit/action-contract.test.ts holds every action.yml to these tables.
import { DEFAULT_ARTIFACT_NAME, JOB_ARTIFACTS } from './artifact-names.js'

export const Input = {
  images: 'images',
  prompt: 'prompt',
  promptFile: 'prompt-file',
  duration: 'duration',
  aspectRatio: 'aspect-ratio',
  resolution: 'resolution',
  transition: 'transition',
  fit: 'fit',
  background: 'background',
  title: 'title',
  music: 'music',
  loudness: 'loudness',
  language: 'language',
  output: 'output',
  backend: 'backend',
  token: 'token',
  allowAnonymous: 'allow-anonymous',
  apiUrl: 'api-url',
  clientId: 'client-id',
  uploadArtifact: 'upload-artifact',
  artifactName: 'artifact-name',
  retentionDays: 'retention-days',
  releaseTag: 'release-tag',
  overwrite: 'overwrite',
  githubToken: 'github-token',
  timeoutMinutes: 'timeout-minutes',
  pollInterval: 'poll-interval',
  ffmpegPath: 'ffmpeg-path',
  manifest: 'manifest',
  only: 'only',
  maxParallel: 'max-parallel',
  failFast: 'fail-fast',
  previews: 'previews',
  releaseNotes: 'release-notes',
  artifactPerVideo: 'artifact-per-video',
  cache: 'cache',
  installMissing: 'install-missing'
} as const
export type InputName = (typeof Input)[keyof typeof Input]

/** The inputs a manifest entry may set for its own video; the rest apply to the whole run. */
export const VIDEO_KEYS: readonly InputName[] = [
  Input.images,
  Input.prompt,
  Input.promptFile,
  Input.duration,
  Input.aspectRatio,
  Input.resolution,
  Input.transition,
  Input.fit,
  Input.background,
  Input.title,
  Input.music,
  Input.loudness,
  Input.language,
  Input.output
]

/** action.yml's default for 'output'; with a manifest it means "each video writes <name>.mp4". */
export const DEFAULT_OUTPUT = 'img2vid.mp4'

/** The main action's plain defaults: what an empty input means. */
export const DEFAULTS: Partial<Record<InputName, string>> = {
  [Input.resolution]: '1080p',
  [Input.fit]: 'auto',
  [Input.background]: 'black',
  [Input.loudness]: '-14',
  [Input.backend]: 'auto',
  [Input.allowAnonymous]: 'false',
  [Input.language]: 'en',
  [Input.output]: DEFAULT_OUTPUT,
  [Input.uploadArtifact]: 'true',
  [Input.overwrite]: 'true',
  [Input.timeoutMinutes]: '20',
  [Input.pollInterval]: '10',
  [Input.installMissing]: 'true',
  [Input.maxParallel]: '2',
  [Input.failFast]: 'false',
  [Input.previews]: 'true',
  [Input.releaseNotes]: 'none',
  [Input.artifactPerVideo]: 'false',
  [Input.cache]: 'auto'
}

/**
 * Defaults that are expressions the runner evaluates before the action starts: the code never
 * sees them as written, so they are not in the tables of plain defaults.
 */
export const EXPRESSION_DEFAULTS: Readonly<Record<string, string>> = { [Input.githubToken]: '${{ github.token }}' }

/** The main action's outputs. */
export const Output = {
  videoPath: 'video-path',
  videoUrl: 'video-url',
  duration: 'duration',
  width: 'width',
  height: 'height',
  size: 'size',
  sha256: 'sha256',
  sessionId: 'session-id',
  renderId: 'render-id',
  timeline: 'timeline',
  creditsAvailable: 'credits-available',
  artifactId: 'artifact-id',
  artifactUrl: 'artifact-url',
  releaseAssetUrl: 'release-asset-url',
  posterPath: 'poster-path',
  previewPath: 'preview-path',
  cacheHit: 'cache-hit',
  backend: 'backend',
  videos: 'videos'
} as const
export type OutputName = (typeof Output)[keyof typeof Output]
/** One video's outputs: the step's for a single video, each entry's of `videos` for a manifest. */
export type VideoOutputName = Exclude<OutputName, 'backend' | 'videos'>

/** plan/action.yml: the manifest, per-job, and the fallbacks the render jobs give. */
export const PlanInput = { perJob: 'per-job' } as const
export const PLAN_INPUTS: readonly string[] = [Input.manifest, PlanInput.perJob, ...VIDEO_KEYS, Input.previews, Input.uploadArtifact]
export const PLAN_DEFAULTS: Readonly<Record<string, string>> = {
  [PlanInput.perJob]: 'auto',
  ...Object.fromEntries(PLAN_INPUTS.flatMap(k => (k in DEFAULTS ? [[k, DEFAULTS[k as InputName] as string]] : [])))
}
export const PlanOutput = { matrix: 'matrix', names: 'names', count: 'count', jobs: 'jobs' } as const

/** collect/action.yml. */
export const CollectInput = {
  names: 'names',
  pattern: 'pattern',
  path: 'path',
  merge: 'merge',
  mergedName: 'merged-name',
  deleteMerged: 'delete-merged',
  retentionDays: Input.retentionDays,
  releaseTag: Input.releaseTag,
  releaseNotes: Input.releaseNotes,
  overwrite: Input.overwrite,
  githubToken: Input.githubToken
} as const
/** Where the artifacts are downloaded when 'path' is empty: a folder of the workspace. */
export const DEFAULT_COLLECT_PATH = 'img2vid-videos'
export const COLLECT_DEFAULTS: Readonly<Record<string, string>> = {
  [CollectInput.pattern]: JOB_ARTIFACTS,
  [CollectInput.path]: DEFAULT_COLLECT_PATH,
  [CollectInput.merge]: 'false',
  [CollectInput.mergedName]: DEFAULT_ARTIFACT_NAME,
  [CollectInput.deleteMerged]: 'false',
  [CollectInput.releaseNotes]: DEFAULTS[Input.releaseNotes] as string,
  [CollectInput.overwrite]: DEFAULTS[Input.overwrite] as string
}
/** collect's own outputs; it sets the main action's batch outputs too (COLLECT_SHARED_OUTPUTS). */
export const CollectOutput = { count: 'count', failed: 'failed', path: 'path' } as const
export const COLLECT_SHARED_OUTPUTS = [
  Output.videos,
  Output.backend,
  Output.artifactId,
  Output.artifactUrl,
  Output.cacheHit,
  Output.creditsAvailable
] as const

/** An input read through its action's defaults: empty means the default, as the runner sets it. */
export function withDefaults(
  get: (name: string) => string,
  defaults: Readonly<Record<string, string | undefined>>
): (name: string) => string {
  return name => {
    const v = get(name)
    return v.trim() === '' ? (defaults[name] ?? v) : v
  }
}
