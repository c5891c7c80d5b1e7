// Artifact names: the service's rules and which artifact holds which video. getInputs checks the
// names up front and publish uses the same groups, without loading the artifact client.

// characters the artifact service refuses in names
const INVALID = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']
const SHOWN: Record<string, string> = { '\r': '\\r', '\n': '\\n' }

/** undefined when the name is valid, else a message naming the input and the characters. */
export function validateArtifactName(name: string): string | undefined {
  if (!name.trim()) return "Input 'artifact-name' is empty: give a name such as 'img2vid'."
  const bad = INVALID.filter(c => name.includes(c))
  if (bad.length) {
    return `Input 'artifact-name' ('${name.replace(/[\r\n]/g, ' ')}') contains ${bad.map(c => `'${SHOWN[c] ?? c}'`).join(', ')}, which the artifact service refuses: use letters, digits, '-', '_' and '.'.`
  }
  return undefined
}

/**
 * Which artifact holds which videos: one artifact for all, or with `perVideo` (a batch's
 * 'artifact-per-video') one each, named `<artifact-name>-<video name>`.
 */
export function artifactGroups(artifactName: string, perVideo: boolean, videoNames: string[]): { name: string; videos: string[] }[] {
  return perVideo ? videoNames.map(v => ({ name: `${artifactName}-${v}`, videos: [v] })) : [{ name: artifactName, videos: videoNames }]
}

/** The artifact name when 'artifact-name' is empty. */
export const DEFAULT_ARTIFACT_NAME = 'img2vid'

/**
 * A job of a matrix ('only') names its artifact after its first video, `img2vid-<name>`: the jobs'
 * names differ (a plan hands each video to one job), so no job replaces another's artifact, and
 * collect/ finds them all by JOB_ARTIFACTS.
 */
export function defaultArtifactName(only?: string[]): string {
  return only?.length ? `${DEFAULT_ARTIFACT_NAME}-${only[0]}` : DEFAULT_ARTIFACT_NAME
}

/** What collect/ downloads by default: the artifacts of the jobs of a matrix (and per-video ones). */
export const JOB_ARTIFACTS = `${DEFAULT_ARTIFACT_NAME}-*`

/**
 * The video a job's artifact is named after (defaultArtifactName read back: `img2vid-<name>`), or
 * undefined for any other name. A job's artifact holds its first video and the ones after it in
 * the plan; collect/ accepts from it no video listed before that one.
 */
export function videoOfJobArtifact(name: string): string | undefined {
  const prefix = `${DEFAULT_ARTIFACT_NAME}-`
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined
}
