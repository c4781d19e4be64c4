import t from 'tap'
import { API_USER, build, upload } from '../helper.js'
import { ManualClock } from '../../src/domain/clock.js'
import { VERSION } from '../../src/app.js'
import { OPERATION_IDS } from '../../src/schemas/operations.js'

t.test('GET /__mock/health answers without credentials', async (t) => {
  const app = await build(t)
  const res = await app.inject('/__mock/health')
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { status: 'ok', version: VERSION })
})

t.test('GET /__mock/state shows custom objects, definitions with staged records, syncs and faults', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000021' }])
  const res = await app.inject('/__mock/state')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, {
    customObjects: [{ id: 9, name: 'Webinar Registrations', uri: '/customObjects/9', records: [{ id: 1, externalId: 'DLPSB000000000020' }] }, { id: 10 }],
    activities: { EmailSend: 2, EmailOpen: 1, EmailClickthrough: 1, Bounceback: 1, FormSubmit: 1, WebVisit: 1 },
    syncActionDefinitions: [
      { id: 6, parentId: 9, uri: '/customObjects/9/syncActions/6', identifierFieldName: 'Id', isSyncTriggeredOnImport: false, kbUsed: 1, staged: { uploads: 1, records: 1, files: [{ records: [{ Id: 'DLPSB000000000020' }] }] } },
      { id: 7, isSyncTriggeredOnImport: true, staged: { uploads: 0 } }
    ],
    syncs: [{ id: 1, uri: '/syncs/1', status: 'pending', recordCount: 1, files: [{ records: [{ Id: 'DLPSB000000000021' }] }] }],
    faults: [{ name: 'definition-12-gone', matched: 0, fired: 0 }]
  })
  t.equal(body.syncActionDefinitions.length, 8)
})

t.test('GET /__mock/state?records=false leaves the records out', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  const body = (await app.inject('/__mock/state?records=false')).json()
  t.strictSame(Object.keys(body.syncActionDefinitions[0].staged.files[0]).sort(), ['bytes', 'format', 'recordCount', 'stagedAt', 'stagedBy'])
  t.equal((await app.inject('/__mock/state?records=maybe')).statusCode, 400)
})

t.test('POST /__mock/reset restores the fixtures', async (t) => {
  const app = await build(t)
  const pristine = (await app.inject('/__mock/state')).json()
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000021' }])
  const reset = await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal(reset.statusCode, 204)
  t.strictSame((await app.inject('/__mock/state')).json(), pristine)
})

t.test('POST /__mock/reset sets the clock back (real time for the server); ?keepClock=true and ?site= leave it', async (t) => {
  const app = await build(t)
  const now = async (): Promise<string> => (await app.inject('/__mock/clock')).json().now as string
  await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 3_600_000 } })
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?keepClock=true' })).statusCode, 204)
  t.equal(await now(), '2024-05-01T11:00:00.0000000Z', 'kept')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?site=SecondSite' })).statusCode, 204)
  t.equal(await now(), '2024-05-01T11:00:00.0000000Z', 'one site: every site shares the clock')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.equal(await now(), '2024-05-01T10:00:00.0000000Z', 'back where it started')
  const definition = (await app.inject({ method: 'GET', url: '/api/bulk/2.0/customObjects/9/syncActions/6', headers: { authorization: API_USER } })).json()
  t.equal(definition.updatedAt, '2024-05-01T10:00:00.0000000Z', 'the fixtures are loaded at the time that follows')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?keepClock=maybe' })).statusCode, 400)
})

t.test('GET/POST /__mock/clock read and advance the mock\'s time; syncs due end at once', async (t) => {
  const app = await build(t)
  t.strictSame((await app.inject('/__mock/clock')).json(), { now: '2024-05-01T10:00:00.0000000Z' })
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  const res = await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 90_000 } })
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { now: '2024-05-01T10:01:30.0000000Z' })
  t.match((await app.inject('/__mock/state')).json(), { syncs: [{ status: 'success' }] })
  for (const payload of [{}, { advanceMs: -1 }, { advanceMs: 'soon' }]) {
    t.equal((await app.inject({ method: 'POST', url: '/__mock/clock', payload })).statusCode, 400, JSON.stringify(payload))
  }
})

