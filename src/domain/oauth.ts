/**
 * Eloqua's OAuth 2 login host (eloqua-reference §2): `POST /auth/oauth2/token` with the
 * authorization code, refresh token and resource owner password grants, and
 * `GET /auth/oauth2/authorize`, which, having no person to ask, grants at once as the app's user.
 * Access tokens last 8 hours and refresh tokens 12 months or until used (Oracle's 26B notice), on
 * the mock clock. Tokens are random, kept only as SHA-256 digests, compared in constant time, and
 * shown elsewhere only by a short fingerprint.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import { eloquaTimestamp, type Clock } from './clock.js'
import type { Directory, Principal } from './directory.js'
import type { OAuthClientFixture } from '../schemas/fixtures.js'

/** Oracle: "an Access Token is valid for 8 hours (28,800 seconds)". */
export const ACCESS_TOKEN_SECONDS = 28_800
/** Oracle: "A Refresh Token is valid for 12 months, or until it is used". */
export const REFRESH_TOKEN_MS = 365 * 86_400_000
/** Not documented; RFC 6749 recommends at most 10 minutes, and a code is used once. */
export const CODE_MS = 10 * 60_000

/**
 * An error of the token endpoint: 400 for a malformed request, 401 for a client or grant that
 * does not check out, with `error`, `error_code`, `error_description` as since Eloqua 21C. The
 * codes are the mock's own (Oracle's table is not public): 1xxx the request, 2xxx the client,
 * 3xxx the grant.
 */
export class OAuthError extends Error {
  readonly status: 400 | 401
  readonly body: { error: string, error_code: number, error_description: string }

  constructor (status: 400 | 401, error: string, code: number, description: string) {
    super(description)
    this.status = status
    this.body = { error, error_code: code, error_description: description }
  }
}

export interface TokenAnswer { access_token: string, token_type: 'bearer', expires_in: number, refresh_token: string }

interface Grant {
  readonly principal: Principal
  readonly clientId: string
  readonly expiresAt: number
  /** Authorization codes: the redirect_uri the code was sent to, which the token request must repeat. */
  readonly redirectUri?: string
}

interface Client { readonly fixture: OAuthClientFixture, readonly secret: Buffer, readonly user: Principal }

const digest = (secret: string): Buffer => hash('sha256', secret, 'buffer')
const key = (token: string): string => digest(token).toString('hex')
const newToken = (): string => randomBytes(32).toString('base64url')
/** The same for equal texts, in time that does not depend on where they differ. */
const sameSecret = (given: string, expected: Buffer): boolean => timingSafeEqual(digest(given), expected)

/** Most tokens of each kind held at once; the oldest go first (a test suite can run for hours). */
export const MAX_ISSUED = 100_000

export class OAuthServer {
  readonly #clients = new Map<string, Client>()
  readonly #directory: Directory
  readonly #clock: Clock
  readonly #fixtures: readonly OAuthClientFixture[]
  #codes = new Map<string, Grant>()
  #refreshTokens = new Map<string, Grant>()
  #accessTokens = new Map<string, Grant>()
  readonly #maxIssued: number

  /** The fixtures are checked at load: every user named exists. `maxIssued` bounds each kind of grant kept. */
  constructor (fixtures: readonly OAuthClientFixture[], directory: Directory, clock: Clock, maxIssued = MAX_ISSUED) {
    this.#maxIssued = maxIssued
    this.#fixtures = fixtures
    this.#directory = directory
    this.#clock = clock
    for (const fixture of fixtures) {
      this.#clients.set(fixture.clientId, { fixture, secret: digest(fixture.clientSecret), user: directory.userByLogin(fixture.user) as Principal })
    }
    this.reset()
  }

  /** Back to the fixtures: their refresh tokens only, none issued since. */
  reset (): void {
    const now = this.#clock.now()
    this.#codes = new Map()
    this.#accessTokens = new Map()
    this.#refreshTokens = new Map()
    for (const fixture of this.#fixtures) {
      for (const { token, user } of fixture.refreshTokens ?? []) {
        this.#refreshTokens.set(key(token), { principal: this.#directory.userByLogin(user) as Principal, clientId: fixture.clientId, expiresAt: now + REFRESH_TOKEN_MS })
      }
    }
  }

