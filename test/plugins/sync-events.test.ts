import t from 'tap'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { API_USER, build, defaultFixtures, upload } from '../helper.js'
import { SystemClock } from '../../src/domain/clock.js'
import type { FaultRuleFixture } from '../../src/schemas/fixtures.js'
import { customObjectSyncActions } from '../../src/domain/kinds/sync-actions.js'
import type { DefinitionKind } from '../../src/domain/kinds/kind.js'
import type { CallbackAttempt } from '../../src/domain/sync-lifecycle.js'

interface Received { method: string, contentType: string | undefined, body: unknown, text: string }

/** A callback receiver on a real port: records what arrives, answers `status` (or never, when null). */
async function receiver (t: { teardown: (fn: () => unknown) => void }, status: number | null = 200): Promise<{ url: string, received: Received[], next: () => Promise<Received> }> {
  const received: Received[] = []
  const waiting: Array<(r: Received) => void> = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = ''
    req.on('data', (chunk: Buffer) => { text += chunk.toString() })
    req.on('end', () => {
      const entry = { method: req.method ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) as unknown, text }
      received.push(entry)
      waiting.shift()?.(entry)
      if (status !== null) res.writeHead(status).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/eloqua/sync-done`,
    received,
    next: async () => await new Promise((resolve) => waiting.push(resolve))
  }
}

const createSync = (definition: number, callbackUrl: string): object => ({
  method: 'POST',
  url: '/api/bulk/2.0/syncs',
  payload: { syncedInstanceUri: `/customObjects/9/syncActions/${definition}`, callbackUrl },
  headers: { authorization: API_USER }
})
const advance = (ms: number): object => ({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: ms } })
/** Resolves with a sync's callback attempts once the next one is recorded. */
function recorded (app: Awaited<ReturnType<typeof build>>): Promise<CallbackAttempt[]> {
  const site = app.store.siteNamed('APITest') as NonNullable<ReturnType<typeof app.store.siteNamed>>
  const original = site.recordCallbackAttempt.bind(site)
  return new Promise((resolve) => {
    site.recordCallbackAttempt = (sync, attempt) => {
      original(sync, attempt)
      site.recordCallbackAttempt = original
      resolve(sync.callbackAttempts)
    }
  })
}
const syncState = async (app: Awaited<ReturnType<typeof build>>): Promise<Array<{ callbacks: Array<Record<string, unknown>>, status: string }>> => (await app.inject('/__mock/state')).json().syncs

t.test('when a sync ends, its callbackUrl gets a POST with the final sync, and the attempt is recorded', async (t) => {
  const app = await build(t)
  const target = await receiver(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  t.equal((await app.inject(createSync(6, target.url))).statusCode, 201)
  const arrival = target.next()
  t.equal((await app.inject(advance(1000))).statusCode, 200)
  const got = await arrival
  t.equal(got.method, 'POST')
  t.equal(got.contentType, 'application/json')
  t.equal(Object.keys(got.body as object).join(), 'syncedInstanceUri,callbackUrl,syncStartedAt,syncEndedAt,status,createdAt,createdBy,uri', 'keys in Eloqua\'s order')
  t.strictSame(got.body, {
    syncedInstanceUri: '/customObjects/9/syncActions/6',
    callbackUrl: target.url,
    syncStartedAt: '2024-05-01T10:00:00.5000000Z',
    syncEndedAt: '2024-05-01T10:00:01.0000000Z',
    status: 'success',
    createdAt: '2024-05-01T10:00:00.0000000Z',
    createdBy: 'API.User',
    uri: '/syncs/1'
  })
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.match((await syncState(app))[0]?.callbacks, [{ url: target.url, statusCode: 200, at: '2024-05-01T10:00:01.0000000Z', durationMs: Number }])
})

t.test('a receiver that is down is recorded as a failed attempt; the mock carries on', async (t) => {
  const app = await build(t)
  const closed = createServer()
  closed.listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`
  closed.close()
  await app.inject(createSync(6, url))
  await app.inject(advance(1000))
  for (let i = 0; i < 50 && (await syncState(app))[0]?.callbacks.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.match((await syncState(app))[0]?.callbacks, [{ url, error: /ECONNREFUSED|connect/ }])
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })).statusCode, 200)
})

