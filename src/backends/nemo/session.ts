// The session the whole conversation happens in.
import type { NemoClient } from './client.js'
import { NemoError } from './errors.js'

export interface Session {
  taskId: string
  sessionId: string
}

export async function createSession(client: NemoClient, language: string, signal: AbortSignal): Promise<Session> {
  const what = 'Creating the NemoVideo session'
  // not repeated on a 5xx or a broken connection: a second POST would make a second session
  const { data, body } = await client.send<Record<string, unknown>>('POST', '/api/tasks/me/with-session/nemo_agent', {
    what,
    json: { task_name: 'project', language },
    signal
  })
  // some replies carry the ids at the top level instead of under data
  const pick = (...keys: string[]): unknown => {
    for (const src of [data, body]) for (const k of keys) if (src?.[k] !== undefined && src[k] !== null && src[k] !== '') return src[k]
    return undefined
  }
  const sessionId = pick('session_id', 'sessionId')
  const taskId = pick('task_id', 'taskId')
  if (typeof sessionId !== 'string' && typeof sessionId !== 'number') {
    throw new NemoError(`${what}: the reply has no session_id. Check that 'api-url' points at the NemoVideo API.`)
  }
  return { sessionId: String(sessionId), taskId: taskId === undefined ? '' : String(taskId) }
}
