// Export definitions of contacts, accounts and custom objects, their syncs and the data they export.
import t from 'tap'
import { API_USER, basic, build, bulk, state } from '../../helper.js'

const TIME = '2024-05-01T10:00:00.0000000Z'
const contactExport = {
  name: 'All contacts',
  fields: { Id: '{{Contact.Id}}', Email: '{{Contact.Field(C_EmailAddress)}}', First: '{{contact.field(c_firstname)}}', Created: '{{Contact.CreatedAt}}', Updated: '{{Contact.UpdatedAt}}' }
}

async function exportAndSync (app: Awaited<ReturnType<typeof build>>, path: string, body: object, authorization = API_USER): Promise<{ uri: string, sync: string }> {
  const created = await app.inject(bulk('POST', path, body, authorization))
  const uri = created.json().uri as string
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }, authorization))).json().uri as string
  app.clock.advance(1000)
  return { uri, sync }
}

t.test('an export definition is created in Eloqua\'s key order, defaults echoed, unknown keys dropped', async (t) => {
  const app = await build(t)
  const res = await app.inject(bulk('POST', '/contacts/exports', { ...contactExport, color: 'red', kbUsed: 4 }))
  t.equal(res.statusCode, 201)
  t.equal(res.body, JSON.stringify({
    name: 'All contacts',
    fields: contactExport.fields,
    areSystemTimestampsInUTC: false,
    dataRetentionDuration: 'PT12H',
    uri: '/contacts/exports/17',
    createdBy: 'API.User',
    createdAt: TIME,
    updatedBy: 'API.User',
    updatedAt: TIME
  }))
  const full = await app.inject(bulk('POST', '/accounts/exports', {
    name: 'Accounts',
    fields: { Name: '{{Account.Field(M_CompanyName)}}' },
    maxRecords: 5,
    areSystemTimestampsInUTC: 'true',
    dataRetentionDuration: 'P3D',
    autoDeleteDuration: 'P3D',
    crmAccountIdField: '{{Account.Field(CompanyIDExt)}}',
    externalSystemId: 2,
    syncActions: [{ action: 'add', destination: '{{AccountList[3]}}' }],
    filter: ''
  }))
  t.strictSame(Object.keys(full.json()), ['name', 'fields', 'filter', 'maxRecords', 'areSystemTimestampsInUTC', 'dataRetentionDuration', 'autoDeleteDuration', 'crmAccountIdField', 'externalSystemId', 'syncActions', 'uri', 'createdBy', 'createdAt', 'updatedBy', 'updatedAt'])
  t.equal(full.json().areSystemTimestampsInUTC, true)
})

