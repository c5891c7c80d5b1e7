// The real octokit (via @actions/github) against the loopback releases emulation.
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { afterEach, before, describe, it } from 'node:test'
import { PublishError } from '../../src/publish/errors.js'
import type { NewRelease } from '../../src/inputs/get-inputs.js'
import {
  attachToRelease,
  createReleaseApi,
  findRelease,
  NOTES_TRIES,
  releaseFromEvent,
  videoBlock,
  withVideoBlock,
  writeVideoBlock,
  type ReleaseApi
} from '../../src/publish/release.js'
import { makeMp4, sha256 } from '../helpers/media.js'
import { startReleasesServer, type ReleaseSpec, type ReleasesServer } from '../servers/releases.js'

let mp4: string
let size: number
let digest: string
const open: ReleasesServer[] = []

before(async () => {
  mp4 = await makeMp4({ seconds: 1 })
  size = statSync(mp4).size
  digest = await sha256(mp4)
})
afterEach(async () => {
  await Promise.all(open.splice(0).map(s => s.close()))
})

async function setup(releases: ReleaseSpec[]): Promise<{ srv: ReleasesServer; api: ReleaseApi }> {
  const srv = await startReleasesServer({ releases })
  open.push(srv)
  return { srv, api: createReleaseApi({ token: srv.token, owner: srv.owner, repo: srv.repo, apiUrl: srv.url }) }
}

const routes = (srv: ReleasesServer): string[] => srv.requests.map(r => r.route)

