// Import definitions of contacts, accounts and custom objects: create, list, retrieve, replace,
// delete, upload, sync, as a client sees them.
import t from 'tap'
import { API_USER, basic, build, bulk, defaultFixtures, state } from '../../helper.js'

const TIME = '2024-05-01T10:00:00.0000000Z'

// The request of a recorded contact import (real-responses §2a).
const recordedRequest = {
  name: 'grouparoo-import-app_789-po09-EOEP-HKp8-3039',
  identifierFieldName: 'emailAddress',
  areSystemTimestampsInUTC: true,
  isSyncTriggeredOnImport: false,
  isUpdatingMultipleMatchedRecords: true,
  fields: {
    emailAddress: '{{Contact.Field(C_EmailAddress)}}',
    firstName: '{{Contact.Field(C_FirstName)}}',
    lastName: '{{Contact.Field(C_LastName)}}',
    mobilePhone: '{{Contact.Field(C_MobilePhone)}}'
  }
}

t.test('a contact import definition is created as Eloqua answers it: defaults echoed, unknown keys dropped, keys in order', async (t) => {
  const app = await build(t)
  const res = await app.inject(bulk('POST', '/contacts/imports', recordedRequest))
  t.equal(res.statusCode, 201)
  t.equal(res.body, JSON.stringify({
    name: recordedRequest.name,
    fields: recordedRequest.fields,
    identifierFieldName: 'emailAddress',
    isSyncTriggeredOnImport: false,
    dataRetentionDuration: 'P7D',
    isUpdatingMultipleMatchedRecords: true,
    uri: '/contacts/imports/17',
    createdBy: 'API.User',
    createdAt: TIME,
    updatedBy: 'API.User',
    updatedAt: TIME
  }))
  const minimal = await app.inject(bulk('POST', '/contacts/imports', { name: 'min', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e' }))
  t.match(minimal.json(), { isSyncTriggeredOnImport: false, dataRetentionDuration: 'P7D', isUpdatingMultipleMatchedRecords: false, uri: '/contacts/imports/18' })
  t.notOk('updateRule' in minimal.json(), 'optional properties come back only when sent')
})

t.test('IMPORT_SYNC_ON_IMPORT sets the default of isSyncTriggeredOnImport', async (t) => {
  const app = await build(t, { config: { IMPORT_SYNC_ON_IMPORT: true } })
  const res = await app.inject(bulk('POST', '/contacts/imports', { name: 'min', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e' }))
  t.equal(res.json().isSyncTriggeredOnImport, true)
})

t.test('every documented property is accepted and echoed in Eloqua\'s order', async (t) => {
  const app = await build(t)
  const account = await app.inject(bulk('POST', '/accounts/imports', {
    name: 'Accounts',
    fields: { Name: '{{Account.Field(M_CompanyName)}}', Ext: '{{Account.Field(CompanyIDExt)}}', Country: '{{Account.Field(M_Country)}}' },
    identifierFieldName: 'Ext',
    isSyncTriggeredOnImport: 'true',
    dataRetentionDuration: 'P1DT6H',
    updateRule: 'ifNewIsNotNull',
    updateRuleByField: { Country: 'always' },
    importRule: 'createAndUpdate',
    nullIdentifierFieldName: false,
    autoDeleteDuration: 'P30D',
    importPriorityUri: '/imports/priorities/1',
    externalSystemId: 4,
    linkUsers: false,
    syncActions: [{ action: 'add', destination: '{{AccountList[3]}}' }],
    mapDataCards: true,
    kbUsed: 99
  }))
  t.equal(account.statusCode, 201)
  t.strictSame(Object.keys(account.json()), [
    'name', 'fields', 'identifierFieldName', 'isSyncTriggeredOnImport', 'dataRetentionDuration', 'isUpdatingMultipleMatchedRecords',
    'updateRule', 'updateRuleByField', 'importRule', 'nullIdentifierFieldName', 'autoDeleteDuration', 'importPriorityUri', 'externalSystemId',
    'linkUsers', 'syncActions', 'uri', 'createdBy', 'createdAt', 'updatedBy', 'updatedAt'
  ], 'mapDataCards is a custom object property: dropped on accounts, as kbUsed is')
  t.equal(account.json().isSyncTriggeredOnImport, true, '"true" as Oracle\'s examples send booleans')

  // Oracle's mapDataCards example (imports-exports §2.3), booleans as strings.
  const co = await app.inject(bulk('POST', '/customObjects/9/imports', {
    name: 'Webinar regs',
    identifierFieldName: 'RegId',
    updateRule: 'always',
    isSyncTriggeredOnImport: false,
    mapDataCards: 'true',
    mapDataCardsEntityType: 'Contact',
    mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}',
    mapDataCardsSourceField: 'Email',
    mapDataCardsCaseSensitiveMatch: 'false',
    importRule: 'updateOnly',
    fields: { RegId: '{{CustomObject[9].Field[102]}}', Email: '{{CustomObject[9].Field[101]}}' }
  }))
  t.equal(co.body, JSON.stringify({
    name: 'Webinar regs',
    fields: { RegId: '{{CustomObject[9].Field[102]}}', Email: '{{CustomObject[9].Field[101]}}' },
    identifierFieldName: 'RegId',
    isSyncTriggeredOnImport: false,
    dataRetentionDuration: 'P7D',
    isUpdatingMultipleMatchedRecords: false,
    updateRule: 'always',
    mapDataCards: true,
    mapDataCardsEntityType: 'Contact',
    mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}',
    mapDataCardsSourceField: 'Email',
    mapDataCardsCaseSensitiveMatch: false,
    uri: '/customObjects/9/imports/18',
    createdBy: 'API.User',
    createdAt: TIME,
    updatedBy: 'API.User',
    updatedAt: TIME
  }), 'importRule is for contacts and accounts only')
})

t.test('each problem of a body is one failures entry, and nothing is created', async (t) => {
  const app = await build(t)
  const before = await state(app)
  const failuresOf = async (path: string, body: unknown): Promise<unknown> => {
    const res = await app.inject(bulk('POST', path, body))
    t.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 80))
    return res.json().failures
  }
  t.strictSame(await failuresOf('/contacts/imports', []), [{ field: 'body', value: '[]', constraint: 'Must be a JSON object.' }])
  t.strictSame(await failuresOf('/contacts/imports', {}), [
    { field: 'name', constraint: 'Must be a string value, at least 1 character and at most 100 characters long.' },
    { field: 'fields', constraint: 'Must be an object of 1 to 100 fields, each key mapped to a field statement such as {{Contact.Field(C_EmailAddress)}}.' },
    { field: 'identifierFieldName', constraint: 'Must be a string value, at least 1 character and at most 100 characters long.' }
  ])
  // The pyeloqua fixture of a definition naming a field that does not exist (real-responses §7b).
  t.strictSame(await failuresOf('/contacts/imports', {
    name: 'x',
    fields: { e: '{{Contact.Field(C_EmailAddress)}}', bad: '{{Contact.Field(C_Nope)}}', other: '{{Account.Field(M_CompanyName)}}', num: 5, '': '{{Contact.Id}}' },
    identifierFieldName: 'missing'
  }), [
    { field: 'bad', stackTrace: [{ field: 'fields' }], value: '{{Contact.Field(C_Nope)}}', constraint: 'Must be a reference to an existing object.' },
    { field: 'other', stackTrace: [{ field: 'fields' }], value: '{{Account.Field(M_CompanyName)}}', constraint: 'Must be a reference to an existing object.' },
    { field: 'num', stackTrace: [{ field: 'fields' }], value: '5', constraint: 'Must be a reference to an existing object.' },
    { field: 'fields', value: '', constraint: 'Each key must be at least 1 character and at most 100 characters long.' },
    { field: 'identifierFieldName', value: 'missing', constraint: 'Must be contained within fields.' }
  ])
  const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, '{{Contact.Field(C_FirstName)}}']))
  t.strictSame(await failuresOf('/contacts/imports', { name: 'x', fields: many, identifierFieldName: 'k0' }), [
    { field: 'fields', value: '101 fields', constraint: 'Must contain at most 100 fields.' }
  ])
  t.strictSame(await failuresOf('/contacts/imports', {
    name: 'x',
    fields: { d: '{{Contact.Field(C_DateCreated)}}', e: '{{Contact.Field(C_EmailAddress)}}' },
    identifierFieldName: 'd',
    isSyncTriggeredOnImport: 'maybe',
    dataRetentionDuration: 'P15D',
    autoDeleteDuration: 'PT30M',
    updateRule: 'sometimes',
    updateRuleByField: { e: 'never', zz: 'always' },
    importRule: 'createSometimes',
    importPriorityUri: '/elsewhere',
    externalSystemId: 1.5,
    syncActions: 'add'
  }), [
    { field: 'identifierFieldName', value: 'd', constraint: 'Must not name a date, boolean or large text field.' },
    { field: 'isSyncTriggeredOnImport', value: 'maybe', constraint: 'Must be a boolean value.' },
    { field: 'dataRetentionDuration', value: 'P15D', constraint: 'Must be an ISO 8601 duration from PT1H to P14D.' },
    { field: 'autoDeleteDuration', value: 'PT30M', constraint: 'Must be an ISO 8601 duration of at least PT1H.' },
    { field: 'updateRule', value: 'sometimes', constraint: 'Must be one of always, ifNewIsNotNull, ifExistingIsNull, useFieldRule.' },
    { field: 'updateRuleByField.e', value: 'never', constraint: 'Must be one of always, ifNewIsNotNull, ifExistingIsNull, useFieldRule.' },
    { field: 'updateRuleByField.zz', value: 'zz', constraint: 'Must be a key of fields.' },
    { field: 'importRule', value: 'createSometimes', constraint: 'Must be one of createAndUpdate, updateOnly, createOnly.' },
    { field: 'importPriorityUri', value: '/elsewhere', constraint: 'Must be the uri of an import priority, e.g. /imports/priorities/1.' },
    { field: 'externalSystemId', value: '1.5', constraint: 'Must be an integer.' },
    { field: 'syncActions', value: 'add', constraint: 'Must contain at least 0 and at most 10 sync actions.' }
  ])
  t.strictSame(await failuresOf('/contacts/imports', { name: 'x', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e', updateRuleByField: [], dataRetentionDuration: 7 }), [
    { field: 'dataRetentionDuration', value: '7', constraint: 'Must be an ISO 8601 duration from PT1H to P14D.' },
    { field: 'updateRuleByField', value: '[]', constraint: 'Must be an object of field keys to update rules.' }
  ])
  t.strictSame(await failuresOf('/customObjects/9/imports', {
    name: 'x', fields: { Id: '{{CustomObject[9].ExternalId}}', F: '{{CustomObject[10].Field[201]}}' }, identifierFieldName: 'Id', mapDataCards: true, mapDataCardsCaseSensitiveMatch: 2
  }), [
    { field: 'F', stackTrace: [{ field: 'fields' }], value: '{{CustomObject[10].Field[201]}}', constraint: 'Must be a reference to an existing object.' },
    { field: 'mapDataCardsCaseSensitiveMatch', value: '2', constraint: 'Must be a boolean value.' },
    { field: 'mapDataCardsEntityType', constraint: 'Is required when mapDataCards is true: Contact or Company.' },
    { field: 'mapDataCardsEntityField', constraint: 'Is required when mapDataCards is true, e.g. {{Contact.Field(C_EmailAddress)}}.' },
    { field: 'mapDataCardsSourceField', constraint: 'Is required when mapDataCards is true: the key of fields whose value is matched.' }
  ])
  t.strictSame(await failuresOf('/customObjects/9/imports', {
    name: 'x', fields: { Id: '{{CustomObject[9].Id}}' }, identifierFieldName: 'Id', mapDataCardsEntityType: 'Lead', mapDataCardsEntityField: '{{Contact.Id}}', mapDataCardsSourceField: 'Nope'
  }), [
    { field: 'mapDataCardsEntityType', value: 'Lead', constraint: 'Must be Contact or Company.' },
    { field: 'mapDataCardsSourceField', value: 'Nope', constraint: 'Must be a key of fields.' }
  ])
  t.strictSame(await failuresOf('/customObjects/9/imports', {
    name: 'x', fields: { Id: '{{CustomObject[9].Id}}' }, identifierFieldName: 'Id', mapDataCardsEntityType: 'Company', mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}'
  }), [
    { field: 'mapDataCardsEntityField', value: '{{Contact.Field(C_EmailAddress)}}', constraint: 'Must be a field statement of a account, e.g. {{Account.Field(M_CompanyName)}}.' }
  ])
  t.strictSame(await state(app), before, 'nothing was created')
})

