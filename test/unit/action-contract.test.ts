// Every action.yml in the repository, and the README's input and output tables, against the code's
// one contract (src/shared/contract.ts): the inputs are the names the code reads, their defaults
// the ones an empty input reads as, the outputs the ones the code sets; the numbers the texts
// state are the code's.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { COVER_MIN_KEPT } from '../../src/backends/local/filtergraph.js'
import { DEFAULT_PER_IMAGE } from '../../src/backends/local/plan.js'
import { MAX_FILE_BYTES } from '../../src/input-files/check-files.js'
import {
  ASPECT_RATIOS,
  BACKEND_CHOICES,
  CACHE_CHOICES,
  FITS,
  LOUDNESS,
  RELEASE_NOTES,
  RESOLUTIONS,
  TRANSITIONS
} from '../../src/shared/options.js'
import { MAX_VIDEOS } from '../../src/inputs/manifest.js'
import {
  COLLECT_DEFAULTS,
  COLLECT_SHARED_OUTPUTS,
  CollectInput,
  CollectOutput,
  DEFAULTS,
  INPUTS,
  Input,
  isExpression,
  Output,
  PLAN_DEFAULTS,
  PlanInput,
  PlanOutput,
  VIDEO_KEYS
} from '../../src/shared/contract.js'
import { generatedFiles } from '../../scripts/contract.js'
import { ACTION_YML, SUB_ACTIONS } from '../helpers/action.js'

interface ActionYml {
  inputs: Record<string, { default?: string; description: string; required?: boolean }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}
const read = (path: string): ActionYml => parse(readFileSync(path, 'utf8')) as ActionYml
/** How plan/action.yml describes an input it takes as the render jobs' fallback. */
const PLAN_FALLBACK = 'The fallback for videos without this key, as the render jobs set it: '
const sorted = (names: Iterable<string>): string[] => [...names].sort()
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const PROTOCOL = readFileSync(new URL('../../docs/nemovideo-protocol.md', import.meta.url), 'utf8')

/** Each input's default as action.yml gives it, and as the code reads an empty input. */
function assertDefaults(yml: ActionYml, plain: Readonly<Record<string, string | undefined>>): void {
  for (const [name, input] of Object.entries(yml.inputs)) {
    if (input.default !== undefined && isExpression(input.default))
      assert.ok(!(name in plain), `input '${name}': an expression read as a plain default`)
    else assert.equal(input.default, plain[name], `input '${name}': action.yml's default is not the code's`)
  }
  for (const name of Object.keys(plain))
    assert.ok(name in yml.inputs, `the code has a default for '${name}', which action.yml does not declare`)
}

