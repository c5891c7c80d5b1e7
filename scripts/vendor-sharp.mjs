// Puts sharp's WebAssembly build beside the bundle, in dist/sharp/node_modules, as `npm run build`'s
// last step. It cannot go inside the bundle: libvips runs its threads as workers that load the
// binding's own script file from disk. The WebAssembly build is one file for every runner (Linux
// x64 and arm64, macOS), where a native build would be one per platform.
//
// One file is replaced: sharp's loader (dist/sharp.mjs), which tries a native binding first and
// would find whatever npm installed for this machine in the repository's node_modules. The one
// written here loads the WebAssembly binding only, so the tests run what every runner runs.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'sharp', 'node_modules')

/** package → the files of it that run (no types, no CommonJS twins sharp's ESM build does not load) */
const PACKAGES = {
  sharp: ['package.json', 'LICENSE', ...mjs('sharp/dist').map(f => `dist/${f}`)],
  '@img/sharp-wasm32': ['package.json', 'index.cjs', 'versions.json', 'lib'],
  '@img/colour': ['package.json', 'LICENSE.md', 'index.cjs', 'color.cjs'],
  '@emnapi/runtime': ['package.json', 'LICENSE', 'index.js', 'dist/emnapi.cjs.js', 'dist/emnapi.cjs.min.js'],
  tslib: ['package.json', 'LICENSE.txt', 'tslib.js', 'modules'],
  'detect-libc': ['package.json', 'LICENSE', 'lib'],
  semver: ['package.json', 'LICENSE', 'index.js', 'classes', 'functions', 'internal', 'ranges']
}

function mjs(dir) {
  return readdirSync(join(root, 'node_modules', dir))
    .filter(f => f.endsWith('.mjs'))
    .sort()
}

rmSync(join(root, 'dist', 'sharp'), { recursive: true, force: true })
for (const [pkg, files] of Object.entries(PACKAGES)) {
  for (const f of files) {
    const from = join(root, 'node_modules', pkg, f)
    const to = join(out, pkg, f)
    mkdirSync(dirname(to), { recursive: true })
    cpSync(from, to, { recursive: true })
  }
}

const version = JSON.parse(readFileSync(join(root, 'node_modules', 'sharp', 'package.json'), 'utf8')).version
const wasm = JSON.parse(readFileSync(join(root, 'node_modules', '@img', 'sharp-wasm32', 'package.json'), 'utf8')).version
if (version !== wasm) throw new Error(`sharp ${version} and @img/sharp-wasm32 ${wasm} differ: install the same version of both`)
writeFileSync(
  join(out, 'sharp', 'dist', 'sharp.mjs'),
  `// written by img2vid-action's scripts/vendor-sharp.mjs: the WebAssembly binding only, never a native one\n` +
    `import { createRequire } from 'node:module'\n` +
    `export default createRequire(import.meta.url)('@img/sharp-wasm32/sharp.node')\n`
)