t.test('POST /__mock/clock never moves the clock past 9000-01-01, where Eloqua\'s date format ends', async (t) => {
  const app = await build(t, { clock: new ManualClock(Date.UTC(8999, 0, 1)) })
  const res = await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 2 * 365 * 86_400_000 } })
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), { failures: [{ field: 'advanceMs', value: '63072000000', constraint: 'Must not move the clock past 9000-01-01T00:00:00.0000000Z.' }] })
  t.strictSame((await app.inject('/__mock/clock')).json(), { now: '8999-01-01T00:00:00.0000000Z' }, 'the clock stays')
})

t.test('GET /__mock/openapi.json is built once, when first asked for, even by requests that arrive together', async (t) => {
  const app = await build(t)
  const [first, second] = await Promise.all([app.inject('/__mock/openapi.json'), app.inject('/__mock/openapi.json')])
  t.equal(first.statusCode, 200)
  t.equal(second.statusCode, 200)
  t.equal(second.body, first.body)
  t.equal(app.openApiDocument(), app.openApiDocument(), 'the same promise: one document per app')
  t.equal((await app.inject('/__mock/openapi.json')).body, first.body)
})

t.test('GET /__mock/openapi.json describes every implemented endpoint, generated from the route schemas', async (t) => {
  const app = await build(t)
  const res = await app.inject('/__mock/openapi.json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc, { openapi: /^3\./, info: { title: 'eloqua-bulk-mock' } })
  const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).sort()
  // Every family of definitions has the same seven operations.
  const families = ['accounts/imports', 'accounts/syncActions', 'contacts/imports', 'contacts/syncActions', 'customObjects/{parentId}/imports', 'customObjects/{parentId}/syncActions']
  const exportFamilies = ['accounts/exports', 'activities/exports', 'contacts/exports', 'customObjects/{parentId}/exports']
  const definitionOperations = [...families, ...exportFamilies].flatMap((f) => [
    `DELETE /api/bulk/2.0/${f}/{id}`, `DELETE /api/bulk/2.0/${f}/{id}/data`, `GET /api/bulk/2.0/${f}`, `GET /api/bulk/2.0/${f}/{id}`,
    `POST /api/bulk/2.0/${f}`, `${exportFamilies.includes(f) ? 'GET' : 'POST'} /api/bulk/2.0/${f}/{id}/data`, `PUT /api/bulk/2.0/${f}/{id}`
  ])
  t.strictSame(operations, [
    ...definitionOperations,
    'DELETE /__mock/faults',
    'DELETE /__mock/faults/{name}',
    'DELETE /__mock/requests',
    'DELETE /__mock/sites/{name}',
    'GET /__mock/clock',
    'GET /__mock/faults',
    'GET /__mock/health',
    'GET /__mock/openapi.json',
    'GET /__mock/report',
    'GET /__mock/requests',
    'GET /__mock/requests/count',
    'GET /__mock/sites',
    'GET /__mock/state',
    'GET /api/bulk/2.0/accounts/fields',
    'GET /api/bulk/2.0/accounts/fields/{id}',
    'GET /api/bulk/2.0/accounts/lists',
    'GET /api/bulk/2.0/activities/fields',
    'GET /api/bulk/2.0/activities/fields/{id}',
    'GET /api/bulk/2.0/accounts/lists/{id}',
    'GET /api/bulk/2.0/contacts/filters',
    'GET /api/bulk/2.0/contacts/filters/{id}',
    'GET /api/bulk/2.0/contacts/lists',
    'GET /api/bulk/2.0/contacts/lists/{id}',
    'GET /api/bulk/2.0/contacts/segments',
    'GET /api/bulk/2.0/contacts/segments/{id}',
    'GET /api/bulk/2.0/contacts/scoring/models',
    'GET /api/bulk/2.0/contacts/scoring/models/{id}',
    'GET /api/bulk/2.0/contacts/fields',
    'GET /api/bulk/2.0/contacts/fields/{id}',
    'GET /api/bulk/2.0/customObjects',
    'GET /api/bulk/2.0/customObjects/{id}',
    'GET /api/bulk/2.0/customObjects/{parentId}/fields',
    'GET /api/bulk/2.0/customObjects/{parentId}/fields/{id}',
    'GET /api/bulk/2.0/exports',
    'GET /api/bulk/2.0/exports/data',
    'GET /api/bulk/2.0/imports',
    'GET /api/bulk/2.0/imports/data',
    'GET /api/bulk/2.0/syncActions',
    'GET /api/bulk/2.0/syncs',
    'GET /api/bulk/2.0/syncs/{id}',
    'GET /api/bulk/2.0/syncs/{id}/data',
    'DELETE /api/bulk/2.0/syncs/{id}/data',
    'GET /api/bulk/2.0/syncs/{id}/logs',
    'GET /api/bulk/2.0/syncs/{id}/rejects',
    'GET /id',
    'GET /auth/oauth2/authorize',
    'POST /auth/oauth2/token',
    'POST /__mock/clock',
    'POST /__mock/faults',
    'POST /__mock/reset',
    'POST /__mock/sites',
    'POST /api/bulk/2.0/syncs'
  ].sort())
  t.ok(doc.components.schemas.Sync, 'shared schemas are components')
  const operationIds = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((methods) => Object.values(methods).map((o) => o.operationId)).filter((id) => id !== undefined).sort()
  t.strictSame(operationIds, [...OPERATION_IDS].sort(), 'every Eloqua endpoint is named by its operation id')
  t.strictSame(Object.keys(doc.paths['/api/bulk/2.0/customObjects/{parentId}/syncActions/{id}/data'].post.responses).sort(), ['201', '204', '400', '401', '403', '404', '409', '413'])
  t.strictSame(Object.keys(doc.paths['/__mock/reset'].post.responses), ['204'])
})