describe('findRelease: the release of a tag, made when it has none', () => {
  const create = (over: Partial<NewRelease> = {}): NewRelease => ({
    tag: 'v3.1.0',
    name: '',
    draft: false,
    prerelease: false,
    generateNotes: false,
    target: 'c0ffee',
    ...over
  })
  /** `jobs` clients at once, each with its own octokit, through a server that answers late (the calls overlap) */
  async function race(jobs: number, release: NewRelease, specs: ReleaseSpec[] = []): Promise<{ srv: ReleasesServer; got: number[] }> {
    const srv = await startReleasesServer({ releases: specs, latencyMs: 40 })
    open.push(srv)
    const got = await Promise.all(
      Array.from({ length: jobs }, async () => {
        const api = createReleaseApi({ token: srv.token, owner: srv.owner, repo: srv.repo, apiUrl: srv.url })
        return (await findRelease({ api, tag: release.tag, create: release })).id
      })
    )
    return { srv, got }
  }

  it('without create-release, a missing release names the fix', async () => {
    const { api } = await setup([])
    await assert.rejects(
      findRelease({ api, tag: 'v9' }),
      (e: Error) => e instanceof PublishError && /Set 'create-release: true'/.test(e.message)
    )
  })
  it("creates it once: published, titled, at the run's commit, with generated notes", async () => {
    const { srv, api } = await setup([{ tag: 'v3.0.0' }])
    const r = await findRelease({ api, tag: 'v3.1.0', create: create({ name: 'Spring', generateNotes: true }) })
    const made = srv.releases.filter(x => x.tag === 'v3.1.0')
    assert.deepEqual(
      made.map(x => [x.id, x.name, x.draft, x.target]),
      [[r.id, 'Spring', false, 'c0ffee']]
    )
    assert.match(made[0].body, /What's Changed/)
    // found, not made, the second time
    assert.equal((await findRelease({ api, tag: 'v3.1.0', create: create() })).id, r.id)
    assert.equal(srv.releases.filter(x => x.tag === 'v3.1.0').length, 1)
  })
  it('eight jobs creating the published release at once end on one release', async () => {
    for (let round = 0; round < 3; round++) {
      const { srv, got } = await race(8, create())
      assert.equal(srv.releases.length, 1, `round ${round}`)
      assert.deepEqual(new Set(got), new Set([srv.releases[0].id]))
      assert.ok(srv.requests.filter(q => q.route === 'create-release').length > 1, 'the creates overlapped')
    }
  })
  it('eight jobs creating a draft at once end on one draft: the oldest, the others deleted', async () => {
    for (let round = 0; round < 3; round++) {
      const { srv, got } = await race(8, create({ draft: true }))
      assert.deepEqual(
        srv.releases.map(x => [x.tag, x.draft]),
        [['v3.1.0', true]],
        `round ${round}`
      )
      assert.deepEqual(new Set(got), new Set([srv.releases[0].id]))
      assert.ok(
        srv.requests.some(q => q.route === 'delete-release'),
        'the extra drafts were deleted'
      )
    }
  })
  it('an existing draft of the tag is used, not a second one made', async () => {
    const { srv, api } = await setup([{ tag: 'v3.1.0', draft: true, id: 77 }])
    assert.equal((await findRelease({ api, tag: 'v3.1.0', create: create({ draft: true }) })).id, 77)
    assert.equal(srv.releases.length, 1)
  })
  it('a token without contents: write is told so', async () => {
    const { srv, api } = await setup([])
    srv.fail.forbidden.add('create-release')
    await assert.rejects(findRelease({ api, tag: 'v3.1.0', create: create() }), (e: Error) =>
      /permissions: contents: write/.test(e.message)
    )
  })
})

describe('attachToRelease', () => {
  it('uploads to the release found by tag, streamed with type and length, token only to the API', async () => {
    const { srv, api } = await setup([{ tag: 'v1.0.0' }])
    const res = await attachToRelease({ api, tag: 'v1.0.0', file: mp4, name: 'img2vid.mp4', overwrite: true })

    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets', 'upload'])
    assert.equal(res.release.tag, 'v1.0.0')
    assert.equal(res.assetUrl, `${srv.url}/${srv.owner}/${srv.repo}/releases/download/v1.0.0/img2vid.mp4`)
    assert.equal(srv.uploads.length, 1)
    assert.equal(srv.uploads[0].sha256, digest)
    const up = srv.requests[2]
    assert.equal(up.query.get('name'), 'img2vid.mp4')
    assert.equal(up.headers['content-type'], 'video/mp4')
    assert.equal(up.headers['content-length'], String(size))
    assert.equal(up.headers['transfer-encoding'], undefined)
    for (const r of srv.requests) assert.equal(r.headers.authorization, `token ${srv.token}`)
    // what GitHub would serve is what we sent
    const back = Buffer.from(await (await fetch(res.assetUrl)).arrayBuffer())
    assert.equal(back.length, size)
  })

  it('uses the triggering release from a release event payload', async () => {
    const { srv, api } = await setup([{ tag: 'v2.0.0', id: 77 }])
    const eventRelease = releaseFromEvent('release', { action: 'published', release: srv.releaseJson('v2.0.0') })
    assert.deepEqual(eventRelease && { id: eventRelease.id, tag: eventRelease.tag }, { id: 77, tag: 'v2.0.0' })
    const res = await attachToRelease({ api, eventRelease, file: mp4, name: 'img2vid.mp4', overwrite: false })
    assert.deepEqual(routes(srv), ['list-assets', 'upload'], 'no lookup by tag')
    assert.equal(res.release.id, 77)
    assert.equal(srv.uploads[0].sha256, digest)
  })

  it('reads release events only', () => {
    assert.equal(releaseFromEvent('push', { release: { id: 1, tag_name: 'v', upload_url: 'https://x' } }), undefined)
    assert.equal(releaseFromEvent('release', { release: { id: '1' } }), undefined)
    assert.equal(releaseFromEvent('release', null), undefined)
  })

  it('with overwrite, deletes the same-named asset first (spaces matched as GitHub stores them)', async () => {
    const { srv, api } = await setup([{ tag: 'v1', assets: [{ name: 'other.mp4' }, { name: 'my.video.mp4' }] }])
    const old = srv.assets.find(a => a.name === 'my.video.mp4')
    await attachToRelease({ api, tag: 'v1', file: mp4, name: 'my video.mp4', overwrite: true })
    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets', 'delete-asset', 'upload'])
    assert.equal(srv.requests[2].path.endsWith(`/releases/assets/${old?.id}`), true)
    assert.deepEqual(
      srv.assets.map(a => [a.name, a.origin]),
      [
        ['other.mp4', 'seed'],
        ['my.video.mp4', 'upload']
      ]
    )
  })

  it('finds the asset to replace beyond the first page of assets', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ name: `frame-${i}.png` }))
    const { srv, api } = await setup([{ tag: 'v1', assets: [...many, { name: 'img2vid.mp4' }] }])
    await attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: true })
    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets', 'list-assets', 'delete-asset', 'upload'])
    assert.equal(srv.assets.filter(a => a.name === 'img2vid.mp4').length, 1)
  })

  it('survives the already_exists race: re-lists, deletes, retries once', async () => {
    const { srv, api } = await setup([{ tag: 'v1' }])
    srv.fail.raceUploads = 1
    const res = await attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: true })
    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets', 'upload', 'list-assets', 'delete-asset', 'upload'])
    assert.deepEqual(
      srv.assets.map(a => a.origin),
      ['upload']
    )
    assert.equal(srv.assets[0].sha256, digest)
    assert.match(res.assetUrl, /img2vid\.mp4$/)
  })

  it('without overwrite, the race fails naming the asset and the input', async () => {
    const { srv, api } = await setup([{ tag: 'v1' }])
    srv.fail.raceUploads = 1
    await assert.rejects(
      attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: false }),
      /'img2vid\.mp4'.*'overwrite: true'/
    )
    assert.deepEqual(
      srv.assets.map(a => a.origin),
      ['race'],
      'the other upload is left alone'
    )
  })

  it('retries only once when the race repeats', async () => {
    const { srv, api } = await setup([{ tag: 'v1' }])
    srv.fail.raceUploads = 2
    await assert.rejects(
      attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: true }),
      /again by someone else.*own asset name/
    )
    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets', 'upload', 'list-assets', 'delete-asset', 'upload'])
  })

  it('without overwrite, an existing asset fails naming it and the input', async () => {
    const { srv, api } = await setup([{ tag: 'v1', assets: [{ name: 'img2vid.mp4' }] }])
    await assert.rejects(attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: false }), (e: Error) => {
      assert.ok(e instanceof PublishError)
      assert.match(e.message, /Release 'v1' already has an asset named 'img2vid\.mp4'/)
      assert.match(e.message, /'overwrite: true'/)
      return true
    })
    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets'])
  })

  it('explains a 403 with the permission to add', async () => {
    const { srv, api } = await setup([{ tag: 'v1' }])
    srv.fail.forbidden.add('upload')
    await assert.rejects(attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: true }), (e: Error) => {
      assert.ok(e instanceof PublishError)
      assert.match(e.message, /403 Resource not accessible by integration/)
      assert.match(e.message, /`permissions: contents: write`/)
      assert.ok(!e.message.includes(srv.token))
      return true
    })
  })

  it('says a missing tag was not found, and that drafts are not found by tag', async () => {
    const { srv, api } = await setup([{ tag: 'v1' }, { tag: 'v2-draft', draft: true }])
    for (const tag of ['v9', 'v2-draft']) {
      await assert.rejects(attachToRelease({ api, tag, file: mp4, name: 'img2vid.mp4', overwrite: true }), (e: Error) => {
        assert.ok(e instanceof PublishError)
        assert.match(e.message, new RegExp(`No release with tag '${tag}' was found`))
        assert.match(e.message, /draft releases are not found by tag/)
        return true
      })
    }
    assert.deepEqual(routes(srv), ['release-by-tag', 'release-by-tag'])
  })

  it('never sends the token to an upload_url off the API host', async () => {
    const decoy = await startReleasesServer({ releases: [] })
    open.push(decoy)
    const { srv, api } = await setup([{ tag: 'v1', uploadOrigin: decoy.url }])
    await assert.rejects(
      attachToRelease({ api, tag: 'v1', file: mp4, name: 'img2vid.mp4', overwrite: true }),
      /Refusing to send 'github-token'/
    )
    assert.equal(decoy.requests.length, 0)
    assert.deepEqual(routes(srv), ['release-by-tag', 'list-assets'])
  })
})