t.test('list, retrieve, replace and delete; the global /imports list holds every import and no sync action', async (t) => {
  const app = await build(t)
  const create = async (path: string, fields: Record<string, string>): Promise<string> =>
    (await app.inject(bulk('POST', path, { name: `n ${path}`, fields, identifierFieldName: Object.keys(fields)[0] }))).json().uri
  const contact = await create('/contacts/imports', { e: '{{Contact.Field(C_EmailAddress)}}' })
  const account = await create('/accounts/imports', { a: '{{Account.Id}}' })
  const co = await create('/customObjects/10/imports', { x: '{{CustomObject[10].ExternalId}}' })
  t.strictSame([contact, account, co], ['/contacts/imports/17', '/accounts/imports/18', '/customObjects/10/imports/19'])

  const all = await app.inject(bulk('GET', '/imports?orderBy=name DESC'))
  t.match(all.json(), { totalResults: 3, count: 3, hasMore: false })
  t.strictSame(all.json().items.map((i: { uri: string }) => i.uri), [co, contact, account])
  t.strictSame((await app.inject(bulk('GET', '/contacts/imports'))).json().items.map((i: { uri: string }) => i.uri), [contact])
  t.strictSame((await app.inject(bulk('GET', '/customObjects/10/imports'))).json().items.map((i: { uri: string }) => i.uri), [co])
  t.equal((await app.inject(bulk('GET', '/customObjects/9/imports'))).json().totalResults, 0)
  t.equal((await app.inject(bulk('GET', '/syncActions'))).json().totalResults, 8, 'sync actions stay in their own list')
  t.equal((await app.inject(bulk('GET', '/imports', undefined, basic('APITest\\Events.User', 'secret')))).json().totalResults, 3, 'custom object 10 is allowed to Events.User')

  t.equal((await app.inject(bulk('GET', contact))).json().name, 'n /contacts/imports')
  t.equal((await app.inject(bulk('GET', '/accounts/imports/17'))).statusCode, 404, 'a contact import is not an account import')
  t.equal((await app.inject(bulk('GET', '/customObjects/9/imports/19'))).statusCode, 404, 'not under another custom object')
  t.equal((await app.inject(bulk('GET', '/customObjects/9/syncActions/19'))).statusCode, 404, 'an import is not a sync action')

  const replaced = await app.inject(bulk('PUT', contact, { name: 'renamed', fields: { id: '{{Contact.Id}}', f: '{{Contact.Field(C_FirstName)}}' }, identifierFieldName: 'id', uri: '/ignored' }))
  t.equal(replaced.statusCode, 200)
  t.match(replaced.json(), { name: 'renamed', identifierFieldName: 'id', uri: contact, isSyncTriggeredOnImport: false })
  t.equal((await app.inject(bulk('PUT', contact, { name: '' }))).statusCode, 400)
  t.equal((await app.inject(bulk('GET', contact))).json().name, 'renamed', 'a refused PUT changes nothing')

  t.equal((await app.inject(bulk('DELETE', contact))).statusCode, 204)
  t.equal((await app.inject(bulk('GET', contact))).statusCode, 404)
  t.equal((await app.inject(bulk('DELETE', contact))).statusCode, 404)
  t.equal((await app.inject(bulk('GET', '/imports'))).json().totalResults, 2)
})

