// The README is the user's manual: its examples must work and its tables must match the code.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { configSchema, flagName, type ConfigKey } from '../src/config.js'
import { joinFixtures } from '../src/fixtures.js'
import { build, defaultFixtures } from './helper.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const jsonBlocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as Record<string, unknown>)

t.test('the complete fixtures example in the README loads', async (t) => {
  const example = jsonBlocks.find((b) => 'sites' in b)
  t.ok(example)
  const fixtures = joinFixtures([{ file: 'README.md', content: example }])
  t.equal(fixtures.syncActionDefinitions[0]?.identifierFieldName, 'OrderId')
  const app = await build(t, { fixtures })
  const auth = `Basic ${Buffer.from('MyCompany\\Integration.User:pa55').toString('base64')}`
  const send = async (): Promise<number> => (await app.inject({ method: 'POST', url: '/api/bulk/2.0/customObjects/172/syncActions/30/data', payload: [{ OrderId: 'ORD-1' }], headers: { authorization: auth } })).statusCode
  t.equal(await send(), 503, 'its fault rule fires first')
  t.equal(await send(), 204)
  const readonly = `Basic ${Buffer.from('MyCompany\\Readonly.User:pa55').toString('base64')}`
  t.equal((await app.inject({ method: 'POST', url: '/api/bulk/2.0/customObjects/172/syncActions/30/data', payload: [], headers: { authorization: readonly } })).statusCode, 403)
})

t.test('the fault rule example in the README is a valid rule', async (t) => {
  const rule = jsonBlocks.find((b) => b.name === 'flaky-uploads')
  t.ok(rule)
  t.doesNotThrow(() => joinFixtures([{ file: 'README.md', content: { ...defaultFixtures(), faults: [rule] } }]))
})

t.test('the configuration table lists every setting with its flag and default', async (t) => {
  for (const key of Object.keys(configSchema.properties) as ConfigKey[]) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`))
    t.ok(row, `${key} has a row`)
    t.match(row, `| \`--${flagName(key)}\` |`)
    if (key !== 'FIXTURES') t.match(row, `| \`${String(configSchema.properties[key].default)}\``)
  }
})

t.test('the README shows how to start, test and benchmark', async (t) => {
  t.match(readme, 'npm ci && npm start')
  t.match(readme, 'npm cit')
  t.match(readme, 'npm test')
  t.match(readme, 'npm run bench')
})

t.test('the sync rule example in the README is a valid rule', async (t) => {
  const rule = jsonBlocks.find((b) => b.name === 'nightly-sync-fails')
  t.ok(rule)
  t.doesNotThrow(() => joinFixtures([{ file: 'README.md', content: { ...defaultFixtures(), faults: [rule] } }]))
})

t.test('the walkthrough answers what the README says it answers', async (t) => {
  const app = await build(t)
  const auth = { authorization: `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}` }
  const created = await app.inject({
    method: 'POST',
    url: '/API/Bulk/2.0/customObjects/9/syncActions',
    headers: auth,
    payload: {
      name: 'Mark registrations complete',
      fields: { RegistrationId: '{{CustomObject[9].ExternalId}}' },
      identifierFieldName: 'RegistrationId',
      syncActions: [{ action: 'setStatus', destination: '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}', status: 'complete' }]
    }
  })
  t.match(created.json(), { uri: '/customObjects/9/syncActions/17' })
  t.equal((await app.inject({ method: 'POST', url: '/API/Bulk/2.0/customObjects/9/syncActions/17/data', headers: auth, payload: [{ RegistrationId: 'DLPSB000000000020' }, { RegistrationId: 'DLPSB000000000099' }] })).statusCode, 204)
  t.match((await app.inject({ method: 'POST', url: '/API/Bulk/2.0/syncs', headers: auth, payload: { syncedInstanceUri: '/customObjects/9/syncActions/17', callbackUrl: 'http://localhost:9000/done' } })).json(), { status: 'pending', uri: '/syncs/1' })
  app.clock.advance(1000)
  t.match((await app.inject({ url: '/API/Bulk/2.0/syncs/1', headers: auth })).json(), { status: 'warning' })
  const logs = (await app.inject({ url: '/API/Bulk/2.0/syncs/1/logs', headers: auth })).json().items
  t.strictSame(logs.map((l: { statusCode: string, count: number }) => [l.statusCode, l.count]), [['ELQ-00140', 2], ['ELQ-00001', 2], ['ELQ-00034', 1], ['ELQ-00128', 1], ['ELQ-00101', 0]])
  t.match((await app.inject({ url: '/API/Bulk/2.0/syncs/1/rejects', headers: auth })).json(), { items: [{ fieldValues: { RegistrationId: 'DLPSB000000000099' }, message: 'Total unmatched records.', statusCode: 'ELQ-00034', recordIndex: 2, invalidFields: ['RegistrationId'] }], totalResults: 1 })
})
