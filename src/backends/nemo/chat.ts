// One chat turn over SSE (/run_sse): Google ADK events or the older {"type":…} format, heartbeats,
// partial chunks followed by the full text (printed once), tool calls, in-stream errors, a stall
// limit, and "⏳ Still working…" while only heartbeats arrive. What a reply may grow to is capped
// (a server controls it). A message is never re-sent once it may have reached the agent: that
// would charge twice.
import { createParser } from 'eventsource-parser'
import { log } from '../../shared/log.js'
import type { NemoClient } from './client.js'
import { NemoError, ReplyTooLarge, isStreamBreak, redact } from './errors.js'
import { serverJson } from './replies.js'
import { timings } from './timings.js'

/** Text kept (and so printed) of one turn's reply; a real reply is a few kilobytes. */
const MAX_REPLY_CHARS = 1024 * 1024
/** Tool calls kept of one turn. */
const MAX_TOOL_CALLS = 1000
/** Bytes the stream may send without completing an event (one event is kilobytes). */
const MAX_EVENT_BYTES = 16 * 1024 * 1024

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
  /** the reply passed MAX_REPLY_CHARS */
  tooLarge = false
  private partial = ''
  private legacy = ''
  private kept = 0

  constructor(private readonly print: (line: string) => void = line => log.info(line)) {}

  /** One SSE `data` payload. */
  onData(data: string): void {
    if (!data.trim()) return // an empty data line is a heartbeat
    let ev: StreamEvent
    try {
      // the agent's text, tool calls and errors are server strings: redacted as they enter
      ev = serverJson(data) as StreamEvent
    } catch {
      log.debug(`Ignoring an event that is not JSON: ${redact(data.slice(0, 200))}`)
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
        this.legacy += this.take(typeof ev.content === 'string' ? ev.content : typeof ev.text === 'string' ? ev.text : '')
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
          this.partial += this.take(p.text)
        } else {
          // the final event repeats the partial chunks' whole text: counted once, as the final text
          this.kept -= this.partial.length
          this.partial = ''
          this.flushText(this.take(p.text))
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

  /** Counts text against the cap; past it the reply is refused, nothing more is kept. */
  private take(text: string): string {
    if (this.tooLarge) return ''
    this.kept += text.length
    if (this.kept > MAX_REPLY_CHARS) {
      this.tooLarge = true
      return ''
    }
    return text
  }

  private tool(name: unknown, args: unknown): void {
    if (this.toolCalls.length >= MAX_TOOL_CALLS) {
      this.tooLarge = true
      return
    }
    const n = typeof name === 'string' && name ? short(name, 60) : 'tool'
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

export async function chat(client: NemoClient, sessionId: string, message: string, signal: AbortSignal): Promise<ChatResult> {
  const what = 'Sending the prompt to the agent'
  // `streaming: true`: the agent framework sends partial text events only when asked
  const body = {
    app_name: 'nemo_agent',
    user_id: 'me',
    session_id: sessionId,
    new_message: { role: 'user', parts: [{ text: message }] },
    streaming: true
  }
  const stop = new AbortController()
  const sig = AbortSignal.any([signal, stop.signal])

  const reader = new ReplyReader()
  let stalled = false
  let waiting = false // a 429 wait or a token renewal is not the agent being slow
  let lastNote = reader.lastContent
  // one watch from the moment the prompt leaves: "still working" notes, then the stall limit
  const watch = setInterval(
    () => {
      if (waiting) return
      const now = Date.now()
      const quiet = now - reader.lastContent
      if (quiet >= timings.stallMs) {
        stalled = true
        stop.abort(new Error('stalled'))
      } else if (quiet >= timings.stillWorkingMs && now - lastNote >= timings.stillWorkingMs) {
        lastNote = now
        log.info(`⏳ Still working… (${Math.round(quiet / 1000)} s without a reply; long generations take minutes)`)
      }
    },
    Math.max(20, Math.min(1000, timings.stillWorkingMs / 4, timings.stallMs / 4))
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
    let start
    try {
      start = await client.openStream('/run_sse', {
        what,
        json: body,
        signal: sig,
        timeoutMs: timings.stallMs,
        onWaiting: w => {
          waiting = w
          if (!w) reader.lastContent = Date.now()
        }
      })
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err
      if (stalled) return result({ stalled: true })
      throw err
    }
    if ('broken' in start) {
      if (stalled || start.headersTimeout) return result({ stalled: true })
      log.info(`${what}: the connection broke before the reply started (${start.broken}).`)
      return result({ dropped: true })
    }
    const res = start.res
    let sinceEvent = 0
    const parser = createParser({
      onEvent: e => {
        sinceEvent = 0
        reader.onData(e.data)
      }
    })
    const decoder = new TextDecoder()
    reader.lastContent = Date.now()
    try {
      for await (const chunk of res.body) {
        sinceEvent += (chunk as Buffer).length
        if (sinceEvent > MAX_EVENT_BYTES) reader.tooLarge = true
        else parser.feed(decoder.decode(chunk as Buffer, { stream: true }))
        if (reader.error || reader.tooLarge) break
      }
      if (!reader.tooLarge) {
        parser.feed(decoder.decode())
        parser.reset({ consume: true }) // an event cut short of its blank line still counts
      }
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err
      if (stalled) return finish(reader, result({ stalled: true }))
      if (!isStreamBreak(err)) throw err
      log.info('The chat stream broke before the server closed it.')
      return finish(reader, result({ dropped: true }))
    } finally {
      res.body.destroy()
    }
    return finish(reader, result({}))
  } finally {
    clearInterval(watch)
  }
}

/** Prints what the reader held back; an in-stream error or an oversized reply wins over everything else. */
function finish(reader: ReplyReader, res: ChatResult): ChatResult {
  if (reader.tooLarge) {
    throw new ReplyTooLarge(
      `The agent's reply was too large (over ${MAX_REPLY_CHARS / 1048576} MB of text, ${MAX_TOOL_CALLS} tool calls or ${MAX_EVENT_BYTES / 1048576} MB without an event); stopped reading it. Re-run the job; if it keeps happening, check 'api-url'.`
    )
  }
  reader.finish()
  if (reader.error)
    throw new NemoError(
      `The agent reported an error: ${reader.error.slice(0, 500)}. Re-run the job; if it keeps failing, simplify the prompt.`
    )
  return { ...res, text: reader.texts.join('\n\n') }
}