t.test('a receiver that never answers times out after CALLBACK_TIMEOUT_MS without holding anything up', async (t) => {
  const app = await build(t, { config: { CALLBACK_TIMEOUT_MS: 1000 } })
  const silent = await receiver(t, null)
  await app.inject(createSync(6, silent.url))
  const started = performance.now()
  t.equal((await app.inject(advance(1000))).statusCode, 200)
  t.ok(performance.now() - started < 500, 'the request that ended the sync did not wait for the callback')
  await silent.next()
  // Up to 10 s for a 1 s timeout: a loaded CI machine delays timers.
  for (let i = 0; i < 500 && (await syncState(app))[0]?.callbacks.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.match((await syncState(app))[0]?.callbacks, [{ error: /timeout|aborted/i }])
})

t.test('syncs end on time without polling, and send their callback', async (t) => {
  const app = await build(t, { clock: new SystemClock(), config: { SYNC_PENDING_MS: 10, SYNC_ACTIVE_MS: 10 } })
  const target = await receiver(t)
  await app.inject(createSync(6, target.url))
  const got = await target.next()
  t.match(got.body, { uri: '/syncs/1', status: 'success' })
})

function withSyncRule (sync: NonNullable<FaultRuleFixture['sync']>, id = 6): ReturnType<typeof defaultFixtures> {
  return { ...defaultFixtures(), faults: [{ name: 'shaped', match: { parentId: 9, id }, sync }] }
}

t.test('sync fault rules: callbacks twice, late (on the mock clock), or never', async (t) => {
  const twice = await build(t, { fixtures: withSyncRule({ callback: 'twice' }) })
  const target = await receiver(t)
  await twice.inject(createSync(6, target.url))
  const both = Promise.all([target.next(), target.next()])
  await twice.inject(advance(1000))
  t.equal((await both).length, 2)

  const late = await build(t, { fixtures: withSyncRule({ callback: 'late', callbackDelayMs: 150 }) })
  await late.inject(createSync(6, target.url))
  const attempts = recorded(late)
  await late.inject(advance(1000))
  await late.inject(advance(100))
  const arrival = target.next()
  await late.inject(advance(50))
  await arrival
  const [attempt] = await attempts
  t.equal(attempt?.at, '2024-05-01T10:00:01.1500000Z', 'sent once the mock clock reached the end of the sync plus the delay')

  const never = await build(t, { fixtures: withSyncRule({ callback: 'never' }) })
  const count = target.received.length
  await never.inject(createSync(6, target.url))
  await never.inject(advance(1000))
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(target.received.length, count, 'nothing arrived')
  t.match((await syncState(never))[0], { status: 'success', callbacks: [], fault: 'shaped' })
})

t.test('closing the app aborts a callback in flight instead of waiting for the receiver', async (t) => {
  const app = await build(t, { config: { CALLBACK_TIMEOUT_MS: 600_000 } })
  let request: IncomingMessage | undefined
  const arrived = new Promise<void>((resolve) => {
    const server = createServer((req) => { request = req; req.on('error', () => {}); resolve() })
    server.listen(0, '127.0.0.1', () => {
      app.inject(createSync(6, `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`)).then(async () => await app.inject(advance(1000)))
    })
    t.teardown(() => { server.closeAllConnections(); server.close() })
  })
  await arrived
  const closed = new Promise((resolve) => (request as IncomingMessage).once('close', resolve))
  await app.close()
  await closed
  t.pass('the receiver saw the connection closed')
})

t.test('a late callback still waiting when the app closes is never sent', async (t) => {
  // Without callbackDelayMs a late callback waits 5 s of mock time.
  const app = await build(t, { fixtures: withSyncRule({ callback: 'late' }) })
  const target = await receiver(t)
  await app.inject(createSync(6, target.url))
  await app.inject(advance(1000))
  await app.close()
  app.clock.advance(10_000)
  // Three ticks of the sync timer: had it kept running, the callback would have gone out.
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(target.received.length, 0)
})

t.test('callbacks do not follow redirects and do not read what the receiver answers', async (t) => {
  const app = await build(t)
  const elsewhere = await receiver(t)
  let endless: ServerResponse | undefined
  const server = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(307, { location: elsewhere.url }).end()
      return
    }
    // An answer that never ends: reading it would hold the callback until its timeout.
    endless = res
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.write(Buffer.alloc(1024 * 1024))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { endless?.destroy(); server.closeAllConnections(); server.close() })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const attempts = recorded(app)
  await app.inject(createSync(6, `${base}/moved`))
  await app.inject(advance(1000))
  t.match(await attempts, [{ statusCode: 307 }])
  t.equal(elsewhere.received.length, 0, 'the redirect target got nothing')

  const more = recorded(app)
  await app.inject(createSync(8, `${base}/endless`))
  await app.inject(advance(1000))
  t.match(await more, [{ statusCode: 200 }], 'recorded on the status line, the body left unread')
})