t.test('each problem of an export body is one failures entry, and nothing is created', async (t) => {
  const app = await build(t)
  const before = await state(app)
  const failuresOf = async (path: string, body: unknown): Promise<unknown> => {
    const res = await app.inject(bulk('POST', path, body))
    t.equal(res.statusCode, 400)
    return res.json().failures
  }
  t.strictSame(await failuresOf('/contacts/exports', { filter: 5 }), [
    { field: 'name', constraint: 'Must be a string value, at least 1 character and at most 100 characters long.' },
    { field: 'fields', constraint: 'Must be an object of 1 to 250 fields, each key mapped to a statement such as {{Contact.Id}}.' },
    { field: 'filter', value: '5', constraint: 'Must be a string of at most 1000 characters.' }
  ])
  const many = Object.fromEntries(Array.from({ length: 251 }, (_, i) => [`k${i}`, '{{Contact.Id}}']))
  t.strictSame(await failuresOf('/contacts/exports', { name: 'x', fields: many }), [{ field: 'fields', value: '251 fields', constraint: 'Must contain at most 250 fields.' }])
  t.strictSame(await failuresOf('/customObjects/9/exports', {
    name: 'x',
    fields: { bad: '{{CustomObject[9].Field[999]}}', linked: '{{CustomObject[9].Contact.Field(C_Nope)}}', other: '{{Contact.Id}}', '': '{{CustomObject[9].Id}}', n: 1, plain: 'CustomObject[9].Id' },
    filter: "'{{CustomObject[9].Id}}' = ",
    maxRecords: 0,
    dataRetentionDuration: 'P30D',
    autoDeleteDuration: 'PT1M',
    areSystemTimestampsInUTC: 'maybe',
    syncActions: {},
    externalSystemId: 'x',
    crmAccountIdField: '{{CustomObject[9].Id}}'
  }), [
    { field: 'bad', stackTrace: [{ field: 'fields' }], value: '{{CustomObject[9].Field[999]}}', constraint: 'Must be a reference to an existing object.' },
    { field: 'linked', stackTrace: [{ field: 'fields' }], value: '{{CustomObject[9].Contact.Field(C_Nope)}}', constraint: 'Must be a reference to an existing object.' },
    { field: 'other', stackTrace: [{ field: 'fields' }], value: '{{Contact.Id}}', constraint: 'Must be a reference to an existing object.' },
    { field: 'fields', value: '', constraint: 'Each key must be at least 1 character and at most 100 characters long.' },
    { field: 'n', stackTrace: [{ field: 'fields' }], value: '1', constraint: 'Must be a reference to an existing object.' },
    { field: 'plain', stackTrace: [{ field: 'fields' }], value: 'CustomObject[9].Id', constraint: 'Must be a reference to an existing object.' },
    { field: 'filter', value: "'{{CustomObject[9].Id}}' = ", constraint: 'Must be a valid filter: the filter ends too soon at character 28.' },
    { field: 'maxRecords', value: '0', constraint: 'Must be a positive integer.' },
    { field: 'areSystemTimestampsInUTC', value: 'maybe', constraint: 'Must be a boolean value.' },
    { field: 'dataRetentionDuration', value: 'P30D', constraint: 'Must be an ISO 8601 duration from PT1H to P14D.' },
    { field: 'autoDeleteDuration', value: 'PT1M', constraint: 'Must be an ISO 8601 duration of at least PT1H.' },
    { field: 'syncActions', value: '{}', constraint: 'Must contain at least 0 and at most 10 sync actions.' },
    { field: 'externalSystemId', value: 'x', constraint: 'Must be an integer.' },
    { field: 'crmAccountIdField', value: '{{CustomObject[9].Id}}', constraint: 'Must be a field statement of this entity.' }
  ])
  t.strictSame(await failuresOf('/contacts/exports', { name: 'x', fields: { a: '{{Contact.Id}}' }, filter: 'x'.repeat(1001) }), [{ field: 'filter', value: `${'x'.repeat(97)}...`, constraint: 'Must be a string of at most 1000 characters.' }])
  t.strictSame(await state(app), before)
})

t.test('an export sync snapshots the records; its data is paged as Eloqua pages it', async (t) => {
  const app = await build(t)
  const { uri, sync } = await exportAndSync(app, '/contacts/exports', contactExport)
  t.equal((await app.inject(bulk('GET', sync))).json().status, 'success')
  const logs = (await app.inject(bulk('GET', `${sync}/logs`))).json().items.map((l: { statusCode: string, count: number, message: string }) => [l.statusCode, l.count, l.message])
  t.strictSame(logs, [
    ['ELQ-00102', 3, 'Successfully exported members to csv file.'],
    ['ELQ-00131', 0, 'Deleted internal staging for data transfer.'],
    ['ELQ-00106', 0, 'Successfully converted csv file to sqlite, taking 1 kb.'],
    ['ELQ-00101', 0, 'Sync processed for sync 1, resulting in Success status.']
  ])
  const page = await app.inject(bulk('GET', `${sync}/data?limit=2`))
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^application\/json/)
  t.equal(page.body, JSON.stringify({
    items: [
      { Id: '1', Email: 'ana@example.com', First: 'Ana', Created: '2024-05-01 10:00:00.000', Updated: '2024-05-01 10:00:00.000' },
      { Id: '2', Email: 'bo@example.com', First: 'Bo', Created: '2024-05-01 10:00:00.000', Updated: '2024-05-01 10:00:00.000' }
    ],
    totalResults: 3,
    limit: 2,
    offset: 0,
    count: 2,
    hasMore: true
  }))
  t.equal((await app.inject(bulk('GET', `${sync}/data?offset=2&totalResults=False`))).body, '{"items":[{"Id":"3","Email":"cy@example.org","First":"Cy","Created":"2024-05-01 10:00:00.000","Updated":"2024-05-01 10:00:00.000"}],"limit":1000,"offset":2,"count":1,"hasMore":false}')
  t.equal((await app.inject(bulk('GET', `${sync}/data?offset=3`))).body, '{"totalResults":3,"limit":1000,"offset":3,"count":0,"hasMore":false}', 'no items key on an empty page')
  t.strictSame((await app.inject(bulk('GET', `${sync}/data?limit=50001`))).json().failures.map((f: { field: string }) => f.field), ['limit'])
  t.equal((await app.inject(bulk('GET', `${uri}/data?limit=1`))).json().items[0].Id, '1', 'the definition serves its latest sync\'s data')
  t.equal((await app.inject(bulk('GET', '/exports'))).json().totalResults, 1)
  t.equal((await app.inject(bulk('GET', '/contacts/exports'))).json().items[0].uri, uri)
  t.equal((await app.inject(bulk('GET', '/contacts/imports/17'))).statusCode, 404, 'an export is not an import')
  t.match((await app.inject('/__mock/state')).json(), { exportDefinitions: [{ uri, exports: [{ sync, rows: 3 }] }], usage: { retainedExportRows: 3, maxRetainedExportRows: 5000000 } })

  t.equal((await app.inject(bulk('DELETE', `${sync}/data`))).statusCode, 204)
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 404, 'deleted')
  t.equal((await app.inject(bulk('GET', `${uri}/data`))).body, '{"totalResults":0,"limit":1000,"offset":0,"count":0,"hasMore":false}')
})

