// The demo's rendering of an action's log (scripts/runner-log.ts): workflow commands are
// consumed the way a runner consumes them.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { RunnerLog, unescapeData } from '../../scripts/runner-log.js'

function render(input: string, opts: { debug?: boolean; verbose?: boolean } = {}): string {
  let out = ''
  const log = new RunnerLog({ ...opts, write: s => (out += s) })
  log.push(input)
  log.end()
  return out
}

describe('runner log', () => {
  it('turns groups into headings, drops endgroup, add-mask and unknown commands', () => {
    const out = render('::group::Images\na.jpg\n::endgroup::\n::add-mask::s3cr3t\n::save-state name=x::1\ndone\n')
    assert.equal(out, '\n▸ Images\n  a.jpg\ndone\n')
  })

  it('hides debug lines unless asked', () => {
    assert.equal(render('::debug::Search path x\nok\n'), 'ok\n')
    assert.equal(render('::debug::Search path x\nok\n', { debug: true }), 'Debug: Search path x\nok\n')
  })

  it('shows warnings and errors as lines, escapes decoded, location kept', () => {
    assert.equal(unescapeData('50%25 done%0Anext'), '50% done\nnext')
    const out = render('::warning::Duration 13.4 s%0Ais off by 12%25\n::error file=a%3Ab.yml,line=3::bad input\n')
    assert.equal(out, 'Warning: Duration 13.4 s\n  is off by 12%\nError: bad input (a:b.yml:3)\n')
  })

  it('folds a long block printed at once inside a group, unless verbose', async () => {
    const graph = ['Filtergraph (g.txt):', ...Array.from({ length: 20 }, (_, i) => `[${i}:v]scale=1280:720[v${i}]`)].join('\n')
    let out = ''
    const log = new RunnerLog({ write: s => (out += s), blockGapMs: 20 })
    log.push(`::group::ffmpeg\n${graph}\n`)
    await sleep(60)
    log.push('ffmpeg 50%\n')
    await sleep(60)
    log.push('ffmpeg 100%\n::endgroup::\n')
    log.end()
    assert.equal(
      out,
      '\n▸ ffmpeg\n  Filtergraph (g.txt):\n    … 20 more lines folded (--verbose shows them)\n  ffmpeg 50%\n  ffmpeg 100%\n'
    )
    assert.equal(render(`::group::ffmpeg\n${graph}\n::endgroup::\n`, { verbose: true }).split('\n').length, 2 + 21 + 1)
  })

  it('prints command-like lines literally between stop-commands and its token', () => {
    assert.equal(
      render('::stop-commands::tok\n::warning::not a command\n::tok::\n::warning::is one\n'),
      '::warning::not a command\nWarning: is one\n'
    )
  })
})
