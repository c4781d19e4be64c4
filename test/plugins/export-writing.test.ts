// The timer that writes exported rows as JSON between requests: a big export ends once it is
// done, pages then come from the written bytes, and a failing turn is logged, not fatal.
import t from 'tap'
import { API_USER, build, bulk, defaultFixtures } from '../helper.js'

const fixtures = { ...defaultFixtures(), activities: [{ generate: { type: 'EmailOpen' as const, count: 30_000, seed: 9 } }] }
const opens = { name: 'Opens', fields: { Id: '{{Activity.Id}}', Date: '{{Activity.CreatedAt}}', Email: '{{Activity.Field(EmailAddress)}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen'" }
/** One turn of the event loop: the timer writes between turns, never during a request. */
const turn = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('an export of 30,000 rows is written between requests and ends once written; its pages are the written bytes', async (t) => {
  const app = await build(t, { fixtures })
  const uri = (await app.inject(bulk('POST', '/activities/exports', opens))).json().uri as string
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).json().uri as string
  app.clock.advance(5000)
  let status = ''
  for (let turns = 0; turns < 1000 && status !== 'success'; turns++) {
    status = (await app.inject(bulk('GET', sync))).json().status as string
    await turn()
  }
  t.equal(status, 'success', 'ended once the rows were written')
  const usage = (await app.inject('/__mock/state')).json().usage as { exportCacheBytes: number }
  t.ok(usage.exportCacheBytes > 30_000 * 60, `${usage.exportCacheBytes} bytes written`)
  const page = await app.inject(bulk('GET', `${sync}/data?limit=50000`))
  t.ok(page.rawPayload.length > 1024 * 1024, 'a page of more than one written buffer')
  const rows = page.json().items as Array<{ Id: string }>
  t.equal(rows.length, 30_000)
  t.strictSame([rows[0]?.Id, rows.at(-1)?.Id], ['1', '30000'])
})

t.test('a failing turn is logged at error and the mock carries on; after close no turn is queued', async (t) => {
  const lines: Array<{ msg: string }> = []
  const stream = { write: (line: string) => { lines.push(JSON.parse(line)) } }
  const app = await build(t, { fixtures, logger: { level: 'error', stream } })
  app.store.writeExports = () => { throw new Error('boom') }
  const uri = (await app.inject(bulk('POST', '/activities/exports', opens))).json().uri as string
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).statusCode, 201)
  await turn()
  t.match(lines, [{ msg: 'writing exported rows failed' }])
  t.equal((await app.inject(bulk('GET', '/syncs/1', undefined, API_USER))).json().status, 'pending', 'the mock still answers')
  await app.close()
  let turns = 0
  app.store.writeExports = () => { turns++; return false }
  app.store.onExportWriting()
  await turn()
  t.equal(turns, 0)
})

t.test('POST /__mock/clock finishes the writing, so every export sync whose time comes ends at once', async (t) => {
  const app = await build(t, { fixtures })
  app.store.onExportWriting = () => {}
  const uri = (await app.inject(bulk('POST', '/activities/exports', opens))).json().uri as string
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).json().uri as string
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 5000 } })).statusCode, 200)
  t.match((await app.inject(bulk('GET', sync))).json(), { status: 'success', syncEndedAt: '2024-05-01T10:00:01.0000000Z' }, 'ended at its time: nothing held it back')
})

t.test('exported data goes at the end of its retention, read or not; running exports count toward MAX_RETAINED_EXPORT_ROWS', async (t) => {
  const app = await build(t, { fixtures, config: { MAX_RETAINED_EXPORT_ROWS: 40_000 } })
  const usage = async (): Promise<{ retainedExportRows: number, exportCacheBytes: number }> => (await app.inject('/__mock/state')).json().usage
  const uri = (await app.inject(bulk('POST', '/activities/exports', { ...opens, dataRetentionDuration: 'PT1H' }))).json().uri as string
  const other = (await app.inject(bulk('POST', '/activities/exports', opens))).json().uri as string
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).statusCode, 201)
  const second = await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: other }))
  t.equal(second.statusCode, 429, '30,000 rows running, 30,000 more would pass 40,000')
  t.match(second.headers['x-mock-reason'], /running exports hold 30000 rows and this one 30000, more than the 40000 MAX_RETAINED_EXPORT_ROWS allows/)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 5000 } })).statusCode, 200)
  t.match(await usage(), { retainedExportRows: 30_000 })
  t.ok((await usage()).exportCacheBytes > 0)
  const third = await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))
  t.equal(third.statusCode, 201, 'the first sync has ended: its data makes room')
  t.match(await usage(), { retainedExportRows: 0 })
  t.equal((await app.inject(bulk('GET', '/syncs/1/data'))).statusCode, 404, 'dropped for the newer export')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 5000 } })).statusCode, 200)
  t.match(await usage(), { retainedExportRows: 30_000 })
  t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 3_600_000 } })).statusCode, 200)
  t.match(await usage(), { retainedExportRows: 0, exportCacheBytes: 0 }, 'an hour later the data is gone, never read')
})

t.test('data that ends while a definition expires is still dropped at the end of its own retention', async (t) => {
  const app = await build(t, { fixtures: { ...fixtures, activities: [{ generate: { type: 'EmailOpen' as const, count: 40_000, seed: 9 } }] } })
  app.store.onExportWriting = () => {}
  t.equal((await app.inject(bulk('POST', '/contacts/exports', { name: 'short-lived', fields: { Id: '{{Contact.Id}}' }, autoDeleteDuration: 'PT1H' }))).statusCode, 201)
  const uri = (await app.inject(bulk('POST', '/activities/exports', { ...opens, dataRetentionDuration: 'PT1H' }))).json().uri as string
  app.clock.advance(3_599_000)
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).json().uri as string
  app.clock.advance(1000)
  // One look: the contact export expires, and the sync, held back, ends while it is removed.
  t.equal((await app.inject('/__mock/state')).statusCode, 200)
  app.clock.advance(3 * 3_600_000)
  t.match((await app.inject('/__mock/state')).json().usage, { retainedExportRows: 0, exportCacheBytes: 0 })
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 404)
})

t.test('each turn writes the oldest export still being written, passing over one already written', async (t) => {
  const app = await build(t, { fixtures })
  app.store.onExportWriting = () => {}
  const first = (await app.inject(bulk('POST', '/activities/exports', opens))).json().uri as string
  const second = (await app.inject(bulk('POST', '/activities/exports', { ...opens, name: 'Opens again' }))).json().uri as string
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: first }))).statusCode, 201)
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: second }))).statusCode, 201)
  const written = async (): Promise<number> => ((await app.inject('/__mock/state')).json().usage as { exportCacheBytes: number }).exportCacheBytes
  const atStart = await written()
  t.equal(app.store.writeExports(20_000), true, 'the first export is written whole; the second still waits')
  const afterFirst = await written()
  t.ok(afterFirst > atStart)
  t.equal(app.store.writeExports(20_000), false, 'the first is passed over and the second written whole')
  t.ok(await written() > afterFirst)
  t.equal(app.store.writeExports(20_000), false, 'nothing is left')
  app.clock.advance(5000)
  for (const sync of ['/syncs/1', '/syncs/2']) t.equal((await app.inject(bulk('GET', `${sync}/data?limit=1&offset=29999`))).json().items[0].Id, '30000', `${sync} holds every row`)
})
