import t from 'tap'
import { API_USER, basic, build, dataUrl, state, upload } from '../../helper.js'

const EXAMPLE = [{ Id: 'DLPSB000000000020' }, { Id: 'DLPSB000000000021' }]

t.test("Oracle's cURL example answers 204 with no body and stages both records", async (t) => {
  const app = await build(t)
  const res = await upload(app, 9, 6, EXAMPLE)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.match((await app.inject('/__mock/state')).json(), {
    syncActionDefinitions: [{ id: 6, kbUsed: 1, staged: { uploads: 1, records: 2, files: [{ format: 'json', records: EXAMPLE, stagedBy: 'API.User' }] } }]
  })
})

t.test('a definition with isSyncTriggeredOnImport answers 201 with a new pending sync', async (t) => {
  const app = await build(t)
  const res = await upload(app, 9, 7, EXAMPLE)
  t.equal(res.statusCode, 201)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.body, '{"syncedInstanceUri":"/customObjects/9/syncActions/7","status":"pending","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}', 'compact, in Eloqua\'s key order')
  const second = await upload(app, 9, 7, EXAMPLE)
  t.equal(second.json().uri, '/syncs/2')
  const sync = await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })
  t.equal(sync.statusCode, 200)
  t.strictSame(sync.json(), res.json())
})

t.test('paths match case-insensitively, with a doubled slash after 2.0 or a trailing slash', async (t) => {
  const app = await build(t)
  for (const url of [
    '/API/Bulk/2.0/customObjects/9/syncActions/6/data',
    '/api/bulk/2.0//customobjects/9/syncactions/6/data',
    '/Api/BULK/2.0/CustomObjects/9/SyncActions/6/data/'
  ]) {
    const res = await app.inject({ method: 'POST', url, payload: EXAMPLE, headers: { authorization: API_USER } })
    t.equal(res.statusCode, 204, url)
  }
})

t.test('CSV with a header row is accepted and kept as CSV', async (t) => {
  const app = await build(t)
  const csv = 'Id\r\nDLPSB000000000020\r\n"DLPSB000000000021"\r\n'
  const res = await app.inject({ method: 'POST', url: dataUrl(9, 6), payload: csv, headers: { authorization: API_USER, 'content-type': 'text/csv; charset=utf-8' } })
  t.equal(res.statusCode, 204)
  t.match((await app.inject('/__mock/state')).json(), {
    syncActionDefinitions: [{ id: 6, staged: { records: 2, bytes: Buffer.byteLength(csv), files: [{ format: 'csv', records: EXAMPLE }] } }]
  })
})

t.test('an empty array is a valid upload of no records', async (t) => {
  const app = await build(t)
  const res = await upload(app, 9, 6, [])
  t.equal(res.statusCode, 204)
  t.match((await app.inject('/__mock/state')).json(), { syncActionDefinitions: [{ id: 6, staged: { uploads: 1, records: 0 } }] })
})

t.test('records may carry keys beyond the identifier, as Eloqua accepts them', async (t) => {
  const app = await build(t)
  t.equal((await upload(app, 9, 6, [{ Id: 'DLPSB000000000020', note: 'x', n: 1 }, {}])).statusCode, 204)
})

t.test('Bearer tokens from fixtures authenticate', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: dataUrl(9, 7), payload: EXAMPLE, headers: { authorization: 'Bearer mock-access-token' } })
  t.equal(res.statusCode, 201)
  t.equal(res.json().createdBy, 'API.User')
})

