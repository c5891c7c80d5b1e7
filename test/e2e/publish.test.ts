// Publishing through the built action: the real @actions/artifact and octokit against the
// loopback results service and releases API, with the MP4 from the loopback NemoVideo server.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runAction, sandbox, type Sandbox } from '../helpers/action.js'
import { makeImage } from '../helpers/media.js'
import { unzipEntries } from '../helpers/zip.js'
import { startNemoServer, type NemoServer } from '../servers/nemo.js'
import { startReleasesServer, type ReleasesServer } from '../servers/releases.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const NEMO_TOKEN = 'nmv_usr_publish_secret_55aa'
let nemo: NemoServer
let results: ResultsServer
let releases: ReleasesServer

before(async () => {
  nemo = await startNemoServer({ config: { credits: 100_000, userTokens: [NEMO_TOKEN], renderPolls: 0 } })
  results = await startResultsServer()
  releases = await startReleasesServer({ owner: 'octo', repo: 'promo', releases: [{ tag: 'v1.0.0' }, { tag: 'v2.0.0' }] })
})
after(async () => {
  await Promise.all([nemo.close(), results.close(), releases.close()])
})

async function box(): Promise<Sandbox> {
  const b = await sandbox()
  await mkdir(join(b.workspace, 'photos'))
  await copyFile(await makeImage({ seed: 3 }), join(b.workspace, 'photos', 'a.jpg'))
  return b
}

const run = async (inputs: Record<string, string>, env: Record<string, string> = {}, b?: Sandbox): ReturnType<typeof runAction> =>
  runAction({
    box: b ?? (await box()),
    env: { ...results.env, GITHUB_API_URL: releases.url, GITHUB_REPOSITORY: 'octo/promo', GITHUB_RUN_ID: '4242', ...env },
    inputs: {
      images: 'photos/*.jpg',
      prompt: 'Release promo',
      'api-url': nemo.url,
      'poll-interval': '1',
      token: NEMO_TOKEN,
      'github-token': releases.token,
      output: 'promo.mp4',
      ...inputs
    }
  })

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

describe('publish end to end', () => {
  it('uploads the artifact and attaches the release asset, with outputs and summary links', async () => {
    // the MP4 alone (the poster and preview have their own test)
    const r = await run({ 'artifact-name': 'promo-video', 'retention-days': '7', 'release-tag': 'v1.0.0', previews: 'false' })
    assert.equal(r.code, 0, r.all)
    const mp4 = await readFile(join(r.workspace, 'promo.mp4'))

    const artifact = results.artifacts.find(a => a.name === 'promo-video' && a.finalized)
    assert.ok(artifact?.zip, 'the artifact arrived')
    const entries = await unzipEntries(artifact.zip)
    assert.deepEqual([...entries.keys()], ['promo.mp4'])
    assert.equal(sha(entries.get('promo.mp4') as Buffer), sha(mp4))
    assert.equal(r.outputs['artifact-id'], String(artifact.id))
    assert.equal(r.outputs['artifact-url'], `https://github.com/octo/promo/actions/runs/4242/artifacts/${artifact.id}`)

    const asset = releases.uploads.at(-1)
    assert.equal(asset?.name, 'promo.mp4')
    assert.equal(asset?.contentType, 'video/mp4')
    assert.equal(sha(asset?.bytes as Buffer), sha(mp4))
    assert.match(r.outputs['release-asset-url'], /\/releases\/download\/v1\.0\.0\/promo\.mp4$/)
    assert.match(r.summary, /Artifact promo-video/)
    assert.match(r.summary, /Release asset/)

    // each token goes only to its own service
    assert.ok(releases.requests.every(q => !String(q.headers.authorization ?? '').includes(NEMO_TOKEN)))
    assert.ok(nemo.requests.every(q => !String(q.headers.authorization ?? '').includes(releases.token)))
    assert.ok(!r.all.includes(releases.token) && !r.all.includes(NEMO_TOKEN))
  })

  it('replaces an existing artifact and asset with overwrite (the default)', async () => {
    const r = await run({ 'artifact-name': 'promo-video', 'release-tag': 'v1.0.0' })
    assert.equal(r.code, 0, r.all)
    assert.equal(results.artifacts.filter(a => a.name === 'promo-video' && a.finalized).length, 1)
    assert.equal(releases.assets.filter(a => a.name === 'promo.mp4').length, 1)
  })

  it('fails naming the input when the artifact exists and overwrite is false', async () => {
    const r = await run({ 'artifact-name': 'promo-video', overwrite: 'false' })
    assert.equal(r.code, 1)
    assert.match(r.stdout, /::error::.*artifact named 'promo-video' already exists.*'overwrite: true'/)
    assert.ok(r.outputs['video-path'], 'the video outputs are still set')
  })

  it('attaches to the triggering release on a release event', async () => {
    const b = await box()
    const eventPath = join(b.temp, 'event.json')
    await writeFile(eventPath, JSON.stringify({ action: 'published', release: releases.releaseJson('v2.0.0') }))
    const r = await run({ 'upload-artifact': 'false' }, { GITHUB_EVENT_NAME: 'release', GITHUB_EVENT_PATH: eventPath }, b)
    assert.equal(r.code, 0, r.all)
    assert.match(r.outputs['release-asset-url'], /\/releases\/download\/v2\.0\.0\/promo\.mp4$/)
    assert.equal(r.outputs['artifact-id'], '')
  })

  it('explains a 403 with the permission the job needs', async () => {
    releases.fail.forbidden.add('upload')
    try {
      const r = await run({ 'upload-artifact': 'false', 'release-tag': 'v1.0.0' })
      assert.equal(r.code, 1)
      assert.match(r.stdout, /::error::.*permissions: contents: write/)
    } finally {
      releases.fail.forbidden.clear()
    }
  })

  it('says a missing tag was not found (drafts are not found by tag)', async () => {
    const r = await run({ 'upload-artifact': 'false', 'release-tag': 'v9.9.9' })
    assert.equal(r.code, 1)
    assert.match(r.stdout, /::error::No release with tag 'v9\.9\.9' was found \('release-tag'\)\..*draft releases are not found by tag/)
  })
})

