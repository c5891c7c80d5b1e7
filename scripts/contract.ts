// The files made from the contract's one table (src/shared/contract.ts): the three action.yml files
// and the README's input and output tables (between the `generated` markers). Committed, and
// checked like dist/: CI runs `npm run contract -- --check`, and test/unit/action-contract.test.ts
// compares every file with a fresh generation.
//   npm run contract               # write the files
//   npm run contract -- --check    # exit 1 naming each file that differs from a fresh generation
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  COLLECT_OUTPUTS,
  declaredInputs,
  OUTPUTS,
  PLAN_OUTPUTS,
  VIDEO_KEYS,
  type ActionName,
  type InputKind,
  type OutputRow
} from '../src/shared/contract.js'

/** Each action's own lines of action.yml: where it lives, what it is, and the bundle it runs. */
const ACTIONS: Record<ActionName, { file: string; name: string; description: string; icon: string; main: string }> = {
  main: {
    file: 'action.yml',
    name: 'img2vid — images to MP4',
    description:
      'Turn still images into an MP4 with the NemoVideo cloud or ffmpeg on the runner, then publish it as an artifact or release asset.',
    icon: 'film',
    main: 'dist/index.js'
  },
  plan: {
    file: 'plan/action.yml',
    name: 'img2vid — plan a manifest onto a job matrix',
    description:
      'Check every video of a manifest as a render would, and write a job matrix (one or more videos per job) for strategy.matrix, the video names and their count.',
    icon: 'grid',
    main: '../dist/plan/index.js'
  },
  collect: {
    file: 'collect/action.yml',
    name: 'img2vid — collect the videos of a job matrix',
    description:
      'After the matrix, download its video artifacts and write one job summary and one videos output; when asked, one merged artifact and the release assets and video block.',
    icon: 'package',
    main: '../dist/collect/index.js'
  }
}

const README_BEGIN = (what: string): string => `<!-- generated: ${what} (npm run contract; edit src/shared/contract.ts) -->`
const README_END = '<!-- end of generated part -->'

/** A kind's range as the texts state it: '1-600' in action.yml, '1–600' in the README. */
function range(kind: InputKind, dash: string): string {
  if (kind.type !== 'number') throw new Error(`'{range}' in the text of an input that is not a number`)
  return `${kind.min}${dash}${kind.max}`
}

/** A text of the table with its placeholders filled in. */
function filled(text: string, kind: InputKind, dash: string): string {
  return text.replaceAll('{range}', () => range(kind, dash)).replaceAll('{keys}', VIDEO_KEYS.join(', '))
}

/** A YAML scalar as the action.yml files write them: single-quoted, or double-quoted when it holds a quote. */
const scalar = (text: string): string => (text.includes("'") ? JSON.stringify(text) : `'${text}'`)

function actionYml(action: ActionName): string {
  const a = ACTIONS[action]
  const lines = [
    `name: ${scalar(a.name)}`,
    `description: ${scalar(a.description)}`,
    `author: 'img2vid-action contributors'`,
    'branding:',
    `  icon: ${scalar(a.icon)}`,
    `  color: 'purple'`,
    '',
    'inputs:'
  ]
  for (const input of declaredInputs(action)) {
    lines.push(`  ${input.name}:`, `    description: ${scalar(filled(input.description, input.row.kind, '-'))}`)
    lines.push(`    required: ${input.required}`)
    if (input.default !== undefined) lines.push(`    default: ${scalar(input.default)}`)
  }
  lines.push('', 'outputs:')
  const outputs: [string, string][] =
    action === 'main'
      ? Object.entries(OUTPUTS as Record<string, OutputRow>).map(([name, row]) => [name, row.description])
      : action === 'plan'
        ? Object.entries(PLAN_OUTPUTS as Record<string, OutputRow>).map(([name, row]) => [name, row.description])
        : [
            ...Object.entries(OUTPUTS as Record<string, OutputRow>).flatMap(([name, row]): [string, string][] =>
              row.collect ? [[name, row.collect]] : []
            ),
            ...Object.entries(COLLECT_OUTPUTS as Record<string, OutputRow>).map(([name, row]): [string, string] => [name, row.description])
          ]
  for (const [name, description] of outputs) lines.push(`  ${name}:`, `    description: ${scalar(description)}`)
  lines.push('', 'runs:', `  using: 'node24'`, `  main: ${scalar(a.main)}`, '')
  return lines.join('\n')
}