t.test('data: 404 while the sync runs and after dataRetentionDuration, 400 for other syncs, 403 for another user', async (t) => {
  const app = await build(t)
  const uri = (await app.inject(bulk('POST', '/contacts/exports', { ...contactExport, dataRetentionDuration: 'PT1H' }))).json().uri as string
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).json().uri as string
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 404, 'not ended yet')
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 200)
  t.equal((await app.inject(bulk('GET', `${sync}/data`, undefined, basic('APITest\\Events.User', 'secret')))).statusCode, 403, 'only the user who ran the sync')
  app.clock.advance(3_600_000)
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 404, 'expired')
  t.equal((await app.inject(bulk('DELETE', `${sync}/data`))).statusCode, 404)
  await app.inject(bulk('POST', '/customObjects/9/syncActions/6/data', [{ Id: 'DLPSB000000000020' }]))
  const actionSync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: '/customObjects/9/syncActions/6' }))).json().uri as string
  app.clock.advance(1000)
  const notExport = await app.inject(bulk('GET', `${actionSync}/data`))
  t.equal(notExport.statusCode, 400)
  t.strictSame(notExport.json().failures, [{ field: 'syncedInstanceUri', value: '/customObjects/9/syncActions/6', constraint: 'Must be an export: only export syncs have data to retrieve.' }])
  t.equal((await app.inject(bulk('GET', '/syncs/99/data'))).statusCode, 404)
})

t.test('maxRecords, MAX_RETAINED_EXPORT_ROWS, DELETE of a definition\'s data, sync actions on exported records', async (t) => {
  const app = await build(t, { config: { MAX_RETAINED_EXPORT_ROWS: 4 } })
  const first = await exportAndSync(app, '/contacts/exports', { ...contactExport, maxRecords: 2 })
  t.equal((await app.inject(bulk('GET', `${first.sync}/data`))).json().totalResults, 2)
  const second = await exportAndSync(app, '/accounts/exports', { name: 'Accounts', fields: { Name: '{{Account.Field(M_CompanyName)}}', Id: '{{Account.Id}}' }, syncActions: [{ action: 'add', destination: '{{AccountList[3]}}' }] })
  t.strictSame((await app.inject(bulk('GET', `${second.sync}/data`))).json().items, [{ Name: 'Example Corp', Id: '1' }, { Name: 'Example Org', Id: '2' }])
  t.match((await app.inject(bulk('GET', `${second.sync}/logs`))).json().items[3], { statusCode: 'ELQ-00114', count: 2 })
  t.match((await app.inject('/__mock/state')).json().accounts[0].destinations, { '{{AccountList[3]}}': { member: true } })
  const third = await exportAndSync(app, '/contacts/exports', contactExport)
  t.equal((await app.inject(bulk('GET', `${first.sync}/data`))).statusCode, 404, 'the oldest data went to keep 4 rows')
  t.equal((await app.inject(bulk('GET', `${second.sync}/data`))).statusCode, 404)
  t.equal((await app.inject(bulk('GET', `${third.sync}/data`))).json().totalResults, 3)
  t.equal((await app.inject(bulk('DELETE', `${third.uri}/data`))).statusCode, 204)
  t.equal((await app.inject(bulk('GET', `${third.sync}/data`))).statusCode, 404)
})