describe('release-notes: append from the jobs of a matrix (manifest and only)', () => {
  it('three jobs appending at the same moment leave every video once, in manifest order, and the hand-written notes as they were', async () => {
    const NOTES = '## Highlights\r\n\r\nHand-written by the release manager.\r\n'
    const srv = await startReleasesServer({ owner: 'octo', repo: 'promo', releases: [{ tag: 'v5.0.0', body: NOTES }], latencyMs: 60 })
    try {
      const manifest = ['- name: sneakers-en', '  title: Sneakers', '- name: sneakers-de', '  title: Turnschuhe', '- name: boots', ''].join(
        '\n'
      )
      const job = async (name: string): ReturnType<typeof runAction> => {
        const b = await box()
        await writeFile(join(b.workspace, 'videos.yml'), manifest)
        return runAction({
          box: b,
          env: { GITHUB_API_URL: srv.url, GITHUB_REPOSITORY: 'octo/promo', GITHUB_RUN_ID: '4343' },
          inputs: {
            images: 'photos/*.jpg',
            prompt: 'Release promo',
            backend: 'local',
            duration: '1',
            resolution: '720p',
            manifest: 'videos.yml',
            only: name,
            'release-tag': 'v5.0.0',
            'release-notes': 'append',
            'github-token': srv.token,
            'upload-artifact': 'false',
            cache: 'false'
          }
        })
      }
      // the matrix's jobs in the order the runners happen to start them
      const runs = await Promise.all(['boots', 'sneakers-de', 'sneakers-en'].map(job))
      for (const r of runs) {
        assert.equal(r.code, 0, r.all.slice(-3000))
        assert.match(r.stdout, /Release notes: the video block (added|replaced)/)
        assert.doesNotMatch(r.stdout, /::warning::.*release notes/i)
      }
      const body = srv.releaseJson('v5.0.0').body as string
      assert.ok(body.startsWith(`${NOTES.trimEnd()}\n\n<!-- img2vid:begin sha256=`), JSON.stringify(body))
      const block = /<!-- img2vid:begin sha256=[0-9a-f]{16} -->\n([^]*?)\n<!-- img2vid:end -->\n$/.exec(body)?.[1] ?? ''
      assert.deepEqual(
        block.split('\n').map(l => /^\[!\[([^\]]*)\]\(([^)]*)\)\]\(([^)]*)\)$/.exec(l)?.slice(1)),
        ['sneakers-en', 'sneakers-de', 'boots'].map(n => [
          n,
          `${srv.url}/octo/promo/releases/download/v5.0.0/${n}.poster.jpg`,
          `${srv.url}/octo/promo/releases/download/v5.0.0/${n}.mp4`
        ])
      )
    } finally {
      await srv.close()
    }
  })
})
