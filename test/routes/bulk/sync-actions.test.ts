import t from 'tap'
import { API_USER, basic, build, state, upload } from '../../helper.js'

const BODY = {
  name: 'Mark orders complete',
  fields: { ExternalId: '{{CustomObject[9].ExternalId}}' },
  identifierFieldName: 'ExternalId',
  syncActions: [{ action: 'setStatus', destination: '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}', status: 'complete' }]
}
const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, authorization = API_USER): object =>
  ({ method, url: `/api/bulk/2.0${url}`, headers: { authorization }, ...(payload === undefined ? {} : { payload }) })

t.test('POST /customObjects/{parentId}/syncActions creates a definition: 201, Eloqua\'s shape and key order', async (t) => {
  const app = await build(t)
  const res = await app.inject(req('POST', '/customObjects/9/syncActions', { ...BODY, uri: '/customObjects/9/syncActions/999', kbUsed: 7, createdBy: 'Someone' }))
  t.equal(res.statusCode, 201)
  t.equal(res.body, JSON.stringify({
    name: 'Mark orders complete',
    fields: { ExternalId: '{{CustomObject[9].ExternalId}}' },
    identifierFieldName: 'ExternalId',
    isSyncTriggeredOnImport: false,
    syncActions: BODY.syncActions,
    kbUsed: 0,
    uri: '/customObjects/9/syncActions/17',
    createdBy: 'API.User',
    createdAt: '2024-05-01T10:00:00.0000000Z',
    updatedBy: 'API.User',
    updatedAt: '2024-05-01T10:00:00.0000000Z'
  }), 'read-only fields in the body are ignored; ids continue after the fixtures')
  t.equal((await upload(app, 9, 17, [{ ExternalId: 'DLPSB000000000020' }])).statusCode, 204, 'the new definition takes uploads')
  t.equal((await app.inject(req('GET', '/customObjects/9/syncActions/17'))).json().kbUsed, 1)
})

t.test('an invalid definition answers 400 with failures naming each field, and creates nothing', async (t) => {
  const app = await build(t)
  const before = await state(app)
  const res = await app.inject(req('POST', '/customObjects/9/syncActions', { ...BODY, identifierFieldName: 'Id', syncActions: [] }))
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), {
    failures: [
      { field: 'identifierFieldName', value: 'Id', constraint: 'Must be contained within fields.' },
      { field: 'syncActions', value: '[]', constraint: 'Must contain at least 1 and at most 10 sync actions.' }
    ]
  })
  const wrongType = await app.inject(req('POST', '/customObjects/9/syncActions', { ...BODY, name: 5 }))
  t.equal(wrongType.statusCode, 400)
  t.match(wrongType.json(), { failures: [{ field: 'name', value: '5' }] })
  t.equal((await app.inject(req('POST', '/customObjects/9/syncActions', '[1]'))).statusCode, 400)
  t.strictSame(await state(app), before)
})

t.test('creating under an unknown or forbidden custom object: 404, 403', async (t) => {
  const app = await build(t)
  t.equal((await app.inject(req('POST', '/customObjects/99/syncActions', BODY))).statusCode, 404)
  t.equal((await app.inject(req('POST', '/customObjects/9/syncActions', BODY, basic('APITest\\Events.User', 'secret')))).statusCode, 403)
})

t.test('GET one, GET the list of a custom object, GET /syncActions for all', async (t) => {
  const app = await build(t)
  const one = await app.inject(req('GET', '/customObjects/9/syncActions/7'))
  t.equal(one.statusCode, 200)
  t.match(one.json(), { name: 'Mark webinar registrations complete on upload', isSyncTriggeredOnImport: true, uri: '/customObjects/9/syncActions/7', createdAt: '2024-05-01T10:00:00.0000000Z' })
  t.equal((await app.inject(req('GET', '/customObjects/9/syncActions/11'))).statusCode, 404, 'a definition of another custom object')
  const ofNine = (await app.inject(req('GET', '/customObjects/9/syncActions?orderBy=name&limit=2'))).json()
  t.match(ofNine, { totalResults: 7, count: 2, hasMore: true, items: [{ name: 'Mark webinar registrations complete' }, { name: 'Mark webinar registrations complete on upload' }] })
  const all = (await app.inject(req('GET', '/syncActions?q=uri=/customObjects/10/*'))).json()
  t.match(all, { totalResults: 1, items: [{ uri: '/customObjects/10/syncActions/11' }] })
  t.equal((await app.inject(req('GET', '/syncActions', undefined, basic('APITest\\Events.User', 'secret')))).json().totalResults, 1, 'only definitions of permitted custom objects')
  t.equal((await app.inject(req('GET', '/customObjects/99/syncActions'))).statusCode, 404)
})

t.test('PUT replaces the writable fields and stamps updatedAt/updatedBy', async (t) => {
  const app = await build(t)
  app.clock.advance(60_000)
  const res = await app.inject(req('PUT', '/customObjects/9/syncActions/6', { ...BODY, name: 'Renamed', isSyncTriggeredOnImport: true }))
  t.equal(res.statusCode, 200)
  t.match(res.json(), { name: 'Renamed', identifierFieldName: 'ExternalId', isSyncTriggeredOnImport: true, uri: '/customObjects/9/syncActions/6', createdAt: '2024-05-01T10:00:00.0000000Z', updatedAt: '2024-05-01T10:01:00.0000000Z', updatedBy: 'API.User' })
  t.equal((await upload(app, 9, 6, [{ ExternalId: 'DLPSB000000000020' }])).statusCode, 201, 'now syncs on import')
  const invalid = await app.inject(req('PUT', '/customObjects/9/syncActions/6', { name: 'Only a name' }))
  t.equal(invalid.statusCode, 400, 'a full replacement: everything writable must be sent')
  t.equal((await app.inject(req('PUT', '/customObjects/9/syncActions/99', BODY))).statusCode, 404)
})

