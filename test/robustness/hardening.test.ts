// Regression tests for hostile input: each case once crashed, froze or bloated the mock, or
// leaked something it should not. Every refusal is checked to leave the state as it was.
import t from 'tap'
import { API_USER, basic, build, dataUrl, defaultFixtures, state, upload } from '../helper.js'
import { customObjectSyncActions } from '../../src/domain/kinds/sync-actions.js'
import type { DefinitionKind } from '../../src/domain/kinds/kind.js'
import { MAX_STATE_DECODE_BYTES } from '../../src/domain/site.js'

const nested = (depth: number, inner = '"x"'): string => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
const post = (url: string, payload: string, headers: Record<string, string> = {}): object =>
  ({ method: 'POST', url, payload, headers: { authorization: API_USER, 'content-type': 'application/json', ...headers } })

t.test('JSON nested deeper than MAX_JSON_DEPTH answers 400 wherever it is sent, and nothing is staged', async (t) => {
  const app = await build(t)
  const before = await state(app)
  for (const [url, payload] of [
    [dataUrl(9, 6), `[{"Id":${nested(5000)}}]`],
    [dataUrl(9, 6), nested(10000)],
    ['/api/bulk/2.0/syncs', `{"syncedInstanceUri":${nested(5000)}}`],
    ['/api/bulk/2.0/customObjects/9/syncActions', `{"name":${nested(5000)}}`]
  ] as const) {
    const res = await app.inject(post(url, payload))
    t.equal(res.statusCode, 400, url)
    t.strictSame(res.json(), { failures: [{ field: 'body', constraint: 'Must not nest arrays and objects more than 32 levels deep.' }] })
    t.equal(res.headers['x-mock-reason'], 'body: Must not nest arrays and objects more than 32 levels deep.')
  }
  t.strictSame(await state(app), before)
  t.equal((await app.inject(post(dataUrl(9, 6), `[{"Id":${nested(30)}}]`))).statusCode, 204, 'within the limit it is staged')
  app.clock.advance(1000)
  const synced = await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/6"}'))
  t.equal(synced.statusCode, 201)
  app.clock.advance(2000)
  t.equal((await app.inject({ url: '/__mock/state' })).statusCode, 200, 'the staged nested record is shown')
  const rejects = await app.inject({ url: '/api/bulk/2.0/syncs/1/rejects', headers: { authorization: API_USER } })
  t.match(rejects.json().items, [{ statusCode: 'ELQ-00034', fieldValues: { Id: '[[[[...]]]]' } }], 'processed, the value described briefly')
})

t.test('nested values elsewhere in a body are described briefly in failures, never in full', async (t) => {
  const app = await build(t)
  const res = await app.inject(post('/api/bulk/2.0/syncs', `{"syncedInstanceUri":${nested(20)}}`))
  t.equal(res.statusCode, 400)
  t.match(res.json().failures[0], { field: 'syncedInstanceUri', value: '[[[[...]]]]' })
  const name = await app.inject(post('/api/bulk/2.0/customObjects/9/syncActions', `{"name":${nested(25, '{"a":1}')}}`))
  t.equal(name.statusCode, 400)
  t.match(name.json().failures[0], { field: 'name', value: '[[[[...]]]]' })
})

t.test('numbers beyond a double answer 400 instead of turning into null', async (t) => {
  const app = await build(t)
  const res = await app.inject(post(dataUrl(9, 6), '[{"Id":1e400}]'))
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), { failures: [{ field: 'body', constraint: 'Numbers must be finite (at most about 1.8e308).' }] })
  t.equal((await app.inject(post(dataUrl(9, 6), '-1e400'))).statusCode, 400)
})

t.test('a UTF-8 byte order mark is dropped before JSON and CSV alike', async (t) => {
  const app = await build(t)
  t.equal((await app.inject(post(dataUrl(9, 6), '\ufeff[{"Id":"DLPSB000000000020"}]'))).statusCode, 204)
  t.equal((await app.inject(post(dataUrl(9, 6), '\ufeffId\nDLPSB000000000020\n', { 'content-type': 'text/csv' }))).statusCode, 204)
  const files = (await app.inject('/__mock/state?definition=6')).json().syncActionDefinitions[0].staged.files
  t.strictSame(files.map((f: { records: unknown[], bytes: number }) => [f.records, f.bytes]), [[[{ Id: 'DLPSB000000000020' }], 28], [[{ Id: 'DLPSB000000000020' }], 21]])
})

