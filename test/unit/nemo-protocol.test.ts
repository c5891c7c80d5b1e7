// Pure pieces of the NemoVideo client: envelope, Retry-After, redaction, render status shapes,
// the SSE event reader and the multipart body.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ReplyReader } from '../../src/backends/nemo/chat.js'
import { retryAfterMs } from '../../src/backends/nemo/client.js'
import { addSecret, explain, NemoError, redact } from '../../src/backends/nemo/errors.js'
import {
  STATUS_SHAPES,
  STATUS_WORDS,
  pointedUrl,
  readEnvelope,
  serverJson,
  readRenderStatus,
  renderState,
  type StatusShape,
  type StatusWord
} from '../../src/backends/nemo/replies.js'
import { multipart } from '../../src/backends/nemo/upload.js'
import type { InputFile } from '../../src/input-files/input-file.js'
import { STATUS_REPLIES } from '../servers/nemo.js'

describe('readEnvelope', () => {
  it('returns data of a code-0 envelope, or a bare object', () => {
    assert.deepEqual(readEnvelope(200, '{"code":0,"data":{"a":1}}'), { ok: true, data: { a: 1 }, body: { code: 0, data: { a: 1 } } })
    const bare = readEnvelope(200, '{"taskId":"r","status":"completed"}')
    assert.ok(bare.ok && (bare.data as { status: string }).status === 'completed')
  })
  it('treats code != 0 as an error even with HTTP 200', () => {
    assert.deepEqual(readEnvelope(200, '{"code":1002,"message":"session not found","data":null}'), {
      ok: false,
      code: 1002,
      message: 'session not found',
      json: true
    })
    assert.equal((readEnvelope(200, '{"code":"2001"}') as { code?: number }).code, 2001)
  })
  it('an error status with a non-JSON body is just the status', () => {
    assert.deepEqual(readEnvelope(503, 'upstream unavailable'), { ok: false, code: undefined, message: '', json: false })
    assert.match(explain('Doing it', undefined, 503, ''), /^Doing it: NemoVideo answered HTTP 503\. .*re-run the job later/)
  })
  it('a 200 that is not JSON is an error', () => {
    assert.equal(readEnvelope(200, '<html>').ok, false)
  })
  it('success:false alone is an error; with a data object it is a status', () => {
    assert.equal(readEnvelope(200, '{"success":false,"message":"duplicate id"}').ok, false)
    assert.equal(readEnvelope(200, '{"success":false,"data":{"status":"failed"}}').ok, true)
  })
  it('never carries a token a server echoes', () => {
    const env = readEnvelope(401, '{"code":1001,"message":"token nmv_usr_abc123XYZ expired"}')
    assert.ok(!env.ok && !env.message.includes('abc123XYZ'))
    assert.equal(redact('bad nmv_usr_s3cr3t-x_y.'), 'bad nmv_usr_***.')
  })
  it('redacts every string of a reply, however deep and however escaped; raw only when asked', () => {
    addSecret('Sk.live/echoed_9f2c')
    const text = JSON.stringify({ code: 0, data: { t: [{ n: 'a Sk.live/echoed_9f2c b', sg: [{ src: 'nmv_usr_zz9' }] }] } })
    const escaped = text.replace('Sk.live', '\\u0053k.live')
    for (const body of [text, escaped]) {
      const env = readEnvelope(200, body)
      assert.ok(env.ok)
      assert.deepEqual(env.data, { t: [{ n: 'a *** b', sg: [{ src: 'nmv_usr_***' }] }] })
    }
    const raw = readEnvelope(200, text, true)
    assert.ok(raw.ok && JSON.stringify(raw.data).includes('Sk.live/echoed_9f2c'), 'a raw reply is as sent')
    assert.deepEqual(serverJson('["Sk.live/echoed_9f2c", 1, null]'), ['***', 1, null])
  })
})

