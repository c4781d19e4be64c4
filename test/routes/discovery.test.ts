import t from 'tap'
import { isHost } from '../../src/routes/discovery.js'
import { API_USER, basic, build, defaultFixtures } from '../helper.js'

const expectedUrls = (base: string): unknown => ({
  base,
  apis: {
    soap: {
      standard: `${base}/API/{version}/Service.svc`,
      dataTransfer: `${base}/API/{version}/DataTransferService.svc`,
      email: `${base}/API/{version}/EmailService.svc`,
      externalAction: `${base}/API/{version}/ExternalActionService.svc`
    },
    rest: { standard: `${base}/API/REST/{version}/`, bulk: `${base}/API/Bulk/{version}/` }
  }
})

t.test('GET /id describes the site, the user and URLs pointing back at the mock', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/id', headers: { authorization: API_USER, host: 'localhost:8080' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.strictSame(res.json(), {
    site: { id: 42, name: 'APITest' },
    user: { id: 314, username: 'API.User', displayName: 'API User', firstName: 'API', lastName: 'User', emailAddress: 'api.user@example.com' },
    urls: expectedUrls('http://localhost:8080')
  })
})

t.test('with TRUST_FORWARDED_HEADERS, GET /id follows X-Forwarded-Proto and X-Forwarded-Host, as behind a proxy', async (t) => {
  const app = await build(t, { config: { TRUST_FORWARDED_HEADERS: true } })
  const res = await app.inject({ url: '/id', headers: { authorization: 'Bearer mock-access-token', host: 'eloqua:8080', 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'mock.example.com' } })
  t.match(res.json(), { urls: expectedUrls('https://mock.example.com') })
  const service = await app.inject({ url: '/ID', headers: { authorization: API_USER, host: 'eloqua:8080' } })
  t.equal(service.json().urls.apis.rest.bulk, 'http://eloqua:8080/API/Bulk/{version}/', 'a compose service name works too')
  for (const [proto, host] of [['javascript', 'evil.example'], ['https', 'javascript:alert(1)//'], ['https', 'a b'], ['https', 'x.example/path'], ['https', 'user@host']]) {
    const refused = await app.inject({ url: '/id', headers: { authorization: API_USER, host: 'eloqua:8080', 'x-forwarded-proto': proto as string, 'x-forwarded-host': host as string } })
    t.equal(refused.json().urls.base, proto === 'https' ? 'https://eloqua:8080' : 'http://evil.example', `${proto}://${host}: only valid parts are taken`)
  }
})

t.test('by default forwarded headers are ignored, and a Host header that is no host name gives localhost', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/id', headers: { authorization: API_USER, host: 'eloqua:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mock.example.com' } })
  t.equal(res.json().urls.base, 'http://eloqua:8080')
  const odd = await app.inject({ url: '/id', headers: { authorization: API_USER, host: 'javascript:alert(1)//' } })
  t.equal(odd.json().urls.base, 'http://localhost')
})

t.test('users without optional names get empty strings, and their login name for a display name', async (t) => {
  const fixtures = defaultFixtures()
  fixtures.sites[0]!.users.push({ id: 398, username: 'Bare.User', password: 'secret' })
  const app = await build(t, { fixtures })
  const res = await app.inject({ url: '/id', headers: { authorization: basic('APITest\\Events.User', 'secret') } })
  t.match(res.json().user, { id: 315, username: 'Events.User', displayName: 'Events User', firstName: '', lastName: '', emailAddress: '' })
  const bare = await app.inject({ url: '/id', headers: { authorization: basic('APITest\\Bare.User', 'secret') } })
  t.strictSame(bare.json().user, { id: 398, username: 'Bare.User', displayName: 'Bare.User', firstName: '', lastName: '', emailAddress: '' })
})

t.test('bad or missing credentials answer 200 "Not authenticated.", as Eloqua does', async (t) => {
  const app = await build(t)
  for (const authorization of [undefined, basic('APITest\\API.User', 'wrong'), 'Basic bm9jb2xvbg==', 'Bearer nope', 'Digest x']) {
    const res = await app.inject({ url: '/id', headers: authorization === undefined ? {} : { authorization } })
    t.equal(res.statusCode, 200)
    t.equal(res.body, '"Not authenticated."')
    t.equal(res.headers['content-length'], '20')
  }
})

t.test('a user without API access, and a disabled user, get "Not authenticated." too, as on Eloqua', async (t) => {
  const fixtures = defaultFixtures()
  fixtures.sites[0]!.users.push({ id: 399, username: 'Gone.User', password: 'secret', tokens: ['gone-token'], disabled: true })
  const app = await build(t, { fixtures })
  for (const authorization of [basic('APITest\\Marketing.User', 'secret'), basic('APITest\\Gone.User', 'secret'), 'Bearer gone-token']) {
    const res = await app.inject({ url: '/id', headers: { authorization } })
    t.strictSame([res.statusCode, res.json()], [200, 'Not authenticated.'], authorization)
  }
  const bulk = await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: basic('APITest\\Gone.User', 'secret') } })
  t.equal(bulk.statusCode, 401, 'a disabled user is refused by the Bulk API')
  const bearer = await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: 'Bearer gone-token' } })
  t.equal(bearer.statusCode, 401, 'with any credential')
  const noApi = await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: basic('APITest\\Marketing.User', 'secret') } })
  t.equal(noApi.statusCode, 403, 'a user without API access gets 403 from the Bulk API')
})

t.test('a site pinned to a pod host: /id names that host, with the scheme and port the client used unless it names a port', async (t) => {
  const fixtures = defaultFixtures()
  fixtures.sites[0]!.podHost = 'secure.p01.eloqua.com'
  fixtures.sites[1]!.podHost = 'secure.p02.eloqua.com:9443'
  const app = await build(t, { fixtures })
  const base = async (authorization: string, host: string): Promise<string> => (await app.inject({ url: '/id', headers: { authorization, host } })).json<{ urls: { base: string } }>().urls.base
  t.equal(await base(API_USER, 'login.eloqua.com'), 'http://secure.p01.eloqua.com')
  t.equal(await base(API_USER, 'localhost:8080'), 'http://secure.p01.eloqua.com:8080')
  t.equal(await base(API_USER, '[::1]:8443'), 'http://secure.p01.eloqua.com:8443')
  const second = basic('SecondSite\\API.User', 'secret')
  t.equal(await base(second, 'localhost:8080'), 'http://secure.p02.eloqua.com:9443')
  const res = await app.inject({ url: '/id', headers: { authorization: API_USER, host: 'localhost:8080' } })
  t.strictSame(res.json<{ urls: unknown }>().urls, expectedUrls('http://secure.p01.eloqua.com:8080'))
})

t.test('isHost takes names, IPv4 and IPv6 with ports, and nothing else', async (t) => {
  for (const host of ['localhost', 'eloqua:8080', '127.0.0.1:80', '[::1]:8080', 'a_b.example']) t.equal(isHost(host), true, host)
  for (const host of ['', 'a'.repeat(262), 'a b', 'x/y', 'u@h', 'javascript:alert(1)//', 'h:99999']) t.equal(isHost(host), false, host)
})
