import t from 'tap'
import { API_USER, basic, build, bulk, upload } from '../helper.js'
import { RequestJournal, journalPredicate, type JournalEntry, type JournalRecord } from '../../src/domain/journal.js'

const SECOND_SITE = basic('SecondSite\\API.User', 'secret')

interface Listing { items: JournalEntry[], count: number, recorded: number, dropped: number, capacity: number, nextId: number }

t.test('every Eloqua API request is in the journal, with what a verification needs; the control surface is not', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }, { Id: 'DLPSB000000000021' }])
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000022' }])
  await app.inject(bulk('GET', '/customObjects/9/syncActions/6'))
  await app.inject({ url: '/id', headers: { authorization: API_USER } })
  await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: basic('APITest\\API.User', 'wrong') } })
  await app.inject('/__mock/state')
  const listing = (await app.inject('/__mock/requests')).json<Listing>()
  t.match(listing, { count: 5, recorded: 5, dropped: 0, capacity: 10000, nextId: 6 })
  t.strictSame(listing.items.map((e) => [e.id, e.method, e.operation, e.status, e.site, e.user]), [
    [1, 'POST', 'uploadSyncActionData', 204, 'APITest', 'API.User'],
    [2, 'POST', 'uploadSyncActionData', 204, 'APITest', 'API.User'],
    [3, 'GET', 'getSyncActionDefinition', 200, 'APITest', 'API.User'],
    [4, 'GET', 'discover', 200, 'APITest', 'API.User'],
    [5, 'GET', 'listSyncs', 401, 'APITest', 'API.User']
  ])
  const [first] = listing.items
  t.match(first, {
    time: '2024-05-01T10:00:00.000Z',
    path: '/api/bulk/2.0/customObjects/9/syncActions/6/data',
    durationMs: Number,
    requestBytes: 55,
    responseBytes: 0,
    requestBody: '[{"Id":"DLPSB000000000020"},{"Id":"DLPSB000000000021"}]'
  })
  t.notOk('responseBody' in (first as object), 'a 204 answers nothing')
  t.match(listing.items[2]?.responseBody, /^\{"name":/, 'the start of what was answered')
  t.ok((listing.items[2]?.responseBytes ?? 0) > 100)

  const count = async (query: string): Promise<number> => (await app.inject(`/__mock/requests/count?${query}`)).json<{ count: number }>().count
  t.equal(await count('operation=uploadSyncActionData&path=/api/bulk/2.0/customObjects/9/syncActions/6/data'), 2, 'exactly 2 uploads to definition 6')
  t.equal(await count('path=/API/BULK/2.0/customObjects/9/*'), 3, 'paths with * and any case')
  t.equal(await count('status=2xx'), 4)
  t.equal(await count('status=401'), 1)
  t.equal(await count('method=get'), 3)
  t.equal(await count('since=3'), 2, 'what came after entry 3')
  t.equal(await count('site=apitest&status=4xx'), 1)
  t.equal(await count('site=SecondSite'), 0)
  t.equal((await app.inject('/__mock/requests?limit=2&status=2xx')).json<Listing>().items.length, 2)
  t.equal((await app.inject('/__mock/requests?limit=0')).statusCode, 400)
})