t.test('a CSV header naming a column twice, or leaving one unnamed, answers 400', async (t) => {
  const app = await build(t)
  const before = await state(app)
  for (const [csv, constraint] of [
    ['Id,Id\na,b\n', 'The header row must not name a column twice.'],
    ['Id,\na,b\n', 'The header row must name every column; column 2 has no name.']
  ]) {
    const res = await app.inject(post(dataUrl(9, 6), csv as string, { 'content-type': 'text/csv' }))
    t.equal(res.statusCode, 400)
    t.equal(res.statusMessage, 'There was a parsing error.')
    t.match(res.json().failures, [{ field: 'body', constraint }])
  }
  t.strictSame(await state(app), before)
})

t.test('a body with a Content-Encoding answers 415; identity is fine', async (t) => {
  const app = await build(t)
  for (const encoding of ['gzip', 'br', 'bogus']) {
    const res = await app.inject(post(dataUrl(9, 6), '[{"Id":"a"}]', { 'content-encoding': encoding }))
    t.equal(res.statusCode, 415, encoding)
    t.equal(res.statusMessage, 'Unsupported Media Type')
    t.match(res.headers['x-mock-reason'], /not supported/)
  }
  t.equal((await app.inject(post(dataUrl(9, 6), '[{"Id":"a"}]', { 'content-encoding': 'identity' }))).statusCode, 204)
})

t.test('the charset parameter is read wherever it stands, quoted or not', async (t) => {
  const app = await build(t)
  t.equal((await app.inject(post(dataUrl(9, 6), '[{"Id":"a"}]', { 'content-type': 'application/json; foo; charset="UTF-8"' }))).statusCode, 204)
  const latin = await app.inject(post(dataUrl(9, 6), 'Id\na\n', { 'content-type': 'text/csv; q=1; charset=latin1' }))
  t.equal(latin.statusCode, 400)
  t.match(latin.json().failures, [{ field: 'Content-Type', constraint: 'Must be UTF-8 encoded.' }])
})

t.test('offsets beyond any list, like Infinity, answer 400', async (t) => {
  const app = await build(t)
  for (const offset of ['Infinity', '1e400', '9007199254740992']) {
    const res = await app.inject({ url: `/api/bulk/2.0/syncs?offset=${offset}`, headers: { authorization: API_USER } })
    t.equal(res.statusCode, 400, offset)
    t.match(res.json().failures, [{ field: 'offset' }])
  }
})

t.test('q wildcards match in linear time; q length and stars are capped', async (t) => {
  const app = await build(t)
  const list = (q: string): object => ({ url: `/api/bulk/2.0/syncActions?q=${encodeURIComponent(q)}`, headers: { authorization: API_USER } })
  const started = performance.now()
  const res = await app.inject(list(`name='${'*'.repeat(10)}${'a'.repeat(900)}Z'`))
  t.equal(res.statusCode, 200)
  t.equal(res.json().totalResults, 0)
  t.ok(performance.now() - started < 1000, 'answered at once (a regular expression took seconds to minutes)')
  t.equal((await app.inject(list(`name='${'*'.repeat(12)}Z'`))).statusCode, 400, 'more than 10 stars')
  t.equal((await app.inject(list(`name='${'a'.repeat(1001)}'`))).statusCode, 400, 'longer than 1000 characters')
  t.equal((await app.inject(list('name=*webinar*Complete*'))).json().totalResults > 0, true, 'wildcards still match')
})

t.test('fault-rule path templates match in linear time, before authentication too', async (t) => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'greedy', match: { path: '/a*a*a*a*a*a*b' }, response: { status: 503 } } })).statusCode, 201)
  const started = performance.now()
  const res = await app.inject({ url: `/${'a'.repeat(3000)}` })
  t.equal(res.statusCode, 404)
  t.ok(performance.now() - started < 1000, 'answered at once (a regular expression took over a minute)')
  t.equal((await app.inject({ url: '/aXaYaaaab' })).statusCode, 503, 'the template still matches')
})