t.test('uploads stage JSON or CSV (204), or sync at once (201); DELETE data empties the staging area', async (t) => {
  const app = await build(t)
  const definition = (await app.inject(bulk('POST', '/contacts/imports', recordedRequest))).json()
  const data = `/api/bulk/2.0${definition.uri as string}/data`
  // The recorded upload (real-responses §3a): a key not in the definition is accepted.
  const upload = await app.inject({ method: 'POST', url: data, payload: JSON.stringify([{ emailAddress: 'grouparoo@demo.com', id: '1986117', firstName: 'Sam', lastName: 'Test' }]), headers: { authorization: API_USER, 'content-type': 'application/json' } })
  t.equal(upload.statusCode, 204)
  t.equal(upload.body, '')
  const single = await app.inject({ method: 'POST', url: data, payload: '{"emailAddress":"one@example.com"}', headers: { authorization: API_USER, 'content-type': 'application/json' } })
  t.equal(single.statusCode, 204, 'one object, not in an array, is accepted as Eloqua did')
  const csv = await app.inject({ method: 'POST', url: data, payload: 'emailAddress,firstName\ncsv@example.com,Cee\n', headers: { authorization: API_USER, 'content-type': 'text/csv' } })
  t.equal(csv.statusCode, 204)
  const scalar = await app.inject({ method: 'POST', url: data, payload: '"x"', headers: { authorization: API_USER, 'content-type': 'application/json' } })
  t.equal(scalar.statusCode, 400)
  const definitionState = (await app.inject('/__mock/state')).json().importDefinitions[0]
  t.match(definitionState, { uri: definition.uri, kbUsed: 1, staged: { uploads: 3, records: 3 } })
  t.match(definitionState.staged.files[1], { records: [{ emailAddress: 'one@example.com' }] })
  t.equal((await app.inject(bulk('GET', definition.uri))).json().kbUsed, undefined, 'imports do not report kbUsed')

  t.equal((await app.inject(bulk('DELETE', `${definition.uri as string}/data`))).statusCode, 204)
  t.match((await app.inject('/__mock/state')).json().importDefinitions[0], { staged: { uploads: 0 } })
  t.equal((await app.inject({ method: 'POST', url: '/api/bulk/2.0/contacts/imports/99/data', payload: '[]', headers: { authorization: API_USER, 'content-type': 'application/json' } })).statusCode, 404)

  const auto = (await app.inject(bulk('POST', '/contacts/imports', { ...recordedRequest, isSyncTriggeredOnImport: true }))).json()
  const synced = await app.inject({ method: 'POST', url: `/api/bulk/2.0${auto.uri as string}/data`, payload: '[{"emailAddress":"a@b.co"}]', headers: { authorization: API_USER, 'content-type': 'application/json' } })
  t.equal(synced.statusCode, 201)
  t.strictSame(synced.json(), { syncedInstanceUri: auto.uri, status: 'pending', createdAt: TIME, createdBy: 'API.User', uri: '/syncs/1' })
})