t.test('sync fault rules: end in error (ELQ-00146), end in warning, or stay pending', async (t) => {
  const bundled = await build(t)
  await upload(bundled, 9, 14, [{ Id: 'DLPSB000000000020' }])
  await bundled.inject({ ...createSync(14, 'http://127.0.0.1:9/x') })
  await bundled.inject(advance(1000))
  const errored = (await bundled.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })).json().items
  t.match(errored, [{ severity: 'error', statusCode: 'ELQ-00146', message: 'The sync failed because of a temporary error.' }, { statusCode: 'ELQ-00101', message: 'Sync processed for sync 1, resulting in Error status.' }])
  t.match((await syncState(bundled))[0], { status: 'error', fault: 'definition-14-sync-error' })
  t.strictSame((await bundled.inject('/__mock/state')).json().customObjects[0].records[0].destinations, {}, 'no record was actioned')

  await bundled.inject({ method: 'POST', url: '/api/bulk/2.0/syncs', payload: { syncedInstanceUri: '/customObjects/9/syncActions/16' }, headers: { authorization: API_USER } })
  await bundled.inject(advance(3_600_000))
  t.match((await syncState(bundled))[1], { uri: '/syncs/2', status: 'pending', fault: 'definition-16-stuck-pending' })
  t.equal((await bundled.inject({ method: 'POST', url: '/api/bulk/2.0/syncs', payload: { syncedInstanceUri: '/customObjects/9/syncActions/16' }, headers: { authorization: API_USER } })).statusCode, 409)

  const warning = await build(t, { fixtures: withSyncRule({ status: 'warning' }) })
  await upload(warning, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await warning.inject({ method: 'POST', url: '/api/bulk/2.0/syncs', payload: { syncedInstanceUri: '/customObjects/9/syncActions/6' }, headers: { authorization: API_USER } })
  await warning.inject(advance(1000))
  t.match((await syncState(warning))[0], { status: 'warning' })
  const logs = (await warning.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })).json().items
  t.match(logs.at(-1), { message: 'Sync processed for sync 1, resulting in Warning status.' })
})

t.test('sync rules narrow by user and count like request rules', async (t) => {
  const fixtures = { ...defaultFixtures(), faults: [{ name: 'first-errs', match: { user: 'API.User' }, when: { first: 1 }, sync: { status: 'error' as const } }] }
  const app = await build(t, { fixtures })
  for (const definition of [6, 8]) await app.inject({ method: 'POST', url: '/api/bulk/2.0/syncs', payload: { syncedInstanceUri: `/customObjects/9/syncActions/${definition}` }, headers: { authorization: API_USER } })
  await app.inject(advance(1000))
  t.strictSame((await syncState(app)).map((s) => s.status), ['error', 'success'])
  t.match((await app.inject('/__mock/state')).json().faults, [{ name: 'first-errs', matched: 2, fired: 1, explanation: 'first-errs: user=API.User, first 1: syncs status=error' }])
})