t.test('ended syncs are kept up to MAX_RETAINED_SYNCS, the oldest dropped first', async (t) => {
  const app = await build(t, { config: { MAX_RETAINED_SYNCS: 2 } })
  for (const id of [6, 8, 6]) {
    t.equal((await app.inject(post('/api/bulk/2.0/syncs', `{"syncedInstanceUri":"/customObjects/9/syncActions/${id}"}`))).statusCode, 201)
    app.clock.advance(1000)
  }
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })).statusCode, 404)
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })).statusCode, 404)
  const listed = (await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: API_USER } })).json()
  t.strictSame(listed.items.map((s: { uri: string }) => s.uri), ['/syncs/2', '/syncs/3'])
  t.match((await app.inject('/__mock/state')).json().usage, { retainedSyncs: 2, maxRetainedSyncs: 2, runningSyncs: 0 })
})

t.test('no more than MAX_RETAINED_SYNCS syncs run at once: one more answers 429 and starts nothing', async (t) => {
  const app = await build(t, { config: { MAX_RETAINED_SYNCS: 1 } })
  t.equal((await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/6"}'))).statusCode, 201)
  const before = await state(app)
  const res = await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/8"}'))
  t.equal(res.statusCode, 429)
  t.equal(res.statusMessage, 'Too Many Requests')
  t.equal((await upload(app, 9, 7, [{ Id: 'a' }])).statusCode, 429, 'a sync on import too')
  t.strictSame(await state(app), before)
})

t.test('rejects are kept up to MAX_RETAINED_REJECTS over all syncs, oldest syncs dropped first', async (t) => {
  const app = await build(t, { config: { MAX_RETAINED_REJECTS: 3 } })
  await upload(app, 9, 6, [{ Id: 'x1' }, { Id: 'x2' }, { Id: 'x3' }, { Id: 'x4' }, { Id: 'x5' }])
  await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/6"}'))
  app.clock.advance(1000)
  const rejects = (await app.inject({ url: '/api/bulk/2.0/syncs/1/rejects', headers: { authorization: API_USER } })).json()
  t.equal(rejects.totalResults, 3, 'one sync lists at most the bound')
  const logs = (await app.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })).json().items
  t.match(logs, [{ statusCode: 'ELQ-00140', count: 5 }, { statusCode: 'ELQ-00001', count: 5 }, { statusCode: 'ELQ-00034', count: 5 }], 'the logs count them all')

  await upload(app, 9, 8, [{ RecordId: 'y1' }])
  await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/8"}'))
  app.clock.advance(1000)
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })).statusCode, 404, 'the older sync made room')
  t.match((await app.inject('/__mock/state')).json().usage, { retainedRejects: 1, maxRetainedRejects: 3 })
})

t.test('ended syncs older than SYNC_RETENTION_DAYS on the mock clock are dropped', async (t) => {
  const app = await build(t, { config: { SYNC_RETENTION_DAYS: 1 } })
  await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/6"}'))
  app.clock.advance(23 * 3_600_000)
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })).statusCode, 200)
  app.clock.advance(2 * 3_600_000)
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })).statusCode, 404)
})

t.test('definitions are capped by MAX_DEFINITIONS: one more answers 400 and is not created', async (t) => {
  const app = await build(t, { config: { MAX_DEFINITIONS: defaultFixtures().syncActionDefinitions.length } })
  const before = await state(app)
  const res = await app.inject(post('/api/bulk/2.0/customObjects/9/syncActions', JSON.stringify({
    name: 'one too many', fields: { Id: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'Id', syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }]
  })))
  t.equal(res.statusCode, 400)
  t.match(res.json().failures, [{ field: 'definition', constraint: /Must not exceed \d+ definitions in this instance/ }])
  t.strictSame(await state(app), before)
})