t.test('an import sync upserts contacts, with logs and rejects as Eloqua writes them', async (t) => {
  const app = await build(t)
  const definition = (await app.inject(bulk('POST', '/contacts/imports', recordedRequest))).json()
  // The recorded upload of real-responses §3a: the second record is rejected at index 2.
  const rows = [
    { emailAddress: 'grouparoo@demo.com', id: '1986117', firstName: 'Sam', lastName: 'Test' },
    { emailAddress: 'bademail', firstName: 'William' },
    { emailAddress: 'ANA@example.com', firstName: 'Anabel' }
  ]
  await app.inject({ method: 'POST', url: `/api/bulk/2.0${definition.uri as string}/data`, payload: JSON.stringify(rows), headers: { authorization: API_USER, 'content-type': 'application/json' } })
  const sync = await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: definition.uri }))
  t.equal(sync.statusCode, 201)
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: definition.uri }))).statusCode, 409, 'one sync of a definition at a time')
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', '/syncs/1'))).json().status, 'warning')

  const rejects = await app.inject(bulk('GET', '/syncs/1/rejects'))
  t.equal(rejects.body, JSON.stringify({
    items: [{
      fieldValues: { emailAddress: 'bademail', firstName: 'William', lastName: '', mobilePhone: '' },
      message: 'Invalid email address.',
      statusCode: 'ELQ-00002',
      recordIndex: 2,
      invalidFields: ['emailAddress']
    }],
    totalResults: 1,
    limit: 1000,
    offset: 0,
    count: 1,
    hasMore: false
  }), 'the recorded reject of real-responses §5a')

  const logs = (await app.inject(bulk('GET', '/syncs/1/logs'))).json().items.map((l: { statusCode: string, count: number, severity: string, message: string }) => [l.statusCode, l.count, l.severity, l.message])
  t.strictSame(logs, [
    ['ELQ-00130', 3, 'information', 'Total records staged for import.'],
    ['ELQ-00137', 0, 'information', 'Ready for data import processing.'],
    ['ELQ-00111', 1, 'warning', 'Field id is not part of import definition, and will be ignored.'],
    ['ELQ-00001', 3, 'information', 'Total records processed.'],
    ['ELQ-00002', 1, 'warning', 'Invalid email addresses.'],
    ['ELQ-00004', 1, 'information', 'Contacts created.'],
    ['ELQ-00022', 1, 'information', 'Contacts updated.'],
    ['ELQ-00101', 0, 'information', 'Sync processed for sync 1, resulting in Warning status.']
  ])

  const contacts = (await app.inject('/__mock/state')).json().contacts as Array<{ id: number, fieldValues: Record<string, string> }>
  t.match(contacts.find((c) => c.id === 1)?.fieldValues, { C_EmailAddress: 'ana@example.com', C_FirstName: 'Anabel', C_LastName: 'Lima', C_MobilePhone: undefined }, 'matched case-insensitively on the email address; keys the row lacks are left alone')
  t.strictSame(contacts.find((c) => c.id === 4), { id: 4, fieldValues: { C_EmailAddress: 'grouparoo@demo.com', C_FirstName: 'Sam', C_LastName: 'Test', ContactIDExt: 'CAPIT000000000004' }, destinations: {} }, 'a new contact gets the next id, and a ContactIDExt')
  t.equal(contacts.length, 4)
})

