// The whole walk a client library makes, over real sockets against the built command: discover
// the base URL, create a definition, upload (JSON or CSV), sync (or let the upload sync), poll or
// wait for the callback, then read logs and rejects.
import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from './process.js'

const AUTH = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`

interface Client { bulk: string, call: (method: string, path: string, body?: unknown, contentType?: string) => Promise<{ status: number, body: unknown }> }

async function discover (origin: string): Promise<Client> {
  const id = await (await fetch(`${origin}/id`, { headers: { authorization: AUTH } })).json() as { urls: { apis: { rest: { bulk: string } } } }
  const bulk = id.urls.apis.rest.bulk.replace('{version}', '2.0')
  return {
    bulk,
    call: async (method, path, body, contentType = 'application/json') => {
      const res = await fetch(`${bulk}${path.replace(/^\//, '')}`, {
        method,
        headers: { authorization: AUTH, ...(body === undefined ? {} : { 'content-type': contentType }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) })
      })
      const text = await res.text()
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) as unknown }
    }
  }
}

async function poll (client: Client, uri: string): Promise<{ status: string }> {
  for (let i = 0; i < 100; i++) {
    const { body } = await client.call('GET', uri) as { body: { status: string } }
    if (['success', 'warning', 'error'].includes(body.status)) return body
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${uri} did not finish`)
}

const definition = (isSyncTriggeredOnImport: boolean): object => ({
  name: `Workflow ${String(isSyncTriggeredOnImport)}`,
  fields: { RegistrationId: '{{CustomObject[9].ExternalId}}' },
  identifierFieldName: 'RegistrationId',
  isSyncTriggeredOnImport,
  syncActions: [{ action: 'setStatus', destination: '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}', status: 'complete' }]
})

for (const format of ['json', 'csv'] as const) {
  t.test(`discovery, definition, ${format} upload, POST /syncs with a callback, polling, logs and rejects`, async (t) => {
    const server = await startServer(t, [], { SYNC_PENDING_MS: '50', SYNC_ACTIVE_MS: '50' })
    const client = await discover(server.url)
    t.equal(client.bulk, `${server.url}/API/Bulk/2.0/`)

    const callbacks: unknown[] = []
    const receiver = createServer((req, res) => {
      let text = ''
      req.on('data', (c: Buffer) => { text += c.toString() })
      req.on('end', () => { callbacks.push(JSON.parse(text)); res.writeHead(204).end() })
    })
    receiver.listen(0, '127.0.0.1')
    await once(receiver, 'listening')
    t.teardown(() => receiver.close())
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`

    const created = await client.call('POST', '/customObjects/9/syncActions', definition(false)) as { status: number, body: { uri: string } }
    t.equal(created.status, 201)
    const uploaded = format === 'json'
      ? await client.call('POST', `${created.body.uri}/data`, [{ RegistrationId: 'DLPSB000000000020' }, { RegistrationId: 'DLPSB000000000099' }])
      : await client.call('POST', `${created.body.uri}/data`, 'RegistrationId\r\nDLPSB000000000020\r\nDLPSB000000000099\r\n', 'text/csv')
    t.equal(uploaded.status, 204)

    const sync = await client.call('POST', '/syncs', { syncedInstanceUri: created.body.uri, callbackUrl }) as { status: number, body: { uri: string, status: string } }
    t.equal(sync.status, 201)
    t.equal(sync.body.status, 'pending')
    const final = await poll(client, sync.body.uri)
    t.match(final, { status: 'warning', syncStartedAt: String, syncEndedAt: String, callbackUrl })

    const logs = await client.call('GET', `${sync.body.uri}/logs`) as { body: { items: Array<{ statusCode: string }> } }
    t.strictSame(logs.body.items.map((l) => l.statusCode), ['ELQ-00140', 'ELQ-00001', 'ELQ-00034', 'ELQ-00128', 'ELQ-00101'])
    const rejects = await client.call('GET', `${sync.body.uri}/rejects`) as { body: unknown }
    t.match(rejects.body, { items: [{ fieldValues: { RegistrationId: 'DLPSB000000000099' }, statusCode: 'ELQ-00034', recordIndex: 2, invalidFields: ['RegistrationId'] }], totalResults: 1 })

    for (let i = 0; i < 100 && callbacks.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    t.strictSame(callbacks, [final], 'the callback carried the final sync')
    const state = await (await fetch(`${server.url}/__mock/state?records=false`)).json() as { customObjects: Array<{ records: Array<{ destinations: object }> }> }
    t.match(state.customObjects[0]?.records[0]?.destinations, { '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}': { status: 'complete' } })
  })
}