t.test('faults, OAuth secrets, other sites and unknown paths', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'down', match: { operation: 'listSyncs' }, response: { status: 503 } } })
  await app.inject(bulk('GET', '/syncs'))
  await app.inject(bulk('GET', '/syncs', undefined, SECOND_SITE))
  await app.inject({ method: 'POST', url: '/auth/oauth2/token', headers: { authorization: basic('mock-client-id', 'mock-client-secret'), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=password&username=APITest%5CAPI.User&password=secret' })
  await app.inject(bulk('GET', '/opportunities'))
  await app.inject({ url: '/id', headers: { authorization: basic('no-site', 'x') } })
  const { items } = (await app.inject('/__mock/requests')).json<Listing>()
  t.match(items[4], { operation: 'discover', user: 'no-site' })
  t.notOk('site' in (items[4] as object), 'a login without a site names only a user')
  await app.inject('/id')
  const anonymous = (await app.inject('/__mock/requests?since=5')).json<Listing>().items[0]
  t.notOk('site' in (anonymous as object) || 'user' in (anonymous as object), 'no credentials, nobody')
  t.match(items[0], { status: 503, fault: 'down', site: 'APITest' })
  t.match(items[1], { status: 503, fault: 'down', site: 'SecondSite' })
  t.match(items[2], { operation: 'createOAuthToken', status: 200, user: 'mock-client-id' })
  t.notOk('requestBody' in (items[2] as object) || 'responseBody' in (items[2] as object), 'no password or token is kept')
  t.ok((items[2]?.requestBytes ?? 0) > 0, 'only its size')
  t.match(items[3], { status: 404, path: '/api/bulk/2.0/opportunities' })
  t.notOk('operation' in (items[3] as object))
})

t.test('a reset empties the journal (a site reset, that site\'s entries); DELETE empties it', async (t) => {
  const app = await build(t)
  await app.inject(bulk('GET', '/syncs'))
  await app.inject(bulk('GET', '/syncs', undefined, SECOND_SITE))
  await app.inject({ method: 'POST', url: '/__mock/reset?site=SecondSite' })
  t.strictSame((await app.inject('/__mock/requests')).json<Listing>().items.map((e) => e.site), ['APITest'])
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal((await app.inject('/__mock/requests')).json<Listing>().count, 0)
  await app.inject(bulk('GET', '/syncs'))
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/requests' })).statusCode, 204)
  t.match((await app.inject('/__mock/requests')).json(), { count: 0, nextId: 4 }, 'ids go on')
})

t.test('the journal is bounded: the oldest go first and are counted; 0 keeps none; bodies are cut', async (t) => {
  const app = await build(t, { config: { JOURNAL_SIZE: 3, JOURNAL_BODY_BYTES: 10 } })
  for (let i = 0; i < 5; i++) await app.inject(bulk('GET', `/syncs/${i + 1}`))
  const listing = (await app.inject('/__mock/requests')).json<Listing>()
  t.strictSame(listing.items.map((e) => e.id), [3, 4, 5])
  t.match(listing, { dropped: 2, capacity: 3 })
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await app.inject(bulk('GET', '/customObjects/9'))
  const [uploaded, read] = (await app.inject('/__mock/requests?since=5')).json<Listing>().items
  t.equal(uploaded?.requestBody, '[{"Id":"DL')
  t.equal(read?.responseBody, '{"name":"W')

  const off = await build(t, { config: { JOURNAL_SIZE: 0 } })
  await off.inject(bulk('GET', '/syncs'))
  t.match((await off.inject('/__mock/requests')).json(), { count: 0, capacity: 0 })
  const noBodies = await build(t, { config: { JOURNAL_BODY_BYTES: 0 } })
  await upload(noBodies, 9, 6, [{ Id: 'DLPSB000000000020' }])
  t.notOk('requestBody' in ((await noBodies.inject('/__mock/requests')).json<Listing>().items[0] as object))
})

t.test('journal filters and clearing, in the domain', async (t) => {
  const none = new RequestJournal(0)
  none.record({ time: Date.parse('2024-05-01T10:00:00.000Z'), method: 'GET', path: '/x', status: 200, durationMs: 1, requestBytes: 0, responseBytes: 0 })
  t.equal(none.size, 0, 'a journal of size 0 keeps nothing')
  const journal = new RequestJournal(4)
  const entry = (over: Partial<JournalRecord>): JournalRecord => ({ time: Date.parse('2024-05-01T10:00:00.000Z'), method: 'GET', path: '/x', status: 200, durationMs: 1, requestBytes: 0, responseBytes: 0, ...over })
  journal.record(entry({ site: 'A', time: Date.parse('2024-05-01T10:00:00.000Z') }))
  journal.record(entry({ site: 'B', time: Date.parse('2024-05-01T11:00:00.000Z'), path: '/y?offset=1' }))
  journal.record(entry({ site: 'A', time: Date.parse('2024-05-01T12:00:00.000Z') }))
  t.equal(journal.count({ since: '2024-05-01T11:00:00Z' }), 2, 'since a time')
  t.equal(journal.count({ since: 'yesterday' }), 0, 'a time that is none matches nothing')
  t.equal(journal.count({ path: '/y' }), 1, 'the query is not part of the path')
  t.equal(journal.count({ status: '2xx', operation: 'x' }), 0)
  t.ok(journalPredicate({})(journal.find({})[0] as JournalEntry))
  journal.clear('a')
  t.strictSame(journal.find({}).map((e) => e.site), ['B'])
  journal.record(entry({ site: 'C' }))
  journal.record(entry({ site: 'D' }))
  journal.record(entry({ site: 'E' }))
  journal.record(entry({ site: 'F' }))
  t.strictSame(journal.find({}).map((e) => e.site), ['C', 'D', 'E', 'F'])
  journal.clear('d')
  journal.record(entry({ site: 'G' }))
  t.strictSame(journal.find({}).map((e) => e.site), ['C', 'E', 'F', 'G'], 'order kept across a clear of a full ring')
  t.equal(journal.dropped, 1)
})
