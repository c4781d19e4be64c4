// The whole walk a client library makes, over real sockets against the built command: discover
// the base URL, create a definition, upload (JSON or CSV), sync (or let the upload sync), poll or
// wait for the callback, then read logs and rejects.
import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
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
