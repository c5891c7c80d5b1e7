// The real @actions/artifact client against the loopback results-service emulation.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { uploadArtifact } from '../../src/publish/artifact.js'
import { PublishError } from '../../src/publish/errors.js'
import { validateArtifactName } from '../../src/shared/artifact-names.js'
import { makeMp4 } from '../helpers/media.js'
import { startResultsServer, type ResultsServer } from '../servers/results.js'

const run = promisify(execFile)
const ENV = [
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'GITHUB_SERVER_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID',
  'GITHUB_RETENTION_DAYS'
]

let dir: string
let mp4: string
let srv: ResultsServer
let saved: Record<string, string | undefined>

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'img2vid-artifact-'))
  mp4 = join(dir, 'img2vid.mp4')
  await copyFile(await makeMp4({ seconds: 1 }), mp4)
})
after(() => rm(dir, { recursive: true, force: true }))

beforeEach(async () => {
  srv = await startResultsServer()
  saved = Object.fromEntries(ENV.map(k => [k, process.env[k]]))
  delete process.env.GITHUB_RETENTION_DAYS
  Object.assign(process.env, {
    ...srv.env,
    GITHUB_REPOSITORY: 'octo-org/demo',
    GITHUB_RUN_ID: '4242'
  })
})
afterEach(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  await srv.close()
})

/** The entries of a received ZIP, read back with the system unzip. */
async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const path = join(dir, `received-${Date.now()}.zip`)
  await writeFile(path, zip)
  const { stdout } = await run('unzip', ['-Z1', path])
  const out = new Map<string, Buffer>()
  for (const name of stdout.split('\n').filter(Boolean)) {
    const r = await run('unzip', ['-p', path, name], { encoding: 'buffer', maxBuffer: 64 << 20 })
    out.set(name, r.stdout)
  }
  return out
}

const rpcs = (): string[] => srv.requests.map(r => r.rpc ?? `${r.method} blob ${r.query.get('comp') ?? ''}`)

