// Sync actions on contacts and accounts: the custom object rules and outcomes, identified by
// {{Contact.Field(C_EmailAddress)}}, {{Contact.Id}}, {{Contact.Field(ContactIDExt)}}, {{Account.Id}}.
import t from 'tap'
import { build, bulk } from '../../helper.js'

const TIME = '2024-05-01T10:00:00.0000000Z'

t.test('a contact sync action definition is created, staged, synced and applied to the matched contacts', async (t) => {
  const app = await build(t)
  const created = await app.inject(bulk('POST', '/contacts/syncActions', {
    name: 'Add to list',
    fields: { Email: '{{Contact.Field(C_EmailAddress)}}' },
    identifierFieldName: 'Email',
    syncActions: [{ action: 'add', destination: '{{ContactList[12]}}' }]
  }))
  t.equal(created.statusCode, 201)
  t.equal(created.body, JSON.stringify({
    name: 'Add to list',
    fields: { Email: '{{Contact.Field(C_EmailAddress)}}' },
    identifierFieldName: 'Email',
    isSyncTriggeredOnImport: false,
    syncActions: [{ action: 'add', destination: '{{ContactList[12]}}' }],
    kbUsed: 0,
    uri: '/contacts/syncActions/17',
    createdBy: 'API.User',
    createdAt: TIME,
    updatedBy: 'API.User',
    updatedAt: TIME
  }))
  t.equal((await app.inject(bulk('POST', '/contacts/syncActions/17/data', [{ Email: 'BO@example.com' }, { Email: 'nobody@example.com' }]))).statusCode, 204)
  t.equal((await app.inject(bulk('GET', '/contacts/syncActions/17'))).json().kbUsed, 1)
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: '/contacts/syncActions/17' }))).statusCode, 201)
  app.clock.advance(1000)
  const logs = (await app.inject(bulk('GET', '/syncs/1/logs'))).json().items.map((l: { statusCode: string, count: number }) => [l.statusCode, l.count])
  t.strictSame(logs, [['ELQ-00140', 2], ['ELQ-00001', 2], ['ELQ-00034', 1], ['ELQ-00119', 1], ['ELQ-00101', 0]])
  t.match((await app.inject(bulk('GET', '/syncs/1/rejects'))).json().items, [{ fieldValues: { Email: 'nobody@example.com' }, statusCode: 'ELQ-00034', recordIndex: 2 }])
  const contacts = (await app.inject('/__mock/state')).json().contacts
  t.match(contacts[1], { id: 2, destinations: { '{{ContactList[12]}}': { member: true, syncUri: '/syncs/1' } } }, 'email addresses match whatever their case')
  t.strictSame(contacts[0].destinations, {})
  t.strictSame((await app.inject(bulk('GET', '/contacts/syncActions'))).json().items.map((d: { uri: string }) => d.uri), ['/contacts/syncActions/17'])
  t.equal((await app.inject(bulk('GET', '/syncActions'))).json().totalResults, 9, 'the global list holds it with the custom object ones')
})

t.test('contacts by id and by ContactIDExt; accounts by id', async (t) => {
  const app = await build(t)
  const define = async (path: string, statement: string): Promise<string> => (await app.inject(bulk('POST', path, {
    name: statement, fields: { Key: statement }, identifierFieldName: 'Key', isSyncTriggeredOnImport: true, syncActions: [{ action: 'setStatus', destination: '{{GlobalSubscribe}}', status: 'unsubscribed' }]
  }))).json().uri
  const byId = await define('/contacts/syncActions', '{{Contact.Id}}')
  const byExt = await define('/contacts/syncActions', '{{Contact.Field(ContactIDExt)}}')
  const account = await define('/accounts/syncActions', '{{Account.Id}}')
  t.equal((await app.inject(bulk('POST', `${byId}/data`, [{ Key: 3 }]))).statusCode, 201)
  t.equal((await app.inject(bulk('POST', `${byExt}/data`, [{ Key: 'CAPIT000000000001' }]))).statusCode, 201)
  t.equal((await app.inject(bulk('POST', `${account}/data`, [{ Key: '2' }]))).statusCode, 201)
  app.clock.advance(1000)
  const state = (await app.inject('/__mock/state')).json()
  t.strictSame(state.contacts.map((c: { destinations: object }) => Object.keys(c.destinations).length), [1, 0, 1])
  t.match(state.accounts[1], { id: 2, destinations: { '{{GlobalSubscribe}}': { status: 'unsubscribed', syncUri: '/syncs/3' } } })
  t.match((await app.inject(bulk('GET', '/syncs/1/logs'))).json().items.at(-2), { statusCode: 'ELQ-00017', message: 'Contacts email marked as unsubscribed.' })
})

t.test('a contact or account sync action definition refuses other identifiers', async (t) => {
  const app = await build(t)
  const res = await app.inject(bulk('POST', '/accounts/syncActions', {
    name: 'x', fields: { Key: '{{Account.Field(M_CompanyName)}}' }, identifierFieldName: 'Key', syncActions: [{ action: 'add', destination: '{{AccountList[1]}}' }]
  }))
  t.equal(res.statusCode, 400)
  t.strictSame(res.json().failures, [{ field: 'fields.Key', value: '{{Account.Field(M_CompanyName)}}', constraint: 'Must be {{Account.Id}} or {{Account.Field(CompanyIDExt)}}.' }])
  const missing = await app.inject(bulk('POST', '/contacts/syncActions', { name: 'x', fields: {}, identifierFieldName: 'Key', syncActions: [] }))
  t.match(missing.json().failures, [{ field: 'fields', constraint: 'Must contain only one field, e.g. {"EmailAddress": "{{Contact.Field(C_EmailAddress)}}"}.' }])
})

t.test('a catalogue without the identifier field matches nothing', async (t) => {
  const { defaultFixtures } = await import('../../helper.js')
  const fixtures = defaultFixtures()
  const app = await build(t, { fixtures: { ...fixtures, contactFields: [], contacts: [] } })
  const uri = (await app.inject(bulk('POST', '/contacts/syncActions', {
    name: 'x', fields: { E: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'E', isSyncTriggeredOnImport: true, syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }]
  }))).json().uri
  await app.inject(bulk('POST', `${uri as string}/data`, [{ E: 'ana@example.com' }]))
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', '/syncs/1'))).json().status, 'warning')
})
