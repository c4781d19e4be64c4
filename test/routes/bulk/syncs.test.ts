import t from 'tap'
import { API_USER, build, upload } from '../../helper.js'

const getSync = (id: string | number): { url: string, headers: Record<string, string> } => ({ url: `/api/bulk/2.0/syncs/${id}`, headers: { authorization: API_USER } })

t.test('GET /syncs/{id} follows a sync from pending through active to success on the mock clock', async (t) => {
  const app = await build(t, { config: { SYNC_PENDING_MS: 1000, SYNC_ACTIVE_MS: 1500 } })
  t.equal((await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])).statusCode, 201)

  const pending = await app.inject(getSync(1))
  t.equal(pending.statusCode, 200)
  t.equal(pending.body, '{"syncedInstanceUri":"/customObjects/9/syncActions/7","status":"pending","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}')

  app.clock.advance(1000)
  t.strictSame((await app.inject(getSync(1))).json(), {
    syncedInstanceUri: '/customObjects/9/syncActions/7',
    syncStartedAt: '2024-05-01T10:00:01.0000000Z',
    status: 'active',
    createdAt: '2024-05-01T10:00:00.0000000Z',
    createdBy: 'API.User',
    uri: '/syncs/1'
  })

  app.clock.advance(1500)
  t.equal((await app.inject(getSync(1))).body,
    '{"syncedInstanceUri":"/customObjects/9/syncActions/7","syncStartedAt":"2024-05-01T10:00:01.0000000Z","syncEndedAt":"2024-05-01T10:00:02.5000000Z","status":"success","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}')
})

t.test('immediate timing: a sync is already over when first read', async (t) => {
  const app = await build(t, { config: { SYNC_PENDING_MS: 0, SYNC_ACTIVE_MS: 0 } })
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  t.equal((await app.inject(getSync(1))).json().status, 'success')
})

t.test('GET /syncs/{id} answers 404 for a sync that does not exist', async (t) => {
  const app = await build(t)
  for (const id of ['1', '999', 'abc']) {
    const res = await app.inject(getSync(id))
    t.equal(res.statusCode, 404, id)
    t.equal(res.body, '')
  }
})

t.test('GET /syncs/{id} needs credentials', async (t) => {
  const app = await build(t)
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  t.equal((await app.inject('/api/bulk/2.0/syncs/1')).statusCode, 401)
  t.equal((await app.inject({ url: '/API/BULK/2.0/SYNCS/1', headers: { authorization: 'Bearer mock-access-token' } })).statusCode, 200)
})

const post = (payload: unknown, authorization = API_USER): object => ({ method: 'POST', url: '/api/bulk/2.0/syncs', payload, headers: { authorization } })

t.test('POST /syncs starts a sync of the staged data: 201 pending, Eloqua\'s key order', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  const res = await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  t.equal(res.statusCode, 201)
  t.equal(res.body, '{"syncedInstanceUri":"/customObjects/9/syncActions/6","status":"pending","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}')
  t.match((await app.inject('/__mock/state')).json(), { syncActionDefinitions: [{ id: 6, staged: { uploads: 0 } }], syncs: [{ id: 1, recordCount: 1 }] })
})

t.test('callbackUrl, or Oracle\'s spelling callbackURL, is kept and echoed as callbackUrl', async (t) => {
  const app = await build(t)
  const a = await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl: 'http://127.0.0.1:9/done' }))
  t.equal(a.body, '{"syncedInstanceUri":"/customObjects/9/syncActions/6","callbackUrl":"http://127.0.0.1:9/done","status":"pending","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}')
  const b = await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/8', callbackURL: 'https://client.example.com/eloqua/sync-done' }))
  t.equal(b.json().callbackUrl, 'https://client.example.com/eloqua/sync-done')
})

