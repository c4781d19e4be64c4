import t from 'tap'
import { Directory, MAX_VERIFIED_HEADERS, mayUseBulkApi, mayUseCustomObject } from '../../src/domain/directory.js'
import { defaultFixtures } from '../helper.js'

const directory = new Directory(defaultFixtures().sites)

t.test('Basic login is Site\\User with the password, names case-insensitive', async (t) => {
  t.equal(directory.authenticateBasic('APITest\\API.User', 'secret')?.loginName, 'API.User')
  t.equal(directory.authenticateBasic('apitest\\api.user', 'secret')?.siteName, 'APITest')
  t.equal(directory.authenticateBasic('APITest\\API.User', 'Secret'), undefined, 'password is case-sensitive')
  t.equal(directory.authenticateBasic('APITest\\Nobody', 'secret'), undefined)
  t.equal(directory.authenticateBasic('API.User', 'secret'), undefined, 'the site is required')
  t.equal(directory.authenticateBasic('\\API.User', 'secret'), undefined)
})

t.test('a user without a password cannot log in with Basic', async (t) => {
  const tokenOnly = new Directory([{ id: 1, name: 'S', users: [{ id: 1, username: 'T', tokens: ['tok'] }] }])
  t.equal(tokenOnly.authenticateBasic('S\\T', ''), undefined)
  t.equal(tokenOnly.authenticateBearer('tok')?.loginName, 'T')
})

t.test('Bearer tokens name their user', async (t) => {
  t.equal(directory.authenticateBearer('mock-access-token')?.loginName, 'API.User')
  t.equal(directory.authenticateBearer('other'), undefined)
})

t.test('claimedIdentity reads who a request says it is without checking secrets', async (t) => {
  const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`
  t.strictSame(directory.claimedIdentity(undefined), {})
  t.strictSame(directory.claimedIdentity(basic('APITest\\API.User:wrong')), { site: 'APITest', user: 'API.User' })
  t.strictSame(directory.claimedIdentity(basic('Lonely')), { user: 'Lonely' })
  t.strictSame(directory.claimedIdentity('Bearer mock-access-token'), { site: 'APITest', user: 'API.User' })
  t.strictSame(directory.claimedIdentity('Bearer unknown'), {})
  t.strictSame(directory.claimedIdentity('Digest abc'), {})
})

t.test('permissions default to everything and can be narrowed', async (t) => {
  const api = directory.authenticateBasic('APITest\\API.User', 'secret')
  const events = directory.authenticateBasic('APITest\\Events.User', 'secret')
  const marketing = directory.authenticateBasic('APITest\\Marketing.User', 'secret')
  if (api === undefined || events === undefined || marketing === undefined) throw new Error('fixture users missing')
  t.ok(mayUseBulkApi(api))
  t.ok(mayUseCustomObject(api, 9))
  t.notOk(mayUseCustomObject(events, 9))
  t.ok(mayUseCustomObject(events, 10))
  t.notOk(mayUseBulkApi(marketing))
})

t.test('verified Basic headers are remembered, at most MAX_VERIFIED_HEADERS, and forgotten when a site goes', async (t) => {
  const remembering = new Directory(defaultFixtures().sites)
  const header = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
  t.equal(remembering.verifiedBasic(header), undefined)
  const principal = remembering.authenticateBasic('APITest\\API.User', 'secret')!
  remembering.rememberBasic(header, principal)
  t.equal(remembering.verifiedBasic(header), principal)
  t.equal(remembering.verifiedBasic(`${header} `), undefined, 'only the very same header')
  t.equal(remembering.verifiedBasic([...header].join('')), principal, 'the same header, sent again')
  for (let i = 1; i < MAX_VERIFIED_HEADERS; i++) remembering.rememberBasic(`Basic ${i}`, principal)
  t.equal(remembering.verifiedBasic(header), principal, 'still there at the bound')
  remembering.rememberBasic('Basic one more', principal)
  t.equal(remembering.verifiedBasic(header), undefined, 'past the bound the memory starts over')
  t.equal(remembering.verifiedBasic('Basic one more'), principal)
  remembering.removeSite('SecondSite')
  t.equal(remembering.verifiedBasic('Basic one more'), undefined, 'users changed: nothing remembered')
})