describe('explain', () => {
  it('says what to do for each code of the error table', () => {
    assert.match(explain('X', 1001, 401, ''), /rejected the token.*'token' input/)
    assert.match(explain('X', 1002, 200, ''), /session was not found \(code 1002\)/)
    assert.match(explain('X', 2001, 200, ''), /out of credits \(code 2001\)/)
    assert.match(explain('X', 4001, 200, ''), /refused a file type \(code 4001\)/)
    assert.match(explain('X', 4002, 200, ''), /200 MB limit \(code 4002\)/)
    assert.match(explain('X', 402, 402, ''), /plan\/subscription limit, not credits/)
    assert.match(explain('X', undefined, 429, ''), /rate limiting/)
  })
  it('NemoError keeps code and status', () => {
    const e = new NemoError('m', { code: 1002, httpStatus: 200 })
    assert.equal(e.code, 1002)
    assert.equal(e.httpStatus, 200)
    assert.equal(e.name, 'NemoError')
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps them, defaults otherwise', () => {
    process.env.IMG2VID_RETRY_WAIT_MS = '30000'
    process.env.IMG2VID_RETRY_WAIT_CAP_MS = '120000'
    try {
      assert.equal(retryAfterMs('2'), 2000)
      assert.equal(retryAfterMs('0.5'), 500)
      assert.equal(retryAfterMs(undefined), 30000)
      assert.equal(retryAfterMs('soon'), 30000)
      assert.equal(retryAfterMs('9999'), 120000)
      const now = Date.parse('2026-01-01T00:00:00Z')
      assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now), 7000)
      assert.equal(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now), 0)
    } finally {
      delete process.env.IMG2VID_RETRY_WAIT_MS
      delete process.env.IMG2VID_RETRY_WAIT_CAP_MS
    }
  })
})

describe('the render status: every shape with every status word, as the test server answers', () => {
  const url = 'https://cdn.example/renders/r1.mp4'
  for (const shape of Object.keys(STATUS_SHAPES) as StatusShape[])
    it(`${shape}: ${STATUS_SHAPES[shape]}`, () => {
      for (const word of Object.keys(STATUS_WORDS) as StatusWord[]) {
        const state = STATUS_WORDS[word]
        const reply = STATUS_REPLIES[shape]({
          id: 'r1',
          // the server's case is not the reader's
          status: word.toUpperCase(),
          progress: state === 'done' ? 100 : 40,
          url: state === 'done' ? url : undefined,
          error: state === 'failed' ? 'out of memory' : undefined,
          size: 1
        })
        // through the envelope as the client reads it, then the status reader
        const env = readEnvelope(200, JSON.stringify(reply))
        assert.ok(env.ok, `${shape}/${word}: the envelope refused ${JSON.stringify(reply)}`)
        const read = readRenderStatus(env.data)
        assert.equal(read.status, word, `${shape}/${word}`)
        assert.equal(renderState(read.status), state, `${shape}/${word}`)
        assert.equal(read.progress, state === 'done' ? 100 : 40, `${shape}/${word}`)
        assert.equal(read.url, state === 'done' ? url : undefined, `${shape}/${word}`)
        assert.equal(read.reason, state === 'failed' ? 'out of memory' : undefined, `${shape}/${word}`)
        // the envelope left on reads the same, and the download endpoint's JSON answer points the same way
        assert.deepEqual(readRenderStatus(reply), read, `${shape}/${word}: the whole body`)
        assert.equal(pointedUrl(Buffer.from(JSON.stringify(reply))), read.url, `${shape}/${word}: pointedUrl`)
      }
    })
  it('docs/nemovideo-protocol.md names the same shapes and words', async () => {
    const doc = await readFile(new URL('../../docs/nemovideo-protocol.md', import.meta.url), 'utf8')
    for (const shape of Object.keys(STATUS_SHAPES)) assert.ok(doc.includes(`| \`${shape}\` |`), shape)
    for (const word of Object.keys(STATUS_WORDS)) assert.ok(doc.includes(`\`${word}\``), word)
  })
  it('a word no source shows keeps the poll going; a server word is redacted and bounded', () => {
    assert.equal(renderState('warming-up'), 'running')
    assert.equal(renderState('constructor'), 'running')
    const read = readRenderStatus({ status: `x${'y'.repeat(100)}`, progress: '12' })
    assert.equal(read.status.length, 40)
    assert.equal(read.progress, 12)
    assert.equal(pointedUrl(Buffer.from('not json')), undefined)
  })
})

