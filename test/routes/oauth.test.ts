// Eloqua's OAuth 2 login host: the token endpoint's three grants and its errors, the authorize
// endpoint, tokens that expire on the mock clock, and what a reset and /__mock/state show.
import t from 'tap'
import { build, defaultFixtures } from '../helper.js'
import { ACCESS_TOKEN_SECONDS, CODE_MS, MAX_ISSUED, REFRESH_TOKEN_MS } from '../../src/domain/oauth.js'

type App = Awaited<ReturnType<typeof build>>
const CLIENT = `Basic ${Buffer.from('mock-client-id:mock-client-secret').toString('base64')}`
const CALLBACK = 'https://localhost/callback'

async function token (app: App, body: Record<string, string>, options: { form?: boolean, authorization?: string | null } = {}): Promise<{ status: number, body: Record<string, unknown>, headers: Record<string, unknown> }> {
  const authorization = options.authorization === undefined ? CLIENT : options.authorization
  const res = await app.inject({
    method: 'POST',
    url: '/auth/oauth2/token',
    headers: { ...(authorization === null ? {} : { authorization }), 'content-type': options.form === true ? 'application/x-www-form-urlencoded' : 'application/json' },
    payload: options.form === true ? new URLSearchParams(body).toString() : JSON.stringify(body)
  })
  return { status: res.statusCode, body: res.json(), headers: res.headers }
}

const api = async (app: App, accessToken: string): Promise<number> => (await app.inject({ url: '/api/bulk/2.0/syncs', headers: { authorization: `Bearer ${accessToken}` } })).statusCode

async function authorize (app: App, query: Record<string, string>): Promise<{ status: number, location: string | undefined, body: string, type: string | undefined }> {
  const res = await app.inject({ url: `/auth/oauth2/authorize?${new URLSearchParams(query).toString()}` })
  return { status: res.statusCode, location: res.headers.location as string | undefined, body: res.body, type: res.headers['content-type'] as string | undefined }
}

t.test('the refresh token grant, form-encoded or JSON: Eloqua\'s answer, and the refresh token rotates', async (t) => {
  const app = await build(t)
  const first = await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token', scope: 'full', redirect_uri: CALLBACK }, { form: true })
  t.equal(first.status, 200)
  t.strictSame(Object.keys(first.body), ['access_token', 'token_type', 'expires_in', 'refresh_token'])
  t.match(first.body, { access_token: /^[\w-]{43}$/, token_type: 'bearer', expires_in: ACCESS_TOKEN_SECONDS, refresh_token: /^[\w-]{43}$/ })
  t.match(first.headers, { 'cache-control': 'no-store', pragma: 'no-cache' })
  t.equal(await api(app, first.body.access_token as string), 200, 'the access token works on the Bulk API')
  const reused = await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' })
  t.strictSame([reused.status, reused.body], [401, { error: 'invalid_grant', error_code: 3003, error_description: 'The refresh token is not valid: unknown, expired, already used, or issued to another client.' }], 'a refresh token is used once')
  t.equal(reused.headers['www-authenticate'], 'Basic realm="Eloqua"')
  const second = await token(app, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string })
  t.equal(second.status, 200, 'the new refresh token works')
  t.not(second.body.access_token, first.body.access_token)
})

t.test('the authorization code grant: authorize redirects at once with a code, used once, with the same redirect_uri, within 10 minutes', async (t) => {
  const app = await build(t)
  const granted = await authorize(app, { response_type: 'code', client_id: 'mock-client-id', redirect_uri: CALLBACK, scope: 'full', state: 'xyz' })
  t.equal(granted.status, 302)
  const location = new URL(granted.location as string)
  t.equal(`${location.origin}${location.pathname}`, CALLBACK)
  t.equal(location.searchParams.get('state'), 'xyz')
  const code = location.searchParams.get('code') as string
  t.equal((await token(app, { grant_type: 'authorization_code', code, redirect_uri: 'https://localhost/other' })).body.error_code, 3002, 'another redirect_uri')
  const again = (await authorize(app, { response_type: 'code', client_id: 'mock-client-id', redirect_uri: CALLBACK })).location as string
  const fresh = new URL(again).searchParams.get('code') as string
  const answer = await token(app, { grant_type: 'authorization_code', code: fresh, redirect_uri: CALLBACK })
  t.equal(answer.status, 200)
  t.equal(await api(app, answer.body.access_token as string), 200)
  t.equal((await token(app, { grant_type: 'authorization_code', code: fresh, redirect_uri: CALLBACK })).body.error_code, 3001, 'a code is used once')
  const late = new URL((await authorize(app, { response_type: 'code', client_id: 'mock-client-id', redirect_uri: CALLBACK })).location as string).searchParams.get('code') as string
  app.clock.advance(CODE_MS)
  t.equal((await token(app, { grant_type: 'authorization_code', code: late, redirect_uri: CALLBACK })).body.error_code, 3001, 'a code expires')
})

