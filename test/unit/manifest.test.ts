import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { VIDEO_KEYS } from '../../src/shared/contract.js'
import { entryLabels, parseManifest } from '../../src/inputs/manifest.js'
import { runPool } from '../../src/shared/pool.js'

describe('manifest', () => {
  it('reads a list under videos:, with image lists and numbers as input strings', () => {
    const m = parseManifest(
      [
        'videos:',
        '  - name: shoes-en',
        '    images: [a/*.jpg, b/*.png]',
        '    duration: 20',
        '  - name: shoes-de',
        '    prompt: Hallo',
        ''
      ].join('\n'),
      VIDEO_KEYS,
      'videos.yml'
    )
    assert.deepEqual(m.problems, [])
    assert.deepEqual(
      m.entries.map(e => [e.name, e.values]),
      [
        ['shoes-en', { images: 'a/*.jpg\nb/*.png', duration: '20' }],
        ['shoes-de', { prompt: 'Hallo' }]
      ]
    )
    assert.equal(m.entries[0].lines.duration, 4)
  })

  it('reports file, line, entry and key for each problem', () => {
    const m = parseManifest(
      ['- name: one', '  durration: 10', '- name: one', '- images: x.jpg', '- name: "bad name"', '  title: [a, b]'].join('\n'),
      VIDEO_KEYS,
      'm.yml'
    )
    assert.deepEqual(m.problems, [
      "m.yml:2: video 'one': unknown key 'durration' (did you mean 'duration'?); a video may set " + VIDEO_KEYS.join(', ') + '.',
      "m.yml:3: video 'one': the name is already used on line 1; names must be unique.",
      "m.yml:4: video #3 has no 'name'.",
      "m.yml:5: video 'bad name', key 'name': use letters, digits, '.', '_' and '-' only (it names the MP4 and the artifact).",
      "m.yml:6: video 'bad name', key 'title': expected a single value."
    ])
  })

  it("names a video's values by the line of the key it sets, or of the entry for a key it leaves to the step", () => {
    const m = parseManifest('videos:\n  - name: a\n    duration: 5\n\n    images:\n      - x/*.jpg\n', VIDEO_KEYS, 'v.yml')
    const { label, both } = entryLabels('v.yml', m.entries[0])
    assert.equal(label('images'), "v.yml:5: video 'a', key 'images'")
    assert.equal(label('prompt'), "v.yml:2: video 'a', input 'prompt'")
    assert.equal(both('duration', 'prompt'), "v.yml:3: video 'a', keys 'duration' and 'prompt'")
    assert.equal(both('prompt', 'prompt-file'), "v.yml:2: video 'a', inputs 'prompt' and 'prompt-file'")
  })

  it('reports invalid YAML with its line', () => {
    const m = parseManifest('- name: a\n  images: [unclosed\n', VIDEO_KEYS, 'm.yml')
    assert.equal(m.entries.length, 0)
    assert.match(m.problems[0], /^m\.yml:\d+: invalid YAML/)
  })

  it('refuses a document that is not a list of videos', () => {
    assert.match(parseManifest('name: x', VIDEO_KEYS, 'm.yml').problems[0], /expected a list of videos/)
  })
})

describe('runPool', () => {
  it('never runs more than the limit at once and keeps result order', async () => {
    let running = 0
    let peak = 0
    const res = await runPool(
      [30, 10, 20, 5, 15],
      2,
      async ms => {
        peak = Math.max(peak, ++running)
        await new Promise(r => setTimeout(r, ms))
        running--
        return ms * 2
      },
      { failFast: false, signal: new AbortController().signal }
    )
    assert.equal(peak, 2)
    assert.deepEqual(
      res.map(r => (r.ok ? r.value : null)),
      [60, 20, 40, 10, 30]
    )
  })

  it('runs the others after a failure, or stops them with failFast', async () => {
    const job = async (n: number, signal: AbortSignal): Promise<number> => {
      if (n === 1) throw new Error('boom')
      await new Promise(r => setTimeout(r, 20))
      if (signal.aborted) throw new Error('aborted')
      return n
    }
    const all = await runPool([1, 2, 3], 1, job, { failFast: false, signal: new AbortController().signal })
    assert.deepEqual(
      all.map(r => r.ok),
      [false, true, true]
    )
    const fast = await runPool([1, 2, 3], 1, job, { failFast: true, signal: new AbortController().signal })
    assert.deepEqual(
      fast.map(r => (r.ok ? 'ok' : r.skipped ? 'skipped' : 'failed')),
      ['failed', 'skipped', 'skipped']
    )
  })
})