describe('uploadArtifact', () => {
  it('uploads the MP4 zipped, with retention, and returns id and url', async () => {
    const res = await uploadArtifact({ name: 'img2vid', file: mp4, retentionDays: 7, overwrite: false })

    const stored = srv.artifacts.find(a => a.name === 'img2vid' && a.finalized)
    assert.ok(stored?.zip)
    assert.equal(res.id, stored.id)
    assert.equal(res.url, `https://github.com/octo-org/demo/actions/runs/4242/artifacts/${stored.id}`)
    assert.equal(res.size, stored.zip.length)
    const entries = await unzip(stored.zip)
    assert.deepEqual([...entries.keys()], ['img2vid.mp4'])
    assert.ok((entries.get('img2vid.mp4') as Buffer).equals(await readFile(mp4)), 'the zipped MP4 is byte-identical')

    assert.deepEqual(rpcs(), ['CreateArtifact', 'PUT blob block', 'PUT blob blocklist', 'FinalizeArtifact'])
    for (const b of srv.requests.filter(r => r.kind === 'blob')) {
      assert.equal(b.path, stored.blobPath, 'path-style /account/container/blob')
      assert.equal(b.headers.authorization, undefined, 'the runtime token stays with the results service')
    }
    const create = srv.requests[0]
    assert.equal(create.headers.authorization, `Bearer ${srv.runtimeToken}`)
    assert.equal(create.json?.workflow_run_backend_id, srv.runId)
    assert.equal(create.json?.workflow_job_run_backend_id, srv.jobId)
    const days = (Date.parse(String(create.json?.expires_at)) - Date.now()) / 86_400_000
    assert.ok(days > 6.9 && days < 7.05, `expires_at is 7 days ahead (got ${days.toFixed(3)})`)
    const finalize = srv.requests.at(-1)
    assert.equal(finalize?.json?.size, String(stored.zip.length))
    assert.match(String(finalize?.json?.hash), /^sha256:[0-9a-f]{64}$/)
  })

  it('zips several files relative to their common folder', async () => {
    await mkdir(join(dir, 'b'), { recursive: true })
    const second = join(dir, 'b', 'second.mp4')
    await copyFile(mp4, second)
    const res = await uploadArtifact({ name: 'videos', files: [mp4, second], overwrite: false })
    const stored = srv.artifacts.find(a => a.id === res.id)
    const entries = await unzip(stored?.zip as Buffer)
    assert.deepEqual([...entries.keys()].sort(), ['b/second.mp4', 'img2vid.mp4'])
  })

  it('with overwrite, deletes the same-named artifact first', async () => {
    const old = srv.seed('img2vid')
    const res = await uploadArtifact({ name: 'img2vid', file: mp4, overwrite: true })
    assert.deepEqual(rpcs().slice(0, 3), ['ListArtifacts', 'DeleteArtifact', 'CreateArtifact'])
    assert.equal(srv.requests[0].json?.name_filter, 'img2vid')
    assert.notEqual(res.id, old.id)
    assert.deepEqual(
      srv.artifacts.filter(a => a.name === 'img2vid').map(a => a.id),
      [res.id]
    )
  })

  it('with overwrite and nothing to replace, just uploads', async () => {
    const res = await uploadArtifact({ name: 'img2vid', file: mp4, overwrite: true })
    assert.deepEqual(rpcs(), ['ListArtifacts', 'CreateArtifact', 'PUT blob block', 'PUT blob blocklist', 'FinalizeArtifact'])
    assert.ok(res.id > 0)
  })

  it('without overwrite, a conflict names the artifact and the inputs that fix it', async () => {
    srv.seed('img2vid')
    await assert.rejects(uploadArtifact({ name: 'img2vid', file: mp4, overwrite: false }), (e: Error) => {
      assert.ok(e instanceof PublishError)
      assert.match(e.message, /artifact named 'img2vid' already exists/)
      assert.match(e.message, /'overwrite: true'/)
      assert.match(e.message, /'artifact-name'/)
      return true
    })
    assert.deepEqual(rpcs(), ['CreateArtifact'], 'nothing deleted, nothing uploaded')
  })

  it('with overwrite, says why the old artifact could not be replaced', async () => {
    srv.seed('img2vid')
    srv.fail.DeleteArtifact = { status: 403, code: 'permission_denied', msg: 'deletion not allowed' }
    await assert.rejects(
      uploadArtifact({ name: 'img2vid', file: mp4, overwrite: true }),
      /'img2vid' already exists.*Deleting it first failed.*deletion not allowed/
    )
    assert.deepEqual(rpcs(), ['ListArtifacts', 'DeleteArtifact', 'CreateArtifact'])
  })

  it('explains that GitHub Enterprise Server has no artifacts for actions', async () => {
    process.env.GITHUB_SERVER_URL = 'https://ghes.example.com'
    for (const overwrite of [true, false]) {
      await assert.rejects(uploadArtifact({ name: 'img2vid', file: mp4, overwrite }), /Enterprise Server: set 'upload-artifact: false'/)
    }
    assert.equal(srv.requests.length, 0)
  })

  it('refuses a bad name before any request', async () => {
    await assert.rejects(uploadArtifact({ name: 'a/b', file: mp4, overwrite: true }), /'artifact-name'.*'\/'/)
    assert.equal(srv.requests.length, 0)
  })
})

describe('validateArtifactName', () => {
  it('accepts ordinary names', () => {
    for (const ok of ['img2vid', 'img2vid-demo_1.2', 'my video', 'ünïcödé']) assert.equal(validateArtifactName(ok), undefined, ok)
  })

  it('rejects each character the service refuses, naming the input and the character', () => {
    for (const c of ['"', ':', '<', '>', '|', '*', '?', '\\', '/']) {
      const msg = validateArtifactName(`a${c}b`)
      assert.ok(msg?.includes("'artifact-name'"), c)
      assert.ok(msg?.includes(`'${c}'`), `${c} named in: ${msg}`)
    }
    assert.match(validateArtifactName('a\r\nb') ?? '', /'\\r', '\\n'/)
    assert.match(validateArtifactName('a:b*c') ?? '', /':', '\*'/)
    assert.match(validateArtifactName('  ') ?? '', /'artifact-name' is empty/)
  })
})
