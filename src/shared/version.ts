// The action's version, from package.json (a release bumps it there): sent as X-Skill-Version and
// part of the render cache's key, so a new version never restores an older version's renders.
import pkg from '../../package.json' with { type: 'json' }

export const VERSION: string = pkg.version
