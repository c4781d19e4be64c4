/**
 * Who may call the mock: sites and users from fixtures, checked by Basic `Site\User:password` or
 * by Bearer token. Secrets are compared as SHA-256 digests with timingSafeEqual so a wrong guess
 * takes as long as a near miss.
 *
 * Access tokens the OAuth server (oauth.ts) issued count too, while they last.
 *
 * LIMITATIONS: no IP allow-lists.
 */
import { hash, timingSafeEqual } from 'node:crypto'
import type { SiteFixture, UserFixture } from '../schemas/fixtures.js'

export interface Principal {
  readonly siteId: number
  readonly siteName: string
  /** The host /id names in urls.base, when the site's fixture pins one. */
  readonly podHost: string | undefined
  readonly user: UserFixture
  /** Eloqua reports createdBy/updatedBy as the login name. */
  readonly loginName: string
}

interface Account { principal: Principal, passwordDigest: Buffer | undefined }

// crypto.hash is the one-shot form (Node 20.12+), several times cheaper than createHash per call.
const digest = (secret: string): Buffer => hash('sha256', secret, 'buffer')
const NO_PASSWORD = digest('\u0000no password\u0000')

/** Verified Basic headers remembered at most: a client uses one or a few; past this the memory starts over. */
export const MAX_VERIFIED_HEADERS = 1024

export class Directory {
  readonly #accounts = new Map<string, Account>()
  readonly #tokens = new Map<string, Principal>()
  /**
   * Authorization headers whose Basic credentials were verified, with the user they name: hashing
   * the password again on every request cost a tenth of the seed call. Only a header seen whole
   * before is taken; emptied whenever the users change.
   */
  readonly #verified = new Map<string, Principal>()
  // The last header found in #verified: most calls repeat it, and comparing costs less than hashing a new string.
  #lastVerified: [string, Principal] | undefined
  /** Who an issued (OAuth) access token authenticates, if it is one that still lasts. */
  #issued: (token: string) => Principal | undefined = () => undefined

  constructor (sites: readonly SiteFixture[]) {
    for (const site of sites) this.addSite(site)
  }

  /** The users of a site (one of the fixtures, or one added at run time) may log in. */
  addSite (site: SiteFixture): void {
    for (const user of site.users) {
      // A disabled user authenticates nowhere, as on Eloqua.
      if (user.disabled === true) continue
      const principal: Principal = { siteId: site.id, siteName: site.name, podHost: site.podHost, user, loginName: user.username }
      this.#accounts.set(accountKey(site.name, user.username), {
        principal,
        passwordDigest: user.password === undefined ? undefined : digest(user.password)
      })
      for (const token of user.tokens ?? []) this.#tokens.set(digest(token).toString('hex'), principal)
    }
  }

  /** Nobody of that site logs in any more. */
  removeSite (name: string): void {
    this.#verified.clear()
    this.#lastVerified = undefined
    const site = name.toLowerCase()
    for (const [key, account] of this.#accounts) if (account.principal.siteName.toLowerCase() === site) this.#accounts.delete(key)
    for (const [key, principal] of this.#tokens) if (principal.siteName.toLowerCase() === site) this.#tokens.delete(key)
  }

  /** Whether a Bearer token is taken, by any site. */
  hasToken (token: string): boolean {
    return this.#tokens.has(digest(token).toString('hex'))
  }

  /** The user of an `Authorization: Basic` header verified before, if it was. */
  verifiedBasic (authorization: string): Principal | undefined {
    const last = this.#lastVerified
    if (last !== undefined && last[0] === authorization) return last[1]
    const principal = this.#verified.get(authorization)
    if (principal !== undefined) this.#lastVerified = [authorization, principal]
    return principal
  }

  /** Remembers a Basic header whose credentials authenticateBasic accepted. */
  rememberBasic (authorization: string, principal: Principal): void {
    if (this.#verified.size >= MAX_VERIFIED_HEADERS) {
      this.#verified.clear()
      this.#lastVerified = undefined
    }
    this.#verified.set(authorization, principal)
  }

  /** `login` is `Site\User`, as Eloqua's Basic scheme spells it. */
  authenticateBasic (login: string, password: string): Principal | undefined {
    const separator = login.indexOf('\\')
    const account = separator > 0 ? this.#accounts.get(accountKey(login.slice(0, separator), login.slice(separator + 1))) : undefined
    const expected = account?.passwordDigest ?? NO_PASSWORD
    const matches = timingSafeEqual(digest(password), expected)
    return matches && account?.passwordDigest !== undefined ? account.principal : undefined
  }

  authenticateBearer (token: string): Principal | undefined {
    return this.#tokens.get(digest(token).toString('hex')) ?? this.#issued(token)
  }

  /** Lets the OAuth server's access tokens authenticate. */
  useIssuedTokens (issued: (token: string) => Principal | undefined): void {
    this.#issued = issued
  }

  /** The user a `Site\User` login names, without a password: OAuth grants name users so. */
  userByLogin (login: string): Principal | undefined {
    const separator = login.indexOf('\\')
    return separator > 0 ? this.#accounts.get(accountKey(login.slice(0, separator), login.slice(separator + 1)))?.principal : undefined
  }

  /** Checks an Authorization header of either scheme, as /id does; anything else authenticates nobody. */
  authenticate (authorization: string | undefined): Principal | undefined {
    const token = bearerToken(authorization)
    if (token !== undefined) return this.authenticateBearer(token)
    const basic = basicCredentials(authorization)
    return basic === undefined ? undefined : this.authenticateBasic(basic.login, basic.password)
  }

  /**
   * Who a request says it is, without checking the secret. Fault rules match on it because they
   * act like a gateway in front of authentication.
   */
  claimedIdentity (authorization: string | undefined): { site?: string, user?: string } {
    const token = bearerToken(authorization)
    if (token !== undefined) {
      const principal = this.authenticateBearer(token)
      return principal === undefined ? {} : { site: principal.siteName, user: principal.loginName }
    }
    const login = basicCredentials(authorization)?.login
    if (login === undefined) return {}
    const separator = login.indexOf('\\')
    return separator > 0 ? { site: login.slice(0, separator), user: login.slice(separator + 1) } : { user: login }
  }
}

const BEARER = /^\s*bearer\s+(\S+)\s*$/i
const BASIC = /^\s*basic\s+(\S*)\s*$/i

/** The token of `Authorization: Bearer <token>`, if that is the scheme. */
export function bearerToken (authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1]
}

/** The login and password of `Authorization: Basic <base64>`; the password is everything after the first colon. */
export function basicCredentials (authorization: string | undefined): { login: string, password: string } | undefined {
  const encoded = BASIC.exec(authorization ?? '')?.[1]
  if (encoded === undefined) return undefined
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? { login: decoded, password: '' } : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

// Eloqua site and user names are not case-sensitive at login.
function accountKey (site: string, username: string): string {
  return `${site.toLowerCase()}\\${username.toLowerCase()}`
}

export function mayUseBulkApi (principal: Principal): boolean {
  return principal.user.permissions?.bulkApi ?? true
}

export function mayUseCustomObject (principal: Principal, customObjectId: number): boolean {
  const allowed = principal.user.permissions?.customObjects ?? '*'
  return allowed === '*' || allowed.includes(customObjectId)
}