t.test('custom object exports read fields, ExternalId, Id, dates and the linked contact', async (t) => {
  const app = await build(t)
  const imported = (await app.inject(bulk('POST', '/customObjects/9/imports', {
    name: 'link',
    fields: { X: '{{CustomObject[9].ExternalId}}', E: '{{CustomObject[9].Field[101]}}' },
    identifierFieldName: 'X',
    isSyncTriggeredOnImport: true,
    mapDataCards: true,
    mapDataCardsEntityType: 'Contact',
    mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}',
    mapDataCardsSourceField: 'E'
  }))).json().uri as string
  await app.inject(bulk('POST', `${imported}/data`, [{ X: 'DLPSB000000000020', E: 'bo@example.com' }]))
  app.clock.advance(1000)
  const { sync } = await exportAndSync(app, '/customObjects/9/exports', {
    name: 'regs', fields: { Ext: '{{CustomObject[9].ExternalId}}', Id: '{{CustomObject[9].Id}}', Email: '{{CustomObject[9].Field[101]}}', First: '{{CustomObject[9].Contact.Field(C_FirstName)}}', Country: '{{CustomObject[9].Contact.Field(C_Country)}}', Updated: '{{CustomObject[9].UpdatedAt}}' }
  })
  t.strictSame((await app.inject(bulk('GET', `${sync}/data?limit=2`))).json().items, [
    { Ext: 'DLPSB000000000020', Id: '1', Email: 'bo@example.com', First: 'Bo', Country: '', Updated: '2024-05-01 10:00:01.000' },
    { Ext: 'DLPSB000000000021', Id: '2', Email: 'bo@example.com', First: '', Country: '', Updated: '2024-05-01 10:00:00.000' }
  ])
  const byField = (await app.inject(bulk('POST', '/customObjects/9/imports', { name: 'by reg', fields: { R: '{{CustomObject[9].Field[102]}}' }, identifierFieldName: 'R', isSyncTriggeredOnImport: true }))).json().uri as string
  await app.inject(bulk('POST', `${byField}/data`, [{ R: 'REG-NEW' }]))
  app.clock.advance(1000)
  const again = await exportAndSync(app, '/customObjects/9/exports', { name: 'ext', fields: { Ext: '{{CustomObject[9].ExternalId}}', Reg: '{{CustomObject[9].Field[102]}}' } })
  t.strictSame((await app.inject(bulk('GET', `${again.sync}/data?offset=3`))).json().items, [{ Ext: '', Reg: 'REG-NEW' }], 'a record without an ExternalId exports ""')
  t.match((await app.inject('/__mock/state')).json().exportDefinitions, [{ id: 18, parentId: 9, uri: '/customObjects/9/exports/18', name: 'regs', exports: [{ sync, rows: 3 }] }, { parentId: 9, name: 'ext', exports: [{ sync: again.sync, rows: 4 }] }], 'custom object exports name their parent in the state')
  const events = basic('APITest\\Events.User', 'secret')
  t.equal((await app.inject(bulk('POST', '/customObjects/9/exports', { name: 'x', fields: { a: '{{CustomObject[9].Id}}' } }, events))).statusCode, 403)
})

t.test('an export with autoDeleteDuration is deleted on the mock clock; its syncs keep their data', async (t) => {
  const app = await build(t)
  const { uri, sync } = await exportAndSync(app, '/contacts/exports', { ...contactExport, autoDeleteDuration: 'PT1H', dataRetentionDuration: 'P1D' })
  app.clock.advance(3_600_000)
  t.equal((await app.inject(bulk('GET', uri))).statusCode, 404)
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 200)
})

t.test('a large page is streamed in chunks and parses whole', async (t) => {
  const { defaultFixtures } = await import('../../helper.js')
  const fixtures = defaultFixtures()
  const contacts = Array.from({ length: 1200 }, (_, i) => ({ fieldValues: { C_EmailAddress: `user${i}@example.com`, ...(i % 2 === 0 ? { C_Company: 'Even "Corp"' } : {}) } }))
  const app = await build(t, { fixtures: { ...fixtures, contacts } })
  const { sync } = await exportAndSync(app, '/contacts/exports', { name: 'big', fields: { Email: '{{Contact.Field(C_EmailAddress)}}', Company: '{{Contact.Field(C_Company)}}' } })
  const page = (await app.inject(bulk('GET', `${sync}/data?limit=1100&offset=50`))).json()
  t.match(page, { totalResults: 1200, limit: 1100, offset: 50, count: 1100, hasMore: true })
  t.equal(page.items.length, 1100)
  t.strictSame(page.items.slice(0, 2), [{ Email: 'user50@example.com', Company: 'Even "Corp"' }, { Email: 'user51@example.com', Company: '' }])
})