t.test('a custom object import upserts records and links them to contacts (mapDataCards)', async (t) => {
  const app = await build(t)
  const definition = (await app.inject(bulk('POST', '/customObjects/9/imports', {
    name: 'Webinar regs',
    fields: { RegId: '{{CustomObject[9].Field[102]}}', Email: '{{CustomObject[9].Field[101]}}', Name: '{{CustomObject[9].Field[103]}}' },
    identifierFieldName: 'RegId',
    mapDataCards: true,
    mapDataCardsEntityType: 'Contact',
    mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}',
    mapDataCardsSourceField: 'Email',
    syncActions: [{ action: 'add', destination: '{{ContactList[12]}}' }],
    isSyncTriggeredOnImport: true
  }))).json()
  const csv = 'RegId,Email,Name\nREG-000020,BO@example.com,Ana L.\nREG-1,nobody@example.com,New\n'
  const upload = await app.inject({ method: 'POST', url: `/api/bulk/2.0${definition.uri as string}/data`, payload: csv, headers: { authorization: API_USER, 'content-type': 'text/csv' } })
  t.equal(upload.statusCode, 201)
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', '/syncs/1'))).json().status, 'success')
  const logs = (await app.inject(bulk('GET', '/syncs/1/logs'))).json().items.map((l: { statusCode: string, count: number }) => [l.statusCode, l.count])
  t.strictSame(logs, [['ELQ-00130', 2], ['ELQ-00137', 0], ['ELQ-00001', 2], ['ELQ-00007', 1], ['ELQ-00012', 1], ['ELQ-00025', 1], ['ELQ-00119', 2], ['ELQ-00101', 0]])
  const records = (await app.inject('/__mock/state?customObject=9')).json().customObjects[0].records as Array<{ id: number, fieldValues: Record<string, string>, contactId?: number, destinations: object }>
  t.match(records.find((r) => r.id === 1), { fieldValues: { Registration_Id1: 'REG-000020', Email_Address1: 'BO@example.com', Full_Name1: 'Ana L.' }, contactId: 2, destinations: { '{{ContactList[12]}}': { member: true, syncUri: '/syncs/1' } } })
  const created = records.find((r) => r.fieldValues.Registration_Id1 === 'REG-1')
  t.match(created, { id: 4, fieldValues: { Email_Address1: 'nobody@example.com' } })
  t.notOk(created !== undefined && 'contactId' in created, 'no contact has that address')
  const customObjectRecords = (await app.inject('/__mock/state?customObject=9')).json()
  t.strictSame([customObjectRecords.contacts, customObjectRecords.accounts], [[], []], 'narrowed state leaves out contacts and accounts')
})

t.test('account imports and syncs of them work the same way; a deleted import ends its running sync in error', async (t) => {
  const app = await build(t)
  const definition = (await app.inject(bulk('POST', '/accounts/imports', {
    name: 'Accounts', fields: { Ext: '{{Account.Field(CompanyIDExt)}}', Name: '{{Account.Field(M_CompanyName)}}' }, identifierFieldName: 'Name', isSyncTriggeredOnImport: true
  }))).json()
  await app.inject({ method: 'POST', url: `/api/bulk/2.0${definition.uri as string}/data`, payload: '[{"Name":"Example Org","Ext":"X"},{"Name":"Newco"}]', headers: { authorization: API_USER, 'content-type': 'application/json' } })
  app.clock.advance(1000)
  const logs = (await app.inject(bulk('GET', '/syncs/1/logs'))).json().items.map((l: { statusCode: string, count: number }) => [l.statusCode, l.count])
  t.strictSame(logs.slice(3, 6), [['ELQ-00005', 1], ['ELQ-00023', 1], ['ELQ-00144', 1]], 'the read-only CompanyIDExt is rejected, the row still imported')
  const rejects = (await app.inject(bulk('GET', '/syncs/1/rejects'))).json().items
  t.strictSame(rejects, [{ fieldValues: { Ext: 'X', Name: 'Example Org' }, message: 'Invalid field value.', statusCode: 'ELQ-00040', recordIndex: 1, invalidFields: ['Ext'] }])
  t.match((await app.inject('/__mock/state')).json().accounts, [{ id: 1 }, { id: 2, fieldValues: { M_CompanyName: 'Example Org', CompanyIDExt: 'AAPIT000000000002' } }, { id: 3, fieldValues: { M_CompanyName: 'Newco' } }])

  await app.inject({ method: 'POST', url: `/api/bulk/2.0${definition.uri as string}/data`, payload: '[{"Name":"Later"}]', headers: { authorization: API_USER, 'content-type': 'application/json' } })
  t.equal((await app.inject(bulk('DELETE', `${definition.uri as string}/data`))).statusCode, 409, 'not while its sync runs')
  t.equal((await app.inject(bulk('DELETE', definition.uri))).statusCode, 204)
  t.match((await app.inject(bulk('GET', '/syncs/2/logs'))).json().items[0], { statusCode: 'ELQ-00143', message: `Sync Recovery Worker could not recover from sync error. Import definition for id ${definition.uri.split('/').at(-1) as string} has been deleted.` })
})

