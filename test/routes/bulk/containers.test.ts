// Lists, segments and filters: read from the fixtures, with statements EXISTS filters use.
import t from 'tap'
import { build, bulk } from '../../helper.js'

t.test('lists, segments and filters answer in Eloqua\'s shape, with counts of their members now', async (t) => {
  const app = await build(t)
  const lists = await app.inject(bulk('GET', '/contacts/lists?orderBy=name DESC'))
  t.equal(lists.statusCode, 200)
  t.match(lists.json(), { totalResults: 2, items: [{ name: 'Webinar Attendees', count: 1, statement: '{{ContactList[2]}}', uri: '/contacts/lists/2' }, { name: 'Newsletter', count: 2 }] })
  t.strictSame(Object.keys((await app.inject(bulk('GET', '/contacts/segments/1'))).json()), ['name', 'count', 'statement', 'uri', 'createdBy', 'createdAt', 'updatedBy', 'updatedAt', 'executedAt'])
  t.match((await app.inject(bulk('GET', '/contacts/filters/1'))).json(), { name: 'In Brazil', count: 1, statement: '{{ContactFilter[1]}}', executedAt: '2024-04-30T00:00:00.0000000Z' })
  t.match((await app.inject(bulk('GET', '/accounts/lists/1'))).json(), { name: 'Key Accounts', count: 1, statement: '{{AccountList[1]}}', uri: '/accounts/lists/1' })
  t.notOk('executedAt' in (await app.inject(bulk('GET', '/accounts/lists/1'))).json())
  t.equal((await app.inject(bulk('GET', '/accounts/lists/2'))).statusCode, 404)
  t.equal((await app.inject(bulk('GET', '/contacts/lists/x'))).statusCode, 404)
  t.equal((await app.inject(bulk('GET', '/contacts/lists?q=name=News*'))).json().totalResults, 1)

  // A sync action that adds contact 3 to list 1 changes the count and what EXISTS finds.
  const uri = (await app.inject(bulk('POST', '/contacts/syncActions', { name: 'add', fields: { E: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'E', isSyncTriggeredOnImport: true, syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }, { action: 'remove', destination: '{{ContactList[2]}}' }] }))).json().uri as string
  await app.inject(bulk('POST', `${uri}/data`, [{ E: 'cy@example.org' }]))
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', '/contacts/lists/1'))).json().count, 3)
  t.equal((await app.inject(bulk('GET', '/contacts/lists/2'))).json().count, 0)
})

t.test('EXISTS in an export filter reads membership of a container of the export\'s own entity', async (t) => {
  const app = await build(t)
  const exported = async (path: string, fields: object, filter: string): Promise<unknown> => {
    const created = await app.inject(bulk('POST', path, { name: 'e', fields, filter }))
    if (created.statusCode !== 201) return created.json().failures
    const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: created.json().uri }))).json().uri as string
    app.clock.advance(1000)
    return ((await app.inject(bulk('GET', `${sync}/data`))).json().items ?? []).map((row: { Id: string }) => row.Id)
  }
  t.strictSame(await exported('/contacts/exports', { Id: '{{Contact.Id}}' }, "EXISTS('{{ContactList[1]}}')"), ['1', '2'])
  t.strictSame(await exported('/contacts/exports', { Id: '{{Contact.Id}}' }, "NOT EXISTS({{contactsegment[1]}}) OR '{{Contact.Id}}' = 1"), ['1', '3'])
  t.strictSame(await exported('/accounts/exports', { Id: '{{Account.Id}}' }, "EXISTS('{{AccountList[1]}}')"), ['1'])
  t.match(await exported('/accounts/exports', { Id: '{{Account.Id}}' }, "EXISTS('{{ContactList[1]}}')"), [{ field: 'filter', constraint: '{{ContactList[1]}} is not a list, segment or filter of this entity that exists.' }], 'contact containers only on contact exports')
  t.match(await exported('/customObjects/9/exports', { Id: '{{CustomObject[9].Id}}' }, "EXISTS('{{ContactList[1]}}')"), [{ field: 'filter' }])
  t.match(await exported('/contacts/exports', { Id: '{{Contact.Id}}' }, "EXISTS('{{ContactList[99]}}')"), [{ field: 'filter' }])
  t.match(await exported('/contacts/exports', { Id: '{{Contact.Id}}' }, "EXISTS('{{Nope[1]}}')"), [{ field: 'filter' }])
})

t.test('audit fields come from the fixtures, else from when they were loaded', async (t) => {
  const { defaultFixtures } = await import('../../helper.js')
  const app = await build(t, {
    fixtures: {
      ...defaultFixtures(),
      contactSegments: [{ id: 7, name: 'Dated', createdAt: '2024-01-01T00:00:00Z', createdBy: 'Some.One', updatedAt: '2024-02-01T00:00:00Z', updatedBy: 'Other.One', executedAt: '2024-03-01T00:00:00Z' }],
      contactFilters: [{ id: 5, name: 'Empty', createdAt: '2024-01-01T00:00:00Z', createdBy: 'Some.One' }]
    }
  })
  t.match((await app.inject(bulk('GET', '/contacts/segments/7'))).json(), { createdBy: 'Some.One', createdAt: '2024-01-01T00:00:00.0000000Z', updatedBy: 'Other.One', updatedAt: '2024-02-01T00:00:00.0000000Z', executedAt: '2024-03-01T00:00:00.0000000Z' })
  t.match((await app.inject(bulk('GET', '/contacts/filters/5'))).json(), { count: 0, createdBy: 'Some.One', updatedBy: 'Some.One', updatedAt: '2024-01-01T00:00:00.0000000Z', executedAt: '2024-01-01T00:00:00.0000000Z' })
})
