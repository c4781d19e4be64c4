/**
 * The in-process API: `startMock()` builds the same app the command runs, listens on a free
 * port, and answers a handle with the control surface's methods (MockAdmin) and `close()`.
 * Works from any test runner: tap, node:test, jest, vitest.
 */
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from './app.js'
import { MockAdmin } from './admin-client.js'
import { loadConfig, tlsEnabled, type Config } from './config.js'
import type { Clock } from './domain/clock.js'
import { joinFixtures, loadFixtures } from './fixtures.js'
import { httpsUrl, listenHttps, urlOf } from './plugins/https.js'
import type { FixturesFile } from './schemas/fixtures.js'
import { loadTls } from './tls.js'

export interface MockOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number
  /** Interface to listen on; default 127.0.0.1. */
  host?: string
  /** A fixtures file or folder, or the fixtures themselves as an object; default the bundled fixtures. */
  fixtures?: string | FixturesFile
  /** Any setting of the command (see the README's Configuration), by its variable name. */
  config?: Partial<Config>
  /** The mock's clock, e.g. a ManualClock to drive time from the test; default real time. */
  clock?: Clock
  /** fastify's logger option, e.g. `{ level: 'info', stream }`; default silent. */
  logger?: AppOptions['logger']
}

/** A running mock: the control surface's methods, the app itself, and close(). */
export class RunningMock extends MockAdmin {
  readonly app: FastifyInstance
  /** The HTTPS origin when TLS is on (config TLS or TLS_CERT), e.g. https://127.0.0.1:8443. */
  readonly httpsUrl: string | undefined

  constructor (url: string, app: FastifyInstance, secureUrl: string | undefined, adminToken: string) {
    super(url, adminToken === '' ? {} : { adminToken })
    this.app = app
    this.httpsUrl = secureUrl
  }

  /** Stops listening and lets go of everything; requests in flight are answered first. */
  async close (): Promise<void> {
    await this.app.close()
  }
}

/** Starts a mock in this process. Bad settings or fixtures reject, naming what is wrong. */
export async function startMock (options: MockOptions = {}): Promise<RunningMock> {
  const given: Record<string, string> = { PORT: String(options.port ?? 0), HOST: options.host ?? '127.0.0.1' }
  for (const [key, value] of Object.entries(options.config ?? {})) if (value !== undefined) given[key] = String(value)
  const config = loadConfig(given)
  const fixtures = typeof options.fixtures === 'object'
    ? joinFixtures([{ file: 'fixtures (object)', content: options.fixtures }])
    : loadFixtures(options.fixtures ?? config.FIXTURES, config.MAX_FIXTURE_BYTES)
  const tls = tlsEnabled(config) ? await loadTls(config, fixtures.sites) : undefined
  const app = await buildApp({ config, fixtures, tls, ...(options.clock === undefined ? {} : { clock: options.clock }), logger: options.logger ?? false })
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
    const secure = tls === undefined ? undefined : httpsUrl((await listenHttps(app, config.TLS_PORT, config.HOST))[0]!)
    return new RunningMock(urlOf('http', app.addresses()[0] as AddressInfo), app, secure, config.ADMIN_TOKEN)
  } catch (err) {
    await app.close()
    throw err
  }
}