t.test('callback URLs with credentials are refused without echoing them; CALLBACK_HOSTS limits the hosts', async (t) => {
  const app = await build(t, { config: { CALLBACK_HOSTS: 'receiver, [::1]' } })
  const create = (callbackUrl: string): object => post('/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl }))
  const before = await state(app)
  const secret = await app.inject(create('http://user:hunter2@receiver/done'))
  t.equal(secret.statusCode, 400)
  t.strictSame(secret.json(), { failures: [{ field: 'callbackUrl', constraint: 'Must not contain credentials (user:password@).' }] })
  t.notMatch(`${secret.body}${String(secret.headers['x-mock-reason'])}`, /hunter2/)
  const elsewhere = await app.inject(create('http://169.254.169.254/latest'))
  t.equal(elsewhere.statusCode, 400)
  t.match(elsewhere.json().failures, [{ field: 'callbackUrl', constraint: 'Must point at one of the hosts CALLBACK_HOSTS allows: receiver, ::1.' }])
  t.strictSame(await state(app), before)
  t.equal((await app.inject(create('http://RECEIVER:9000/done'))).statusCode, 201)
  t.equal((await app.inject(post('/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: '/customObjects/9/syncActions/8', callbackUrl: 'http://[::1]:9/x' })))).statusCode, 201)
})

t.test('with ADMIN_TOKEN the control surface needs the token, health excepted; ADMIN_API=off leaves only health', async (t) => {
  const guarded = await build(t, { config: { ADMIN_TOKEN: 's3cret' } })
  for (const [method, url] of [['GET', '/__mock/state'], ['POST', '/__mock/reset'], ['POST', '/__mock/faults'], ['GET', '/__mock/openapi.json']] as const) {
    const refused = await guarded.inject({ method, url })
    t.equal(refused.statusCode, 401, url)
    t.equal(refused.headers['www-authenticate'], 'Bearer realm="eloqua-bulk-mock control"')
    t.equal((await guarded.inject({ method, url, headers: { authorization: 'Bearer nope' } })).statusCode, 401)
  }
  t.equal((await guarded.inject({ url: '/__mock/state', headers: { authorization: 'Bearer s3cret' } })).statusCode, 200)
  t.equal((await guarded.inject('/__mock/health')).statusCode, 200)

  const off = await build(t, { config: { ADMIN_API: 'off' } })
  t.equal((await off.inject('/__mock/state')).statusCode, 404)
  t.equal((await off.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 404)
  t.equal((await off.inject('/__mock/health')).statusCode, 200)
})

t.test('runtime fault rules are capped by MAX_FAULT_RULES, and their headers must be sendable', async (t) => {
  const app = await build(t, { config: { MAX_FAULT_RULES: 1 } })
  const add = async (rule: object): Promise<number> => (await app.inject({ method: 'POST', url: '/__mock/faults', payload: rule })).statusCode
  t.equal(await add({ name: 'bad-header', response: { status: 503, headers: { 'Retry-After': '1\r\nX-Injected: 1' } } }), 400)
  t.equal(await add({ name: 'bad-name', response: { status: 503, headers: { 'Retry After': '1' } } }), 400)
  t.equal(await add({ name: 'one', response: { status: 503 } }), 201)
  t.equal(await add({ name: 'two', response: { status: 503 } }), 400)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/faults' })).statusCode, 204)
  t.equal(await add({ name: 'two', response: { status: 503 } }), 201, 'room again once the others are gone')
})

t.test('swapped Basic credentials are refused without echoing either part', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: basic('secret', 'APITest\\API.User') } })
  t.equal(res.statusCode, 401)
  t.notMatch(String(res.headers['x-mock-reason']), /secret|APITest/)
})

t.test('an id of thousands of digits names nothing: 404', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: `/api/bulk/2.0/syncs/${'9'.repeat(2100)}`, headers: { authorization: API_USER } })
  t.equal(res.statusCode, 404)
  t.equal(res.statusMessage, 'The requested resource was not found.')
})