t.test('a user without permission on a custom object gets 403 for its imports', async (t) => {
  const app = await build(t)
  const events = basic('APITest\\Events.User', 'secret')
  t.equal((await app.inject(bulk('POST', '/customObjects/9/imports', { name: 'x' }, events))).statusCode, 403)
  t.equal((await app.inject(bulk('GET', '/customObjects/9/imports', undefined, events))).statusCode, 403)
  const created = (await app.inject(bulk('POST', '/customObjects/9/imports', { name: 'x', fields: { Id: '{{CustomObject[9].Id}}' }, identifierFieldName: 'Id' }))).json()
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: created.uri }, events))).statusCode, 403)
  t.equal((await app.inject(bulk('GET', '/imports', undefined, events))).json().totalResults, 0)
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: created.uri.toUpperCase() + '/' }))).statusCode, 201, 'uris are matched without case and trailing slash')
})

t.test('email statuses can be imported; bounds on rules and on the failures list', async (t) => {
  const app = await build(t)
  const status = await app.inject(bulk('POST', '/contacts/imports', {
    name: 'statuses', fields: { e: '{{Contact.Field(C_EmailAddress)}}', sub: '{{Contact.Email.IsSubscribed}}', bounced: '{{Contact.Email.IsBounced}}' }, identifierFieldName: 'e', isSyncTriggeredOnImport: true
  }))
  t.equal(status.statusCode, 201)
  await app.inject(bulk('POST', `${status.json().uri as string}/data`, [{ e: 'cy@example.org', sub: 'false', bounced: 'true' }]))
  app.clock.advance(1000)
  t.match((await app.inject('/__mock/state')).json().contacts[2], { id: 3, fieldValues: { 'Email.IsSubscribed': 'false', 'Email.IsBounced': 'true' } })

  const rules = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'always']))
  const tooMany = await app.inject(bulk('POST', '/contacts/imports', { name: 'x', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e', updateRuleByField: rules }))
  t.strictSame(tooMany.json().failures, [{ field: 'updateRuleByField', value: '101 keys', constraint: 'Must contain at most 100 keys, each a key of fields.' }])

  const bad = await app.inject(bulk('POST', '/customObjects/9/imports', {
    name: 'x', fields: { Id: '{{CustomObject[9].Id}}', F: '{{CustomObject[9].Field[999]}}' }, identifierFieldName: 'Id', updateRuleByField: { F: 'always' }, mapDataCardsSourceField: 'F'
  }))
  t.strictSame(bad.json().failures.map((f: { field: string }) => f.field), ['F'], 'one bad statement is one failure')

  const linked = await app.inject(bulk('POST', '/accounts/imports', { name: 'x', fields: { a: '{{Account.Id}}' }, identifierFieldName: 'a', linkUsers: true }))
  t.strictSame(linked.json().failures, [{ field: 'fields', constraint: 'Must include one of CRMOSCUserId, CRMSfdcUserId, CRMMSDUserId, CRMSODUserId when linkUsers is true.' }])

  const badKeys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, '{{Contact.Field(Nope)}}']))
  const many = await app.inject(bulk('POST', '/contacts/imports', { fields: badKeys, identifierFieldName: 'k0' }))
  t.equal(many.json().failures.length, 101)
  t.strictSame(many.json().failures.at(-1), { field: 'failures', constraint: 'And 1 more, not listed.' })
})

