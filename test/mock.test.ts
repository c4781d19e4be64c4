// The in-process API as a test author uses it: startMock on a free port, the MockAdmin methods
// over a real socket, and a second client of the same mock from its URL alone.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ManualClock, MockAdmin, MockAdminError, startMock, type FixturesFile } from '../src/index.js'
import { DEFAULT_FIXTURES_PATH } from '../src/fixtures.js'

const upload = async (bulkUrl: string, authorization: string, records: unknown[]): Promise<Response> =>
  await fetch(`${bulkUrl}/customObjects/9/syncActions/6/data`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(records) })

t.test('startMock serves on a free port; its methods drive the control surface', async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 0, 2, 3, 4, 5))
  const mock = await startMock({ clock, config: { SYNC_PENDING_MS: 100, SYNC_ACTIVE_MS: 100 } })
  t.teardown(() => mock.close())
  t.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(mock.loginUrl, mock.url)
  t.equal(mock.bulkUrl, `${mock.url}/api/bulk/2.0`)
  t.equal(mock.httpsUrl, undefined)
  t.match(await mock.health(), { status: 'ok' })
  t.equal(await mock.now(), '2025-01-02T03:04:05.0000000Z', 'the clock it was given')

  // A site of its own, and the journal of what the client did there.
  const site = await mock.site()
  t.match(site, { name: /^Site/, login: `${site.name}\\API.User`, password: 'secret', token: /^mock-token-/ })
  t.equal((await upload(mock.bulkUrl, site.authorization, [{ Id: 'DLPSB000000000020' }])).status, 204)
  t.equal((await upload(mock.bulkUrl, site.authorization, [{ Id: 'DLPSB000000000021' }])).status, 204)
  t.equal(await mock.count({ site: site.name, operation: 'uploadSyncActionData' }), 2)
  t.match(await mock.journal({ site: site.name }), [{ id: Number, status: 204, site: site.name, user: 'API.User' }, { status: 204 }])
  t.match(await mock.journalPage(), { count: 2, dropped: 0, capacity: 10000 })
  t.match(await mock.state({ site: site.name, records: false }), { site: site.name })
  t.match(await mock.report({ site: site.name }), { site: site.name, findings: [{ rule: 'staged-never-synced', requests: [1, 2] }] })

  // Faults and the clock.
  t.match(await mock.addFault({ name: 'down', match: { operation: 'uploadSyncActionData' }, response: { status: 503 } }), { name: 'down' })
  t.equal((await upload(mock.bulkUrl, site.authorization, [])).status, 503)
  t.match(await mock.faults(), [{ name: 'down' }])
  const bad = await mock.addFault({ name: 'down', response: { status: 503 } }).catch((err: unknown) => err)
  t.match(bad, { status: 400, body: { failures: [{ field: '/name' }] }, message: /^POST \/__mock\/faults answered 400: \{"failures"/ })
  await mock.removeFault('down')
  t.equal(await mock.advanceClock(60_000), '2025-01-02T03:05:05.0000000Z')

  await mock.clearJournal()
  t.equal(await mock.count(), 0)
  await mock.reset({ site: site.name })
  await mock.removeSite(site.name)
  const gone = await mock.state({ site: site.name }).catch((err: unknown) => err)
  t.ok(gone instanceof MockAdminError && gone.status === 404, 'a site removed is gone')
  await mock.reset()
})

t.test('MockAdmin drives a mock from its URL alone, with ADMIN_TOKEN when it has one', async (t) => {
  const mock = await startMock({ config: { ADMIN_TOKEN: 'let-me-in' } })
  t.teardown(() => mock.close())
  t.match(await mock.health(), { status: 'ok' }, 'the handle knows the token')
  const stranger = new MockAdmin(`${mock.url}/`)
  const refused = await stranger.faults().catch((err: unknown) => err)
  t.ok(refused instanceof MockAdminError)
  t.match(refused, { status: 401, message: /^GET \/__mock\/faults answered 401/ })
  const admin = new MockAdmin(mock.url, { adminToken: 'let-me-in' })
  t.equal(admin.url, mock.url, 'a trailing slash is dropped')
  t.match(await admin.faults(), Array)
  const named = await admin.site({ name: 'Mine', users: [{ id: 1, username: 'Bot', tokens: ['bot-token'] }] })
  t.match(named, { name: 'Mine', login: 'Mine\\Bot', password: '', token: 'bot-token' })
})

t.test('fixtures as an object, typed; bad settings and fixtures reject, naming what is wrong', async (t) => {
  const bundled = JSON.parse(readFileSync(`${DEFAULT_FIXTURES_PATH}/site.json`, 'utf8')) as FixturesFile
  const mock = await startMock({ fixtures: { sites: bundled.sites ?? [] } })
  t.teardown(() => mock.close())
  t.match(await mock.state(), { site: 'APITest', sites: ['APITest', 'SecondSite'] })
  await t.rejects(startMock({ config: { PORT: -1 } }), /PORT \(--port\): must be >= 0/)
  await t.rejects(startMock({ fixtures: { sites: [{ id: 1, name: 'S', users: [] }] } }), /fixtures \(object\): \/sites\/0\/users/)
  await t.rejects(startMock({ fixtures: '/nonexistent' }), /\/nonexistent: cannot read fixtures/)
  await t.rejects(startMock({ port: mock.app.server.address() !== null ? Number(new URL(mock.url).port) : 0 }), { code: 'EADDRINUSE' }, 'a port in use')
})

t.test('with TLS on, startMock serves HTTPS too and says where', async (t) => {
  const caFile = join(t.testdir(), 'ca.pem')
  const lines: string[] = []
  const mock = await startMock({ config: { TLS: true, TLS_PORT: 0, TLS_CA_OUT: caFile }, logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
  t.teardown(() => mock.close())
  t.match(mock.httpsUrl, /^https:\/\/127\.0\.0\.1:\d+$/)
  t.equal(mock.app.tlsMaterial?.caFile, caFile)
  t.match(lines.join(''), /Server listening at http:\/\/127\.0\.0\.1/, 'logs go where the logger option says')
})
