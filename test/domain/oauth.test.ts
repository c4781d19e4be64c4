import t from 'tap'
import { Directory } from '../../src/domain/directory.js'
import { ManualClock } from '../../src/domain/clock.js'
import { OAuthServer } from '../../src/domain/oauth.js'
import { defaultFixtures } from '../helper.js'

t.test('past its bound the OAuth server forgets the oldest grants of a kind first', async (t) => {
  const fixtures = defaultFixtures()
  const directory = new Directory(fixtures.sites)
  const server = new OAuthServer(fixtures.oauthClients, directory, new ManualClock(), 2)
  directory.useIssuedTokens((token) => server.principal(token))
  const client = { login: 'mock-client-id', password: 'mock-client-secret' }
  const grant = (): { access_token: string } => server.token(client, { grant_type: 'password', username: 'APITest\\API.User', password: 'secret' }) as { access_token: string }
  const [first, second, third] = [grant(), grant(), grant()]
  t.equal(directory.authenticateBearer(first.access_token), undefined, 'the first access token is gone')
  t.match(directory.authenticateBearer(second.access_token), { loginName: 'API.User' })
  t.match(directory.authenticateBearer(third.access_token), { loginName: 'API.User' })
  t.equal(server.state('APITest').filter((g) => g.kind === 'access').length, 2, 'two kept')
})
