// A loopback NemoVideo server that speaks the protocol as docs/nemovideo-protocol.md describes it, with its ambiguous
// variants and injectable faults, plus a second origin (the "CDN") that serves a real MP4.
// Every request is recorded so tests can assert headers and bodies.
import busboy from 'busboy'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { StatusShape } from '../../src/backends/nemo/replies.js'
import type { Draft } from '../../src/shared/timeline.js'
import { makeMp4, sha256 } from '../helpers/media.js'

/** A render status reply in each shape the vendor's documents show; a shape without one fails to compile. */
export const STATUS_REPLIES: Record<
  StatusShape,
  (r: { id: string; status: string; progress: number; url?: string; error?: string; size: number }) => unknown
> = {
  current: r => ({
    taskId: r.id,
    status: r.status,
    progress: r.progress,
    ...(r.url ? { output: { url: r.url, duration: 2, size: r.size } } : {}),
    ...(r.error ? { error: r.error } : {})
  }),
  cli: r => ({
    taskId: r.id,
    status: r.status,
    progress: r.progress,
    ...(r.url ? { outputUrl: r.url } : {}),
    ...(r.error ? { error: r.error } : {})
  }),
  envelope: r => ({
    success: true,
    data: {
      id: r.id,
      status: r.status,
      progress: r.progress,
      ...(r.url ? { outputUrl: r.url } : {}),
      ...(r.error ? { error: r.error } : {})
    }
  })
}
const statusReply = (shape: StatusShape, r: Parameters<(typeof STATUS_REPLIES)[StatusShape]>[0]): unknown => STATUS_REPLIES[shape](r)

export type Route =
  | 'anonymous-token'
  | 'session'
  | 'upload'
  | 'chat'
  | 'credits'
  | 'state'
  | 'export'
  | 'poll'
  | 'cancel'
  | 'fallback-download'
  | 'claim'
  | 'download'

export interface RecordedRequest {
  route: Route | 'unknown'
  origin: 'api' | 'cdn'
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
  json?: unknown
  at: number
  /** when the request (body included) was fully received */
  doneAt?: number
}

export interface UploadedPart {
  field: string
  filename: string
  contentType: string
  size: number
  sha256: string
  sessionId: string
}

export type Fault =
  | { status: number; body?: string | object; retryAfter?: number | string }
  | { code: number; message?: string; status?: number }
  | { reset: true }
  | { hang: true }

export interface SseConfig {
  format: 'adk' | 'legacy'
  partial: boolean
  crlf: boolean
  chunkBytes: number
  heartbeats: number
  heartbeatKind: 'empty' | 'comment' | 'json'
  heartbeatMs: number
  noText: boolean
  trailingTemporaryIssue: boolean
  drop: 'none' | 'before-reply' | 'after-apply'
  error: 'none' | 'error-field' | 'error-code' | 'system-text'
  heartbeatOnly: boolean
  /** with drop 'after-apply': the agent keeps working after the drop and the draft lands this much later */
  landMs: number
  /** a hostile agent: text events without end (partial chunks, or final texts), until the client hangs up or 512 MB went out */
  endless: 'none' | 'partial' | 'final'
}

export interface AgentTurn {
  message: string
  sessionId: string
  turn: number
  uploads: UploadedPart[]
  draft: Draft | undefined
}
export interface AgentReply {
  text?: string
  draft?: Draft
}

export interface NemoServerConfig {
  sse: SseConfig
  agent?: (turn: AgentTurn) => AgentReply
  /** the shape of the render status replies (src/backends/nemo/replies.ts names them) */
  renderShape: StatusShape
  renderPolls: number
  /** ms after export before a render counts as complete (0: count polls only) */
  renderMs: number
  renderOutcome: 'completed' | 'failed' | 'never'
  renderFailTimes: number
  failReason: string
  /** truncated: Content-Length says the whole, half arrives; half-no-length: half the MP4, chunked, ended cleanly (a hostile or broken CDN) */
  download: 'ok' | 'truncated' | 'not-mp4' | 'half-no-length'
  downloadFaultTimes: number
  fallbackRedirect: boolean
  /** the fallback download answers JSON {output:{url}} (one gateway does) instead of the MP4 */
  fallbackJson: boolean
  /** an expired token is answered HTTP 401 without a code (as a gateway does) instead of code 1001 */
  expiredAs401: boolean
  /** the CDN announces this Content-Length (a body over the action's cap) and sends nothing */
  announceBytes: number
  /** when set, a completed render's URL (a template: {cdn} the CDN origin, {id} the render id, {token} the
   *  poll's bearer token, {token%} the same URI-encoded), e.g. one that echoes the token or points at 10.0.0.1 */
  renderUrl: string
  /** when set, the CDN answers a render's download with a 302 to this (the same template) */
  cdnRedirect: string
  /** 'honour': a render has the draft's canvas (m.width × m.height, scaled down 6× for speed); 'ignore': always the one MP4 */
  canvas: 'ignore' | 'honour'
  freePlan: boolean
  credits: number
  userTokens: string[]
}