t.test('/__mock/state can be narrowed to a custom object, definition, sync or site, and shows at most maxRecords staged records', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, Array.from({ length: 5 }, (_, i) => ({ Id: `r${i}` })))
  await upload(app, 9, 6, [{ Id: 'r5' }])
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  const narrowed = (await app.inject('/__mock/state?definition=6&maxRecords=3')).json()
  t.strictSame(narrowed.syncActionDefinitions.map((d: { id: number }) => d.id), [6])
  t.strictSame(narrowed.syncActionDefinitions[0].staged.files.map((f: { records: unknown[], recordsTruncated?: boolean }) => [f.records.length, f.recordsTruncated]), [[3, true], [0, true]])
  t.strictSame(narrowed.syncs, [])
  const sync = (await app.inject('/__mock/state?sync=1')).json()
  t.strictSame(sync.syncs.map((s: { id: number, site: string }) => [s.id, s.site]), [[1, 'APITest']])
  t.equal((await app.inject('/__mock/state?site=NoSuchSite')).statusCode, 404, 'no such site')
  t.strictSame((await app.inject('/__mock/state?site=apitest')).json().syncs.length, 1, 'site names in any case')
  t.strictSame((await app.inject('/__mock/state?customObject=10')).json().customObjects.map((c: { id: number }) => c.id), [10])
  t.equal((await app.inject('/__mock/state?maxRecords=100001')).statusCode, 400)
})

t.test('listing syncs is linear: thousands queued are listed at once, and only the page is built', async (t) => {
  const app = await build(t, { config: { MAX_RETAINED_SYNCS: 20_000 } })
  const principal = app.directory.authenticate(API_USER) as NonNullable<ReturnType<typeof app.directory.authenticate>>
  const site = app.store.site(principal)
  const definition = site.resolveDefinition(principal, customObjectSyncActions as DefinitionKind, '9', '7')
  for (let i = 0; i < 17_000; i++) site.stageUpload(definition, { format: 'json', bytes: Buffer.from('[]'), recordCount: 0 }, principal)
  let views = 0
  const syncView = site.syncView.bind(site)
  site.syncView = (sync) => { views++; return syncView(sync) }
  const started = performance.now()
  const res = await app.inject({ url: '/api/bulk/2.0/syncs?limit=1', headers: { authorization: API_USER } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().totalResults, 17_000)
  t.equal(views, 1, 'one view built for a page of one')
  t.ok(performance.now() - started < 2000, 'answered at once (it took 4-15 s)')
})

t.test('a sync action destination longer than 1000 characters answers 400: definitions stay small', async (t) => {
  const app = await build(t)
  const res = await app.inject(post('/api/bulk/2.0/customObjects/9/syncActions', JSON.stringify({
    name: 'long', fields: { Id: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'Id', syncActions: [{ action: 'add', destination: `{{ContactList[${'1'.repeat(1000)}]}}` }]
  })))
  t.equal(res.statusCode, 400)
  t.match(res.json().failures, [{ field: 'syncActions[0].destination', constraint: /at most 1000 characters/ }])
})

t.test('control requests take at most 64 KiB of body', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'big', response: { status: 503, body: 'x'.repeat(70 * 1024) } } })
  t.equal(res.statusCode, 404, 'refused as Eloqua refuses bodies over its limit')
  t.strictSame((await app.inject('/__mock/faults')).json().map((r: { name: string }) => r.name).includes('big'), false)
})

t.test('a reset is quick whatever the size of the fixtures: records are shared, not copied', async (t) => {
  const fixtures = defaultFixtures()
  const [first] = fixtures.customObjects
  const records = Array.from({ length: 300_000 }, (_, i) => ({ id: 1_000_000 + i, externalId: `X${i}`, fieldValues: { Email: `user${i}@example.com`, Name: `User ${i}` } }))
  const app = await build(t, { fixtures: { ...fixtures, customObjects: [{ ...(first as NonNullable<typeof first>), records }, ...fixtures.customObjects.slice(1)] } })
  const started = performance.now()
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.ok(performance.now() - started < 1000, 'five resets at once (copying 300,000 records took seconds each)')
})

