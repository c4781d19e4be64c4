// A public Eloqua client (the npm package `eloqua`), unchanged but for its login URL: it discovers
// the base URL through /id, then uploads, syncs and polls with its own code.
import t from 'tap'
import * as eloqua from 'eloqua'
import { startServer } from './process.js'

// The package is CommonJS with an ES default export.
const EloquaClient = eloqua.default.default

t.test('the `eloqua` npm client discovers the mock, syncs staged records and reads the outcome', async (t) => {
  const server = await startServer(t, [], { SYNC_PENDING_MS: '0', SYNC_ACTIVE_MS: '0' })
  const client = new EloquaClient({ siteName: 'APITest', userName: 'API.User', password: 'secret', loginUrl: `${server.url}/id` })
  t.equal(await client.getBaseUrl(), server.url, 'its base URL is the mock')

  const staged: unknown = await client._request({ method: 'POST', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', data: [{ Id: 'DLPSB000000000020' }, { Id: 'DLPSB000000000021' }] })
  t.equal(staged, '', '204, no body')
  const sync = await client.bulk.createSync('/customObjects/9/syncActions/6') as { uri: string }
  t.match(sync, { uri: '/syncs/1', syncedInstanceUri: '/customObjects/9/syncActions/6', createdBy: 'API.User' })
  t.match(await client.bulk.pollSync(sync.uri), { status: 'success', syncEndedAt: String })
  const logs = await client._request({ method: 'GET', url: `/api/bulk/2.0${sync.uri}/logs` }) as { items: Array<{ statusCode: string }> }
  t.strictSame(logs.items.map((l) => l.statusCode), ['ELQ-00140', 'ELQ-00001', 'ELQ-00128', 'ELQ-00101'])
})

t.test('the `eloqua` npm client refuses wrong credentials, as against Eloqua', async (t) => {
  const server = await startServer(t)
  const client = new EloquaClient({ siteName: 'APITest', userName: 'API.User', password: 'wrong', loginUrl: `${server.url}/id` })
  await t.rejects(client.getBaseUrl(), /Error obtaining baseUrl/, '/id answered "Not authenticated."')
})