export interface NemoServer {
  url: string
  cdnUrl: string
  config: NemoServerConfig
  requests: RecordedRequest[]
  uploads: UploadedPart[]
  issuedTokens: string[]
  renderIds: string[]
  mp4: { path: string; size: number; sha256: string }
  /** when each render was first answered `completed` */
  completedAt: Map<string, number>
  fail(route: Route, fault: Fault, times?: number): void
  expireToken(token: string): void
  dropSession(sessionId: string): void
  requestsTo(route: Route): RecordedRequest[]
  close(): Promise<void>
}

const defaults = (): NemoServerConfig => ({
  sse: {
    format: 'adk',
    partial: true,
    crlf: false,
    chunkBytes: 0,
    heartbeats: 0,
    heartbeatKind: 'empty',
    heartbeatMs: 10,
    noText: false,
    trailingTemporaryIssue: false,
    drop: 'none',
    error: 'none',
    heartbeatOnly: false,
    landMs: 0,
    endless: 'none'
  },
  renderShape: 'current',
  renderPolls: 2,
  renderMs: 0,
  renderOutcome: 'completed',
  renderFailTimes: 0,
  failReason: 'Lambda render crashed: out of memory',
  download: 'ok',
  downloadFaultTimes: Infinity,
  fallbackRedirect: false,
  fallbackJson: false,
  expiredAs401: false,
  announceBytes: 0,
  renderUrl: '',
  cdnRedirect: '',
  canvas: 'ignore',
  freePlan: false,
  credits: 100,
  userTokens: []
})

interface SessionRec {
  taskId: string
  sessionId: string
  token: string
  turns: number
  draft?: Draft
  charged: boolean
}
interface RenderRec {
  id: string
  sessionId: string
  polls: number
  startedAt: number
  fail: boolean
  cancelled: boolean
  /** with canvas 'honour': the MP4 rendered at the draft's canvas (scaled down 6×) */
  file?: { path: string; size: number }
}

const ACCEPTED = /\.(mp4|mov|avi|webm|mkv|jpe?g|png|gif|webp|mp3|wav|m4a|aac)$/i
const MAX_FILE = 200 * 1024 * 1024