/** A table cell from a plain description: pipes and angle brackets (<name> is no HTML tag) escaped. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const code = (text: string): string => `\`${text}\``

function inputTables(): string {
  const main = declaredInputs('main').map(i => {
    const readme = i.row.readme
    if (!readme) throw new Error(`input '${i.name}' of the main action has no README row`)
    return `| ${code(i.name)} | ${readme.default} | ${filled(readme.meaning, i.row.kind, '–')} |`
  })
  // the plan's and collect's inputs, but for the per-video keys the plan takes as the jobs' fallbacks
  const sub = (['plan', 'collect'] as const).flatMap(action =>
    declaredInputs(action)
      .filter(i => !(action === 'plan' && i.row.perVideo))
      .map(
        i =>
          `| ${code(action)} | ${code(i.name)} | ${i.default === undefined ? '–' : code(i.default)} | ${cell(filled(i.description, i.row.kind, '–'))} |`
      )
  )
  return [
    '| input | default | meaning |',
    '|---|---|---|',
    ...main,
    '',
    `The plan's and collect's inputs (the plan also takes the per-video keys, ${VIDEO_KEYS.map(code).join(', ')}, as the fallbacks the render jobs give):`,
    '',
    '| action | input | default | meaning |',
    '|---|---|---|---|',
    ...sub
  ].join('\n')
}

function outputTables(): string {
  const rows: { names: string[]; meaning: string }[] = []
  for (const [name, row] of Object.entries(OUTPUTS as Record<string, OutputRow>)) {
    if (row.readme !== undefined) rows.push({ names: [name], meaning: row.readme })
    else if (rows.length) rows[rows.length - 1].names.push(name)
    else throw new Error(`output '${name}' has no README row to share`)
  }
  const sub: string[] = [
    ...Object.entries(PLAN_OUTPUTS as Record<string, OutputRow>).map(
      ([name, row]) => `| ${code('plan')} | ${code(name)} | ${cell(row.description)} |`
    ),
    ...Object.entries(OUTPUTS as Record<string, OutputRow>).flatMap(([name, row]) =>
      row.collect ? [`| ${code('collect')} | ${code(name)} | ${cell(row.collect)} |`] : []
    ),
    ...Object.entries(COLLECT_OUTPUTS as Record<string, OutputRow>).map(
      ([name, row]) => `| ${code('collect')} | ${code(name)} | ${cell(row.description)} |`
    )
  ]
  return [
    '| output | meaning |',
    '|---|---|',
    ...rows.map(r => `| ${r.names.map(code).join(', ')} | ${r.meaning} |`),
    '',
    "The plan's and collect's outputs:",
    '',
    '| action | output | meaning |',
    '|---|---|---|',
    ...sub
  ].join('\n')
}

/** The README with each generated part made anew between its markers. */
function readmeWith(readme: string): string {
  let text = readme
  for (const [what, table] of [
    ['inputs', inputTables()],
    ['outputs', outputTables()]
  ] as const) {
    const begin = text.indexOf(README_BEGIN(what))
    const end = begin < 0 ? -1 : text.indexOf(README_END, begin)
    if (begin < 0 || end < 0)
      throw new Error(`README.md: no generated part for the ${what} (the markers '${README_BEGIN(what)}' … '${README_END}')`)
    text = `${text.slice(0, begin)}${README_BEGIN(what)}\n${table}\n${text.slice(end)}`
  }
  return text
}

/** Every generated file, by its path relative to the repository, as a fresh generation writes it. */
export async function generatedFiles(root = resolve(import.meta.dirname, '..')): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const action of Object.keys(ACTIONS) as ActionName[]) files.set(ACTIONS[action].file, actionYml(action))
  files.set('README.md', readmeWith(await readFile(join(root, 'README.md'), 'utf8')))
  return files
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..')
  const check = process.argv.includes('--check')
  const stale: string[] = []
  for (const [path, text] of await generatedFiles(root)) {
    const now = await readFile(join(root, path), 'utf8').catch(() => '')
    if (now === text) continue
    stale.push(path)
    if (!check) await writeFile(join(root, path), text)
  }
  if (check && stale.length) {
    console.error(`Not as src/shared/contract.ts makes them: ${stale.join(', ')}. Run 'npm run contract' and commit the result.`)
    process.exit(1)
  }
  console.log(stale.length ? `${check ? 'Stale' : 'Wrote'}: ${stale.join(', ')}` : 'The generated files are up to date.')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