describe('the release notes written by the jobs of a matrix', () => {
  const NAMES = ['sneakers-en', 'sneakers-de', 'boots', 'bags', 'hats', 'socks', 'belts', 'caps']
  const HAND = 'Hand-written notes\r\n\r\n## Changes\r\n- faster checkout\r\n'
  const assetsOf = (srv: ReleasesServer, name: string): { name: string; mp4Url: string; posterUrl: string } => ({
    name,
    mp4Url: `${srv.url}/${srv.owner}/${srv.repo}/releases/download/v3.0.0/${name}.mp4`,
    posterUrl: `${srv.url}/${srv.owner}/${srv.repo}/releases/download/v3.0.0/${name}.poster.jpg`
  })
  const lineOf = (srv: ReleasesServer, name: string): string => videoBlock([assetsOf(srv, name)])
  /** the block's video names, in the order the body lists them */
  const listed = (body: string): string[] => {
    const block = /<!-- img2vid:begin sha256=[0-9a-f]{16} -->\n([^]*?)\n<!-- img2vid:end -->/.exec(body)?.[1] ?? ''
    return block.split('\n').map(l => /^\[!\[([^\]]*)\]/.exec(l)?.[1] ?? `?${l}`)
  }
  /** eight jobs, each with its own client (as on eight runners), started at the same moment */
  async function eightJobs(tries: number): Promise<{ srv: ReleasesServer; results: Awaited<ReturnType<typeof writeVideoBlock>>[] }> {
    const srv = await startReleasesServer({ releases: [{ tag: 'v3.0.0', id: 300, body: HAND }], latencyMs: 40 })
    open.push(srv)
    const results = await Promise.all(
      NAMES.map(name =>
        writeVideoBlock(createReleaseApi({ token: srv.token, owner: srv.owner, repo: srv.repo, apiUrl: srv.url }), 300, lineOf(srv, name), {
          order: NAMES,
          settleMs: 200,
          tries
        })
      )
    )
    return { srv, results }
  }

  it('eight jobs appending at the same moment end with every video once, in manifest order, the hand-written text untouched', async t => {
    const { srv, results } = await eightJobs(NOTES_TRIES)
    const body = srv.releaseJson('v3.0.0').body as string
    assert.deepEqual(listed(body), NAMES)
    assert.ok(body.startsWith(`${HAND.trimEnd()}\n\n<!-- img2vid:begin`), JSON.stringify(body.slice(0, 120)))
    assert.ok(
      results.every(r => r.kept),
      'every job saw its video in the notes'
    )
    const repairs = results.reduce((n, r) => n + r.repairs, 0)
    t.diagnostic(`${srv.bodyUpdates.length} writes, ${repairs} of them repairs`)
    // the jobs did overlap: some wrote over the others and had to put their video back
    assert.ok(repairs > 0, 'no job had to repair: the jobs did not overlap')
    // a re-run of one job changes nothing
    const again = await writeVideoBlock(
      createReleaseApi({ token: srv.token, owner: srv.owner, repo: srv.repo, apiUrl: srv.url }),
      300,
      lineOf(srv, 'boots'),
      { order: NAMES, settleMs: 10 }
    )
    assert.deepEqual([again.writes, again.kept, srv.releaseJson('v3.0.0').body], [0, true, body])

    // collect writing the block once, for every video (in a job's order of arrival), gives the same body
    const once = await startReleasesServer({ releases: [{ tag: 'v3.0.0', id: 300, body: HAND }] })
    open.push(once)
    const written = await writeVideoBlock(
      createReleaseApi({ token: once.token, owner: once.owner, repo: once.repo, apiUrl: once.url }),
      300,
      videoBlock([...NAMES].reverse().map(n => assetsOf(srv, n))),
      { order: NAMES, settleMs: 10 }
    )
    assert.equal(written.writes, 1)
    assert.equal(once.releaseJson('v3.0.0').body, body)
  })

  it('without reading the notes back, the same eight jobs lose videos', async () => {
    const { srv, results } = await eightJobs(1)
    const names = listed(srv.releaseJson('v3.0.0').body as string)
    assert.ok(names.length < NAMES.length, `all ${names.length} videos survived: the jobs did not overlap`)
    assert.ok(results.some(r => !r.kept))
  })

  it('merges by manifest order: the other jobs’ videos kept, a video’s formats together, names no longer in the manifest dropped', () => {
    const url = (n: string): string => `https://github.com/o/r/releases/download/v1/${n}.mp4`
    const line = (n: string): string => videoBlock([{ name: n, mp4Url: url(n) }])
    const existing = withVideoBlock('Notes', [line('a'), line('gone'), line('c-1920x1080')].join('\n'), ['a', 'gone', 'b', 'c']).body
    const next = withVideoBlock(existing, [line('b-1080x1920'), line('b-1920x1080')].join('\n'), ['a', 'b', 'c'])
    assert.equal(next.replaced, true)
    assert.deepEqual(
      next.body.split('\n').filter(l => l.startsWith('[')),
      [line('a'), line('b-1080x1920'), line('b-1920x1080'), line('c-1920x1080')]
    )
    // one job that made every video (no 'only'): its videos replace the block
    assert.deepEqual(
      withVideoBlock(next.body, line('a'))
        .body.split('\n')
        .filter(l => l.startsWith('[')),
      [line('a')]
    )
  })
})
