// The README's map of src/ ("How it works") names every source file once, and only files that exist.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'

const root = join(import.meta.dirname, '../..')
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap(d =>
    d.isDirectory()
      ? sources(join(dir, d.name))
      : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts')
        ? [relative(root, join(dir, d.name))]
        : []
  )

describe("the README's map of src/", () => {
  it('lists every source file once, and nothing else', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const map = /```\n(src\/index\.ts[\s\S]*?)```/.exec(readme)
    assert.ok(map, 'the map starts with src/index.ts')
    const listed = map[1]
      .trim()
      .split('\n')
      .map(l => l.split(/\s+/)[0])
    assert.deepEqual([...listed].sort(), [...new Set(listed)].sort(), 'a file is listed twice')
    assert.deepEqual([...listed].sort(), sources(join(root, 'src')).sort())
  })
})