t.test('POST /syncs refuses what Eloqua refuses, and starts nothing', async (t) => {
  const app = await build(t)
  const constraint = 'Must be the uri of an existing import, export or sync action definition, e.g. /contacts/imports/5, /contacts/exports/6 or /customObjects/9/syncActions/6.'
  for (const [body, failure] of [
    [{}, { field: 'syncedInstanceUri', constraint }],
    [{ syncedInstanceUri: '/customObjects/9/syncActions/99' }, { field: 'syncedInstanceUri', value: '/customObjects/9/syncActions/99', constraint }],
    [{ syncedInstanceUri: '/customObjects/10/syncActions/6' }, { field: 'syncedInstanceUri', value: '/customObjects/10/syncActions/6', constraint }],
    [{ syncedInstanceUri: '/contacts/imports/384' }, { field: 'syncedInstanceUri', value: '/contacts/imports/384', constraint }],
    [{ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl: 'not a url' }, { field: 'callbackUrl', value: 'not a url', constraint: 'Must be an absolute http or https URL of at most 2048 characters.' }],
    [{ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl: 'ftp://x/y' }, { field: 'callbackUrl', value: 'ftp://x/y', constraint: 'Must be an absolute http or https URL of at most 2048 characters.' }],
    [{ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl: 'http://[bad/x' }, { field: 'callbackUrl', value: 'http://[bad/x', constraint: 'Must be an absolute http or https URL of at most 2048 characters.' }],
    [{ syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl: 42 }, { field: 'callbackUrl', value: '42', constraint: 'Must be an absolute http or https URL of at most 2048 characters.' }]
  ] as const) {
    const res = await app.inject(post(body))
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.strictSame(res.json(), { failures: [failure] })
  }
  t.equal((await app.inject(post({ syncedInstanceUri: 5 }))).statusCode, 400)
  t.equal((await app.inject(post('[]'))).statusCode, 400)
  for (const scalar of ['"text"', 'null', '7']) {
    const res = await app.inject({ ...post(scalar), headers: { authorization: API_USER, 'content-type': 'application/json' } })
    t.equal(res.statusCode, 400, `a body of ${scalar}`)
  }
  t.equal((await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }, `Basic ${Buffer.from('APITest\\Events.User:secret').toString('base64')}`))).statusCode, 403)
  t.strictSame((await app.inject('/__mock/state')).json().syncs, [])
})

t.test('POST /syncs answers 409 while the definition already has a sync pending or active', async (t) => {
  const app = await build(t)
  t.equal((await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))).statusCode, 201)
  const res = await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  t.equal(res.statusCode, 409)
  t.equal(res.statusMessage, 'There was a conflict.')
  app.clock.advance(1000)
  t.equal((await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))).statusCode, 201, 'free again once it ended')
})

t.test('a sync with every record matched ends in success; the actions show in /__mock/state', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }, { Id: 'DLPSB000000000021' }])
  await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  app.clock.advance(1000)
  t.match((await app.inject(getSync(1))).json(), { status: 'success', syncEndedAt: '2024-05-01T10:00:01.0000000Z' })
  const logs = (await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/logs' })).json()
  t.strictSame(logs.items.map((l: { statusCode: string }) => l.statusCode), ['ELQ-00140', 'ELQ-00001', 'ELQ-00128', 'ELQ-00101'])
  t.match(logs.items[0], { syncUri: '/syncs/1', count: 2, severity: 'information', message: 'Records staged for sync actions.', createdAt: '2024-05-01T10:00:01.0000000Z' })
  t.strictSame(Object.keys(logs.items[0]), ['syncUri', 'count', 'severity', 'statusCode', 'message', 'createdAt'])
  t.strictSame((await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/rejects' })).json(), { items: [], totalResults: 0, limit: 1000, offset: 0, count: 0, hasMore: false })
  const records = (await app.inject('/__mock/state')).json().customObjects[0].records
  const destination = '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}'
  t.strictSame(records.map((r: { destinations: Record<string, { status: string }> }) => r.destinations[destination]?.status), ['complete', 'complete', undefined])
  t.match(records[0].destinations[destination], { syncUri: '/syncs/1', updatedAt: '2024-05-01T10:00:01.0000000Z' })
})

t.test('add and remove actions record list membership on the matched records', async (t) => {
  const app = await build(t)
  const created = await app.inject({
    method: 'POST',
    url: '/api/bulk/2.0/customObjects/9/syncActions',
    headers: { authorization: API_USER },
    payload: {
      name: 'Lists',
      fields: { RecordId: '{{CustomObject[9].Id}}' },
      identifierFieldName: 'RecordId',
      isSyncTriggeredOnImport: true,
      syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }, { action: 'remove', destination: '{{ContactList[2]}}' }]
    }
  })
  t.equal(created.statusCode, 201)
  t.equal((await upload(app, 9, 17, [{ RecordId: 2 }])).statusCode, 201)
  app.clock.advance(1000)
  const record = (await app.inject('/__mock/state')).json().customObjects[0].records[1]
  t.match(record.destinations, { '{{ContactList[1]}}': { member: true, syncUri: '/syncs/1' }, '{{ContactList[2]}}': { member: false } })
  const logs = (await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/logs' })).json().items
  t.match(logs.slice(-3), [{ statusCode: 'ELQ-00119', message: 'Added members to Contact List 1.' }, { statusCode: 'ELQ-00118', message: 'Removed members from Contact List 2.' }, { statusCode: 'ELQ-00101' }])
})