t.test('fault rules can be added, listed and removed at run time', async (t) => {
  const app = await build(t)
  const rule = { name: 'uploads-down', match: { operation: 'uploadSyncActionData' }, when: { first: 1 }, response: { status: 503, headers: { 'Retry-After': '3' } } }
  const added = await app.inject({ method: 'POST', url: '/__mock/faults', payload: rule })
  t.equal(added.statusCode, 201)
  t.strictSame(added.json(), { name: 'uploads-down', explanation: 'uploads-down: uploadSyncActionData, first 1: answer 503', matched: 0, fired: 0 })
  const first = await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  t.equal(first.statusCode, 503)
  t.equal(first.headers['x-mock-fault'], 'uploads-down', 'a runtime rule is tried before the fixture rules')
  t.equal((await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])).statusCode, 204)
  const listed = (await app.inject('/__mock/faults')).json()
  t.match(listed[0], { name: 'uploads-down', matched: 2, fired: 1 })
  t.equal(listed.length, 13)

  t.equal((await app.inject({ method: 'POST', url: '/__mock/faults', payload: rule })).statusCode, 400, 'names are unique')
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/faults/uploads-down' })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/faults/uploads-down' })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/faults/definition-12-gone' })).statusCode, 204, 'fixture rules can be removed too')
  t.equal((await upload(app, 9, 12, [{ Id: 'DLPSB000000000020' }])).statusCode, 204)
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal((await upload(app, 9, 12, [{ Id: 'DLPSB000000000020' }])).statusCode, 410, 'reset restores the fixture rules')
})

t.test('DELETE /__mock/faults drops the runtime rules only', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'a', response: { status: 500 } } })
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'b', match: { parentId: 9 }, sync: { status: 'error' } } })
  t.equal((await app.inject('/__mock/faults')).json().length, 14)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/faults' })).statusCode, 204)
  t.strictSame((await app.inject('/__mock/faults')).json().map((r: { name: string }) => r.name).slice(0, 1), ['definition-12-gone'])
  t.equal((await app.inject('/__mock/faults')).json().length, 12)
})

t.test('an invalid runtime rule answers 400 naming what is wrong, and adds nothing', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'bad name!', response: { status: 418 } } })
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), {
    failures: [
      { field: '/name', constraint: 'must match pattern "^[A-Za-z0-9._-]{1,64}$"' },
      { field: '/response/status', constraint: 'must be one of [400,401,403,404,409,410,412,413,429,500,502,503,504]' }
    ]
  })
  const unknownOperation = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'x', match: { operation: 'uploadData' }, response: { status: 503 } } })
  t.equal(unknownOperation.statusCode, 400)
  t.match(unknownOperation.json(), { failures: [{ field: '/match/operation', constraint: /^must be one of \["discover",/ }] })
  const both = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'x', response: { status: 500 }, sync: { status: 'error' } } })
  t.strictSame(both.json(), { failures: [{ field: '/', constraint: 'a fault rule needs either "response" or "sync", not both' }] })
  t.equal((await app.inject('/__mock/faults')).json().length, 12)
})
