// Sites added and removed at run time: one running mock, an Eloqua instance per test file.
import t from 'tap'
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
