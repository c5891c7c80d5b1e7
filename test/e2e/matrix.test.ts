// A manifest on a job matrix, through the built actions as the runner starts them: the plan
// (dist/plan) checks and splits it, matrix jobs render slices with 'only', collect (dist/collect)
// reads what the jobs uploaded. The README's own example is in e2e-readme; here: the plan's
// checks and limits, 'only' with lists, merge and delete-merged, and artifacts collect must not
// trust.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runAction, sandbox, type Sandbox } from '../helpers/action.js'
import { makeImage } from '../helpers/media.js'
import { nemoFixture } from '../helpers/nemo.js'
import { handZip, storedZip, unzipEntries } from '../helpers/zip.js'
import { startReleasesServer } from '../servers/releases.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const TOKEN = 'nmv_usr_matrix_5d1e'
const nemo = nemoFixture({ credits: 100_000, userTokens: [TOKEN], renderPolls: 0 })
let results: ResultsServer
before(async () => {
  results = await startResultsServer()
})
after(() => results.close())

const env = (r: ResultsServer = results): Record<string, string> => ({
  ...r.env,
  NEMO_API_URL: nemo.server.url,
  IMG2VID_RETRY_WAIT_MS: '200'
})

/** A checkout with videos.yml and photos/1.jpg. */
async function checkout(manifest: string): Promise<Sandbox> {
  const b = await sandbox()
  await writeFile(join(b.workspace, 'videos.yml'), manifest)
  await mkdir(join(b.workspace, 'photos'))
  await copyFile(await makeImage({ seed: 7 }), join(b.workspace, 'photos', '1.jpg'))
  return b
}
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `v${String(i + 1).padStart(4, '0')}`)
const listed = (ns: string[]): string => ns.map(n => `- name: ${n}\n`).join('')
const FALLBACKS = { images: 'photos/*.jpg', prompt: 'Product video' }
/** The problems of the step's error, one per line as the runner shows them. */
const errorLines = (stdout: string): string[] => (/::error::(.*)/.exec(stdout)?.[1] ?? '').split('%0A').filter(Boolean).sort()

describe('plan', () => {
  it('reports every problem at once, with the messages a render gives, and plans nothing', async () => {
    const manifest = [
      'videos:',
      '  - name: ok',
      '  - name: typo',
      '    imgaes: photos/*.jpg',
      '  - name: nothing',
      '    images: shots/*.png',
      '  - name: not-a-photo',
      '    images: videos.yml',
      ''
    ].join('\n')
    const b = await checkout(manifest)
    const plan = await runAction({ box: b, env: env(), action: 'plan', inputs: { manifest: 'videos.yml', ...FALLBACKS } })
    assert.equal(plan.code, 1)
    assert.equal(plan.outputs.matrix, undefined, 'no matrix for a manifest with problems')
    assert.match(plan.stdout, /videos\.yml:4: video 'typo': unknown key 'imgaes' \(did you mean 'images'\?\)/)
    // the file checks come once the manifest itself is right: fix the typo, then they are the render's
    await writeFile(join(b.workspace, 'videos.yml'), manifest.replace('imgaes', 'images'))
    const again = await runAction({ box: b, env: env(), action: 'plan', inputs: { manifest: 'videos.yml', ...FALLBACKS } })
    const render = await runAction({ box: b, env: env(), inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN } })
    assert.equal(again.code, 1)
    assert.equal(render.code, 1)
    const planned = errorLines(again.stdout)
    assert.equal(planned.length, 2, again.stdout)
    assert.match(planned.join('\n'), /shots\/\*\.png/)
    assert.match(planned.join('\n'), /videos\.yml is not a file type|videos\.yml is .*expected an image/)
    assert.deepEqual(planned, errorLines(render.stdout), 'the same messages as the render')
    assert.equal(nemo.server.requestsTo('chat').length, 0, 'nothing was rendered')
  })

  it('a manifest that would need more than 256 jobs puts more videos in each, and says so', async () => {
    const all = names(600)
    const b = await checkout(listed(all))
    const plan = await runAction({ box: b, env: env(), action: 'plan', inputs: { manifest: 'videos.yml', ...FALLBACKS } })
    assert.equal(plan.code, 0, plan.all)
    assert.match(plan.stdout, /600 videos at 1 per job would need 600 jobs, over a matrix's 256: 3 per job instead\./)
    const include = (JSON.parse(plan.outputs.matrix) as { include: { only: string }[] }).include
    assert.equal(include.length, 200)
    assert.equal(plan.outputs.jobs, '200')
    assert.equal(plan.outputs.count, '600')
    assert.deepEqual(JSON.parse(plan.outputs.names), all)
    assert.deepEqual(
      include.flatMap(j => j.only.split(',')),
      all,
      'every video in one job, in order'
    )
    const four = await runAction({ box: b, env: env(), action: 'plan', inputs: { manifest: 'videos.yml', ...FALLBACKS, 'per-job': '4' } })
    assert.equal(four.outputs.jobs, '150')
    assert.doesNotMatch(four.stdout, /over a matrix's 256/)

    // a job renders its slice of the 600-video manifest (one step alone renders at most 100)
    const job = await runAction({
      box: b,
      env: env(),
      inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN, only: include[1].only }
    })
    assert.equal(job.code, 0, job.all.slice(-3000))
    assert.deepEqual(
      (JSON.parse(job.outputs.videos) as { name: string }[]).map(v => v.name),
      ['v0004', 'v0005', 'v0006']
    )
    assert.ok(
      results.artifacts.some(a => a.finalized && a.name === 'img2vid-v0004'),
      "the job's artifact is named after its first video"
    )
    const whole = await runAction({ box: b, env: env(), inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN } })
    assert.equal(whole.code, 1)
    assert.match(whole.stdout, /lists 600 videos; one step renders at most 100\..*plan it onto a job matrix/)
  })

  it("'only' names that are no video of the manifest are refused, each named", async () => {
    const b = await checkout(listed(['a', 'b']))
    const r = await runAction({ box: b, env: env(), inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN, only: '["a","c","d"]' } })
    assert.equal(r.code, 1)
    assert.match(r.stdout, /Input 'only' names 2 names that are no video of videos\.yml \('c', 'd'; the names are 'a', 'b'\)/)
  })
})

