// The session the whole conversation happens in.
import type { NemoClient } from './client.js'
import { NemoError } from './errors.js'

/** Session ids are long numeric strings, task ids short tokens: nothing else belongs in a URL or an output. */
const ID = /^[A-Za-z0-9._-]{1,128}$/

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
  // the ids go into URLs, outputs and the summary: only the shape an id has is accepted
  const sid = String(sessionId)
  const tid = taskId === undefined || taskId === null ? '' : String(taskId)
  if (!ID.test(sid) || (tid !== '' && !ID.test(tid))) {
    throw new NemoError(
      `${what}: the reply's session or task id is not an id (letters, digits, '.', '_', '-'; at most 128). Check that 'api-url' points at the NemoVideo API.`
    )
  }
  return { sessionId: sid, taskId: tid }
}
