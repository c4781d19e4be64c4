/**
 * Who may call the mock: sites and users from fixtures, checked by Basic `Site\User:password` or
 * by Bearer token. Secrets are compared as SHA-256 digests with timingSafeEqual so a wrong guess
 * takes as long as a near miss.
 *
 * LIMITATIONS: no OAuth token endpoint, no token expiry, no IP allow-lists; all sites share one
 * set of custom objects and definitions.
 */
import { hash, timingSafeEqual } from 'node:crypto'
import type { SiteFixture, UserFixture } from '../schemas/fixtures.js'

export interface Principal {
  readonly siteId: number
  readonly siteName: string
  readonly user: UserFixture
  /** Eloqua reports createdBy/updatedBy as the login name. */
  readonly loginName: string
}

interface Account { principal: Principal, passwordDigest: Buffer | undefined }

// crypto.hash is the one-shot form (Node 20.12+), several times cheaper than createHash per call.
const digest = (secret: string): Buffer => hash('sha256', secret, 'buffer')
const NO_PASSWORD = digest('\u0000no password\u0000')

export class Directory {
  readonly #accounts = new Map<string, Account>()
  readonly #tokens = new Map<string, Principal>()

  constructor (sites: readonly SiteFixture[]) {
    for (const site of sites) {
      for (const user of site.users) {
        const principal: Principal = { siteId: site.id, siteName: site.name, user, loginName: user.username }
        this.#accounts.set(accountKey(site.name, user.username), {
          principal,
          passwordDigest: user.password === undefined ? undefined : digest(user.password)
        })
        for (const token of user.tokens ?? []) this.#tokens.set(digest(token).toString('hex'), principal)
      }
    }
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
    return this.#tokens.get(digest(token).toString('hex'))
  }

  /**
   * Who a request says it is, without checking the secret. Fault rules match on it because they
   * act like a gateway in front of authentication.
   */
  claimedIdentity (authorization: string | undefined): { site?: string, user?: string } {
    if (authorization === undefined) return {}
    const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2)
    if (scheme?.toLowerCase() === 'bearer') {
      const principal = this.authenticateBearer(credentials)
      return principal === undefined ? {} : { site: principal.siteName, user: principal.loginName }
    }
    if (scheme?.toLowerCase() !== 'basic') return {}
    const decoded = Buffer.from(credentials, 'base64').toString('utf8')
    const login = decoded.slice(0, decoded.includes(':') ? decoded.indexOf(':') : undefined)
    const separator = login.indexOf('\\')
    return separator > 0 ? { site: login.slice(0, separator), user: login.slice(separator + 1) } : { user: login }
  }
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
