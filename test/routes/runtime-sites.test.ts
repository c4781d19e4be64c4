// Sites added and removed at run time: one running mock, an Eloqua instance per test file.
import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { API_USER, basic, build, bulk, upload } from '../helper.js'

interface AddedSite { id: number, name: string, added: boolean, users: Array<{ id: number, username: string, password?: string, tokens?: string[] }> }

t.test('POST /__mock/sites makes a fresh site from the first fixture site: new name, same users and passwords, new tokens', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/__mock/sites' })
  t.equal(res.statusCode, 201)
  const site = res.json<AddedSite>()
  t.match(site, { id: 44, name: /^Site[0-9a-f]{8}$/, added: true })
  t.strictSame(site.users.map((u) => [u.id, u.username, u.password]), [[314, 'API.User', 'secret'], [315, 'Events.User', 'secret'], [316, 'Marketing.User', 'secret'], [317, 'Disabled.User', 'secret']])
  const token = site.users[0]?.tokens?.[0] as string
  t.match(token, /^mock-token-[0-9a-f]{32}$/)
  t.not(token, 'mock-access-token')

  // Its own instance: its data and ids are its own, and the first site's are untouched.
  const login = basic(`${site.name}\\API.User`, 'secret')
  t.equal((await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }], { authorization: login })).json().uri, '/syncs/1')
  t.equal((await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])).json().uri, '/syncs/1', 'the fixture site numbers its syncs itself')
  const id = (await app.inject({ url: '/id', headers: { authorization: `Bearer ${token}` } })).json()
  t.match(id, { site: { id: 44, name: site.name }, user: { username: 'API.User' } })
  t.match((await app.inject(`/__mock/state?site=${site.name}`)).json(), { site: site.name, syncs: [{ uri: '/syncs/1' }] })
  const listing = (await app.inject('/__mock/sites')).json<{ items: AddedSite[] }>().items
  t.strictSame(listing.map((s) => [s.name, s.added]), [['APITest', false], ['SecondSite', false], [site.name, true]])
  t.notOk(JSON.stringify(listing).includes('secret') || JSON.stringify(listing).includes('mock-token'), 'the listing shows no password or token')

  // A full reset keeps the site, back at its start.
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.match((await app.inject(`/__mock/state?site=${site.name}`)).json(), { syncs: [] })
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, login))).statusCode, 200)
})

t.test('a site given in the body, as in fixtures; names are unique, tokens too, and sites are bounded', async (t) => {
  const app = await build(t, { config: { MAX_SITES: 4 } })
  const given = { name: 'TeamA', id: 900, podHost: 'secure.p02.eloqua.com', users: [{ id: 1, username: 'Bot', password: 'pw', tokens: ['team-a-token'] }] }
  const res = await app.inject({ method: 'POST', url: '/__mock/sites', payload: given })
  t.equal(res.statusCode, 201)
  t.strictSame(res.json(), { ...given, added: true })
  t.equal((await app.inject({ url: '/id', headers: { authorization: 'Bearer team-a-token', host: 'localhost:8080' } })).json().urls.base, 'http://secure.p02.eloqua.com:8080')
  const again = await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'teama' } })
  t.strictSame([again.statusCode, again.json()], [400, { failures: [{ field: 'name', value: 'teama', constraint: 'Must not be the name of a site the mock holds.' }] }])
  const stolen = await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'TeamB', users: [{ id: 1, username: 'X', tokens: ['mock-access-token'] }] } })
  t.strictSame([stolen.statusCode, stolen.json()], [400, { failures: [{ field: 'users', constraint: 'Must not give a Bearer token another user has.' }] }])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Bad\\Name' } })).statusCode, 400, 'a name as fixtures take it')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sites', payload: { users: [] } })).statusCode, 400, 'at least one user')
  const badPod = await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Pod', podHost: 'x.test:99999' } })
  t.strictSame([badPod.statusCode, badPod.json()], [400, { failures: [{ field: '/podHost', constraint: '"x.test:99999" is not a host name with an optional port from 1 to 65535' }] }])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'TeamC' } })).statusCode, 201)
  const full = await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'TeamD' } })
  t.strictSame([full.statusCode, full.json()], [400, { failures: [{ field: 'name', constraint: 'At most 4 sites (MAX_SITES); delete one first.' }] }])
})

