// Installing a Debian/Ubuntu package on a GitHub-hosted Linux runner (ffmpeg, a CJK font): the one
// place apt-get runs.
import * as io from '@actions/io'
import { log } from './log.js'
import { runTool } from './tool-process.js'

/**
 * Whether the action may install what a run needs and the runner lacks (input 'install-missing').
 * What a run needs can follow from untrusted text (a CJK character in a pull request's title needs
 * a CJK font), so a workflow can turn installs off; every install goes through aptInstall, which
 * cannot be called without this.
 */
export interface InstallPolicy {
  installMissing: boolean
}

/** What an error adds when a missing tool was not installed because the policy said no. */
export const notInstalledHint = (policy: InstallPolicy): string =>
  policy.installMissing ? '' : " (input 'install-missing' is false, so the action installed nothing)"

/**
 * On a GitHub-hosted Linux runner (passwordless sudo), installs a Debian/Ubuntu package with apt,
 * which checks its signature; elsewhere, or when the policy says no, does nothing. True when
 * apt-get succeeded.
 */
export async function aptInstall(pkg: string, why: string, policy: InstallPolicy): Promise<boolean> {
  if (!policy.installMissing) {
    log.info(`${why}; not installing the ${pkg} package: input 'install-missing' is false.`)
    return false
  }
  if (process.platform !== 'linux' || process.env.GITHUB_ACTIONS !== 'true' || !(await io.which('apt-get', false))) return false
  log.info(`${why}; installing Debian/Ubuntu's ${pkg} package (signature-checked by apt).`)
  const [cmd, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get']
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    await runTool(cmd, [...pre, 'update', '-qq'], { env })
    await runTool(cmd, [...pre, 'install', '-y', '-qq', '--no-install-recommends', pkg], { env })
    return true
  } catch (err) {
    log.info(`Installing ${pkg} failed: ${(err as Error).message.split('\n')[0]}`)
    return false
  }
}
