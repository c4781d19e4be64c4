// Each site is its own Eloqua instance: data, definitions, staging, syncs and ids belong to the
// site of the caller, and one site can be reset alone.
import t from 'tap'
import { API_USER, basic, build, bulk } from '../helper.js'

const SECOND = basic('SecondSite\\API.User', 'secret')
const contactImport = { name: 'Contacts', fields: { email: '{{Contact.Field(C_EmailAddress)}}', first: '{{Contact.Field(C_FirstName)}}' }, identifierFieldName: 'email', isSyncTriggeredOnImport: true }

t.test('two sites used side by side see only their own data', async (t) => {
  const app = await build(t)
  const run = async (authorization: string, email: string): Promise<{ uri: string, sync: string }> => {
    const definition = (await app.inject(bulk('POST', '/contacts/imports', contactImport, authorization))).json()
    const upload = await app.inject({ ...bulk('POST', `${definition.uri as string}/data`, [{ email, first: 'Side' }], authorization) })
    t.equal(upload.statusCode, 201)
    return { uri: definition.uri, sync: upload.json().uri }
  }
  const first = await run(API_USER, 'first@example.com')
  const second = await run(SECOND, 'second@example.com')
  t.strictSame([first, second], [{ uri: '/contacts/imports/17', sync: '/syncs/1' }, { uri: '/contacts/imports/17', sync: '/syncs/1' }], 'each site numbers its own definitions and syncs')
  app.clock.advance(1000)

  const emails = async (site: string): Promise<string[]> =>
    ((await app.inject(`/__mock/state?site=${site}`)).json().contacts as Array<{ fieldValues: { C_EmailAddress: string } }>).map((c) => c.fieldValues.C_EmailAddress)
  t.strictSame(await emails('APITest'), ['ana@example.com', 'bo@example.com', 'cy@example.org', 'first@example.com'])
  t.strictSame(await emails('secondsite'), ['ana@example.com', 'bo@example.com', 'cy@example.org', 'second@example.com'])
  t.equal((await app.inject('/__mock/state')).json().site, 'APITest', 'the first site by default')
  t.strictSame((await app.inject('/__mock/state')).json().sites, ['APITest', 'SecondSite'])

  // The same uri in each site is that site's definition and sync.
  t.equal((await app.inject(bulk('GET', '/syncs/1/logs', undefined, SECOND))).json().items[3].count, 1)
  await app.inject(bulk('PUT', '/contacts/imports/17', { ...contactImport, name: 'renamed' }, SECOND))
  t.equal((await app.inject(bulk('GET', '/contacts/imports/17'))).json().name, 'Contacts')
  t.equal((await app.inject(bulk('GET', '/contacts/imports/17', undefined, SECOND))).json().name, 'renamed')
  t.equal((await app.inject(bulk('DELETE', '/contacts/imports/17', undefined, SECOND))).statusCode, 204)
  t.equal((await app.inject(bulk('GET', '/contacts/imports/17'))).statusCode, 200, 'deleting in one site leaves the other')
  t.equal((await app.inject(bulk('GET', '/imports', undefined, SECOND))).json().totalResults, 0)
  t.equal((await app.inject(bulk('GET', '/syncs'))).json().totalResults, 1)
})

t.test('POST /__mock/reset?site= resets one site; without it, every site', async (t) => {
  const app = await build(t)
  await app.inject(bulk('POST', '/contacts/imports', contactImport))
  await app.inject(bulk('POST', '/contacts/imports', contactImport, SECOND))
  const definitions = async (site: string): Promise<number> => (await app.inject(`/__mock/state?site=${site}`)).json().importDefinitions.length
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?site=SECONDSITE' })).statusCode, 204)
  t.strictSame([await definitions('APITest'), await definitions('SecondSite')], [1, 0])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?site=Nowhere' })).statusCode, 404)
  await app.inject(bulk('POST', '/contacts/imports', contactImport, SECOND))
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.strictSame([await definitions('APITest'), await definitions('SecondSite')], [0, 0])
})

t.test('a reset of one site drops only that site\'s pending callbacks', async (t) => {
  const app = await build(t)
  const definition = { ...contactImport, isSyncTriggeredOnImport: false }
  for (const authorization of [API_USER, SECOND]) {
    await app.inject(bulk('POST', '/contacts/imports', definition, authorization))
    await app.inject(bulk('POST', '/contacts/imports/17/data', [{ email: 'a@b.co' }], authorization))
    t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: '/contacts/imports/17', callbackUrl: 'http://127.0.0.1:9/done' }, authorization))).statusCode, 201)
  }
  await app.inject({ method: 'POST', url: '/__mock/reset?site=SecondSite' })
  app.clock.advance(1000)
  await app.inject('/__mock/state')
  // The callback of the first site goes out (and fails: nothing listens on port 9); the second site's never does.
  for (let i = 0; i < 200 && (await app.inject('/__mock/state')).json().syncs[0].callbacks.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal((await app.inject('/__mock/state')).json().syncs[0].callbacks.length, 1)
  t.strictSame((await app.inject('/__mock/state?site=SecondSite')).json().syncs, [])
})