t.test('a definition that syncs on import: the upload answers 201 with the sync, polled to success, no callback', async (t) => {
  const server = await startServer(t, [], { SYNC_PENDING_MS: '50', SYNC_ACTIVE_MS: '50' })
  const client = await discover(server.url)
  const created = await client.call('POST', '/customObjects/9/syncActions', definition(true)) as { body: { uri: string } }
  const uploaded = await client.call('POST', `${created.body.uri}/data`, [{ RegistrationId: 'DLPSB000000000021' }]) as { status: number, body: { uri: string, syncedInstanceUri: string } }
  t.equal(uploaded.status, 201)
  t.equal(uploaded.body.syncedInstanceUri, created.body.uri)
  t.match(await poll(client, uploaded.body.uri), { status: 'success' })
  const logs = await client.call('GET', `${uploaded.body.uri}/logs`) as { body: { items: Array<{ statusCode: string, message: string }> } }
  t.match(logs.body.items.at(-1), { statusCode: 'ELQ-00101', message: `Sync processed for sync ${uploaded.body.uri.split('/')[2] ?? ''}, resulting in Success status.` })
  t.match(await client.call('GET', `${uploaded.body.uri}/rejects`), { status: 200, body: { items: [], totalResults: 0 } })
  const deleted = await client.call('DELETE', created.body.uri)
  t.equal(deleted.status, 204)
})