t.test('filters choose the exported records, compiled once per sync', async (t) => {
  const app = await build(t)
  const exported = async (filter: string): Promise<string[]> => {
    const { sync } = await exportAndSync(app, '/contacts/exports', { name: 'f', fields: { Id: '{{Contact.Id}}' }, filter })
    return ((await app.inject(bulk('GET', `${sync}/data`))).json().items ?? []).map((row: { Id: string }) => row.Id)
  }
  t.strictSame(await exported("'{{Contact.Field(C_Company)}}' = 'example corp'"), ['1', '2'])
  t.strictSame(await exported("'{{Contact.Field(C_EmailAddress)}}' ~ '%@example.com' AND NOT '{{Contact.Id}}' = '1'"), ['2'])
  t.strictSame(await exported("'{{Contact.CreatedAt}}' >= '2024-05-01 00:00:00' AND '{{Contact.UpdatedAt}}' < 2024-05-02"), ['1', '2', '3'])
  t.strictSame(await exported("'{{Contact.Field(C_Company)}}' = '' OR '{{Contact.Field(C_Country)}}' = 'Brazil'"), ['1', '3'])
  await app.inject(bulk('POST', '/customObjects/9/syncActions/6/data', [{ Id: 'DLPSB000000000021' }]))
  await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  app.clock.advance(1000)
  const { sync } = await exportAndSync(app, '/customObjects/9/exports', { name: 'done', fields: { Ext: '{{CustomObject[9].ExternalId}}' }, filter: "STATUS('{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339)}}') = 'complete'" })
  t.strictSame((await app.inject(bulk('GET', `${sync}/data`))).json().items, [{ Ext: 'DLPSB000000000021' }], 'records a setStatus sync action marked complete')
  const refused = await app.inject(bulk('POST', '/contacts/exports', { name: 'f', fields: { Id: '{{Contact.Id}}' }, filter: "EXISTS('{{ContactList[99]}}') AND '{{Contact.Field(C_Nope)}}' = 'x'" }))
  t.strictSame(refused.json().failures.map((f: { constraint: string }) => f.constraint), [
    '{{ContactList[99]}} is not a list, segment or filter of this entity that exists.',
    '{{Contact.Field(C_Nope)}} is not a field or attribute this export can filter on.'
  ])
  t.match((await app.inject(bulk('POST', '/contacts/exports', { name: 'f', fields: { Id: '{{Contact.Id}}' }, filter: '  ' }))).json(), { filter: '  ' }, 'a blank filter exports everything and is echoed')
})

t.test('number and date fields compare by value in filters', async (t) => {
  const { defaultFixtures } = await import('../../helper.js')
  const fixtures = defaultFixtures()
  const app = await build(t, {
    fixtures: {
      ...fixtures,
      contactFields: [...fixtures.contactFields, { id: 100300, name: 'Score', internalName: 'C_Score', dataType: 'number' }],
      contacts: [
        { id: 1, fieldValues: { C_EmailAddress: 'a@x.co', C_Score: '10', C_DateCreated: '2024-01-01 00:00:00' } },
        { id: 2, fieldValues: { C_EmailAddress: 'b@x.co', C_Score: '9.5', C_DateCreated: '2025-01-01 00:00:00' } }
      ]
    }
  })
  const { sync } = await exportAndSync(app, '/contacts/exports', { name: 'n', fields: { Id: '{{Contact.Id}}' }, filter: "'{{Contact.Field(C_Score)}}' > 9.6 OR '{{Contact.Field(C_DateCreated)}}' > '2024-06-01'" })
  t.strictSame((await app.inject(bulk('GET', `${sync}/data`))).json().items, [{ Id: '1' }, { Id: '2' }])
  const { sync: second } = await exportAndSync(app, '/contacts/exports', { name: 'n', fields: { Id: '{{Contact.Id}}' }, filter: "'{{Contact.Field(C_Score)}}' < 10 AND '{{Contact.Field(C_DateCreated)}}' > '2024-06-01'" })
  t.strictSame((await app.inject(bulk('GET', `${second}/data`))).json().items, [{ Id: '2' }])
})

