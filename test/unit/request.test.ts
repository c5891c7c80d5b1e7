import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkDraft, compileInstruction, correctiveTurn, turnsToSend } from '../../src/backends/nemo/instruction.js'
import { canvasSize } from '../../src/shared/options.js'
import { splitTurns, type VideoRequest } from '../../src/request/request.js'
import { describe as describeTimeline, summarize, type Draft } from '../../src/shared/timeline.js'

const base: VideoRequest = { turns: ['Make a promo'], resolution: '1080p', language: 'en' }

describe('request', () => {
  it('splits turns at lines holding only ---', () => {
    assert.deepEqual(splitTurns('first\nline\n---\nsecond\n  ---  \nthird --- not a split'), [
      'first\nline',
      'second',
      'third --- not a split'
    ])
  })

  it('computes canvases with the short side at the resolution', () => {
    assert.deepEqual(canvasSize('16:9', '1080p'), { width: 1920, height: 1080 })
    assert.deepEqual(canvasSize('9:16', '1080p'), { width: 1080, height: 1920 })
    assert.deepEqual(canvasSize('4:5', '720p'), { width: 720, height: 900 })
    assert.deepEqual(canvasSize('1:1', '720p'), { width: 720, height: 720 })
  })

  it('compiles every option into the first turn only', () => {
    const req: VideoRequest = {
      ...base,
      turns: ['Make a promo', 'Make it warmer'],
      duration: 30,
      aspectRatio: '9:16',
      transition: 'fade',
      title: 'Spring "Sale"',
      music: { description: 'lo-fi' }
    }
    const [first, second] = turnsToSend(req, ['a.jpg', 'b.jpg'])
    assert.match(first, /^Make a promo\n\nRequirements/)
    assert.match(first, /in this order: a\.jpg, b\.jpg/)
    assert.match(first, /exactly 30 seconds/)
    assert.match(first, /Aspect ratio 9:16, canvas 1080x1920/)
    assert.match(first, /fade transitions/)
    assert.match(first, /title text "Spring \\"Sale\\""/)
    assert.match(first, /background music: lo-fi/)
    assert.equal(second, 'Make it warmer')
    assert.match(compileInstruction({ ...base, transition: 'none' }), /No transitions/)
  })

  it('checks a draft against the request, with ±10% on duration', () => {
    const draft: Draft = { t: [{ tt: 0, sg: [{ st: 0, d: 28000 }] }], d: 28000 }
    assert.deepEqual(checkDraft({ ...base, duration: 30 }, draft), [])
    const p = checkDraft({ ...base, duration: 20, title: 'T', music: { description: 'jazz' } }, draft)
    assert.equal(p.length, 3)
    assert.match(p[0], /28\.0 s long but 20 s/)
    assert.match(correctiveTurn(p), /^Please fix the timeline: .*music.*title/)
  })
})

describe('timeline', () => {
  it('summarises a draft the way the protocol document shows', () => {
    const draft: Draft = {
      t: [
        { tt: 0, sg: [{ st: 0, d: 10000, n: 'city timelapse' }] },
        { tt: 1, sg: [{ st: 0, d: 10000, n: 'Lo-fi', v: 0.35 }] },
        { tt: 7, sg: [{ st: 0, d: 3000, txt: 'Urban Dreams' }] },
        { tt: 1, sg: [] }
      ],
      d: 10000,
      m: { width: 1920, height: 1080 }
    }
    assert.equal(
      describeTimeline(summarize(draft)),
      'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)'
    )
  })

  it('reads alternative key spellings and derives the duration from segments', () => {
    const s = summarize({
      t: [
        {
          tt: '0' as unknown as number,
          sg: [
            { start: 0, duration: 1500 },
            { start_time: 1500, end_time: 4000 }
          ]
        }
      ]
    })
    assert.equal(s.duration, 4)
    assert.deepEqual(s.tracks[0], { kind: 'video', label: 'Video', name: '2 clips', start: 0, end: 4, segments: 2 })
  })
})