/** The rows of a README table under `heading`: its first column's names and its second column. */
function readmeRows(heading: string): { names: string[]; second: string }[] {
  const start = README.indexOf(`\n### ${heading}\n`)
  assert.ok(start >= 0, heading)
  const rows: { names: string[]; second: string }[] = []
  const lines = README.slice(start).split('\n').slice(2)
  // the table starts at the first '|' line and ends at the first line after it that is not one
  const first = lines.findIndex(l => l.startsWith('|'))
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    const [names, second] = line.split(' | ')
    rows.push({ names: [...names.matchAll(/`([^`]+)`/g)].map(m => m[1]), second })
  }
  return rows
}

describe('action.yml and the code are one contract', () => {
  const main = read(ACTION_YML)
  it('the action.yml files and the README tables are as `npm run contract` makes them from the table', async () => {
    const root = resolve(import.meta.dirname, '../..')
    for (const [path, text] of await generatedFiles(root))
      assert.ok(
        readFileSync(resolve(root, path), 'utf8') === text,
        `${path} is not as src/shared/contract.ts makes it: run 'npm run contract'`
      )
  })
  it("the plan's per-job range is what one step renders at most", () => {
    assert.deepEqual(INPUTS['per-job'].kind, { type: 'number', min: 1, max: MAX_VIDEOS, integer: true, unit: 'videos', or: 'auto' })
  })
  it('the main action: its inputs, their defaults, its outputs', () => {
    assert.deepEqual(sorted(Object.keys(main.inputs)), sorted(Object.values(Input)))
    assertDefaults(main, DEFAULTS)
    assert.deepEqual(sorted(Object.keys(main.outputs)), sorted(Object.values(Output)))
    assert.equal(main.runs.main, 'dist/index.js')
  })
  it("the manifest input's description lists the keys a manifest entry may set", () => {
    const listed = /per-video keys \(([^)]+)\)/.exec(main.inputs[Input.manifest].description)
    assert.ok(listed, 'the manifest description lists its keys in parentheses')
    assert.deepEqual(
      listed[1].split(',').map(k => k.trim()),
      [...VIDEO_KEYS]
    )
  })
  it('plan: the manifest, per-job and the fallbacks the render jobs give, with their defaults', () => {
    const plan = read(SUB_ACTIONS.plan.yml)
    assert.deepEqual(sorted(Object.keys(plan.inputs)), sorted(Object.values(PlanInput)))
    assertDefaults(plan, PLAN_DEFAULTS)
    for (const k of VIDEO_KEYS) {
      assert.equal(plan.inputs[k].default, main.inputs[k].default, k)
      assert.equal(plan.inputs[k].description, `${PLAN_FALLBACK}${main.inputs[k].description}`, k)
    }
    assert.deepEqual(sorted(Object.keys(plan.outputs)), sorted(Object.values(PlanOutput)))
    assert.deepEqual(plan.runs, { using: main.runs.using, main: '../dist/plan/index.js' })
  })
  it("collect: its inputs and defaults (the main action's for the shared ones), the outputs it sets", () => {
    const collect = read(SUB_ACTIONS.collect.yml)
    assert.deepEqual(sorted(Object.keys(collect.inputs)), sorted(Object.values(CollectInput)))
    assertDefaults(collect, COLLECT_DEFAULTS)
    for (const k of Object.values(CollectInput)) if (k in main.inputs) assert.equal(collect.inputs[k].default, main.inputs[k].default, k)
    assert.deepEqual(sorted(Object.keys(collect.outputs)), sorted([...COLLECT_SHARED_OUTPUTS, ...Object.values(CollectOutput)]))
    assert.deepEqual(collect.runs, { using: main.runs.using, main: '../dist/collect/index.js' })
  })
  it("the README's input table: every input once, with action.yml's default", () => {
    const rows = readmeRows('Inputs')
    assert.deepEqual(sorted(rows.flatMap(r => r.names)), sorted(Object.values(Input)))
    for (const { names, second } of rows) {
      const [name] = names
      const shown = /^`([^`]*)`$/.exec(second.trim())?.[1]
      const given = main.inputs[name].default
      // a default written as one code span is action.yml's; '–' means none; other text explains
      if (shown !== undefined) assert.equal(shown, given, `README: the default of '${name}'`)
      else if (second.trim() === '–') assert.equal(given, undefined, `README says '${name}' has no default`)
    }
  })
  it('each input that takes words names every word the code accepts, in action.yml and the README', () => {
    const choices: [string, readonly string[]][] = [
      [Input.aspectRatio, ASPECT_RATIOS],
      [Input.resolution, RESOLUTIONS],
      [Input.transition, TRANSITIONS],
      [Input.fit, FITS],
      [Input.backend, BACKEND_CHOICES],
      [Input.cache, CACHE_CHOICES],
      [Input.releaseNotes, RELEASE_NOTES]
    ]
    const rows = readmeRows('Inputs')
    for (const [name, words] of choices) {
      const row = rows.find(r => r.names[0] === name)
      assert.ok(row, name)
      const readme = README.split('\n').find(l => l.startsWith(`| \`${name}\` |`)) ?? ''
      for (const word of words) {
        const said = new RegExp(`(^|[^\\w:-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`)
        assert.match(main.inputs[name].description, said, `action.yml '${name}' does not name '${word}'`)
        assert.match(readme, said, `README's '${name}' row does not name '${word}'`)
      }
    }
  })
  it("the README's output table: every output", () => {
    assert.deepEqual(sorted(readmeRows('Outputs').flatMap(r => r.names)), sorted(Object.values(Output)))
  })
  it('the numbers the texts state are the code’s', () => {
    const fit = main.inputs[Input.fit].description
    assert.ok(fit.includes(`at least ${COVER_MIN_KEPT * 100} %`), `action.yml 'fit': ${fit}`)
    assert.ok(README.includes(`at least ${COVER_MIN_KEPT * 100} %`), "README: the share of the photo 'auto' keeps")
    assert.equal(Number(DEFAULTS[Input.loudness]), LOUDNESS.default)
    const mb = MAX_FILE_BYTES / 1024 / 1024
    for (const [where, text] of [
      ['README', README],
      ['docs/nemovideo-protocol.md', PROTOCOL]
    ])
      for (const m of text.matchAll(/(\d+) MB (?:per file|limit per file)|limit is (\d+) MB/g))
        assert.equal(Number(m[1] ?? m[2]), mb, `${where}: '${m[0]}'`)
    assert.ok(README.includes(`${DEFAULT_PER_IMAGE} s per photo`), 'README: the time per photo with no duration')
  })
})