t.test('the password grant takes Site\\User; the implicit grant puts the token in the fragment; login_hint picks the user', async (t) => {
  const app = await build(t)
  const answer = await token(app, { grant_type: 'password', username: 'APITest\\API.User', password: 'secret', scope: 'full' })
  t.equal(answer.status, 200)
  t.equal(await api(app, answer.body.access_token as string), 200)
  t.strictSame((await token(app, { grant_type: 'password', username: 'APITest\\API.User', password: 'wrong' })).body, { error: 'invalid_grant', error_code: 3004, error_description: 'The username (Site\\User) or password is not valid.' })
  t.strictSame((await token(app, { grant_type: 'password', username: 'APITest\\Disabled.User', password: 'secret' })).body, { error: 'invalid_grant', error_code: 3004, error_description: 'The username (Site\\User) or password is not valid.' }, 'a disabled user gets no token')
  const implicit = await authorize(app, { response_type: 'token', client_id: 'mock-client-id', redirect_uri: CALLBACK, state: 's' })
  const fragment = new URLSearchParams(new URL(implicit.location as string).hash.slice(1))
  t.strictSame([...fragment.keys()], ['access_token', 'token_type', 'expires_in', 'state'])
  t.equal(await api(app, fragment.get('access_token') as string), 200)
  const hinted = await authorize(app, { response_type: 'token', client_id: 'mock-client-id', redirect_uri: CALLBACK, login_hint: 'APITest\\Marketing.User' })
  const marketing = new URLSearchParams(new URL(hinted.location as string).hash.slice(1)).get('access_token') as string
  t.equal(await api(app, marketing), 403, 'the hinted user, who has no Bulk API permission')
  const unknown = await authorize(app, { response_type: 'token', client_id: 'mock-client-id', redirect_uri: CALLBACK, login_hint: 'APITest\\Nobody', state: 'q' })
  t.equal(new URL(unknown.location as string).hash, '#error=access_denied&state=q')
})

t.test('access tokens last 8 hours and refresh tokens 12 months, on the mock clock', async (t) => {
  const app = await build(t)
  const answer = await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' })
  app.clock.advance(ACCESS_TOKEN_SECONDS * 1000 - 1)
  t.equal(await api(app, answer.body.access_token as string), 200)
  app.clock.advance(1)
  t.equal(await api(app, answer.body.access_token as string), 401, 'expired: 401 on the API')
  const id = await app.inject({ url: '/id', headers: { authorization: `Bearer ${answer.body.access_token as string}` } })
  t.strictSame([id.statusCode, id.json()], [200, 'Not authenticated.'], 'and "Not authenticated." on /id')
  app.clock.advance(REFRESH_TOKEN_MS)
  t.equal((await token(app, { grant_type: 'refresh_token', refresh_token: answer.body.refresh_token as string })).body.error_code, 3003, 'the refresh token expired too')
})

