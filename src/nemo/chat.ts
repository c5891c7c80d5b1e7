// One chat turn over SSE (/run_sse): Google ADK events or the older {"type":…} format, heartbeats,
// partial chunks followed by the full text (printed once), tool calls, in-stream errors, a stall
// limit, and "⏳ Still working…" while only heartbeats arrive. A message is never re-sent once the
// stream started: that would charge twice.
import * as core from '@actions/core'
import { createParser } from 'eventsource-parser'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { tuning } from '../tuning.js'
import { CODE, NemoError, explain } from './errors.js'
import { isConnectionError, retryAfterMs, type NemoHttp } from './http.js'

export interface ChatResult {
  /** the agent's texts, each once */
  texts: string[]
  toolCalls: string[]
  /** the connection broke before the server closed it */
  dropped: boolean
  /** only heartbeats for the stall limit */
  stalled: boolean
}

const TEMPORARY_ISSUE = /^\s*I encountered a temporary issue/i

type Part = { text?: unknown; functionCall?: { name?: unknown }; functionResponse?: { name?: unknown } }
type AdkEvent = {
  content?: { parts?: Part[] }
  author?: unknown
  partial?: unknown
  error?: unknown
  errorCode?: unknown
  errorMessage?: unknown
  type?: unknown
  [k: string]: unknown
}

