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
