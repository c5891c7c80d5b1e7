// sharp (libvips) in its WebAssembly build, loaded from beside the bundle where `npm run build`
// puts it (scripts/vendor-sharp.mjs), or from dist/ when the sources run under tsx. Loaded on first
// use only: runs that decode no photo do not pay its start (~0.3 s).
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type Sharp from 'sharp'

export type SharpFn = typeof Sharp

const ENTRY = 'sharp/node_modules/sharp/dist/index.mjs'

let loaded: Promise<SharpFn> | undefined

export function loadSharp(): Promise<SharpFn> {
  loaded ??= (async () => {
    const candidates = [new URL(`./${ENTRY}`, import.meta.url), new URL(`../../dist/${ENTRY}`, import.meta.url)]
    const found = candidates.find(u => existsSync(u))
    if (!found) throw new Error(`sharp's WebAssembly build is missing beside the action (${ENTRY}): run 'npm run build'.`)
    // webpackIgnore: the bundler leaves this import to Node (it is a file beside the bundle, not in it)
    const mod = (await import(/* webpackIgnore: true */ pathToFileURL(found.pathname).href)) as { default: SharpFn }
    const sharp = mod.default
    // one photo at a time per decode; libvips' own cache would hold every photo's pixels
    sharp.cache(false)
    return sharp
  })()
  return loaded
}