export async function chat(http: NemoHttp, sessionId: string, message: string, signal: AbortSignal, tokens?: { renew(t: string, s: AbortSignal): Promise<void> }): Promise<ChatResult> {
  const what = 'Sending the prompt to the agent'
  const payload = JSON.stringify({ app_name: 'nemo_agent', user_id: 'me', session_id: sessionId, new_message: { parts: [{ text: message }] } })
  const stop = new AbortController()
  const sig = AbortSignal.any([signal, stop.signal])
  let rateRetried = false
  let authRetried = false

  // the request is only repeated when the server refused it before streaming (429, 1001): nothing was charged
  let res
  for (;;) {
    await http.waitForRateLimit(signal)
    const headers = await http.headers({ signal, extra: { accept: 'text/event-stream', 'content-type': 'application/json' } })
    try {
      res = await request(http.url('/run_sse'), { method: 'POST', headers, body: payload, signal: sig, headersTimeout: tuning.stallMs, bodyTimeout: 0 })
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err
      // only a refused connection proves the prompt never left; any later break may have reached
      // the agent, so the caller judges it by the session state, never by sending it again
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
        throw new NemoError(`${what}: could not reach NemoVideo (${(err as Error).message}). The prompt was not sent.`, { cause: err })
      }
      core.info(`${what}: the connection broke before the reply started (${(err as Error).message}).`)
      return { texts: [], toolCalls: [], dropped: true, stalled: false }
    }
    const type = String(res.headers['content-type'] ?? '')
    if (res.statusCode === 200 && type.includes('text/event-stream')) break
    const text = await res.body.text().catch(() => '')
    let env: { code?: unknown; message?: unknown } = {}
    try {
      env = JSON.parse(text) as typeof env
    } catch {
      // not JSON: reported by HTTP status below
    }
    const code = typeof env.code === 'number' ? env.code : undefined
    if (res.statusCode === 429 && !rateRetried) {
      rateRetried = true
      const wait = retryAfterMs(res.headers['retry-after'])
      core.info(`${what}: rate limited (HTTP 429); waiting ${(wait / 1000).toFixed(1)} s, then retrying once.`)
      await sleep(wait, undefined, { signal })
      continue
    }
    if (code === CODE.tokenInvalid && tokens && !authRetried) {
      authRetried = true
      await tokens.renew(headers.authorization.slice('Bearer '.length), signal)
      continue
    }
    if (res.statusCode === 200 && code === undefined) {
      throw new NemoError(`${what}: NemoVideo answered with ${type || 'no content type'} instead of an event stream.`)
    }
    throw new NemoError(explain(what, code, res.statusCode, String(env.message ?? '').slice(0, 300)), { code, httpStatus: res.statusCode })
  }

  const texts: string[] = []
  const toolCalls: string[] = []
  let partial = ''
  let legacy = ''
  let streamError: string | undefined
  const flushText = (text: string): void => {
    const t = text.trim()
    if (!t) return
    if (TEMPORARY_ISSUE.test(t) && texts.length > 0) return // a known trailing note after a normal reply
    texts.push(t)
    for (const line of t.split('\n')) core.info(`💬 ${line}`)
  }
  const flushLegacy = (): void => {
    flushText(legacy)
    legacy = ''
  }

  let lastContent = Date.now()
  let lastNote = lastContent
  const onEvent = (data: string): void => {
    if (!data.trim()) return // an empty data line is a heartbeat
    let ev: AdkEvent
    try {
      ev = JSON.parse(data) as AdkEvent
    } catch {
      core.debug(`Ignoring an event that is not JSON: ${data.slice(0, 200)}`)
      return
    }
    if (ev.type === 'heartbeat') return
    if (ev.error !== undefined && ev.error !== null && ev.error !== '') {
      streamError = typeof ev.error === 'string' ? ev.error : JSON.stringify(ev.error)
      return
    }
    if (ev.errorCode !== undefined || ev.errorMessage !== undefined) {
      streamError = `${String(ev.errorMessage ?? 'error')} (${String(ev.errorCode ?? '')})`
      return
    }
    lastContent = Date.now()
    lastNote = lastContent
    // the older format
    if (ev.type === 'text') {
      legacy += typeof ev.content === 'string' ? ev.content : ''
      return
    }
    if (ev.type === 'tool_call' || ev.type === 'tool_result') {
      flushLegacy()
      const name = String((ev.name ?? (ev.tool as { name?: unknown } | undefined)?.name ?? ev.tool ?? 'tool') as string)
      if (ev.type === 'tool_call') {
        toolCalls.push(name)
        core.info(`🔧 ${name}`)
      }
      return
    }
    // ADK
    const parts = Array.isArray(ev.content?.parts) ? ev.content.parts : []
    for (const p of parts) {
      if (typeof p.text === 'string') {
        if (ev.author === 'system' && /^\s*Error:/.test(p.text)) {
          streamError = p.text.trim()
          continue
        }
        if (ev.partial === true) partial += p.text
        else {
          // the final event repeats the partial chunks' whole text
          flushText(p.text)
          partial = ''
        }
      } else if (p.functionCall) {
        const name = String(p.functionCall.name ?? 'tool')
        toolCalls.push(name)
        core.info(`🔧 ${name}`)
      }
    }
  }
  const parser = createParser({ onEvent: e => onEvent(e.data), onComment: () => undefined })

  let stalled = false
  const watch = setInterval(() => {
    const now = Date.now()
    if (now - lastContent >= tuning.stallMs) {
      stalled = true
      stop.abort(new Error('stalled'))
    } else if (now - lastNote >= tuning.stillWorkingMs) {
      lastNote = now
      core.info(`⏳ Still working… (${Math.round((now - lastContent) / 1000)} s without a reply; long generations take minutes)`)
    }
  }, Math.max(50, Math.min(1000, tuning.stillWorkingMs / 4, tuning.stallMs / 4)))

  let dropped = false
  const decoder = new TextDecoder()
  try {
    for await (const chunk of res.body) {
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }))
      if (streamError) break
    }
    parser.feed(decoder.decode())
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err
    if (!stalled) {
      if (!isConnectionError(err) && !/terminated|aborted|socket/i.test((err as Error).message)) throw err
      dropped = true
    }
  } finally {
    clearInterval(watch)
    res.body.destroy()
  }
  flushLegacy()
  flushText(partial)
  if (streamError) throw new NemoError(`The agent reported an error: ${streamError.slice(0, 500)}`)
  return { texts, toolCalls, dropped, stalled }
}