t.test('DELETE a definition: 204, then 404; its staged data goes with it', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  const res = await app.inject(req('DELETE', '/customObjects/9/syncActions/6'))
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.equal((await app.inject(req('GET', '/customObjects/9/syncActions/6'))).statusCode, 404)
  t.match((await app.inject('/__mock/state')).json(), { stagingBytes: 0 })
  t.equal((await app.inject(req('DELETE', '/customObjects/9/syncActions/6'))).statusCode, 404)
})

t.test('deleting a definition while its sync runs ends that sync in error with ELQ-00143', async (t) => {
  const app = await build(t)
  t.equal((await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])).statusCode, 201)
  t.equal((await app.inject(req('DELETE', '/customObjects/9/syncActions/7'))).statusCode, 204)
  t.match((await app.inject(req('GET', '/syncs/1'))).json(), { status: 'error', syncEndedAt: '2024-05-01T10:00:00.0000000Z' })
  const logs = (await app.inject(req('GET', '/syncs/1/logs'))).json()
  t.match(logs.items, [
    { syncUri: '/syncs/1', severity: 'error', statusCode: 'ELQ-00143', message: 'Sync Recovery Worker could not recover from sync error. SyncAction definition for id 7 has been deleted.' },
    { statusCode: 'ELQ-00101', message: 'Sync processed for sync 1, resulting in Error status.' }
  ])
  t.match((await app.inject('/__mock/state')).json(), { stagingBytes: 0 })
})

t.test('DELETE .../data empties the staging area: 204, or 409 while a sync runs', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  const res = await app.inject(req('DELETE', '/customObjects/9/syncActions/6/data'))
  t.equal(res.statusCode, 204)
  t.match((await app.inject('/__mock/state')).json(), { syncActionDefinitions: [{ id: 6, kbUsed: 0, staged: { uploads: 0 } }], stagingBytes: 0 })
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000021' }])
  const before = await state(app)
  const busy = await app.inject(req('DELETE', '/customObjects/9/syncActions/7/data'))
  t.equal(busy.statusCode, 409)
  t.equal(busy.statusMessage, 'There was a conflict.')
  t.strictSame(await state(app), before)
  app.clock.advance(2000)
  t.equal((await app.inject(req('DELETE', '/customObjects/9/syncActions/7/data'))).statusCode, 204)
  t.equal((await app.inject(req('DELETE', '/customObjects/9/syncActions/99/data'))).statusCode, 404)
})

t.test('DELETE requests that carry Content-Type: application/json and no body succeed', async (t) => {
  const app = await build(t)
  const headers = { authorization: API_USER, 'content-type': 'application/json' }
  t.equal((await app.inject({ method: 'DELETE', url: '/api/bulk/2.0/customObjects/9/syncActions/8/data', headers })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: '/api/bulk/2.0/customObjects/9/syncActions/8', headers })).statusCode, 204)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset', headers: { 'content-type': 'application/json' } })).statusCode, 204)
})

t.test('null for an optional field means unset, as clients that serialize every field send it', async (t) => {
  const app = await build(t)
  const res = await app.inject(req('POST', '/customObjects/9/syncActions', { ...BODY, isSyncTriggeredOnImport: null, syncActions: [{ action: 'add', destination: '{{ContactList[1]}}', status: null, updateAll: null }] }))
  t.equal(res.statusCode, 201)
  t.match(res.json(), { isSyncTriggeredOnImport: false, syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }] })
  t.notOk('status' in res.json().syncActions[0])
})

t.test('a definition deleted while its sync is still pending ends it without a start time', async (t) => {
  const app = await build(t)
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  await app.inject(req('DELETE', '/customObjects/9/syncActions/7'))
  const sync = (await app.inject(req('GET', '/syncs/1'))).json()
  t.match(sync, { status: 'error', syncEndedAt: '2024-05-01T10:00:00.0000000Z' })
  t.notOk('syncStartedAt' in sync)
})

t.test('empty DELETE bodies are fine whatever their Content-Type; a body of another type is refused', async (t) => {
  const app = await build(t)
  for (const contentType of ['text/csv', 'text/plain', '']) {
    const res = await app.inject({ method: 'DELETE', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', headers: { authorization: API_USER, 'content-type': contentType } })
    t.equal(res.statusCode, 204, contentType)
  }
  const withBody = await app.inject({ method: 'DELETE', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', payload: 'x', headers: { authorization: API_USER, 'content-type': 'text/plain' } })
  t.equal(withBody.statusCode, 400)
  t.strictSame(withBody.json(), { failures: [{ field: 'Content-Type', value: 'text/plain', constraint: 'Must be application/json or text/csv.' }] })
})

t.test('a deleted sync that never started keeps no start time, however late it is read', async (t) => {
  const app = await build(t)
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  await app.inject(req('DELETE', '/customObjects/9/syncActions/7'))
  app.clock.advance(10_000)
  const sync = (await app.inject(req('GET', '/syncs/1'))).json()
  t.equal(sync.status, 'error')
  t.notOk('syncStartedAt' in sync)
})
