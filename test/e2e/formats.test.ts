// Every format in one run: `aspect-ratio: 16:9, 9:16, 1:1` makes one video per format, named
// `<name>-<w>x<h>.mp4`, through the built action. Locally one plan and one render per format; in
// the cloud one chat and one export per format, with a session per format only where the service
// ignored the canvas.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { nemoFixture } from '../helpers/nemo.js'
import { photoSandbox, runAction, type Sandbox } from '../helpers/action.js'
import type { Draft } from '../../src/shared/timeline.js'

const USER = 'nmv_usr_formats_7c1d'
const nemo = nemoFixture({ credits: 100_000, userTokens: [USER], renderPolls: 0 })

const box = (): Promise<Sandbox> => photoSandbox([1, 2], { width: 640, height: 480 })

type VideoOut = {
  name: string
  ok: boolean
  'video-path': string
  width: string
  height: string
  'render-id': string
  'session-id': string
}
const videosOf = (outputs: Record<string, string>): VideoOut[] => JSON.parse(outputs.videos) as VideoOut[]

describe('every format in one run', () => {
  it('locally: one render per format, each of its real size, named <name>-<w>x<h>.mp4', async () => {
    const r = await runAction({
      box: await box(),
      inputs: {
        backend: 'local',
        images: 'photos/*.jpg',
        prompt: 'Launch',
        duration: '2',
        resolution: '720p',
        'aspect-ratio': '16:9, 9:16, 1:1',
        output: 'promo.mp4',
        previews: 'false',
        'upload-artifact': 'false'
      }
    })
    assert.equal(r.code, 0, r.all)
    const videos = videosOf(r.outputs)
    assert.deepEqual(
      videos.map(v => [v.name, v.ok, v.width, v.height, v['video-path']]),
      [
        ['promo-1280x720', true, '1280', '720', join(r.workspace, 'promo-1280x720.mp4')],
        ['promo-720x1280', true, '720', '1280', join(r.workspace, 'promo-720x1280.mp4')],
        ['promo-720x720', true, '720', '720', join(r.workspace, 'promo-720x720.mp4')]
      ]
    )
    // the step's single-video outputs are the first format's
    assert.equal(r.outputs['video-path'], join(r.workspace, 'promo-1280x720.mp4'))
  })

  it('in the cloud: one session and one chat, one export per format with the canvas in the draft', async () => {
    nemo.server.config.canvas = 'honour'
    const since = nemo.server.requests.length
    const r = await runAction({
      box: await box(),
      inputs: {
        images: 'photos/*.jpg',
        prompt: 'Launch',
        'aspect-ratio': '16:9, 9:16, 1:1',
        token: USER,
        'api-url': nemo.server.url,
        'poll-interval': '1',
        output: 'promo.mp4',
        previews: 'false',
        'upload-artifact': 'false'
      }
    })
    assert.equal(r.code, 0, r.all)
    const mine = nemo.server.requests.slice(since)
    assert.equal(mine.filter(q => q.route === 'session').length, 1)
    assert.equal(mine.filter(q => q.route === 'chat').length, 1, 'the chat (what costs credits) happens once')
    const canvases = mine.filter(q => q.route === 'export').map(q => (q.json as { draft: Draft }).draft.m)
    assert.deepEqual(
      canvases.map(m => [m?.width, m?.height]),
      [
        [1920, 1080],
        [1080, 1920],
        [1080, 1080]
      ]
    )
    const videos = videosOf(r.outputs)
    assert.deepEqual(
      videos.map(v => [v.name, Number(v.width) / Number(v.height)]),
      [
        ['promo-1920x1080', 320 / 180],
        ['promo-1080x1920', 180 / 320],
        ['promo-1080x1080', 1]
      ]
    )
    assert.equal(new Set(videos.map(v => v['session-id'])).size, 1)
    assert.equal(new Set(videos.map(v => v['render-id'])).size, 3)
  })

  it('in the cloud, where the service ignores the canvas: a session per other format, said in the log', async () => {
    nemo.server.config.canvas = 'ignore' // every render is the same 320×180 MP4
    const since = nemo.server.requests.length
    const r = await runAction({
      box: await box(),
      inputs: {
        images: 'photos/*.jpg',
        prompt: 'Launch',
        'aspect-ratio': '16:9, 9:16',
        token: USER,
        'api-url': nemo.server.url,
        'poll-interval': '1',
        output: 'promo.mp4',
        previews: 'false',
        'upload-artifact': 'false'
      }
    })
    assert.equal(r.code, 0, r.all)
    assert.match(
      r.stdout,
      /::warning::NemoVideo rendered 9:16 as 320×180: it did not take the canvas from the draft\. Making 9:16 in a session of its own/
    )
    const mine = nemo.server.requests.slice(since)
    assert.equal(mine.filter(q => q.route === 'session').length, 2, 'the 16:9 render fit; 9:16 got its own session')
    const second = mine.filter(q => q.route === 'chat')[1]?.json as { new_message: { parts: { text: string }[] } }
    assert.match(second.new_message.parts[0].text, /Aspect ratio 9:16, canvas 1080x1920/)
    // this service ignores the canvas in its own session too: the user is told, not misled
    assert.match(r.stdout, /::warning::NemoVideo rendered 9:16 as 320×180 in its own session too/)
  })
})
