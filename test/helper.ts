// Shared test setup: a fresh app per test, Basic headers and the bundled fixtures.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp, type AppOptions } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { ManualClock, type Clock } from '../src/domain/clock.js'
import { DEFAULT_FIXTURES_PATH, loadFixtures } from '../src/fixtures.js'
import type { Fixtures } from '../src/schemas/fixtures.js'
import type { StoreOptions } from '../src/domain/store.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export function testConfig (overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), ...overrides })
}

/** Options of a Store built directly (domain tests), small enough to reach every bound. */
export function storeOptions (overrides: Partial<StoreOptions> = {}): StoreOptions {
  return {
    maxUploadsPerSync: 500,
    stagingQuotaBytes: 1024 * 1024,
    uploadsDuringSync: 'accept',
    syncPendingMs: 1000,
    syncActiveMs: 2000,
    maxDefinitions: 100,
    maxRetainedSyncs: 100,
    maxRetainedRejects: 1000,
    syncRetentionMs: 365 * 86_400_000,
    callbackHosts: [],
    importSyncTriggeredDefault: false,
    maxRecords: 1000,
    maxRetainedExportRows: 1000,
    exportRetentionDefault: 'PT12H',
    exportCacheBytes: 1024 * 1024 * 1024,
    ...overrides
  }
}

export function defaultFixtures (): Fixtures {
  return loadFixtures(DEFAULT_FIXTURES_PATH)
}

export interface BuildOptions {
  config?: Partial<Config>
  fixtures?: Fixtures
  clock?: Clock
  tls?: AppOptions['tls']
  logger?: AppOptions['logger']
  afterStateDropped?: AppOptions['afterStateDropped']
  leanUploads?: boolean
}

/** A ready app on a manual clock, closed when the test ends. */
export async function build (t: Teardown, options: BuildOptions = {}): Promise<FastifyInstance & { clock: Clock }> {
  const clock = options.clock ?? new ManualClock()
  const app = await buildApp({
    config: testConfig(options.config),
    fixtures: options.fixtures ?? defaultFixtures(),
    clock,
    tls: options.tls,
    logger: options.logger ?? false,
    ...(options.afterStateDropped === undefined ? {} : { afterStateDropped: options.afterStateDropped }),
    ...(options.leanUploads === undefined ? {} : { leanUploads: options.leanUploads })
  })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

export function basic (login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`
}

/** Oracle's example user: APITest\API.User, password secret. */
export const API_USER = basic('APITest\\API.User', 'secret')

export const dataUrl = (parentId: number | string, id: number | string): string =>
  `/api/bulk/2.0/customObjects/${parentId}/syncActions/${id}/data`

export const json = (body: unknown): { payload: string, headers: Record<string, string> } => ({
  payload: JSON.stringify(body),
  headers: { authorization: API_USER, 'content-type': 'application/json' }
})

/** Uploads records as JSON with Oracle's example user. */
export async function upload (app: FastifyInstance, parentId: number, id: number, records: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const request = json(records)
  return await app.inject({ method: 'POST', url: dataUrl(parentId, id), payload: request.payload, headers: { ...request.headers, ...headers } })
}

/** What the mock holds, to prove a refused request changed nothing. */
export async function state (app: FastifyInstance): Promise<unknown> {
  const res = await app.inject('/__mock/state')
  const { syncActionDefinitions, importDefinitions, contacts, accounts, customObjects, syncs, stagingBytes } = res.json() as Record<string, unknown>
  return { syncActionDefinitions, importDefinitions, contacts, accounts, customObjects, syncs, stagingBytes }
}

/** A Bulk API request as Oracle's example user, with a JSON body when one is given. */
export function bulk (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, authorization = API_USER): { method: typeof method, url: string, payload?: string, headers: Record<string, string> } {
  return {
    method,
    url: `/api/bulk/2.0${path}`,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }
  }
}