const refusals: Array<{ name: string, status: number, reason: string, request: { url?: string, payload?: string | Buffer, headers: Record<string, string> }, body?: unknown }> = [
  {
    name: 'a body that is an object, not an array',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: '{"Id":"DLPSB000000000020"}', headers: { 'content-type': 'application/json' } },
    body: { failures: [{ field: 'body', value: '{"Id":"DLPSB000000000020"}', constraint: 'Must be a JSON array of records.' }] }
  },
  {
    name: 'an element that is not an object',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: '[{"Id":"a"},"b",[1]]', headers: { 'content-type': 'application/json' } },
    body: { failures: [{ field: '[1]', value: 'b', constraint: 'Must be a JSON object.' }] }
  },
  {
    name: 'a JSON scalar',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: '5', headers: { 'content-type': 'application/json' } },
    body: { failures: [{ field: 'body', value: '5', constraint: 'Must be a JSON array of records.' }] }
  },
  {
    name: 'malformed JSON',
    status: 400,
    reason: 'There was a parsing error.',
    request: { payload: '[{"Id":', headers: { 'content-type': 'application/json' } }
  },
  {
    name: 'an empty JSON body',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: '', headers: { 'content-type': 'application/json' } },
    body: { failures: [{ field: 'body', constraint: 'Must be a JSON array of records.' }] }
  },
  {
    name: 'malformed CSV (a row with more columns than the header)',
    status: 400,
    reason: 'There was a parsing error.',
    request: { payload: 'Id\na,b\n', headers: { 'content-type': 'text/csv' } }
  },
  {
    name: 'an empty CSV body',
    status: 400,
    reason: 'There was a parsing error.',
    request: { payload: '\n', headers: { 'content-type': 'text/csv' } },
    body: { failures: [{ field: 'body', constraint: 'Must have a header row.' }] }
  },
  {
    name: 'an unsupported Content-Type',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: 'Id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    body: { failures: [{ field: 'Content-Type', value: 'application/x-www-form-urlencoded', constraint: 'Must be application/json or text/csv.' }] }
  },
  {
    name: 'a Content-Type that is not a media type',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: '[]', headers: { 'content-type': 'text' } },
    body: { failures: [{ field: 'Content-Type', value: 'text', constraint: 'Must be application/json or text/csv.' }] }
  },
  {
    name: 'no body at all',
    status: 400,
    reason: 'There was a validation error.',
    request: { headers: { 'content-type': '' } },
    body: { failures: [{ field: 'body', constraint: 'Must be a JSON array of records.' }] }
  },
  {
    name: 'a charset other than UTF-8',
    status: 400,
    reason: 'There was a validation error.',
    request: { payload: '[]', headers: { 'content-type': 'application/json; charset=iso-8859-1' } },
    body: { failures: [{ field: 'Content-Type', value: 'application/json; charset=iso-8859-1', constraint: 'Must be UTF-8 encoded.' }] }
  },
  {
    name: 'bytes that are not UTF-8',
    status: 400,
    reason: 'There was a parsing error.',
    request: { payload: Buffer.from([0x5b, 0x7b, 0x22, 0x49, 0x64, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x5d]), headers: { 'content-type': 'application/json' } },
    body: { failures: [{ field: 'body', constraint: 'Must be UTF-8 encoded.' }] }
  },
  { name: 'no Authorization header', status: 401, reason: 'Unauthorized', request: { headers: { authorization: '' } } },
  { name: 'a wrong password', status: 401, reason: 'Unauthorized', request: { headers: { authorization: basic('APITest\\API.User', 'wrong') } } },
  { name: 'an unknown user', status: 401, reason: 'Unauthorized', request: { headers: { authorization: basic('APITest\\Nobody', 'secret') } } },
  { name: 'a login without the site', status: 401, reason: 'Unauthorized', request: { headers: { authorization: basic('API.User', 'secret') } } },
  { name: 'a malformed Basic header', status: 401, reason: 'Unauthorized', request: { headers: { authorization: 'Basic !!!' } } },
  { name: 'an unknown Bearer token', status: 401, reason: 'Unauthorized', request: { headers: { authorization: 'Bearer nope' } } },
  { name: 'a user without Bulk API permission', status: 403, reason: 'Forbidden', request: { headers: { authorization: basic('APITest\\Marketing.User', 'secret') } } },
  { name: 'a user without permission for custom object 9', status: 403, reason: 'Forbidden', request: { headers: { authorization: basic('APITest\\Events.User', 'secret') } } },
  { name: 'an unknown custom object', status: 404, reason: 'The requested resource was not found.', request: { url: dataUrl(99, 6), headers: {} } },
  { name: 'an unknown definition', status: 404, reason: 'The requested resource was not found.', request: { url: dataUrl(9, 99), headers: {} } },
  { name: 'a definition of another custom object', status: 404, reason: 'The requested resource was not found.', request: { url: dataUrl(9, 11), headers: {} } },
  { name: 'an id that is not a number', status: 404, reason: 'The requested resource was not found.', request: { url: dataUrl(9, 'six'), headers: {} } },
  { name: 'an unknown definition, whatever the body', status: 404, reason: 'The requested resource was not found.', request: { url: dataUrl(9, 99), payload: '{}', headers: { 'content-type': 'application/json' } } }
]

for (const refusal of refusals) {
  t.test(`${refusal.name} answers ${refusal.status} and stores nothing`, async (t) => {
    const app = await build(t)
    const before = await state(app)
    const headers: Record<string, string> = { authorization: API_USER, 'content-type': 'application/json', ...refusal.request.headers }
    for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name]
    const payload = refusal.request.payload ?? (refusal.request.headers['content-type'] === undefined ? JSON.stringify(EXAMPLE) : undefined)
    const res = await app.inject({ method: 'POST', url: refusal.request.url ?? dataUrl(9, 6), headers, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, refusal.status)
    t.equal(res.statusMessage, refusal.reason)
    t.type(res.headers['x-mock-reason'], 'string', 'the mock says why')
    if (refusal.status === 400) {
      t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
      if (refusal.body === undefined) t.match(res.json(), { failures: [{ field: 'body', constraint: String }] })
      else t.strictSame(res.json(), refusal.body)
    } else {
      t.equal(res.body, '', 'no body, as for Eloqua errors other than 400')
    }
    if (refusal.status === 401) t.match(res.headers['www-authenticate'], /^(Basic|Bearer) realm="Eloqua"/)
    t.strictSame(await state(app), before)
  })
}