  /** Drops every code and token of a site's users: the site is gone. */
  forgetSite (siteName: string): void {
    const site = siteName.toLowerCase()
    for (const grants of [this.#codes, this.#accessTokens, this.#refreshTokens]) {
      for (const [key, grant] of grants) if (grant.principal.siteName.toLowerCase() === site) grants.delete(key)
    }
  }

  /** Who an access token authenticates, while it lasts. */
  principal (token: string): Principal | undefined {
    const grant = this.#accessTokens.get(key(token))
    return grant === undefined || grant.expiresAt <= this.#clock.now() ? undefined : grant.principal
  }

  /**
   * `POST /auth/oauth2/token`. The client authenticates by HTTP Basic `client_id:client_secret`
   * (or, as some libraries send them, `client_id` and `client_secret` in the body).
   */
  token (basic: { login: string, password: string } | undefined, body: Readonly<Record<string, unknown>>): TokenAnswer {
    const text = (name: string): string | undefined => typeof body[name] === 'string' && body[name] !== '' ? body[name] : undefined
    const grantType = text('grant_type')
    if (grantType === undefined) throw new OAuthError(400, 'invalid_request', 1001, 'The "grant_type" parameter is required.')
    const client = this.#client(basic?.login ?? text('client_id'), basic?.password ?? text('client_secret'))
    const now = this.#clock.now()
    const required = (name: string): string => {
      const value = text(name)
      if (value === undefined) throw new OAuthError(400, 'invalid_request', 1001, `The "${name}" parameter is required.`)
      return value
    }
    switch (grantType) {
      case 'authorization_code': {
        const [code, redirectUri] = [required('code'), required('redirect_uri')]
        const grant = this.#take(this.#codes, code, client, now)
        if (grant === undefined) throw new OAuthError(401, 'invalid_grant', 3001, 'The authorization code is not valid: unknown, expired, already used, or issued to another client.')
        if (grant.redirectUri !== redirectUri) throw new OAuthError(401, 'invalid_grant', 3002, 'The "redirect_uri" does not match the one the authorization code was sent to.')
        return this.#issue(client, grant.principal, now)
      }
      case 'refresh_token': {
        const grant = this.#take(this.#refreshTokens, required('refresh_token'), client, now)
        if (grant === undefined) throw new OAuthError(401, 'invalid_grant', 3003, 'The refresh token is not valid: unknown, expired, already used, or issued to another client.')
        return this.#issue(client, grant.principal, now)
      }
      case 'password': {
        const [username, password] = [required('username'), required('password')]
        const principal = this.#directory.authenticateBasic(username, password)
        if (principal === undefined) throw new OAuthError(401, 'invalid_grant', 3004, 'The username (Site\\User) or password is not valid.')
        return this.#issue(client, principal, now)
      }
      default:
        throw new OAuthError(400, 'unsupported_grant_type', 1002, 'The "grant_type" must be authorization_code, refresh_token or password.')
    }
  }

  /**
   * `GET /auth/oauth2/authorize`: a redirect that grants at once, as the app's user or the fixture
   * user `login_hint` names; or, before the client and redirect URI are known to be good, a page
   * saying what is wrong, as Eloqua answers.
   */
  authorize (query: Readonly<Record<string, string | undefined>>): { redirect: string } | { page: string } {
    const clientId = query.client_id
    if (clientId === undefined || clientId === '') return { page: 'The "client_id" parameter is required.' }
    const client = this.#clients.get(clientId)
    if (client === undefined) return { page: 'The "client_id" value is not a known client identifier.' }
    const redirectUri = query.redirect_uri
    if (redirectUri === undefined || redirectUri === '') return { page: 'The "redirect_uri" parameter is required.' }
    if (!client.fixture.redirectUris.includes(redirectUri)) return { page: 'The "redirect_uri" value does not match the app\'s registered redirect URI.' }
    const back = new URL(redirectUri)
    const answer = (params: Record<string, string>, inFragment: boolean): { redirect: string } => {
      const encoded = new URLSearchParams({ ...params, ...(query.state === undefined ? {} : { state: query.state }) })
      if (inFragment) back.hash = encoded.toString()
      else for (const [name, value] of encoded) back.searchParams.set(name, value)
      return { redirect: back.toString() }
    }
    const implicit = query.response_type === 'token'
    if (query.response_type !== 'code' && !implicit) return answer({ error: 'unsupported_response_type' }, false)
    if (query.scope !== undefined && query.scope !== 'full') return answer({ error: 'invalid_scope' }, implicit)
    const hinted = query.login_hint === undefined ? client.user : this.#directory.userByLogin(query.login_hint)
    if (hinted === undefined) return answer({ error: 'access_denied' }, implicit)
    const now = this.#clock.now()
    if (implicit) {
      const accessToken = newToken()
      this.#keep(this.#accessTokens, accessToken, { principal: hinted, clientId, expiresAt: now + ACCESS_TOKEN_SECONDS * 1000 })
      return answer({ access_token: accessToken, token_type: 'bearer', expires_in: String(ACCESS_TOKEN_SECONDS) }, true)
    }
    const code = newToken()
    this.#keep(this.#codes, code, { principal: hinted, clientId, expiresAt: now + CODE_MS, redirectUri })
    return answer({ code }, false)
  }

  /** Issued tokens and codes that still count, by a fingerprint (never the token), for `/__mock/state`. */
  state (siteName: string): Array<{ kind: string, fingerprint: string, client: string, user: string, expiresAt: string }> {
    const now = this.#clock.now()
    const site = siteName.toLowerCase()
    return ([['access', this.#accessTokens], ['refresh', this.#refreshTokens], ['code', this.#codes]] as const).flatMap(([kind, grants]) =>
      [...grants].filter(([, grant]) => grant.expiresAt > now && grant.principal.siteName.toLowerCase() === site).map(([digestHex, grant]) => ({
        kind,
        fingerprint: digestHex.slice(0, 8),
        client: grant.clientId,
        user: `${grant.principal.siteName}\\${grant.principal.loginName}`,
        expiresAt: eloquaTimestamp(grant.expiresAt)
      })))
  }

  #client (clientId: string | undefined, secret: string | undefined): Client {
    const client = clientId === undefined ? undefined : this.#clients.get(clientId)
    // The secret is compared even for an unknown client, so timing tells nothing.
    const matches = sameSecret(secret ?? '', client?.secret ?? digest('\u0000no client\u0000'))
    if (client === undefined || secret === undefined || !matches) throw new OAuthError(401, 'invalid_client', 2001, 'Client authentication failed: send the app\'s Client Id and Client Secret by HTTP Basic.')
    return client
  }

  /** A code or refresh token of this client that has not expired, used up as it is read. */
  #take (grants: Map<string, Grant>, token: string, client: Client, now: number): Grant | undefined {
    const grant = grants.get(key(token))
    if (grant === undefined || grant.clientId !== client.fixture.clientId) return undefined
    grants.delete(key(token))
    return grant.expiresAt > now ? grant : undefined
  }

  /** A new access token and refresh token; the refresh token used, if any, is gone. */
  #issue (client: Client, principal: Principal, now: number): TokenAnswer {
    const [accessToken, refreshToken] = [newToken(), newToken()]
    const clientId = client.fixture.clientId
    this.#keep(this.#accessTokens, accessToken, { principal, clientId, expiresAt: now + ACCESS_TOKEN_SECONDS * 1000 })
    this.#keep(this.#refreshTokens, refreshToken, { principal, clientId, expiresAt: now + REFRESH_TOKEN_MS })
    return { access_token: accessToken, token_type: 'bearer', expires_in: ACCESS_TOKEN_SECONDS, refresh_token: refreshToken }
  }

  #keep (grants: Map<string, Grant>, token: string, grant: Grant): void {
    grants.set(key(token), grant)
    // Maps keep insertion order: the first is the oldest.
    if (grants.size > this.#maxIssued) grants.delete(grants.keys().next().value as string)
  }
}