t.test('MAX_RECORDS bounds what imports create; /__mock/state lists at most maxRecords records per entity', async (t) => {
  const app = await build(t, { config: { MAX_RECORDS: 4 } })
  const uri = (await app.inject(bulk('POST', '/contacts/imports', { name: 'x', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e', isSyncTriggeredOnImport: true }))).json().uri as string
  await app.inject(bulk('POST', `${uri}/data`, [{ e: 'one@example.com' }, { e: 'two@example.com' }, { e: 'ana@example.com' }]))
  app.clock.advance(1000)
  t.match((await app.inject(bulk('GET', '/syncs/1/rejects'))).json().items, [{ statusCode: 'ELQ-00060', message: 'The instance holds MAX_RECORDS records: no more can be created.', recordIndex: 2 }])
  const full = (await app.inject('/__mock/state?maxRecords=2')).json()
  t.equal(full.contacts.length, 2)
  t.equal(full.contactsTruncated, true)
  t.notOk('accountsTruncated' in full)
  t.match(full.usage, { contacts: 4, accounts: 2, customObjectRecords: 4, maxRecords: 4 })
  t.equal((await app.inject('/__mock/state?maxRecords=1')).json().customObjects[0].recordsTruncated, true)
})

t.test('durations are ISO 8601 weeks, days, hours, minutes and seconds', async (t) => {
  const app = await build(t)
  const retention = async (value: unknown): Promise<number> => (await app.inject(bulk('POST', '/contacts/imports', {
    name: 'x', fields: { e: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'e', dataRetentionDuration: value
  }))).statusCode
  for (const good of ['PT1H', 'P1W', 'PT90M', 'PT3600S', 'P14D', 'P1DT2H3M4S']) t.equal(await retention(good), 201, good)
  for (const bad of ['P', 'PT', 'P1', 'PD', 'P1M', 'PT1X', 'P1DT', 'PT59M', 'T1H', 'pt1h', `P${'1'.repeat(40)}D`, 'P1H']) t.equal(await retention(bad), 400, bad)
})

t.test('linkUsers needs a CRM user id field; custom objects link to accounts (Company), case-sensitively when asked', async (t) => {
  const fixtures = defaultFixtures()
  const app = await build(t, { fixtures: { ...fixtures, accountFields: [...fixtures.accountFields, { id: 100200, name: 'CRM User', internalName: 'CRMSfdcUserId' }] } })
  const linked = await app.inject(bulk('POST', '/accounts/imports', { name: 'x', fields: { a: '{{Account.Id}}', u: '{{Account.Field(CRMSfdcUserId)}}' }, identifierFieldName: 'a', linkUsers: true }))
  t.equal(linked.statusCode, 201)
  t.equal(linked.json().linkUsers, true)
  const badField = await app.inject(bulk('POST', '/customObjects/9/imports', { name: 'x', fields: { Id: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'Id', mapDataCardsEntityType: 'Contact', mapDataCardsEntityField: 5 }))
  t.strictSame(badField.json().failures, [{ field: 'mapDataCardsEntityField', value: '5', constraint: 'Must be a field statement of a contact, e.g. {{Contact.Field(C_EmailAddress)}}.' }])

  const uri = (await app.inject(bulk('POST', '/customObjects/9/imports', {
    name: 'by company',
    fields: { Id: '{{CustomObject[9].ExternalId}}', Company: '{{CustomObject[9].Field[103]}}' },
    identifierFieldName: 'Id',
    isSyncTriggeredOnImport: true,
    mapDataCards: true,
    mapDataCardsEntityType: 'Company',
    mapDataCardsEntityField: '{{Account.Field(M_CompanyName)}}',
    mapDataCardsSourceField: 'Company',
    mapDataCardsCaseSensitiveMatch: true
  }))).json().uri as string
  await app.inject(bulk('POST', `${uri}/data`, [{ Id: 'N1', Company: 'Example Org' }, { Id: 'N2', Company: 'example org' }]))
  app.clock.advance(1000)
  const records = (await app.inject('/__mock/state?customObject=9')).json().customObjects[0].records as Array<{ externalId: string, accountId?: number }>
  t.strictSame(records.filter((r) => r.externalId.startsWith('N')).map((r) => [r.externalId, r.accountId]), [['N1', 2], ['N2', undefined]])
})

t.test('an entity without fields still answers with an example statement', async (t) => {
  const app = await build(t, { fixtures: { ...defaultFixtures(), contactFields: [], contacts: [] } })
  const res = await app.inject(bulk('POST', '/contacts/imports', { name: 'x' }))
  t.match(res.json().failures, [{ field: 'fields', constraint: 'Must be an object of 1 to 100 fields, each key mapped to a field statement such as {{Contact.Id}}.' }])
  const created = await app.inject(bulk('POST', '/contacts/imports', { name: 'x', fields: { id: '{{Contact.Id}}' }, identifierFieldName: 'id', isSyncTriggeredOnImport: true }))
  await app.inject(bulk('POST', `${created.json().uri as string}/data`, [{ id: '1' }]))
  app.clock.advance(1000)
  t.match((await app.inject(bulk('GET', '/syncs/1/rejects'))).json().items, [{ statusCode: 'ELQ-00034' }], 'no contact 1 here')
})

t.test('fault rules match the new endpoints by operation id, and a faulted upload stages nothing', async (t) => {
  const app = await build(t)
  const rule = { name: 'imports-down', match: { operation: 'uploadContactImportData' }, response: { status: 503, headers: { 'Retry-After': '2' } } }
  t.equal((await app.inject({ method: 'POST', url: '/__mock/faults', payload: rule })).statusCode, 201)
  const uri = (await app.inject(bulk('POST', '/contacts/imports', recordedRequest))).json().uri as string
  const res = await app.inject(bulk('POST', `${uri}/data`, [{ emailAddress: 'a@b.co' }]))
  t.equal(res.statusCode, 503)
  t.equal(res.headers['x-mock-fault'], 'imports-down')
  t.match((await app.inject('/__mock/state')).json().importDefinitions[0], { staged: { uploads: 0 } })
  t.equal((await app.inject(bulk('POST', '/accounts/imports', { name: 'x', fields: { a: '{{Account.Id}}' }, identifierFieldName: 'a' }))).statusCode, 201, 'other operations are untouched')
})

t.test('unsynced uploads live dataRetentionDuration; a definition lives autoDeleteDuration after its last change', async (t) => {
  const app = await build(t)
  const HOUR = 3_600_000
  const uri = (await app.inject(bulk('POST', '/contacts/imports', { ...recordedRequest, dataRetentionDuration: 'PT2H', autoDeleteDuration: 'PT5H' }))).json().uri as string
  const stage = async (): Promise<number> => (await app.inject(bulk('POST', `${uri}/data`, [{ emailAddress: 'a@b.co' }]))).statusCode
  const staged = async (): Promise<number> => (await app.inject('/__mock/state')).json().importDefinitions[0]?.staged.uploads
  t.equal(await stage(), 204)
  app.clock.advance(HOUR)
  t.equal(await stage(), 204)
  app.clock.advance(HOUR - 1)
  t.equal(await staged(), 2)
  app.clock.advance(1)
  t.equal(await staged(), 1, 'the first upload is 2 h old: gone')
  t.match((await app.inject('/__mock/state')).json().usage, { stagingBytes: 27, stagingQuotaUsedBytes: 1024 })
  app.clock.advance(HOUR)
  t.equal(await staged(), 0)
  t.equal((await app.inject(bulk('PUT', uri, { ...recordedRequest, autoDeleteDuration: 'PT2H' }))).statusCode, 200, 'a change restarts the definition\'s time')
  app.clock.advance(2 * HOUR - 1)
  t.equal((await app.inject(bulk('GET', uri))).statusCode, 200)
  t.equal(await stage(), 204)
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).statusCode, 201)
  app.clock.advance(1)
  t.equal((await app.inject(bulk('GET', uri))).statusCode, 404, 'deleted after autoDeleteDuration')
  t.equal((await app.inject(bulk('GET', '/imports'))).json().totalResults, 0)
  t.match((await app.inject(bulk('GET', '/syncs/1/logs'))).json().items[0], { statusCode: 'ELQ-00143' }, 'its pending sync ended as for a deleted definition')
  const other = (await app.inject(bulk('POST', '/contacts/imports', recordedRequest))).json().uri as string
  await app.inject(bulk('POST', `${other}/data`, [{ emailAddress: 'a@b.co' }]))
  app.clock.advance(7 * 24 * HOUR - 1)
  t.equal(await staged(), 1, 'P7D by default')
  app.clock.advance(1)
  t.equal(await staged(), 0)
  t.equal((await app.inject(bulk('GET', other))).statusCode, 200, 'no autoDeleteDuration: kept')
})

t.test('a wrong upload body is one failure; a field named under two keys is refused; statements are read without case', async (t) => {
  const app = await build(t)
  const uri = (await app.inject(bulk('POST', '/contacts/imports', recordedRequest))).json().uri as string
  for (const [payload, failures] of [
    ['"abc"', [{ field: 'body', value: 'abc', constraint: 'Must be a JSON array of records, or one record.' }]],
    ['[1]', [{ field: '[0]', value: '1', constraint: 'Must be a JSON object.' }]]
  ] as const) {
    const res = await app.inject({ method: 'POST', url: `/api/bulk/2.0${uri}/data`, payload, headers: { authorization: API_USER, 'content-type': 'application/json' } })
    t.equal(res.statusCode, 400)
    t.strictSame(res.json().failures, failures)
  }
  const twice = await app.inject(bulk('POST', '/contacts/imports', { name: 'x', fields: { a: '{{Contact.Field(C_EmailAddress)}}', b: '{{contact.field(c_emailaddress)}}', c: '{{Contact.Id}}', d: '{{Contact.Id}}' }, identifierFieldName: 'a' }))
  t.strictSame(twice.json().failures, [
    { field: 'b', value: '{{contact.field(c_emailaddress)}}', constraint: 'Must not name a field that another key of fields names.' },
    { field: 'd', value: '{{Contact.Id}}', constraint: 'Must not name a field that another key of fields names.' }
  ])
  const lower = await app.inject(bulk('POST', '/contacts/syncActions', { name: 'x', fields: { E: '{{Contact.Field(c_emailaddress)}}' }, identifierFieldName: 'E', isSyncTriggeredOnImport: true, syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }] }))
  t.equal(lower.statusCode, 201)
  await app.inject(bulk('POST', `${lower.json().uri as string}/data`, [{ E: 'bo@example.com' }]))
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', '/syncs/1'))).json().status, 'success', 'the lower-case statement matches contacts')
})

t.test('updateRule decides whether an empty value replaces a stored one; useFieldRule is always for fields without their own rule', async (t) => {
  const app = await build(t)
  const firstNameOfAna = async (): Promise<string> =>
    ((await app.inject('/__mock/state')).json().contacts as Array<{ fieldValues: Record<string, string> }>).find((c) => c.fieldValues.C_EmailAddress === 'ana@example.com')?.fieldValues.C_FirstName ?? 'none'
  const importWith = async (updateRule: string): Promise<void> => {
    const body = { name: updateRule, fields: { email: '{{Contact.Field(C_EmailAddress)}}', first: '{{Contact.Field(C_FirstName)}}' }, identifierFieldName: 'email', isSyncTriggeredOnImport: true, updateRule }
    const definition = (await app.inject(bulk('POST', '/contacts/imports', body))).json()
    t.equal(definition.updateRule, updateRule)
    const upload = await app.inject(bulk('POST', `${definition.uri as string}/data`, [{ email: 'ana@example.com', first: '' }]))
    t.equal(upload.statusCode, 201)
    app.clock.advance(1000)
    t.equal((await app.inject(bulk('GET', upload.json().uri as string))).json().status, 'success')
  }
  await importWith('ifNewIsNotNull')
  t.equal(await firstNameOfAna(), 'Ana', 'ifNewIsNotNull: the empty value is not written')
  await importWith('useFieldRule')
  t.equal(await firstNameOfAna(), '', 'useFieldRule without a field rule: always written')
})