t.test('imports over a socket: contacts (JSON and CSV), accounts and a custom object with mapDataCards, exported back with a filter and paged, each site apart', async (t) => {
  const server = await startServer(t, [], { SYNC_PENDING_MS: '20', SYNC_ACTIVE_MS: '20' })
  const client = await discover(server.url)
  type Answer = { status: number, body: { uri: string } }
  const importAndSync = async (path: string, body: object, data: unknown, contentType?: string): Promise<{ status: string, logs: Array<{ statusCode: string, count: number }>, rejects: unknown[] }> => {
    const created = await client.call('POST', path, body) as Answer
    t.equal(created.status, 201, path)
    t.equal((await client.call('POST', `${created.body.uri}/data`, data, contentType)).status, 204)
    const sync = await client.call('POST', '/syncs', { syncedInstanceUri: created.body.uri }) as Answer
    t.equal(sync.status, 201)
    const { status } = await poll(client, sync.body.uri)
    const logs = (await client.call('GET', `${sync.body.uri}/logs`) as { body: { items: Array<{ statusCode: string, count: number }> } }).body.items
    const rejects = (await client.call('GET', `${sync.body.uri}/rejects`) as { body: { items: unknown[] } }).body.items
    return { status, logs, rejects }
  }
  const contactImport = {
    name: 'Contacts',
    fields: { emailAddress: '{{Contact.Field(C_EmailAddress)}}', firstName: '{{Contact.Field(C_FirstName)}}', lastName: '{{Contact.Field(C_LastName)}}' },
    identifierFieldName: 'emailAddress'
  }
  const json = await importAndSync('/contacts/imports', contactImport, [{ emailAddress: 'new@example.com', firstName: 'New', id: '7' }, { emailAddress: 'bademail', firstName: 'William' }])
  t.equal(json.status, 'warning')
  t.strictSame(json.logs.map((l) => [l.statusCode, l.count]), [['ELQ-00130', 2], ['ELQ-00137', 0], ['ELQ-00111', 1], ['ELQ-00001', 2], ['ELQ-00002', 1], ['ELQ-00004', 1], ['ELQ-00022', 0], ['ELQ-00101', 0]])
  t.strictSame(json.rejects, [{ fieldValues: { emailAddress: 'bademail', firstName: 'William', lastName: '' }, message: 'Invalid email address.', statusCode: 'ELQ-00002', recordIndex: 2, invalidFields: ['emailAddress'] }])
  const csv = await importAndSync('/contacts/imports', contactImport, 'emailAddress,firstName,lastName\r\nBO@example.com,Bo,Chen-Li\r\n', 'text/csv')
  t.equal(csv.status, 'success')

  const account = await importAndSync('/accounts/imports', { name: 'Accounts', fields: { name: '{{Account.Field(M_CompanyName)}}', country: '{{Account.Field(M_Country)}}' }, identifierFieldName: 'name' }, [{ name: 'Example Corp', country: 'Mexico' }, { name: 'Newco', country: 'Chile' }])
  t.strictSame(account.logs.filter((l) => ['ELQ-00005', 'ELQ-00023'].includes(l.statusCode)).map((l) => l.count), [1, 1])

  const registrations = await importAndSync('/customObjects/9/imports', {
    name: 'Webinar regs',
    fields: { RegId: '{{CustomObject[9].Field[102]}}', Email: '{{CustomObject[9].Field[101]}}' },
    identifierFieldName: 'RegId',
    mapDataCards: true,
    mapDataCardsEntityType: 'Contact',
    mapDataCardsEntityField: '{{Contact.Field(C_EmailAddress)}}',
    mapDataCardsSourceField: 'Email'
  }, [{ RegId: 'REG-9', Email: 'new@example.com' }])
  t.equal(registrations.status, 'success')

  // Contact sync actions walk the same way.
  const action = await client.call('POST', '/contacts/syncActions', { name: 'Add to list', fields: { Email: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'Email', isSyncTriggeredOnImport: true, syncActions: [{ action: 'add', destination: '{{ContactList[12]}}' }] }) as Answer
  t.equal(action.status, 201)
  const actionSync = await client.call('POST', `${action.body.uri}/data`, [{ Email: 'NEW@example.com' }]) as Answer
  t.equal(actionSync.status, 201)
  t.match(await poll(client, actionSync.body.uri), { status: 'success' })
  const state = await (await fetch(`${server.url}/__mock/state`)).json() as { contacts: Array<{ id: number, fieldValues: Record<string, string>, destinations: object }>, accounts: Array<{ fieldValues: Record<string, string> }>, customObjects: Array<{ records: Array<{ fieldValues: Record<string, string>, contactId?: number }> }> }
  const created = state.contacts.find((c) => c.fieldValues.C_EmailAddress === 'new@example.com')
  t.match(created, { id: 4, fieldValues: { C_FirstName: 'New', ContactIDExt: 'CAPIT000000000004' }, destinations: { '{{ContactList[12]}}': { member: true } } })
  t.match(state.contacts[1], { fieldValues: { C_EmailAddress: 'bo@example.com', C_LastName: 'Chen-Li' } })
  t.strictSame(state.accounts.map((a) => a.fieldValues.M_Country), ['Mexico', 'Canada', 'Chile'])
  t.match(state.customObjects[0]?.records.at(-1), { fieldValues: { Registration_Id1: 'REG-9' }, contactId: 4 })
  // Export the contacts back with a filter, and page through them two at a time.
  const exported = await client.call('POST', '/contacts/exports', {
    name: 'Example contacts',
    fields: { Id: '{{Contact.Id}}', Email: '{{Contact.Field(C_EmailAddress)}}', First: '{{Contact.Field(C_FirstName)}}' },
    filter: "'{{Contact.Field(C_EmailAddress)}}' ~ '%@example.com' AND NOT '{{Contact.Id}}' = '1'"
  }) as Answer
  t.equal(exported.status, 201)
  const exportSync = await client.call('POST', '/syncs', { syncedInstanceUri: exported.body.uri }) as Answer
  t.match(await poll(client, exportSync.body.uri), { status: 'success' })
  const rows: unknown[] = []
  for (let offset = 0; ; offset += 2) {
    const page = (await client.call('GET', `${exportSync.body.uri}/data?limit=2&offset=${offset}`) as { body: { items?: unknown[], hasMore: boolean } }).body
    rows.push(...(page.items ?? []))
    if (!page.hasMore) break
  }
  t.strictSame(rows, [{ Id: '2', Email: 'bo@example.com', First: 'Bo' }, { Id: '4', Email: 'new@example.com', First: 'New' }])
  // The second bundled site is another instance: none of it is there.
  const other = await (await fetch(`${server.url}/__mock/state?site=SecondSite`)).json() as { contacts: unknown[], importDefinitions: unknown[], syncs: unknown[] }
  t.strictSame([other.contacts.length, other.importDefinitions.length, other.syncs.length], [3, 0, 0])
})

t.test('activities over a socket: a generated fixture, exported by date window and paged, as the Singer taps do', async (t) => {
  const fixtures = mkdtempSync(join(tmpdir(), 'activity-fixtures-'))
  t.teardown(() => rmSync(fixtures, { recursive: true, force: true }))
  cpSync(fileURLToPath(new URL('../../fixtures', import.meta.url)), fixtures, { recursive: true })
  writeFileSync(join(fixtures, 'generated.json'), JSON.stringify({ activities: [{ generate: { type: 'EmailOpen', count: 200_000, seed: 7, from: '2024-01-01T00:00:00Z', to: '2024-04-10T00:00:00Z' } }] }))
  const server = await startServer(t, [], { FIXTURES: fixtures, SYNC_PENDING_MS: '20', SYNC_ACTIVE_MS: '20' })
  const client = await discover(server.url)
  const fields = (await client.call('GET', '/activities/fields?activityType=EmailOpen') as { body: { items: Array<{ internalName: string, statement: string }> } }).body.items
  t.ok(fields.length > 10, 'the fields of the type, as the second Singer tap selects them')
  const created = await client.call('POST', '/activities/exports', {
    name: 'Opens, ten days',
    fields: Object.fromEntries(fields.map((f) => [f.internalName, f.statement])),
    filter: "'{{Activity.Type}}'='EmailOpen' AND '{{Activity.CreatedAt}}'>='2024-01-01 00:00:00' AND '{{Activity.CreatedAt}}'<'2024-01-11 00:00:00'",
    areSystemTimestampsInUTC: true,
    dataRetentionDuration: 'P3D'
  }) as { status: number, body: { uri: string } }
  t.equal(created.status, 201)
  const sync = await client.call('POST', '/syncs', { syncedInstanceUri: created.body.uri }) as { status: number, body: { uri: string } }
  t.match(await poll(client, sync.body.uri), { status: 'success' })
  const logs = (await client.call('GET', `${sync.body.uri}/logs`) as { body: { items: Array<{ statusCode: string, count: number }> } }).body.items
  t.equal(logs[0]?.count, 20_000, 'ELQ-00102 gives the count: ten days of two thousand')
  let rows = 0
  let lastId = 0
  for (let offset = 0; ; offset += 5000) {
    const response = await fetch(`${client.bulk}${sync.body.uri.slice(1)}/data?limit=5000&offset=${offset}`, { headers: { authorization: AUTH } })
    t.equal(response.status, 200)
    const page = await response.json() as { items?: Array<Record<string, string>>, count: number, hasMore: boolean, totalResults: number }
    t.equal(page.totalResults, 20_000)
    // One assertion per page, not per row: ids follow each other from the first generated one.
    const ids = (page.items ?? []).map((row) => Number(row.ActivityId))
    t.ok(ids.every((id, i) => id === (i === 0 ? (lastId === 0 ? 8 : lastId + 1) : (ids[i - 1] as number) + 1)), `ids in order at ${offset}`)
    lastId = ids.at(-1) ?? lastId
    rows += page.count
    if (!page.hasMore) break
  }
  t.equal(rows, 20_000)
  const models = await client.call('GET', '/contacts/scoring/models') as { status: number, body: { items: Array<{ fields: Array<{ statement: string }> }> } }
  t.equal(models.status, 200)
  t.equal(models.body.items[0]?.fields[0]?.statement, '{{Contact.LeadScore.Model[1].Rating}}')
})

t.test('OAuth over a socket: a refresh token for an access token (form body, client by Basic), then discovery and a Bulk call with it', async (t) => {
  const server = await startServer(t, [], {})
  const client = `Basic ${Buffer.from('mock-client-id:mock-client-secret').toString('base64')}`
  const res = await fetch(`${server.url}/auth/oauth2/token`, { method: 'POST', headers: { authorization: client, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=mock-refresh-token&scope=full' })
  t.equal(res.status, 200)
  const token = await res.json() as { access_token: string, token_type: string, expires_in: number }
  t.match(token, { token_type: 'bearer', expires_in: 28800 })
  const id = await (await fetch(`${server.url}/id`, { headers: { authorization: `Bearer ${token.access_token}` } })).json() as { urls: { apis: { rest: { bulk: string } } } }
  const bulk = id.urls.apis.rest.bulk.replace('{version}', '2.0')
  const syncs = await fetch(`${bulk}syncs`, { headers: { authorization: `Bearer ${token.access_token}` } })
  t.equal(syncs.status, 200)
  t.match(await syncs.json(), { items: [], totalResults: 0 })
})