export async function startNemoServer(
  opts: { mp4Path?: string; config?: Partial<NemoServerConfig> & { sse?: Partial<SseConfig> } } = {}
): Promise<NemoServer> {
  const mp4Path = opts.mp4Path ?? (await makeMp4())
  const mp4 = { path: mp4Path, size: (await stat(mp4Path)).size, sha256: await sha256(mp4Path) }
  const base = defaults()
  const config: NemoServerConfig = { ...base, ...opts.config, sse: { ...base.sse, ...opts.config?.sse } }

  const requests: RecordedRequest[] = []
  const uploads: UploadedPart[] = []
  const issuedTokens: string[] = []
  const renderIds: string[] = []
  const completedAt = new Map<string, number>()
  const faults = new Map<Route, Fault[]>()
  const tokens = new Map<string, { credits: number; userId: string; expired: boolean; clientId?: string }>()
  const byClient = new Map<string, string>()
  const sessions = new Map<string, SessionRec>()
  const dropped = new Set<string>()
  const renders = new Map<string, RenderRec>()
  const sockets = new Set<Socket>()
  const open = new Set<ServerResponse>()
  let downloadFaults = 0
  let closing = false

  const expireNow = (t: string): void => {
    const info = tokens.get(t)
    if (info) info.expired = true
  }
  const tokenInfo = (t: string): { credits: number; userId: string; expired: boolean } | undefined => {
    if (!tokens.has(t) && config.userTokens.includes(t)) tokens.set(t, { credits: config.credits, userId: 'usr_1', expired: false })
    return tokens.get(t)
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers
    })
    res.end(text)
  }
  const ok = (res: ServerResponse, data: unknown): void => send(res, 200, { code: 0, message: 'ok', data })
  const envErr = (res: ServerResponse, code: number, message: string, status = 200): void =>
    send(res, status, { code, message, data: null })

  const applyFault = (route: Route, req: IncomingMessage, res: ServerResponse): boolean => {
    const queue = faults.get(route)
    const f = queue?.shift()
    if (!f) return false
    req.resume()
    if ('reset' in f) {
      req.socket.destroy()
    } else if ('hang' in f) {
      open.add(res)
    } else if ('code' in f) {
      // a 1001 means the presented anonymous token expired: the server's own state agrees from now on
      const bearer = req.headers.authorization?.slice('Bearer '.length)
      if (f.code === 1001 && bearer && issuedTokens.includes(bearer)) expireNow(bearer)
      envErr(res, f.code, f.message ?? `error ${f.code}`, f.status ?? 200)
    } else {
      send(res, f.status, f.body ?? `HTTP ${f.status}`, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {})
    }
    return true
  }

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks)))
      req.on('error', reject)
    })

  const route = (method: string, path: string): Route | 'unknown' => {
    if (method === 'POST' && path === '/api/auth/anonymous-token') return 'anonymous-token'
    if (method === 'POST' && path === '/api/tasks/me/with-session/nemo_agent') return 'session'
    if (method === 'POST' && /^\/api\/upload-video\/nemo_agent\/me\/[^/]+$/.test(path)) return 'upload'
    if (method === 'POST' && path === '/run_sse') return 'chat'
    if (method === 'GET' && path === '/api/credits/balance/simple') return 'credits'
    if (method === 'GET' && /^\/api\/state\/nemo_agent\/me\/[^/]+\/latest$/.test(path)) return 'state'
    if (method === 'POST' && path === '/api/render/proxy/lambda') return 'export'
    if (method === 'POST' && /^\/api\/render\/proxy\/lambda\/[^/]+\/cancel$/.test(path)) return 'cancel'
    if (method === 'GET' && /^\/api\/render\/proxy\/lambda\/[^/]+$/.test(path)) return 'poll'
    if (method === 'GET' && /^\/api\/render\/proxy\/[^/]+\/download$/.test(path)) return 'fallback-download'
    if (method === 'POST' && path === '/api/auth/claim-token') return 'claim'
    return 'unknown'
  }

  /** The token of an authorised request, or undefined after answering 1001. */
  const authorise = (req: IncomingMessage, res: ServerResponse): string | undefined => {
    const h = req.headers.authorization
    if (!h || !h.startsWith('Bearer ')) {
      envErr(res, 1001, 'missing token', 401)
      return undefined
    }
    const t = h.slice(7)
    const info = tokenInfo(t)
    if (!info || info.expired) {
      if (config.expiredAs401) send(res, 401, { message: 'Unauthorized' })
      else envErr(res, 1001, 'token expired or invalid')
      return undefined
    }
    return t
  }

  const session = (sid: string, res: ServerResponse): SessionRec | undefined => {
    const s = sessions.get(sid)
    if (!s || dropped.has(sid)) {
      envErr(res, 1002, 'session not found')
      return undefined
    }
    return s
  }

  // ---- the default agent: a draft from the uploads and the message
  const defaultAgent = (t: AgentTurn): AgentReply => {
    const images = t.uploads.filter(u => /\.(jpe?g|png|gif|webp)$/i.test(u.filename))
    const audio = t.uploads.find(u => /\.(mp3|wav|m4a|aac)$/i.test(u.filename))
    const m = t.message
    const prev = t.draft
    const asked = /(?:exactly |but )?(\d+(?:\.\d+)?)(?:-second| seconds?| s were asked)/i.exec(
      m.match(/but (\d+(?:\.\d+)?) s were asked/)?.[0] ?? m
    )
    const total = asked ? Math.round(Number(asked[1]) * 1000) : (prev?.d ?? Math.max(1, images.length) * 3000)
    const canvas = /canvas (\d+)x(\d+)/.exec(m)
    const per = Math.round(total / Math.max(1, images.length))
    const tracks: Draft['t'] = [
      {
        tt: 0,
        sg: (images.length ? images : [{ filename: 'clip.mp4' }]).map((img, i) => ({
          st: i * per,
          d: per,
          src: img.filename,
          n: img.filename
        }))
      }
    ]
    const wantsMusic = /music|audio|song/i.test(m) || prev?.t.some(x => x.tt === 1)
    if (wantsMusic) {
      const desc = /background music: ([^.\n]+)/.exec(m)?.[1]
      tracks.push({ tt: 1, sg: [{ st: 0, d: total, v: 0.35, n: audio?.filename ?? desc ?? 'Lo-fi' }] })
    }
    const title = /title text "((?:[^"\\]|\\.)*)"/.exec(m)?.[1] ?? /title "((?:[^"\\]|\\.)*)"/.exec(m)?.[1]
    const prevTitle = prev?.t.find(x => x.tt === 7)
    if (title !== undefined) tracks.push({ tt: 7, sg: [{ st: 0, d: 3000, txt: title.replace(/\\"/g, '"') }] })
    else if (prevTitle) tracks.push(prevTitle)
    const draft: Draft = {
      t: tracks,
      d: total,
      m: {
        title: title ?? prev?.m?.title,
        width: canvas ? Number(canvas[1]) : (prev?.m?.width ?? 1920),
        height: canvas ? Number(canvas[2]) : (prev?.m?.height ?? 1080)
      }
    }
    return {
      text: `I built a ${(total / 1000).toFixed(0)}-second timeline with ${tracks.length} tracks for your video. Ready to export.`,
      draft
    }
  }

  // ---- SSE writing
  const sse = async (res: ServerResponse, s: SessionRec, message: string, streaming: boolean): Promise<void> => {
    const c = config.sse
    const nl = c.crlf ? '\r\n' : '\n'
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    open.add(res)
    const write = async (text: string): Promise<void> => {
      if (res.destroyed || closing) return
      const buf = Buffer.from(text)
      if (!c.chunkBytes) {
        res.write(buf)
        return
      }
      for (let i = 0; i < buf.length; i += c.chunkBytes) {
        res.write(buf.subarray(i, i + c.chunkBytes))
        await new Promise(r => setImmediate(r))
      }
    }
    const event = (obj: unknown): Promise<void> => write(`data: ${JSON.stringify(obj)}${nl}${nl}`)
    const heartbeat = (): Promise<void> =>
      c.heartbeatKind === 'comment'
        ? write(`: ping${nl}${nl}`)
        : c.heartbeatKind === 'json'
          ? event({ type: 'heartbeat' })
          : write(`data:${nl}${nl}`)
    const pause = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

    if (c.heartbeatOnly) {
      while (!res.destroyed && !closing) {
        await heartbeat()
        await pause(c.heartbeatMs)
      }
      return
    }
    for (let i = 0; i < c.heartbeats; i++) {
      await heartbeat()
      await pause(c.heartbeatMs)
    }
    if (c.drop === 'before-reply') {
      res.socket?.destroy()
      return
    }
    if (c.error !== 'none') {
      if (c.error === 'error-field') await event({ error: 'Agent failed: tool edit_timeline raised ValueError' })
      if (c.error === 'error-code') await event({ errorCode: 'MODEL_OVERLOADED', errorMessage: 'The model is overloaded' })
      if (c.error === 'system-text')
        await event({ author: 'system', content: { role: 'model', parts: [{ text: 'Error: generation backend unavailable' }] } })
      res.end()
      return
    }
    s.turns++
    const uploadsOf = uploads.filter(u => u.sessionId === s.sessionId)
    const reply = (config.agent ?? defaultAgent)({ message, sessionId: s.sessionId, turn: s.turns, uploads: uploadsOf, draft: s.draft })
    const fallback = reply.draft
      ? undefined
      : defaultAgent({ message, sessionId: s.sessionId, turn: s.turns, uploads: uploadsOf, draft: s.draft })
    const landed = reply.draft ?? fallback?.draft
    // a dropped stream does not stop the agent: the draft lands later, as the vendor documents
    if (c.drop === 'after-apply' && c.landMs > 0) setTimeout(() => (s.draft = landed), c.landMs)
    else s.draft = landed
    const text = reply.text ?? fallback?.text ?? ''
    const inv = `e-${randomBytes(4).toString('hex')}`
    const adk = (extra: Record<string, unknown>): Record<string, unknown> => ({
      author: 'nemo_agent',
      invocationId: inv,
      id: randomBytes(4).toString('hex'),
      timestamp: Date.now() / 1000,
      ...extra
    })

    if (c.format === 'adk') {
      await event(adk({ content: { role: 'model', parts: [{ functionCall: { name: 'edit_timeline', args: { ops: 3 } } }] } }))
      await event(
        adk({
          content: { role: 'user', parts: [{ functionResponse: { name: 'edit_timeline', response: { ok: true } } }] },
          actions: { stateDelta: { draft_version: s.turns } }
        })
      )
    } else {
      await event({ type: 'tool_call', name: 'edit_timeline', args: { ops: 3 } })
      await event({ type: 'tool_result', name: 'edit_timeline', result: { ok: true } })
    }
    if (c.drop === 'after-apply') {
      res.socket?.destroy()
      return
    }
    if (c.endless !== 'none') {
      const chunk = `${'all work and no play '.repeat(3000)}\n`
      for (let sent = 0; sent < 512 * 1024 * 1024 && !res.destroyed && !closing; sent += chunk.length) {
        const line = `data: ${JSON.stringify(adk({ partial: c.endless === 'partial', content: { role: 'model', parts: [{ text: chunk }] } }))}${nl}${nl}`
        // back-pressure: wait while the client is not reading
        if (!res.write(line)) await new Promise(r => (res.once('drain', r), res.once('close', r)))
      }
      res.end()
      return
    }
    if (!c.noText && text) {
      if (c.format === 'adk') {
        // the agent framework sends partial events only when the request asked for streaming
        if (c.partial && streaming) {
          const n = Math.min(3, Math.max(1, Math.ceil(text.length / 20)))
          const size = Math.ceil(text.length / n)
          for (let i = 0; i < text.length; i += size)
            await event(adk({ partial: true, content: { role: 'model', parts: [{ text: text.slice(i, i + size) }] } }))
        }
        await event(adk({ content: { role: 'model', parts: [{ text }] } }))
        if (c.trailingTemporaryIssue)
          await event(adk({ content: { role: 'model', parts: [{ text: 'I encountered a temporary issue, please try again.' }] } }))
      } else {
        const half = Math.ceil(text.length / 2)
        await event({ type: 'text', content: text.slice(0, half) })
        await event({ type: 'text', content: text.slice(half) })
        if (c.trailingTemporaryIssue) await event({ type: 'text', content: '\nI encountered a temporary issue.' })
      }
    }
    open.delete(res)
    res.end()
  }

  // ---- API origin
  const api = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x')
    const r = route(req.method ?? 'GET', url.pathname)
    const rec: RecordedRequest = {
      route: r,
      origin: 'api',
      method: req.method ?? '',
      path: url.pathname + url.search,
      headers: req.headers,
      body: Buffer.alloc(0),
      at: Date.now()
    }
    requests.push(rec)
    if (r === 'upload') {
      if (applyFault(r, req, res)) return
      return upload(req, res, rec, url.pathname.split('/').at(-1) as string)
    }
    // a fault answers after the body arrived, so tests see what was sent
    rec.body = await readBody(req)
    rec.doneAt = Date.now()
    if (r !== 'unknown' && faults.get(r)?.length) {
      try {
        rec.json = JSON.parse(rec.body.toString('utf8'))
      } catch {
        // not JSON: the raw body is recorded
      }
      applyFault(r, req, res)
      return
    }
    if (rec.body.length && String(req.headers['content-type'] ?? '').includes('json')) {
      try {
        rec.json = JSON.parse(rec.body.toString('utf8'))
      } catch {
        return envErr(res, 400, 'invalid JSON', 400)
      }
    }
    const body = (rec.json ?? {}) as Record<string, unknown>

    if (r === 'anonymous-token') {
      const cid = req.headers['x-client-id']
      if (typeof cid !== 'string' || !cid || cid.length > 64) return send(res, 400, 'X-Client-Id header required')
      // the vendor's limits: one token per client id per 7 days (the earlier one cannot be fetched
      // again; a new one only once it expired), and about 10 per IP per 7 days
      const existing = byClient.get(cid)
      if (existing && !tokens.get(existing)?.expired) {
        return send(res, 429, { code: 429, message: 'an anonymous token was already issued for this client id in the last 7 days' })
      }
      if (issuedTokens.length >= 10)
        return send(res, 429, { code: 429, message: 'too many anonymous tokens from this IP' }, { 'retry-after': '1' })
      const token = `nmv_usr_${randomBytes(12).toString('hex')}`
      const userId = `anon_${randomBytes(4).toString('hex')}`
      tokens.set(token, { credits: config.credits, userId, expired: false, clientId: cid })
      byClient.set(cid, token)
      issuedTokens.push(token)
      return ok(res, { token, user_id: userId, credits: config.credits, expires_at: new Date(Date.now() + 7 * 864e5).toISOString() })
    }
    if (r === 'unknown') return envErr(res, 404, `no route ${req.method} ${url.pathname}`, 404)
    const token = authorise(req, res)
    if (!token) return
    const info = tokenInfo(token) as { credits: number; userId: string }

    switch (r) {
      case 'session': {
        if (typeof body.task_name !== 'string' || (body.language !== undefined && typeof body.language !== 'string'))
          return envErr(res, 400, 'task_name required; language, when given, a string', 400)
        const sessionId = String(BigInt('1000000000000000000') + BigInt(sessions.size + 1) * 7919n + BigInt(Date.now() % 100000))
        const taskId = `task_${randomBytes(4).toString('hex')}`
        sessions.set(sessionId, { taskId, sessionId, token, turns: 0, charged: false })
        return send(res, 200, {
          code: 0,
          message: 'ok',
          task_id: taskId,
          session_id: sessionId,
          data: { task_id: taskId, session_id: sessionId }
        })
      }
      case 'chat': {
        const sid = String(body.session_id ?? '')
        const msg = (body.new_message as { parts?: { text?: string }[] } | undefined)?.parts?.[0]?.text
        if (body.app_name !== 'nemo_agent' || body.user_id !== 'me' || typeof msg !== 'string')
          return envErr(res, 400, 'bad run_sse body', 400)
        const s = session(sid, res)
        if (!s) return
        if (!s.charged) {
          if (info.credits < 50) return envErr(res, 2001, 'insufficient credits')
          info.credits -= 50
          s.charged = true
        }
        return sse(res, s, msg, body.streaming === true)
      }
      case 'credits':
        return ok(res, { available: info.credits, frozen: 0, total: info.credits })
      case 'state': {
        const s = session(decodeURIComponent(url.pathname.split('/')[5]), res)
        if (!s) return
        return ok(res, {
          state: {
            draft: s.draft,
            video_infos: [],
            generated_media: [],
            canvas_config: { width: s.draft?.m?.width ?? 1920, height: s.draft?.m?.height ?? 1080 }
          }
        })
      }
      case 'export': {
        const h = req.headers
        if (!h['x-skill-source'] || !h['x-skill-version'] || !h['x-skill-platform']) return envErr(res, 402, 'attribution required', 402)
        if (config.freePlan) return envErr(res, 402, 'export is not available on the free plan', 402)
        const id = body.id
        if (
          typeof id !== 'string' ||
          !id.startsWith('render_') ||
          typeof body.sessionId !== 'string' ||
          typeof body.draft !== 'object' ||
          !body.draft
        ) {
          return envErr(res, 400, 'id (render_…), sessionId and draft required', 400)
        }
        if (renders.has(id)) return envErr(res, 409, 'duplicate render id', 409)
        if (!session(body.sessionId, res)) return
        renderIds.push(id)
        const m = (body.draft as Draft).m
        let file: RenderRec['file']
        if (config.canvas === 'honour' && m?.width && m?.height) {
          const even = (n: number): number => Math.max(2, Math.round(n / 12) * 2)
          const path = await makeMp4({ width: even(m.width), height: even(m.height) })
          file = { path, size: (await stat(path)).size }
        }
        renders.set(id, {
          id,
          sessionId: body.sessionId,
          polls: 0,
          startedAt: Date.now(),
          fail: renderIds.length <= config.renderFailTimes,
          cancelled: false,
          file
        })
        return send(res, 200, status(renders.get(id) as RenderRec, 'pending', 0))
      }
      case 'poll': {
        const rr = renders.get(decodeURIComponent(url.pathname.split('/')[5]))
        if (!rr) return envErr(res, 404, 'render not found', 404)
        rr.polls++
        if (rr.cancelled) return send(res, 200, status(rr, 'cancelled', 0))
        const ready = rr.polls > config.renderPolls && Date.now() - rr.startedAt >= config.renderMs
        if (!ready || config.renderOutcome === 'never') {
          const progress =
            config.renderOutcome === 'never'
              ? Math.min(87, rr.polls * 10)
              : Math.min(95, Math.round((rr.polls / (config.renderPolls + 1)) * 100))
          return send(res, 200, status(rr, rr.polls === 1 ? 'pending' : 'processing', progress))
        }
        if (rr.fail || config.renderOutcome === 'failed') return send(res, 200, status(rr, 'failed', 40))
        if (!completedAt.has(rr.id)) completedAt.set(rr.id, Date.now())
        return send(res, 200, status(rr, 'completed', 100, token))
      }
      case 'cancel': {
        const rr = renders.get(decodeURIComponent(url.pathname.split('/')[5]))
        if (!rr) return envErr(res, 404, 'render not found', 404)
        rr.cancelled = true
        return ok(res, { id: rr.id, status: 'cancelled' })
      }
      case 'fallback-download': {
        const id = decodeURIComponent(url.pathname.split('/')[4])
        if (!renders.has(id)) return envErr(res, 404, 'render not found', 404)
        if (config.fallbackJson) return ok(res, { output: { url: `${cdnUrl}/renders/${id}.mp4` } })
        if (config.fallbackRedirect) {
          res.writeHead(302, { location: `${cdnUrl}/renders/${id}.mp4` })
          return void res.end()
        }
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': mp4.size })
        return void createReadStream(mp4.path).pipe(res)
      }
      case 'claim':
        return ok(res, { claim_token: `clm_${randomBytes(8).toString('hex')}` })
    }
  }

  const fill = (template: string, id: string, token: string): string =>
    template.replace(/\{(cdn|id|token%?)\}/g, (_m, k: string) =>
      k === 'cdn' ? cdnUrl : k === 'id' ? id : k === 'token' ? token : encodeURIComponent(token)
    )
  const status = (rr: RenderRec, st: string, progress: number, token = ''): unknown => {
    const url = st !== 'completed' ? undefined : config.renderUrl ? fill(config.renderUrl, rr.id, token) : `${cdnUrl}/renders/${rr.id}.mp4`
    const error = st === 'failed' ? config.failReason : undefined
    return statusReply(config.renderShape, { id: rr.id, status: st, progress, url, error, size: mp4.size })
  }

  const upload = (req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, sid: string): void => {
    const token = authorise(req, res)
    if (!token) return void req.resume()
    if (!session(sid, res)) return void req.resume()
    const type = String(req.headers['content-type'] ?? '')
    if (type.includes('application/json')) {
      void readBody(req).then(b => {
        rec.json = JSON.parse(b.toString('utf8'))
        rec.doneAt = Date.now()
        const urls = ((rec.json as { urls?: string[] }).urls ?? []).map(u => ({
          filename: u.split('/').at(-1) ?? 'file',
          file_type: 'image',
          cdn_url: u
        }))
        ok(res, { files: urls })
      })
      return
    }
    const parts: UploadedPart[] = []
    let refused: [number, string] | undefined
    const bb = busboy({ headers: req.headers, limits: { fileSize: MAX_FILE + 1 }, highWaterMark: 1 << 20 })
    bb.on('file', (field, file, info) => {
      const hash = createHash('sha256')
      let size = 0
      file.on('data', (c: Buffer) => {
        size += c.length
        hash.update(c)
      })
      file.on('end', () => {
        const part = { field, filename: info.filename ?? '', contentType: info.mimeType, size, sha256: hash.digest('hex'), sessionId: sid }
        if (!ACCEPTED.test(part.filename)) refused ??= [4001, `unsupported file type: ${info.filename}`]
        else if (size > MAX_FILE) refused ??= [4002, `file too large: ${info.filename}`]
        parts.push(part)
      })
    })
    bb.on('close', () => {
      rec.doneAt = Date.now()
      if (refused) return envErr(res, refused[0], refused[1])
      uploads.push(...parts)
      ok(res, {
        files: parts.map(p => ({
          filename: p.filename,
          file_type: /\.(mp3|wav|m4a|aac)$/i.test(p.filename) ? 'audio' : /\.(mp4|mov|avi|webm|mkv)$/i.test(p.filename) ? 'video' : 'image',
          cdn_url: `${cdnUrl}/uploads/${p.sha256}`,
          width: null,
          height: null,
          size: p.size
        }))
      })
    })
    bb.on('error', err => envErr(res, 400, `bad multipart: ${(err as Error).message}`, 400))
    req.pipe(bb)
  }

  // ---- CDN origin
  const cdn = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x')
    const rec: RecordedRequest = {
      route: 'download',
      origin: 'cdn',
      method: req.method ?? '',
      path: url.pathname,
      headers: req.headers,
      body: Buffer.alloc(0),
      at: Date.now()
    }
    requests.push(rec)
    req.resume()
    if (applyFault('download', req, res)) return
    // a render's MP4, also under a prefix (a URL that carries a token in its path)
    const id = /(?:^|\/)renders\/(render_[^/]+)\.mp4$/.exec(url.pathname)?.[1]
    if (!id) return send(res, 404, 'not found')
    if (config.cdnRedirect) {
      res.writeHead(302, { location: fill(config.cdnRedirect, id, '') })
      return void res.end()
    }
    if (config.announceBytes) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': config.announceBytes })
      res.flushHeaders()
      return void setTimeout(() => res.destroy(), 500)
    }
    const faulty = config.download !== 'ok' && downloadFaults < config.downloadFaultTimes
    if (faulty) downloadFaults++
    if (faulty && config.download === 'not-mp4')
      return send(res, 200, '<html><body>Access denied</body></html>', { 'content-type': 'text/html' })
    if (faulty && config.download === 'half-no-length') {
      res.writeHead(200, { 'content-type': 'video/mp4' })
      return void createReadStream(mp4.path, { start: 0, end: Math.floor(mp4.size / 2) }).pipe(res)
    }
    const own = renders.get(id)?.file
    if (own && !faulty) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': own.size })
      return void createReadStream(own.path).pipe(res)
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': mp4.size })
    const src = createReadStream(mp4.path, faulty ? { start: 0, end: Math.floor(mp4.size / 2) } : { highWaterMark: 1 << 20 })
    if (faulty) src.on('end', () => res.socket?.destroy())
    src.pipe(res)
  }

  const listen = (server: Server): Promise<string> =>
    new Promise(resolve => {
      server.on('connection', s => {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
      })
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
    })
  const apiServer = createServer(
    (req, res) => void api(req, res).catch(err => (res.headersSent ? res.destroy() : send(res, 500, { code: 500, message: String(err) })))
  )
  const cdnServer = createServer(cdn)
  const url = await listen(apiServer)
  const cdnUrl = await listen(cdnServer)

  return {
    url,
    cdnUrl,
    config,
    requests,
    uploads,
    issuedTokens,
    renderIds,
    mp4,
    completedAt,
    fail(route, fault, times = 1) {
      const q = faults.get(route) ?? []
      for (let i = 0; i < times; i++) q.push(fault)
      faults.set(route, q)
    },
    expireToken(t) {
      const info = tokenInfo(t)
      if (info) info.expired = true
    },
    dropSession(sid) {
      dropped.add(sid)
    },
    requestsTo(r) {
      return requests.filter(x => x.route === r)
    },
    async close() {
      closing = true
      for (const res of open) res.destroy()
      for (const s of sockets) s.destroy()
      await Promise.all([apiServer, cdnServer].map(s => new Promise(r => s.close(r))))
    }
  }
}