t.test('the rows are taken when the sync is created: later changes are not in them', async (t) => {
  const app = await build(t)
  const uri = (await app.inject(bulk('POST', '/contacts/exports', { name: 'snap', fields: { Email: '{{Contact.Field(C_EmailAddress)}}', First: '{{Contact.Field(C_FirstName)}}' }, filter: "'{{Contact.Field(C_FirstName)}}' = 'Ana'" }))).json().uri as string
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).json().uri as string
  const rename = (await app.inject(bulk('POST', '/contacts/imports', { name: 'rename', fields: { e: '{{Contact.Field(C_EmailAddress)}}', f: '{{Contact.Field(C_FirstName)}}' }, identifierFieldName: 'e', isSyncTriggeredOnImport: true }))).json().uri as string
  await app.inject(bulk('POST', `${rename}/data`, [{ e: 'ana@example.com', f: 'Anabel' }]))
  app.clock.advance(1000)
  t.strictSame((await app.inject(bulk('GET', `${sync}/data`))).json().items, [{ Email: 'ana@example.com', First: 'Ana' }])
  t.match((await app.inject('/__mock/state')).json().contacts[0], { fieldValues: { C_FirstName: 'Anabel' } })
})

t.test('a data page can fail as Eloqua\'s temporary errors do (bundled rule scenario-temporary-error)', async (t) => {
  const app = await build(t)
  const { sync } = await exportAndSync(app, '/contacts/exports', contactExport)
  const res = await app.inject({ ...bulk('GET', `${sync}/data`), headers: { authorization: API_USER, 'x-mock-scenario': 'temporary-error' } })
  t.equal(res.statusCode, 500)
  t.equal(res.headers['retry-after'], '120')
  t.strictSame(res.json(), { error: 'Unable to process request due to a temporary error.', errorSeverity: 3 })
  t.equal((await app.inject(bulk('GET', `${sync}/data`))).statusCode, 200)
})

t.test('GET /imports/data and /exports/data report what the site holds, with kbAllowed 0 (no limit)', async (t) => {
  const app = await build(t)
  t.strictSame((await app.inject(bulk('GET', '/imports/data'))).json(), { kbAllowed: 0, kbUsed: 0 })
  const uri = (await app.inject(bulk('POST', '/contacts/imports', { name: 'i', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e' }))).json().uri as string
  await app.inject(bulk('POST', `${uri}/data`, Array.from({ length: 100 }, (_, i) => ({ e: `user${i}@example.com` }))))
  t.strictSame((await app.inject(bulk('GET', '/imports/data'))).json(), { kbAllowed: 0, kbUsed: 3 })
  await app.inject(bulk('POST', '/customObjects/9/syncActions/6/data', [{ Id: 'x'.repeat(5000) }]))
  t.equal((await app.inject(bulk('GET', '/imports/data'))).json().kbUsed, 3, 'sync action staging is not an import\'s')
  t.strictSame((await app.inject(bulk('GET', '/exports/data'))).json(), { kbAllowed: 0, kbUsed: 0 })
  await exportAndSync(app, '/contacts/exports', contactExport)
  t.strictSame((await app.inject(bulk('GET', '/exports/data'))).json(), { kbAllowed: 0, kbUsed: 1 })
})

t.test('EXPORT_DATA_RETENTION sets the dataRetentionDuration of exports that leave it out', async (t) => {
  const app = await build(t, { config: { EXPORT_DATA_RETENTION: 'PT6H' } })
  t.equal((await app.inject(bulk('POST', '/contacts/exports', contactExport))).json().dataRetentionDuration, 'PT6H')
})

t.test('exported data is kept for at most MAX_RETAINED_SYNCS syncs, even when it has no rows', async (t) => {
  const app = await build(t, { config: { MAX_RETAINED_SYNCS: 2 } })
  const uri = (await app.inject(bulk('POST', '/contacts/exports', { name: 'none', fields: { Id: '{{Contact.Id}}' }, filter: "'{{Contact.Id}}' > 100" }))).json().uri as string
  for (let i = 0; i < 3; i++) {
    await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))
    app.clock.advance(1000)
  }
  t.strictSame((await app.inject('/__mock/state')).json().exportDefinitions[0].exports, [{ sync: '/syncs/2', rows: 0 }, { sync: '/syncs/3', rows: 0 }])
})
