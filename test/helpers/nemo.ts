// One loopback NemoVideo server per test file, its config put back after each test (a test may
// break the service in its own way without leaking the fault into the next).
import { after, afterEach, before } from 'node:test'
import { startNemoServer, type NemoServer, type NemoServerConfig } from '../servers/nemo.js'

export interface NemoFixture {
  /** set before the file's tests run; a test may swap in a server of its own and put this one back */
  server: NemoServer
}

export function nemoFixture(config: Partial<NemoServerConfig>): NemoFixture {
  const fixture = {} as NemoFixture
  let pristine: NemoServerConfig
  before(async () => {
    fixture.server = await startNemoServer({ config })
    pristine = structuredClone({ ...fixture.server.config, agent: undefined })
  })
  after(() => fixture.server.close())
  afterEach(() => {
    Object.assign(fixture.server.config, structuredClone(pristine))
    delete fixture.server.config.agent
  })
  return fixture
}

/**
 * A cloud run's inputs on a photoSandbox's photos: the loopback API, 1 s polls, no artifact, the
 * MP4 at out/v.mp4; `inputs` add to them or replace them.
 */
export function cloudInputs(apiUrl: string, token: string, inputs: Record<string, string> = {}): Record<string, string> {
  return {
    images: 'photos/*.jpg',
    prompt: 'Promo',
    'api-url': apiUrl,
    'poll-interval': '1',
    'upload-artifact': 'false',
    output: 'out/v.mp4',
    token,
    ...inputs
  }
}
