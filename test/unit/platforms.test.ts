// The platforms' limits (src/output-video/platforms.ts) and the warnings a finished video gets.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { platformBreaches, PLATFORMS } from '../../src/output-video/platforms.js'

const MB = 1024 * 1024
const video = (o: Partial<{ duration: number; width: number; height: number; size: number }>) => ({
  duration: 30,
  width: 1080,
  height: 1920,
  size: 20 * MB,
  ...o
})
const broken = (o: Parameters<typeof video>[0]): string[] => platformBreaches(video(o)).map(b => b.platform)

describe('platform limits', () => {
  it('lists each platform once, with where its numbers come from', () => {
    assert.deepEqual(
      PLATFORMS.map(p => p.name),
      ['Instagram Reels', 'TikTok', 'YouTube Shorts', 'X', 'LinkedIn']
    )
    for (const p of PLATFORMS) assert.ok(p.source.length > 5, p.name)
  })

  it('passes a 30 s vertical 1080p video everywhere', () => {
    assert.deepEqual(broken({}), [])
  })

  it('names the platforms a short, a long, a big or an odd-shaped video breaks, one entry each', () => {
    assert.deepEqual(broken({ duration: 2 }), ['Instagram Reels', 'TikTok', 'LinkedIn'])
    assert.deepEqual(broken({ duration: 0.4 }), ['Instagram Reels', 'TikTok', 'X', 'LinkedIn'])
    assert.deepEqual(broken({ duration: 3 }), [])
    assert.deepEqual(broken({ duration: 150 }), ['X'])
    assert.deepEqual(broken({ duration: 200 }), ['YouTube Shorts', 'X'])
    // a landscape video is an ordinary YouTube video: no Shorts limit applies
    assert.deepEqual(broken({ duration: 200, width: 1920, height: 1080 }), ['X'])
    assert.deepEqual(broken({ duration: 700 }), ['TikTok', 'YouTube Shorts', 'X'])
    assert.deepEqual(broken({ size: 400 * MB }), ['Instagram Reels'])
    assert.deepEqual(broken({ size: 600 * MB }), ['Instagram Reels', 'X', 'LinkedIn'])
    assert.deepEqual(broken({ width: 320, height: 1920 }), ['TikTok', 'X'])
    const [ig] = platformBreaches(video({ duration: 2, size: 400 * MB }))
    assert.match(
      ig.message,
      /^Instagram Reels \(.*\): 2 s is shorter than its minimum of 3 s; 400 MB is over its 300 MB limit\. To post it there, make it at least 3 s long \(input 'duration'\) and /
    )
  })
})