t.test('the token endpoint refuses a bad request or client, one error each, in Eloqua\'s shape', async (t) => {
  const app = await build(t)
  const check = async (body: Record<string, string>, options: Parameters<typeof token>[2], status: number, error: string, code: number): Promise<void> => {
    const answer = await token(app, body, options)
    t.equal(answer.status, status, JSON.stringify(body))
    t.match(answer.body, { error, error_code: code, error_description: /\S/ })
  }
  await check({}, {}, 400, 'invalid_request', 1001)
  await check({ grant_type: 'client_credentials' }, {}, 400, 'unsupported_grant_type', 1002)
  await check({ grant_type: 'refresh_token' }, {}, 400, 'invalid_request', 1001)
  await check({ grant_type: 'authorization_code', code: 'x' }, {}, 400, 'invalid_request', 1001)
  await check({ grant_type: 'password', username: 'APITest\\API.User' }, {}, 400, 'invalid_request', 1001)
  await check({ grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' }, { authorization: null }, 401, 'invalid_client', 2001)
  await check({ grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' }, { authorization: `Basic ${Buffer.from('mock-client-id:wrong').toString('base64')}` }, 401, 'invalid_client', 2001)
  await check({ grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' }, { authorization: `Basic ${Buffer.from('other:mock-client-secret').toString('base64')}` }, 401, 'invalid_client', 2001)
  t.equal((await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token', client_id: 'mock-client-id', client_secret: 'mock-client-secret' }, { authorization: null, form: true })).status, 200, 'client credentials in the body, as some libraries send them')
  const big = await app.inject({ method: 'POST', url: '/auth/oauth2/token', headers: { authorization: CLIENT, 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=password&password=${'x'.repeat(20_000)}` })
  t.equal(big.statusCode, 404, 'form bodies are small: too large is answered as everywhere')
  t.match(big.headers['x-mock-reason'], /larger than this endpoint takes/)
  const bigJson = await app.inject({ method: 'POST', url: '/auth/oauth2/token', headers: { authorization: CLIENT, 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'password', password: 'x'.repeat(20_000) }) })
  t.equal(bigJson.statusCode, 404, 'JSON bodies too')
  const array = await app.inject({ method: 'POST', url: '/auth/oauth2/token', headers: { authorization: CLIENT, 'content-type': 'application/json' }, payload: '[1]' })
  t.equal(array.json().error, 'invalid_request')
})

t.test('the authorize endpoint: Eloqua\'s pages before the client and redirect URI check out, redirected errors after', async (t) => {
  const app = await build(t)
  const page = async (query: Record<string, string>, text: string): Promise<void> => {
    const answer = await authorize(app, query)
    t.strictSame([answer.status, answer.body], [200, text], JSON.stringify(query))
    t.match(answer.type, /^text\/html/)
  }
  await page({ response_type: 'code', redirect_uri: CALLBACK }, 'The "client_id" parameter is required.')
  await page({ response_type: 'code', client_id: '00000000000000000000000000000000', redirect_uri: CALLBACK }, 'The "client_id" value is not a known client identifier.')
  await page({ response_type: 'code', client_id: 'mock-client-id' }, 'The "redirect_uri" parameter is required.')
  await page({ response_type: 'code', client_id: 'mock-client-id', redirect_uri: 'https://evil.example.com/cb' }, 'The "redirect_uri" value does not match the app\'s registered redirect URI.')
  t.equal((await authorize(app, { response_type: 'id_token', client_id: 'mock-client-id', redirect_uri: CALLBACK, state: 'a' })).location, `${CALLBACK}?error=unsupported_response_type&state=a`)
  t.equal((await authorize(app, { response_type: 'code', client_id: 'mock-client-id', redirect_uri: CALLBACK, scope: 'read' })).location, `${CALLBACK}?error=invalid_scope`)
})

t.test('a reset drops issued tokens and restores the fixtures\' refresh tokens; /__mock/state shows fingerprints only; the oldest tokens go past the bound', async (t) => {
  const app = await build(t)
  const answer = await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' })
  const state = (await app.inject('/__mock/state')).json().oauthTokens as Array<Record<string, string>>
  t.match(state, [{ kind: 'access', fingerprint: /^[0-9a-f]{8}$/, client: 'mock-client-id', user: 'APITest\\API.User', expiresAt: '2024-05-01T18:00:00.0000000Z' }, { kind: 'refresh' }])
  t.notOk(JSON.stringify(state).includes(answer.body.access_token as string), 'no token in the state')
  t.strictSame((await app.inject('/__mock/state?site=SecondSite')).json().oauthTokens, [], 'tokens of another site\'s users')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.equal(await api(app, answer.body.access_token as string), 401)
  t.equal((await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' })).status, 200)
  t.ok(MAX_ISSUED >= 10_000)
})

t.test('the bundled fixtures hold the documented client', async (t) => {
  const fixtures = defaultFixtures()
  t.match(fixtures.oauthClients, [{ clientId: 'mock-client-id', clientSecret: 'mock-client-secret', redirectUris: [CALLBACK], user: 'APITest\\API.User', refreshTokens: [{ token: 'mock-refresh-token' }] }])
})

t.test('a token or code of one app does not work for another; an app may have no refresh tokens', async (t) => {
  const fixtures = defaultFixtures()
  fixtures.oauthClients.push({ clientId: 'second-app', clientSecret: 'second-secret', redirectUris: [CALLBACK], user: 'SecondSite\\API.User' })
  const app = await build(t, { fixtures })
  const second = `Basic ${Buffer.from('second-app:second-secret').toString('base64')}`
  t.equal((await token(app, { grant_type: 'refresh_token', refresh_token: 'mock-refresh-token' }, { authorization: second })).body.error_code, 3003, 'the first app\'s refresh token')
  const code = new URL((await authorize(app, { response_type: 'code', client_id: 'mock-client-id', redirect_uri: CALLBACK })).location as string).searchParams.get('code') as string
  t.equal((await token(app, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, { authorization: second })).body.error_code, 3001, 'the first app\'s code')
  const own = await authorize(app, { response_type: 'token', client_id: 'second-app', redirect_uri: CALLBACK })
  const accessToken = new URLSearchParams(new URL(own.location as string).hash.slice(1)).get('access_token') as string
  t.equal((await app.inject({ url: '/id', headers: { authorization: `Bearer ${accessToken}` } })).json().site.name, 'SecondSite', 'the app\'s own user, of another site')
  const noSite = await authorize(app, { response_type: 'code', client_id: 'second-app', redirect_uri: CALLBACK, login_hint: 'API.User' })
  t.equal(new URL(noSite.location as string).searchParams.get('error'), 'access_denied', 'a login_hint without its site')
})

t.test('a bug behind the token endpoint is a 500, not an OAuth error', async (t) => {
  const app = await build(t)
  app.oauth.token = () => { throw new TypeError('broken') }
  const res = await app.inject({ method: 'POST', url: '/auth/oauth2/token', headers: { authorization: CLIENT, 'content-type': 'application/json' }, payload: '{"grant_type":"password"}' })
  t.equal(res.statusCode, 500)
  t.equal(res.statusMessage, 'The service has encountered an error.')
})