t.test('a body over MAX_UPLOAD_BYTES answers 404, as Eloqua does past 32 MB, and stores nothing', async (t) => {
  const app = await build(t, { config: { MAX_UPLOAD_BYTES: 64 } })
  const before = await state(app)
  const small = await upload(app, 9, 6, [{ Id: 'x' }])
  t.equal(small.statusCode, 204)
  const big = await upload(app, 9, 6, Array.from({ length: 10 }, (_, i) => ({ Id: `DLPSB00000000002${i}` })))
  t.equal(big.statusCode, 404)
  t.equal(big.body, '')
  t.match(big.headers['x-mock-reason'], /MAX_UPLOAD_BYTES/)
  t.not(JSON.stringify(await state(app)), JSON.stringify(before))
  t.match((await app.inject('/__mock/state')).json(), { syncActionDefinitions: [{ id: 6, staged: { uploads: 1 } }] })
})

t.test('the default upload limit is 32 MB', async (t) => {
  const app = await build(t)
  t.equal(app.initialConfig.bodyLimit, 32 * 1024 * 1024)
})

t.test('the 501st upload since the last sync answers 400 with a files failure', async (t) => {
  const app = await build(t, { config: { MAX_UPLOADS_PER_SYNC: 3 } })
  for (let i = 0; i < 3; i++) t.equal((await upload(app, 9, 6, [{ Id: String(i) }])).statusCode, 204)
  const before = await state(app)
  const res = await upload(app, 9, 6, [{ Id: 'x' }])
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), { failures: [{ field: 'files', value: '4', constraint: 'Must not exceed 3 files per sync.' }] })
  t.strictSame(await state(app), before)
})

t.test('an upload past the staging quota answers 413 and stores nothing; each upload takes at least 1 KiB of it', async (t) => {
  const app = await build(t, { config: { STAGING_QUOTA_BYTES: 2000 } })
  t.equal((await upload(app, 9, 6, EXAMPLE)).statusCode, 204)
  const before = await state(app)
  const res = await upload(app, 9, 8, [{ RecordId: '1' }])
  t.equal(res.statusCode, 413)
  t.equal(res.statusMessage, 'Storage space exceeded.')
  t.strictSame(await state(app), before)
})

t.test('with UPLOADS_DURING_SYNC=reject, an upload while a sync runs answers 409 and stores nothing', async (t) => {
  const app = await build(t, { config: { UPLOADS_DURING_SYNC: 'reject' } })
  t.equal((await upload(app, 9, 7, EXAMPLE)).statusCode, 201)
  const before = await state(app)
  const res = await upload(app, 9, 7, EXAMPLE)
  t.equal(res.statusCode, 409)
  t.equal(res.statusMessage, 'There was a conflict.')
  t.strictSame(await state(app), before)
  app.clock.advance(1000)
  t.equal((await upload(app, 9, 7, EXAMPLE)).statusCode, 201, 'accepted again once the sync ended')
})

t.test('a big upload over a socket is read and kept in the pieces it arrives in, records and characters whole', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  // Some 400 KiB: several pieces, with multi-byte characters wherever a piece ends.
  const records = Array.from({ length: 8000 }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Name: `Zoë ✓ 😀 ${i}` }))
  const body = JSON.stringify(records)
  const res = await fetch(`http://127.0.0.1:${port}${dataUrl(9, 6)}`, { method: 'POST', headers: { authorization: API_USER, 'content-type': 'application/json' }, body })
  t.equal(res.status, 204)
  const files = (await app.inject('/__mock/state?maxRecords=8000')).json().syncActionDefinitions.find((d: { id: number }) => d.id === 6).staged.files
  t.equal(files.length, 1)
  t.equal(files[0].recordCount, 8000)
  t.equal(files[0].bytes, Buffer.byteLength(body))
  t.strictSame(files[0].records.slice(0, 3), records.slice(0, 3))
  t.strictSame(files[0].records.at(-1), records.at(-1))

  // Broken in its last piece: the whole body is read again and refused as before, nothing staged.
  const broken = await fetch(`http://127.0.0.1:${port}${dataUrl(9, 6)}`, { method: 'POST', headers: { authorization: API_USER, 'content-type': 'application/json' }, body: `${body.slice(0, -1)},]` })
  t.equal(broken.status, 400)
  t.match(await broken.json(), { failures: [{ field: 'body' }] })
  const after = (await app.inject('/__mock/state?records=false')).json().syncActionDefinitions.find((d: { id: number }) => d.id === 6).staged
  t.equal(after.uploads, 1)
})
