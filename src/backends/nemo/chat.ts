// One chat turn over SSE (/run_sse): Google ADK events or the older {"type":…} format, heartbeats,
// partial chunks followed by the full text (printed once), tool calls, in-stream errors, a stall
// limit, and "⏳ Still working…" while only heartbeats arrive. A message is never re-sent once it
// may have reached the agent: that would charge twice.
import * as core from '@actions/core'
import { createParser } from 'eventsource-parser'
import { request, type Dispatcher } from 'undici'
import { tuning } from './timings.js'
import { CODE, NemoError, explain } from './errors.js'
import {
  describeNetworkError,
  errorCode,
  isConnectionError,
  neverSent,
  readEnvelope,
  redact,
  retryAfterMs,
  type NemoHttp,
  type TokenProvider
} from './client.js'

export interface ChatResult {
  /** the agent's whole reply text, empty when it answered with tool calls only */
  text: string
  /** the agent's texts, each once */
  texts: string[]
  toolCalls: string[]
  /** the connection broke before the server closed it */
  dropped: boolean
  /** nothing but heartbeats for the stall limit */
  stalled: boolean
}

const TEMPORARY_ISSUE = /I encountered a temporary issue\b[^]*$/i

type Part = { text?: unknown; functionCall?: { name?: unknown; args?: unknown }; functionResponse?: { name?: unknown } }
type StreamEvent = {
  content?: unknown
  author?: unknown
  partial?: unknown
  error?: unknown
  errorCode?: unknown
  errorMessage?: unknown
  type?: unknown
  [k: string]: unknown
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== ''
const short = (v: unknown, max = 80): string => {
  if (v === undefined || v === null) return ''
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/**
 * Turns the events of one reply into printed lines and a result. Pure apart from `print`, so the
 * event formats can be tested without a server.
 */
export class ReplyReader {
  readonly texts: string[] = []
  readonly toolCalls: string[] = []
  error?: string
  /** when the last event that was not a heartbeat arrived */
  lastContent = Date.now()
  private partial = ''
  private legacy = ''

  constructor(private readonly print: (line: string) => void = line => core.info(line)) {}

  /** One SSE `data` payload. */
  onData(data: string): void {
    if (!data.trim()) return // an empty data line is a heartbeat
    let ev: StreamEvent
    try {
      ev = JSON.parse(data) as StreamEvent
    } catch {
      core.debug(`Ignoring an event that is not JSON: ${redact(data.slice(0, 200))}`)
      return
    }
    if (!ev || typeof ev !== 'object') return
    if (ev.type === 'heartbeat' || ev.type === 'ping') return
    if (present(ev.error)) {
      this.error = typeof ev.error === 'string' ? ev.error : short(ev.error, 500)
      return
    }
    if (present(ev.errorCode) || present(ev.errorMessage)) {
      this.error = `${String(ev.errorMessage ?? 'error')}${present(ev.errorCode) ? ` (${String(ev.errorCode)})` : ''}`
      return
    }
    this.lastContent = Date.now()

    // the older format: {"type":"text"|"tool_call"|"tool_result"|"error",…}
    if (typeof ev.type === 'string') {
      if (ev.type === 'text') {
        this.legacy += typeof ev.content === 'string' ? ev.content : typeof ev.text === 'string' ? ev.text : ''
      } else if (ev.type === 'tool_call') {
        this.flushLegacy()
        const tool = (ev.tool && typeof ev.tool === 'object' ? ev.tool : {}) as { name?: unknown; args?: unknown }
        this.tool(
          ev.name ?? ev.tool_name ?? tool.name ?? (typeof ev.tool === 'string' ? ev.tool : undefined),
          ev.args ?? ev.arguments ?? ev.input ?? tool.args
        )
      } else if (ev.type === 'tool_result') {
        this.flushLegacy()
      } else if (ev.type === 'error') {
        this.error = short(ev.message ?? ev.content ?? 'error', 500)
      }
      return
    }

    // ADK: {"content":{"parts":[…]},"author":…,"partial":true?}
    const content = (ev.content && typeof ev.content === 'object' ? ev.content : {}) as { parts?: unknown }
    const parts = (Array.isArray(content.parts) ? content.parts : []) as Part[]
    for (const p of parts) {
      if (!p || typeof p !== 'object') continue
      if (typeof p.text === 'string') {
        if (ev.author === 'system' && /^\s*Error:/.test(p.text)) {
          this.error = p.text.trim()
        } else if (ev.partial === true) {
          this.partial += p.text
        } else {
          // the final event repeats the partial chunks' whole text
          this.partial = ''
          this.flushText(p.text)
        }
      } else if (p.functionCall) {
        this.tool(p.functionCall.name, p.functionCall.args)
      }
    }
  }

  /** The stream ended: print what was still held back. */
  finish(): void {
    this.flushLegacy()
    this.flushText(this.partial)
    this.partial = ''
  }

  private tool(name: unknown, args: unknown): void {
    const n = typeof name === 'string' && name ? name : 'tool'
    this.toolCalls.push(n)
    const a = short(args)
    this.print(`🔧 ${n}${a ? ` ${a}` : ''}`)
  }

  private flushLegacy(): void {
    this.flushText(this.legacy)
    this.legacy = ''
  }

  private flushText(text: string): void {
    let t = text.trim()
    // a known trailing note after a normal reply; alone it is the reply and is kept
    const note = TEMPORARY_ISSUE.exec(t)
    if (note && (note.index > 0 || this.texts.length > 0)) t = t.slice(0, note.index).trim()
    if (!t) return
    this.texts.push(t)
    for (const line of t.split('\n')) this.print(`💬 ${line}`)
  }
}

export async function chat(
  http: NemoHttp,
  sessionId: string,
  message: string,
  signal: AbortSignal,
  tokens?: TokenProvider
): Promise<ChatResult> {
  const what = 'Sending the prompt to the agent'
  const payload = JSON.stringify({
    app_name: 'nemo_agent',
    user_id: 'me',
    session_id: sessionId,
    new_message: { parts: [{ text: message }] }
  })
  const stop = new AbortController()
  const sig = AbortSignal.any([signal, stop.signal])
  const notSent = ' The prompt was not sent (nothing was charged); re-run the job.'
  let rateRetried = false
  let authRetried = false

  const reader = new ReplyReader()
  let stalled = false
  let waiting = false // a 429 wait is not the agent being slow
  let lastNote = reader.lastContent
  // one watch from the moment the prompt leaves: "still working" notes, then the stall limit
  const watch = setInterval(
    () => {
      if (waiting) return
      const now = Date.now()
      const quiet = now - reader.lastContent
      if (quiet >= tuning.stallMs) {
        stalled = true
        stop.abort(new Error('stalled'))
      } else if (quiet >= tuning.stillWorkingMs && now - lastNote >= tuning.stillWorkingMs) {
        lastNote = now
        core.info(`⏳ Still working… (${Math.round(quiet / 1000)} s without a reply; long generations take minutes)`)
      }
    },
    Math.max(20, Math.min(1000, tuning.stillWorkingMs / 4, tuning.stallMs / 4))
  )
  const result = (over: { dropped?: boolean; stalled?: boolean }): ChatResult => ({
    text: reader.texts.join('\n\n'),
    texts: reader.texts,
    toolCalls: reader.toolCalls,
    dropped: false,
    stalled: false,
    ...over
  })

  try {
    // repeated only when the server refused it before streaming (429, 1001): nothing was charged
    let res: Dispatcher.ResponseData
    for (;;) {
      waiting = true
      await http.waitForRateLimit(signal)
      const headers = await http.headers({ signal, extra: { accept: 'text/event-stream', 'content-type': 'application/json' } })
      waiting = false
      reader.lastContent = Date.now()
      try {
        // no body timeout: the stall watch and the job deadline bound the stream
        res = await request(http.url('/run_sse'), {
          method: 'POST',
          headers,
          body: payload,
          signal: sig,
          headersTimeout: tuning.stallMs,
          bodyTimeout: 0
        })
      } catch (err) {
        if (signal.aborted) throw signal.reason ?? err
        if (stalled || errorCode(err) === 'UND_ERR_HEADERS_TIMEOUT') return result({ stalled: true })
        // only a connection that never opened proves the prompt never left; any later break may
        // have reached the agent, so the caller judges it by the session state, never by re-sending
        if (neverSent(err))
          throw new NemoError(`${what}: could not reach NemoVideo (${describeNetworkError(err, tuning.stallMs)}).${notSent}`, {
            cause: err
          })
        core.info(`${what}: the connection broke before the reply started (${describeNetworkError(err, tuning.stallMs)}).`)
        return result({ dropped: true })
      }
      const type = String(res.headers['content-type'] ?? '').toLowerCase()
      // a gateway may drop the content type of a stream; only JSON is read as an envelope
      if (res.statusCode === 200 && !type.includes('json')) break
      const env = readEnvelope(res.statusCode, await res.body.text().catch(() => ''))
      if (env.ok)
        throw new NemoError(
          `${what}: NemoVideo answered with JSON instead of an event stream. Check that 'api-url' points at the NemoVideo API.`
        )
      if (res.statusCode === 429 && !rateRetried) {
        rateRetried = true
        const wait = retryAfterMs(res.headers['retry-after'])
        http.pause(wait)
        core.info(`${what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`)
        continue
      }
      if (env.code === CODE.tokenInvalid && tokens && !authRetried) {
        authRetried = true
        waiting = true
        await tokens.renew(headers.authorization.slice('Bearer '.length), signal)
        continue
      }
      if (res.statusCode >= 500 && env.code === undefined) {
        // a gateway error may come after the agent got the prompt: the state decides, not a resend
        core.info(`${what}: NemoVideo answered HTTP ${res.statusCode} before the reply started.`)
        return result({ dropped: true })
      }
      throw new NemoError(explain(what, env.code, res.statusCode, env.message), { code: env.code, httpStatus: res.statusCode })
    }

    const parser = createParser({ onEvent: e => reader.onData(e.data), maxBufferSize: 16 * 1024 * 1024 })
    const decoder = new TextDecoder()
    reader.lastContent = Date.now()
    try {
      for await (const chunk of res.body) {
        parser.feed(decoder.decode(chunk as Buffer, { stream: true }))
        if (reader.error) break
      }
      parser.feed(decoder.decode())
      parser.reset({ consume: true }) // an event cut short of its blank line still counts
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err
      if (stalled) return finish(reader, result({ stalled: true }))
      if (!isConnectionError(err) && !/terminated|aborted|socket|closed/i.test((err as Error).message)) throw err
      core.info('The chat stream broke before the server closed it.')
      return finish(reader, result({ dropped: true }))
    } finally {
      res.body.destroy()
    }
    return finish(reader, result({}))
  } finally {
    clearInterval(watch)
  }
}

/** Prints what the reader held back; an in-stream error wins over everything else. */
function finish(reader: ReplyReader, res: ChatResult): ChatResult {
  reader.finish()
  if (reader.error)
    throw new NemoError(
      `The agent reported an error: ${redact(reader.error).slice(0, 500)}. Re-run the job; if it keeps failing, simplify the prompt.`
    )
  return { ...res, text: reader.texts.join('\n\n') }
}