t.test('huge identifier values and field names are kept cut short, so rejects and logs cannot hold megabytes', async (t) => {
  const app = await build(t)
  const huge = 'x'.repeat(2_000_000)
  t.equal((await app.inject(post(dataUrl(9, 6), JSON.stringify([{ Id: huge, [huge]: 1 }])))).statusCode, 204)
  await app.inject(post('/api/bulk/2.0/syncs', '{"syncedInstanceUri":"/customObjects/9/syncActions/6"}'))
  app.clock.advance(1000)
  const [reject] = (await app.inject({ url: '/api/bulk/2.0/syncs/1/rejects', headers: { authorization: API_USER } })).json().items
  t.equal(reject.fieldValues.Id.length, 1000)
  t.ok(reject.fieldValues.Id.endsWith('...'))
  const logs = (await app.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })).json().items
  const ignored = logs.find((l: { statusCode: string }) => l.statusCode === 'ELQ-00111')
  t.ok(ignored.message.length < 1100, 'the ignored field is named by its start')
})

t.test('an identifier named like a built-in property is read from the record only', async (t) => {
  const app = await build(t)
  const created = await app.inject(post('/api/bulk/2.0/customObjects/9/syncActions', JSON.stringify({
    name: 'proto', fields: { constructor: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'constructor', syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }]
  })))
  t.equal(created.statusCode, 201)
  const uri = created.json().uri as string
  t.equal((await app.inject(post(`/api/bulk/2.0${uri}/data`, '[{"Other":"a"}]'))).statusCode, 204)
  await app.inject(post('/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: uri })))
  app.clock.advance(1000)
  const logs = (await app.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })).json().items
  t.match(logs.map((l: { statusCode: string }) => l.statusCode), ['ELQ-00140', 'ELQ-00111', 'ELQ-00121', 'ELQ-00001', 'ELQ-00061'])
})

t.test('a malformed callbackUrl that could hold a password is not echoed', async (t) => {
  const app = await build(t)
  for (const callbackUrl of ['http://u:hunter2pass@127.0.0.1/ x', 'http:\\\\u:hunter2pass@127.0.0.1/', `http://u:hunter2pass@h/${'a'.repeat(2100)}`]) {
    const res = await app.inject(post('/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl })))
    t.equal(res.statusCode, 400)
    t.notMatch(`${res.body}${String(res.headers['x-mock-reason'])}`, /hunter2/)
  }
})

t.test('/__mock/state lists at most 100 files per definition, counting them all', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 101; i++) await upload(app, 9, 6, [{ Id: `r${i}` }])
  const staged = (await app.inject('/__mock/state?definition=6')).json().syncActionDefinitions[0].staged
  t.equal(staged.uploads, 101)
  t.equal(staged.files.length, 100)
  t.equal(staged.filesTruncated, true)
})

t.test('fault path templates take at most 16 wildcards, and request paths over 1024 characters match none', async (t) => {
  const app = await build(t)
  const add = async (path: string): Promise<number> => (await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: `p${path.length}`, match: { path }, response: { status: 503 } } })).statusCode
  t.equal(await add(`/${'*a'.repeat(17)}`), 400)
  t.equal(await add('/x/*'), 201)
  t.equal((await app.inject({ url: '/x/y' })).statusCode, 503)
  t.equal((await app.inject({ url: `/x/${'y'.repeat(1100)}` })).statusCode, 404)
})

t.test('/__mock/state does not decode a staged file over 4 MiB: it lists the file, with no records', async (t) => {
  const app = await build(t)
  const records = Array.from({ length: 60_000 }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Note: 'x'.repeat(50) }))
  await upload(app, 9, 6, records)
  await upload(app, 9, 6, [{ Id: 'small' }])
  const { files } = (await app.inject('/__mock/state?definition=6')).json().syncActionDefinitions[0].staged as { files: Array<{ recordCount: number, bytes: number, records: unknown[], recordsTruncated?: boolean }> }
  t.ok((files[0]?.bytes ?? 0) > MAX_STATE_DECODE_BYTES, `${String(files[0]?.bytes)} bytes staged`)
  t.match(files[0], { recordCount: 60_000, records: [], recordsTruncated: true })
  t.match(files[1], { recordCount: 1, records: [{ Id: 'small' }] }, 'a small file after it is still decoded')
})