t.test('unmatched and incomplete rows end in warning, with 1-based rejects', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }, { Id: 'NOPE' }, { Name: 'no id' }])
  await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  app.clock.advance(1000)
  t.equal((await app.inject(getSync(1))).json().status, 'warning')
  const rejects = (await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/rejects?orderBy=recordIndex%20DESC' })).json()
  t.strictSame(rejects.items, [
    { fieldValues: { Id: '' }, message: 'Rejected records (missing fields).', statusCode: 'ELQ-00061', recordIndex: 3, invalidFields: ['Id'] },
    { fieldValues: { Id: 'NOPE' }, message: 'Total unmatched records.', statusCode: 'ELQ-00034', recordIndex: 2, invalidFields: ['Id'] }
  ])
  const logs = (await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/logs?q=severity=warning' })).json()
  t.strictSame(logs.items.map((l: { statusCode: string }) => l.statusCode), ['ELQ-00111', 'ELQ-00061', 'ELQ-00034'])
})

t.test('a sync of nothing ends in success with ELQ-00124; logs of a running sync are empty', async (t) => {
  const app = await build(t)
  await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  t.strictSame((await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/logs' })).json().items, [])
  app.clock.advance(1000)
  t.strictSame((await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/1/logs' })).json().items.map((l: { statusCode: string }) => l.statusCode), ['ELQ-00140', 'ELQ-00124', 'ELQ-00101'])
  t.equal((await app.inject({ ...getSync(1), url: '/api/bulk/2.0/syncs/2/logs' })).statusCode, 404)
})

t.test('GET /syncs lists every sync, filters and sorts', async (t) => {
  const app = await build(t)
  await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  app.clock.advance(1000)
  await app.inject(post({ syncedInstanceUri: '/customObjects/9/syncActions/8' }))
  const all = (await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: API_USER } })).json()
  t.match(all, { totalResults: 2, items: [{ uri: '/syncs/1', status: 'success' }, { uri: '/syncs/2', status: 'pending' }] })
  const pending = (await app.inject({ url: '/api/bulk/2.0/syncs?q=status=pending&orderBy=createdAt%20DESC', headers: { authorization: API_USER } })).json()
  t.match(pending, { totalResults: 1, items: [{ uri: '/syncs/2' }] })
})

t.test('an empty or null callbackUrl means no callback', async (t) => {
  const app = await build(t)
  for (const [i, callbackUrl] of [[1, ''], [2, null]] as const) {
    const res = await app.inject(post({ syncedInstanceUri: `/customObjects/9/syncActions/${i === 1 ? 6 : 8}`, callbackUrl }))
    t.equal(res.statusCode, 201)
    t.notOk('callbackUrl' in res.json())
  }
})

t.test('syncs of a custom object the user may not use answer 403 and are not listed', async (t) => {
  const app = await build(t)
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  const events = `Basic ${Buffer.from('APITest\\Events.User:secret').toString('base64')}`
  for (const path of ['/syncs/1', '/syncs/1/logs', '/syncs/1/rejects']) {
    t.equal((await app.inject({ url: `/api/bulk/2.0${path}`, headers: { authorization: events } })).statusCode, 403, path)
  }
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: events } })).json().totalResults, 0)
})