t.test('DELETE /__mock/sites/{name} removes a site added at run time, with its logins, tokens and journal; fixture sites stay', async (t) => {
  const app = await build(t)
  const site = (await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Gone', users: [{ id: 1, username: 'U', password: 'p', tokens: ['gone-token'] }] } })).json<AddedSite>()
  const login = basic('Gone\\U', 'p')
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }], { authorization: login })
  const oauth = await app.inject({ method: 'POST', url: '/auth/oauth2/token', headers: { authorization: basic('mock-client-id', 'mock-client-secret'), 'content-type': 'application/json' }, payload: { grant_type: 'password', username: 'Gone\\U', password: 'p' } })
  t.equal(oauth.statusCode, 200)
  const access = oauth.json<{ access_token: string }>().access_token
  t.equal((await app.inject({ method: 'DELETE', url: `/__mock/sites/${site.name}` })).statusCode, 204)
  t.equal((await app.inject('/__mock/requests/count?site=Gone')).json().count, 0, 'its journal entries are gone')
  t.equal((await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }], { authorization: login })).statusCode, 401, 'its users log in no more')
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, 'Bearer gone-token'))).statusCode, 401)
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, `Bearer ${access}`))).statusCode, 401, 'nor with tokens it was given')
  t.equal((await app.inject('/__mock/state?site=Gone')).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/sites/Gone' })).statusCode, 404)
  const fixtureSite = await app.inject({ method: 'DELETE', url: '/__mock/sites/APITest' })
  t.strictSame([fixtureSite.statusCode, fixtureSite.json()], [400, { failures: [{ field: 'name', value: 'APITest', constraint: 'Must be a site added at run time: the sites of the fixtures stay.' }] }])
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, API_USER))).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Gone', users: [{ id: 1, username: 'U', password: 'p', tokens: ['gone-token'] }] } })).statusCode, 201, 'the name and token are free again')
})

t.test('a site given in the body is checked as fixtures are: unique user names and tokens, users who can log in', async (t) => {
  const app = await build(t)
  const post = async (users: unknown[]): Promise<{ statusCode: number, body: unknown }> => {
    const res = await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Checked', users } })
    return { statusCode: res.statusCode, body: res.json() }
  }
  t.strictSame(await post([{ id: 1, username: 'a', password: 'p' }, { id: 2, username: 'A', password: 'p' }]), { statusCode: 400, body: { failures: [{ field: '/users/1/username', constraint: 'user "A" is defined twice in site "Checked"' }] } })
  t.strictSame(await post([{ id: 1, username: 'a', tokens: ['t', 't'] }]), { statusCode: 400, body: { failures: [{ field: '/users/0/tokens/1', constraint: 'token is given to more than one user' }] } })
  t.strictSame(await post([{ id: 1, username: 'a' }]), { statusCode: 400, body: { failures: [{ field: '/users/0', constraint: 'user has neither a password nor a token, so cannot authenticate' }] } })
})

t.test('a callback in flight when its site is removed is dropped quietly; a request of a removed site answers 401', async (t) => {
  const app = await build(t, { config: { CALLBACK_TIMEOUT_MS: 60_000 } })
  // A receiver that never answers: the callback is still in flight when the site goes.
  const held: Array<{ destroy: () => void }> = []
  const receiver = createServer((req) => { held.push(req.socket) })
  receiver.listen(0, '127.0.0.1')
  await once(receiver, 'listening')
  t.teardown(() => { for (const socket of held) socket.destroy(); receiver.close() })
  const site = (await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Leaving', users: [{ id: 1, username: 'U', password: 'p' }] } })).json<AddedSite>()
  const login = basic(`${site.name}\\U`, 'p')
  const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`
  t.equal((await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: '/customObjects/9/syncActions/6', callbackUrl }, login))).statusCode, 201)
  const arrived = once(receiver, 'request')
  await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 5000 } })
  await arrived
  t.equal((await app.inject({ method: 'DELETE', url: `/__mock/sites/${site.name}` })).statusCode, 204)
  // The aborted callback settles on the next turns; nothing may throw.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, API_USER))).statusCode, 200, 'the mock is alive')

  const directory = app.directory
  app.directory.addSite({ id: 77, name: 'Ghost', users: [{ id: 1, username: 'G', password: 'p' }] })
  const principal = directory.authenticateBasic('Ghost\\G', 'p')!
  t.throws(() => app.store.site(principal), { statusCode: 401, name: 'EloquaError' } as object as Error, 'authenticated, but the site is not in the store')
})

t.test('a Basic header is checked once and then remembered; a removed site\'s users are refused at once all the same', async (t) => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Brief', users: [{ id: 1, username: 'U', password: 'p' }] } })).statusCode, 201)
  const login = basic('Brief\\U', 'p')
  let checks = 0
  const check = app.directory.authenticateBasic.bind(app.directory)
  app.directory.authenticateBasic = (user, password) => { checks++; return check(user, password) }
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, login))).statusCode, 200)
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, login))).statusCode, 200)
  t.equal(checks, 1, 'the password was hashed for the first request only')
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, basic('Brief\\U', 'wrong')))).statusCode, 401)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/sites/Brief' })).statusCode, 204)
  t.equal((await app.inject(bulk('GET', '/syncs', undefined, login))).statusCode, 401)
  t.equal((await app.inject(bulk('GET', '/syncs'))).statusCode, 200, 'the other sites carry on')
})