describe('ReplyReader', () => {
  const read = (events: string[]): { r: ReplyReader; lines: string[] } => {
    const lines: string[] = []
    const r = new ReplyReader(l => lines.push(l))
    for (const e of events) r.onData(e)
    r.finish()
    return { r, lines }
  }
  const adk = (o: object): string => JSON.stringify({ author: 'nemo_agent', invocationId: 'i', ...o })

  it('prints partial chunks followed by the full text once', () => {
    const { r, lines } = read([
      adk({ partial: true, content: { parts: [{ text: 'Hello ' }] } }),
      adk({ partial: true, content: { parts: [{ text: 'there' }] } }),
      adk({ content: { parts: [{ text: 'Hello there' }] } })
    ])
    assert.deepEqual(r.texts, ['Hello there'])
    assert.deepEqual(lines, ['💬 Hello there'])
  })
  it('prints partial text when no final event came', () => {
    const { r } = read([adk({ partial: true, content: { parts: [{ text: 'Half' }] } })])
    assert.deepEqual(r.texts, ['Half'])
  })
  it('logs tool calls as one short line each and ignores heartbeats', () => {
    const { r, lines } = read([
      '',
      '{"type":"heartbeat"}',
      adk({ content: { parts: [{ functionCall: { name: 'edit_timeline', args: { ops: 3, text: 'x'.repeat(200) } } }] } }),
      adk({ content: { role: 'user', parts: [{ functionResponse: { name: 'edit_timeline', response: { ok: true } } }] } })
    ])
    assert.deepEqual(r.toolCalls, ['edit_timeline'])
    assert.equal(lines.length, 1)
    assert.ok(lines[0].startsWith('🔧 edit_timeline {"ops":3') && lines[0].length < 100, lines[0])
    assert.deepEqual(r.texts, [])
  })
  it('heartbeats do not count as activity', () => {
    const r = new ReplyReader(() => undefined)
    r.lastContent = 0
    r.onData('')
    r.onData('{"type":"heartbeat"}')
    assert.equal(r.lastContent, 0)
    r.onData(JSON.stringify({ type: 'text', content: 'x' }))
    assert.ok(r.lastContent > 0)
  })
  it('reads the older type format', () => {
    const { r, lines } = read([
      '{"type":"text","content":"Built a "}',
      '{"type":"text","content":"timeline."}',
      '{"type":"tool_call","name":"render_preview","args":{}}',
      '{"type":"tool_result","name":"render_preview","result":{}}',
      '{"type":"text","content":"Done."}'
    ])
    assert.deepEqual(r.texts, ['Built a timeline.', 'Done.'])
    assert.deepEqual(r.toolCalls, ['render_preview'])
    assert.equal(lines.length, 3)
  })
  it('drops a trailing "temporary issue" note after normal text, in both formats', () => {
    assert.deepEqual(
      read(['{"type":"text","content":"All set."}', '{"type":"text","content":"\\nI encountered a temporary issue."}']).r.texts,
      ['All set.']
    )
    assert.deepEqual(
      read([
        adk({ content: { parts: [{ text: 'All set.' }] } }),
        adk({ content: { parts: [{ text: 'I encountered a temporary issue, please try again.' }] } })
      ]).r.texts,
      ['All set.']
    )
    // alone it is the whole reply, and is kept
    assert.deepEqual(read([adk({ content: { parts: [{ text: 'I encountered a temporary issue.' }] } })]).r.texts, [
      'I encountered a temporary issue.'
    ])
  })
  it('recognises each in-stream error', () => {
    assert.match(read(['{"error":"tool raised ValueError"}']).r.error ?? '', /ValueError/)
    assert.match(read(['{"errorCode":"MODEL_OVERLOADED","errorMessage":"overloaded"}']).r.error ?? '', /overloaded \(MODEL_OVERLOADED\)/)
    assert.match(
      read([JSON.stringify({ author: 'system', content: { parts: [{ text: 'Error: backend down' }] } })]).r.error ?? '',
      /^Error: backend down/
    )
    assert.match(read(['{"type":"error","message":"boom"}']).r.error ?? '', /boom/)
    assert.equal(read(['{"errorCode":null,"content":{"parts":[{"text":"fine"}]}}']).r.error, undefined)
  })
})

describe('multipart', () => {
  it('has exactly the announced length and one files part per file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'img2vid-mp-'))
    const a = join(dir, 'a.jpg')
    const b = join(dir, 'b "quoted".png')
    await writeFile(a, Buffer.alloc(3 * 1024 * 1024 + 7, 1))
    await writeFile(b, Buffer.from('png-bytes'))
    const files: InputFile[] = [
      { path: a, name: 'a.jpg', size: 3 * 1024 * 1024 + 7, kind: 'image', type: 'jpg', mime: 'image/jpeg' },
      { path: b, name: 'b "quoted".png', size: 9, kind: 'image', type: 'png', mime: 'image/png' }
    ]
    let counted = 0
    const form = multipart(files, n => (counted += n))
    const chunks: Buffer[] = []
    for await (const c of form.body()) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks)
    assert.equal(body.length, form.length)
    assert.equal(counted, files[0].size + files[1].size)
    const text = body.toString('latin1')
    assert.equal(text.match(/name="files"/g)?.length, 2)
    assert.match(text, /filename="b %22quoted%22\.png"/)
    assert.match(form.contentType, /^multipart\/form-data; boundary=/)
    // a second body (a retried upload) starts over
    let again = 0
    for await (const c of form.body()) again += (c as Buffer).length
    assert.equal(again, form.length)
  })
})