t.test('a sync that never starts lists no logs and no rejects', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/api/bulk/2.0/syncs', payload: { syncedInstanceUri: '/customObjects/9/syncActions/16' }, headers: { authorization: API_USER } })
  for (const path of ['logs', 'rejects']) {
    const res = await app.inject({ url: `/api/bulk/2.0/syncs/1/${path}`, headers: { authorization: API_USER } })
    t.equal(res.statusCode, 200)
    t.strictSame(res.json().items, [])
  }
})

t.test('a late callback waiting when the state is reset is dropped', async (t) => {
  const app = await build(t, { fixtures: withSyncRule({ callback: 'late', callbackDelayMs: 100 }) })
  const target = await receiver(t)
  await app.inject(createSync(6, target.url))
  await app.inject(advance(1000))
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  await app.inject(advance(1000))
  // Three ticks of the sync timer: had the callback survived the reset, it would have gone out.
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(target.received.length, 0)
})

t.test('a clock jump too large to keep dates valid is refused and changes nothing', async (t) => {
  const app = await build(t)
  for (const advanceMs of [1e300, 9007199254740991, 315_360_000_001]) {
    t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs } })).statusCode, 400, String(advanceMs))
  }
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 315_360_000_000 } })).statusCode, 200)
  t.equal((await app.inject('/__mock/clock')).statusCode, 200)
})

t.test('a sync whose processing fails, and a sync timer that fails, are logged at error; the mock carries on', async (t) => {
  const lines: Array<{ msg: string, sync?: string }> = []
  let logged: (() => void) | undefined
  const stream = { write: (line: string) => { lines.push(JSON.parse(line)); logged?.() } }
  const app = await build(t, { logger: { level: 'error', stream } })
  const principal = app.directory.authenticate(API_USER) as NonNullable<ReturnType<typeof app.directory.authenticate>>
  const site = app.store.site(principal)
  const six = site.resolveDefinition(principal, customObjectSyncActions as DefinitionKind, '9', '6')
  site.stageUpload(six, { format: 'json', bytes: Buffer.from('[{"Id":'), recordCount: 1 }, principal)
  site.createSync(principal, { syncedInstanceUri: '/customObjects/9/syncActions/6' })
  await app.inject(advance(1000))
  t.match(lines, [{ msg: 'sync processing failed; the sync ended in error', sync: '/syncs/1' }])

  site.createSync(principal, { syncedInstanceUri: '/customObjects/9/syncActions/8' })
  app.store.tick = () => { throw new Error('boom') }
  // The sync timer is unref'd: a referenced timer keeps the process alive while it fires.
  const alive = setTimeout(() => {}, 10_000)
  await new Promise<void>((resolve) => { logged = resolve })
  clearTimeout(alive)
  t.match(lines.at(-1), { msg: 'sync timer failed' })
  t.equal((await app.inject('/__mock/health')).statusCode, 200)
})

t.test('resetting one site drops its late callbacks and keeps those of the other sites', async (t) => {
  const app = await build(t, { fixtures: withSyncRule({ callback: 'late', callbackDelayMs: 100 }) })
  const target = await receiver(t)
  const second = `Basic ${Buffer.from('SecondSite\\API.User:secret').toString('base64')}`
  t.equal((await app.inject(createSync(6, target.url))).statusCode, 201)
  t.equal((await app.inject({ ...createSync(6, `${target.url}?site=second`), headers: { authorization: second } })).statusCode, 201)
  await app.inject(advance(1000))
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?site=SecondSite' })).statusCode, 204)
  const arrival = target.next()
  await app.inject(advance(100))
  t.match((await arrival).body, { uri: '/syncs/1', status: 'success' })
  // Three ticks of the sync timer: had the second site's callback survived its reset, it would have gone out.
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(target.received.length, 1)
})