describe('collect', () => {
  it("merges the jobs' artifacts into one and deletes them (delete-merged)", async () => {
    const run = await startResultsServer()
    try {
      const b = await checkout(listed(['a', 'b', 'c']))
      for (const only of ['a,b', 'c']) {
        const r = await runAction({ box: b, env: env(run), inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN, only } })
        assert.equal(r.code, 0, r.all.slice(-2000))
      }
      const c = await runAction({
        env: env(run),
        action: 'collect',
        inputs: { names: '["a","b","c"]', merge: 'true', 'delete-merged': 'true' }
      })
      assert.equal(c.code, 0, c.all.slice(-3000))
      const live = run.artifacts.filter(a => a.finalized)
      assert.deepEqual(
        live.map(a => a.name),
        ['img2vid']
      )
      const entries = [...(await unzipEntries(live[0].zip as Buffer)).keys()].sort()
      assert.deepEqual(
        entries,
        ['img2vid-a/a', 'img2vid-a/b', 'img2vid-c/c'].flatMap(s =>
          ['.img2vid.json', '.mp4', '.poster.jpg', '.preview.webp'].map(x => s + x)
        )
      )
      const videos = JSON.parse(c.outputs.videos) as Record<string, string>[]
      assert.deepEqual(
        videos.map(v => [v.name, v['artifact-id']]),
        ['a', 'b', 'c'].map(n => [n, String(live[0].id)])
      )
      assert.equal(c.outputs['artifact-id'], String(live[0].id))
    } finally {
      await run.close()
    }
  })

  it('leaves out records it cannot trust, and reports those videos as not made', async () => {
    const run = await startResultsServer()
    try {
      const b = await checkout(listed(['good', 'escape', 'forged', 'big']))
      const job = await runAction({ box: b, env: env(run), inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN, only: 'good' } })
      assert.equal(job.code, 0, job.all.slice(-2000))
      const real = JSON.parse(
        (await unzipEntries(run.artifacts.find(a => a.name === 'img2vid-good')?.zip as Buffer)).get('good.img2vid.json')?.toString() ?? ''
      ) as { entries: { made: Record<string, unknown> }[] }
      const made = real.entries[0].made
      const record = (video: string, m: Record<string, unknown>): string =>
        JSON.stringify({ format: 'img2vid-record/1', backend: 'nemo', video, entries: [{ name: video, made: m }] })
      // a record naming a file outside its folder, one whose timeline carries markup where the
      // summary writes a label of its own, and one far over the size of a record
      run.seed(
        'img2vid-escape',
        storedZip({ 'escape.img2vid.json': record('escape', { ...made, file: '../../../etc/passwd' }), 'escape.mp4': 'x' })
      )
      const forgedTimeline = {
        duration: 1,
        tracks: [{ kind: 'video', label: '<img src=x onerror=alert(1)>', name: 'a', start: 0, end: 1, segments: 1 }]
      }
      run.seed(
        'img2vid-forged',
        storedZip({
          'forged.img2vid.json': record('forged', {
            ...made,
            file: 'forged.mp4',
            poster: undefined,
            preview: undefined,
            timeline: forgedTimeline
          }),
          'forged.mp4': 'x'
        })
      )
      run.seed(
        'img2vid-big',
        storedZip({ 'big.img2vid.json': `${record('big', { ...made, file: 'big.mp4' })}${' '.repeat(300 * 1024)}`, 'big.mp4': 'x' })
      )
      // and an artifact that tries to write outside the download folder
      run.seed('img2vid-zipslip', storedZip({ '../../outside.txt': 'written outside' }))

      const c = await runAction({ env: env(run), action: 'collect', inputs: { names: 'good,escape,forged,big' } })
      assert.equal(c.code, 0, c.all.slice(-3000))
      const videos = JSON.parse(c.outputs.videos) as Record<string, string | boolean>[]
      assert.deepEqual(
        videos.map(v => [v.name, v.ok]),
        [
          ['good', true],
          ['escape', false],
          ['forged', false],
          ['big', false]
        ]
      )
      assert.match(
        c.stdout,
        /::warning::Video 'escape' was not made: Its record in the artifact 'img2vid-escape' was refused: escape\.img2vid\.json is not a video record of this action: an entry is not a format/
      )
      assert.match(
        c.stdout,
        /::warning::Video 'forged' was not made: Its record in the artifact 'img2vid-forged' was refused: forged\.img2vid\.json is not a video record/
      )
      // refused whole, from the ZIP's directory, before a byte of it is written
      assert.match(
        c.stdout,
        /::warning::The artifact 'img2vid-big' \(id \d+\) is not one a job of this action uploaded: 'big\.img2vid\.json' is \d+ bytes, over the 262144 byte cap of its kind\. Nothing of it was used\./
      )
      assert.match(
        c.stdout,
        /::warning::The artifact 'img2vid-zipslip' \(id \d+\) is not one a job of this action uploaded: .*\.\.\/\.\.\/outside\.txt/
      )
      assert.doesNotMatch(c.summary, /onerror/)
      assert.equal(c.outputs.failed, '3')
      // nothing landed outside the folder of its artifact
      const root = join(c.workspace, 'img2vid-videos')
      assert.deepEqual((await readdir(root)).sort(), ['img2vid-escape', 'img2vid-forged', 'img2vid-good'])
      assert.deepEqual(await readdir(c.workspace), ['img2vid-videos'])
    } finally {
      await run.close()
    }
  })

  it('publishes a video only from its own job, by rule and by hash, whatever other artifacts of the run hold', async () => {
    const run = await startResultsServer()
    const releases = await startReleasesServer({
      owner: 'octo',
      repo: 'promo',
      releases: [{ tag: 'v1.0.0', assets: [{ name: 'a-setup.exe', bytes: Buffer.from('the installer') }] }]
    })
    try {
      const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'g-1280x720', 'h', 'i', 'j', 'k']
      const b = await checkout(listed(all))
      for (const only of ['a,b', 'c']) {
        const r = await runAction({ box: b, env: env(run), inputs: { manifest: 'videos.yml', ...FALLBACKS, token: TOKEN, only } })
        assert.equal(r.code, 0, r.all.slice(-2000))
      }
      const jobA = await unzipEntries(run.artifacts.find(x => x.name === 'img2vid-a')?.zip as Buffer)
      const jobC = await unzipEntries(run.artifacts.find(x => x.name === 'img2vid-c')?.zip as Buffer)
      const recordOf = (files: Map<string, Buffer>, name: string): { entries: { name: string; made: Record<string, unknown> }[] } =>
        JSON.parse(files.get(`${name}.img2vid.json`)?.toString() ?? '') as { entries: { name: string; made: Record<string, unknown> }[] }
      const made = recordOf(jobA, 'a').entries[0].made
      const mp4 = jobA.get('a.mp4') as Buffer
      const record = (video: string, entries: { name: string; made: Record<string, unknown> }[]): string =>
        JSON.stringify({ format: 'img2vid-record/1', backend: 'nemo', video, entries })
      const bare = (file: string): Record<string, unknown> => ({ ...made, file, poster: undefined, preview: undefined })

      // an MP4 of its own, of the size and quoting the SHA-256 of a's
      run.seed(
        'img2vid-d',
        storedZip({ 'd.img2vid.json': record('d', [{ name: 'd', made: bare('d.mp4') }]), 'd.mp4': Buffer.alloc(mp4.length, 1) })
      )
      // c's own files, whole and true, in the artifact of a job that does not make c
      run.seed('img2vid-b', storedZip(Object.fromEntries(jobC)))
      // a's files, true, in the artifact of a job the plan gives only videos after a, and in one no plan names
      run.seed('img2vid-e', storedZip(Object.fromEntries(jobA)))
      run.seed('img2vid-zzz', storedZip(Object.fromEntries(jobA)))
      // a record whose poster and preview would replace other videos' assets on the release
      run.seed(
        'img2vid-f',
        storedZip({
          'f.img2vid.json': record('f', [{ name: 'f', made: { ...made, file: 'f.mp4', poster: 'b.mp4', preview: 'a.mp4' } }]),
          'f.mp4': mp4,
          'b.mp4': 'not b',
          'a.mp4': 'not a'
        })
      )
      // and an artifact with a file of a name no job writes, as the release's installer
      run.seed(
        'img2vid-k',
        storedZip({ 'k.img2vid.json': record('k', [{ name: 'k', made: bare('k.mp4') }]), 'k.mp4': mp4, 'a-setup.exe': 'x' })
      )
      // a format entry that takes another video's name
      run.seed(
        'img2vid-g',
        storedZip({
          'g.img2vid.json': record('g', [
            { name: 'g', made: bare('g.mp4') },
            { name: 'g-1280x720', made: bare('g-1280x720.mp4') }
          ]),
          'g.mp4': mp4,
          'g-1280x720.mp4': mp4
        })
      )
      // links the action never makes
      run.seed(
        'img2vid-h',
        storedZip({
          'h.img2vid.json': record('h', [
            {
              name: 'h',
              made: { ...bare('h.mp4'), videoUrl: 'javascript:alert(1)', claimUrl: 'https://nemovideo.com.example/workspace/claim?ct=x' }
            }
          ]),
          'h.mp4': mp4
        })
      )
      // 64 MB of zeros in a ZIP of some 64 KB, and a link
      run.seed('img2vid-i', handZip([{ name: 'i.mp4', data: Buffer.alloc(64 * 1024 * 1024), deflate: true }]))
      run.seed('img2vid-j', handZip([{ name: 'j.img2vid.json', data: '/etc/passwd', mode: 0o120777 }]))

      const c = await runAction({
        env: { ...env(run), GITHUB_API_URL: releases.url, GITHUB_REPOSITORY: 'octo/promo' },
        action: 'collect',
        inputs: { names: JSON.stringify(all), merge: 'true', 'release-tag': 'v1.0.0', 'github-token': releases.token }
      })
      assert.equal(
        c.code,
        0,
        c.stdout
          .split('\n')
          .filter(l => /^::(error|warning)/.test(l))
          .join('\n')
      )
      const videos = JSON.parse(c.outputs.videos) as Record<string, string | boolean>[]
      assert.deepEqual(
        videos.filter(v => v.ok).map(v => v.name),
        ['a', 'b', 'h']
      )
      const error = (name: string): string => String(videos.find(v => v.name === name)?.error)
      assert.match(error('c'), /recorded by more than one artifact \('img2vid-b' in c\.img2vid\.json, 'img2vid-c' in c\.img2vid\.json\)/)
      assert.match(error('d'), /d\.mp4 does not have the SHA-256 the record says/)
      assert.match(error('e'), /No record of it/)
      assert.match(
        c.stdout,
        /::warning::The artifact 'img2vid-e' records the video 'a', but it is the artifact of the job whose first video is 'e', and 'a' is listed before it/
      )
      assert.match(c.stdout, /::warning::The artifact 'img2vid-zzz' records the video 'a', but it is no job's artifact/)
      assert.match(error('f'), /entry 'f' names the poster and preview b\.mp4, a\.mp4, not f\.poster\.jpg, f\.preview\.webp/)
      assert.match(error('g'), /its entry 'g-1280x720' is named after another video of this run/)
      assert.match(error('g-1280x720'), /No record of it/)
      assert.match(
        c.stdout,
        /::warning::The artifact 'img2vid-i' \(id \d+\) is not one a job of this action uploaded: its files add up to 67108864 bytes/
      )
      assert.match(
        c.stdout,
        /::warning::The artifact 'img2vid-j' \(id \d+\) is not one a job of this action uploaded: 'j\.img2vid\.json' is a link/
      )
      assert.match(
        c.stdout,
        /::warning::Links in the records .* were left out: 'h': its video-url \(not an https URL\); 'h': its claim link \(not a claim link on https:\/\/nemovideo\.com\)/
      )
      const h = videos.find(v => v.name === 'h')
      assert.equal(h?.['video-url'], '')
      assert.doesNotMatch(c.summary, /javascript:|nemovideo\.com\.example/)
      assert.match(
        c.stdout,
        /::warning::The artifact 'img2vid-k' \(id \d+\) is not one a job of this action uploaded: 'a-setup\.exe' is not a file the action writes/
      )
      assert.equal(c.outputs.failed, '9')

      // the release: the installer untouched, and every MP4 attached is the one its video reports
      const assets = releases.assets.filter(x => x.releaseId === releases.releases[0].id)
      assert.deepEqual(
        assets.map(x => x.name).sort(),
        [
          'a-setup.exe',
          ...['a', 'b', 'h'].flatMap(n => [`${n}.mp4`, ...(n === 'h' ? [] : [`${n}.poster.jpg`, `${n}.preview.webp`])])
        ].sort()
      )
      assert.equal(assets.find(x => x.name === 'a-setup.exe')?.bytes.toString(), 'the installer')
      for (const v of videos.filter(x => x.ok)) {
        const bytes = assets.find(x => x.name === `${String(v.name)}.mp4`)?.bytes as Buffer
        assert.equal(createHash('sha256').update(bytes).digest('hex'), v.sha256, String(v.name))
      }
      // the merged artifact holds the three videos' files, nothing of the refused
      const merged = run.artifacts.find(x => x.name === 'img2vid' && x.finalized)
      const entries = [...(await unzipEntries(merged?.zip as Buffer)).keys()].map(e => e.replace(/^[^/]+\//, '')).sort()
      assert.deepEqual(
        entries,
        ['a', 'b', 'h']
          .flatMap(n => ['.img2vid.json', '.mp4', ...(n === 'h' ? [] : ['.poster.jpg', '.preview.webp'])].map(x => n + x))
          .sort()
      )
      // nothing of i or j was unpacked
      assert.deepEqual((await readdir(join(c.workspace, 'img2vid-videos'))).sort(), [
        'img2vid-a',
        'img2vid-b',
        'img2vid-c',
        'img2vid-d',
        'img2vid-e',
        'img2vid-f',
        'img2vid-g',
        'img2vid-h',
        'img2vid-zzz'
      ])
    } finally {
      await run.close()
      await releases.close()
    }
  })

  it('fails, naming the pattern, when the run has no artifact of the jobs', async () => {
    const run = await startResultsServer()
    try {
      run.seed('coverage-report')
      const c = await runAction({ env: env(run), action: 'collect', inputs: {} })
      assert.equal(c.code, 1)
      assert.match(c.stdout, /::error::No artifact of this run matches 'img2vid-\*' \(the run has 1: 'coverage-report'\)/)
    } finally {
      await run.close()
    }
  })
})
