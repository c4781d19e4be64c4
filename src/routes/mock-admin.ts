/**
 * `/__mock/*`: the mock's own control surface for tests and health checks. Not Eloqua API and not
 * behind Eloqua credentials; with ADMIN_TOKEN set, every route but health needs
 * `Authorization: Bearer <ADMIN_TOKEN>`, and ADMIN_API=off leaves only health.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { LAST_CLOCK_TIME, eloquaTimestamp } from '../domain/clock.js'
import { bearerToken } from '../domain/directory.js'
import { notFound, unauthorized, validationError } from '../domain/errors.js'
import { faultRuleProblems, runtimeSiteProblems } from '../fixtures.js'
import { DOMAIN_VALIDATED } from '../schemas/common.js'
import { faultRule, siteSchema, type FaultRuleFixture, type SiteFixture } from '../schemas/fixtures.js'
import type { Site } from '../domain/site.js'
import type { JournalFilter } from '../domain/journal.js'
import { clientReport } from '../domain/report.js'

const admin = { mockAdmin: true } as const
// Shown in the OpenAPI description: no credentials needed here.
const tags = ['mock control']
const open = { tags, security: [] }

export interface MockAdminOptions {
  version: string
  /** Serve more than /__mock/health. */
  enabled: boolean
  /** Bearer token every route but health needs; empty for none. */
  token: string
  /** Fault rules that may be added at run time. */
  maxFaultRules: number
  /** The sites of the fixtures; the first is the template of sites added at run time. */
  sites: readonly SiteFixture[]
  /** Sites the mock holds at most, the fixtures' included. */
  maxSites: number
  /** Run once a reset or a site's removal has been answered. */
  afterStateDropped?: () => void
}

/** Control requests are small; this keeps a fault rule from holding megabytes. */
const ADMIN_BODY_LIMIT = 64 * 1024

const digest = (secret: string): Buffer => hash('sha256', secret, 'buffer')

/** A `/pointer: message` line of a schema check as an Eloqua validation failure. */
function failureOf (problem: string): { field: string, constraint: string } {
  const [pointer = '/', ...rest] = problem.split(': ')
  return { field: pointer, constraint: rest.join(': ') }
}

interface StateQuery { records?: boolean, maxRecords?: number, customObject?: number, definition?: number, sync?: number, site?: string }

const mockAdmin: FastifyPluginAsync<MockAdminOptions> = async (app, options) => {
  app.get('/__mock/health', {
    config: admin,
    schema: { summary: 'Liveness and readiness of the mock', ...open }
  }, async () => ({ status: 'ok', version: options.version }))

  if (!options.enabled) return
  await app.register(async function controlSurface (control) {
    if (options.token !== '') {
      const expected = digest(options.token)
      control.addHook('onRequest', (request, reply, done) => {
        const given = bearerToken(request.headers.authorization)
        if (given !== undefined && timingSafeEqual(digest(given), expected)) {
          done()
          return
        }
        reply.header('www-authenticate', 'Bearer realm="eloqua-bulk-mock control"')
        done(unauthorized('the /__mock control surface needs Authorization: Bearer <ADMIN_TOKEN>'))
      })
    }
    await control.register(controlRoutes, options)
  })
}

const controlRoutes: FastifyPluginAsync<MockAdminOptions> = async (app, options) => {
  /** A site by name (any case), or the first site of the fixtures; 404 for a name no site has. */
  const siteOf = (name: string | undefined): Site => {
    if (name === undefined) return app.store.sites()[0] as Site
    const site = app.store.siteNamed(name)
    if (site === undefined) throw notFound(`no site named ${name}`)
    return site
  }
  const { afterStateDropped } = options
  // After the answer: a collection the command runs then must not delay it.
  const stateDropped = (): void => { if (afterStateDropped !== undefined) setImmediate(afterStateDropped) }
  app.addHook('onRoute', (route) => { route.bodyLimit ??= ADMIN_BODY_LIMIT })
  app.get<{ Querystring: StateQuery }>('/__mock/state', {
    config: admin,
    schema: {
      summary: 'What one site holds: contacts, accounts and custom object records with what imports and sync actions did to them, definitions with their staged data, syncs with their callbacks; and the fault rules and the usage of every bound',
      ...open,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          records: { type: 'boolean', default: true, description: 'Include the staged records themselves.' },
          maxRecords: { type: 'integer', minimum: 0, maximum: 100000, default: 1000, description: 'Staged records shown at most, over the whole answer; files with more say recordsTruncated.' },
          customObject: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only this custom object, its definitions and their syncs.' },
          definition: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only this definition and its syncs.' },
          sync: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only this sync.' },
          site: { type: 'string', maxLength: 256, description: 'The site (Eloqua instance) to show; default the first site of the fixtures.' }
        }
      }
    }
  }, async (request) => {
    const { records = true, maxRecords = 1000, customObject, definition, sync } = request.query
    const site = siteOf(request.query.site)
    return {
      ...site.snapshot({ records, maxRecords, customObject, definition, sync }),
      sites: app.store.sites().map((s) => s.name),
      faults: app.faults.state(),
      oauthTokens: app.oauth.state(site.name),
      usage: { ...site.usage(), runtimeFaultRules: app.faults.runtimeSize, maxFaultRules: options.maxFaultRules }
    }
  })

  app.post<{ Querystring: { site?: string, keepClock?: boolean } }>('/__mock/reset', {
    config: admin,
    schema: {
      summary: 'Restore the loaded fixtures: drop staged data, syncs, what imports changed and the journal; for every site (and restart fault rule counters, and set the clock back to real time) or, with ?site=, for one site only',
      ...open,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          site: { type: 'string', maxLength: 256, description: 'Reset only this site; fault rules and the clock, which every site shares, are left as they are.' },
          keepClock: { type: 'boolean', description: 'Leave the clock where POST /__mock/clock moved it.' }
        }
      },
      response: { 204: { description: 'Reset.', type: 'null' } }
    }
  }, async (request, reply) => {
    if (request.query.site === undefined) {
      // First the clock, so the fixtures are loaded at the time that follows.
      if (request.query.keepClock !== true) app.clock.reset()
      app.store.reset()
      app.oauth.reset()
      app.faults.reset()
      app.releaseHungConnections()
      app.journal.clear()
      request.log.info('state reset to fixtures')
    } else {
      const site = siteOf(request.query.site)
      app.store.reset(site)
      app.journal.clear(site.name)
      request.log.info({ site: site.name }, 'site reset to fixtures')
    }
    stateDropped()
    return reply.code(204).send()
  })

  app.get('/__mock/clock', {
    config: admin,
    schema: { summary: "The mock's current time", ...open }
  }, async () => ({ now: eloquaTimestamp(app.clock.now()) }))

  app.post<{ Body: { advanceMs: number } }>('/__mock/clock', {
    config: admin,
    schema: {
      summary: "Move the mock's clock forward, ending the syncs whose time comes",
      ...open,
      // Up to ten years at a time keeps every date the mock prints valid.
      body: { type: 'object', required: ['advanceMs'], additionalProperties: false, properties: { advanceMs: { type: 'integer', minimum: 0, maximum: 315_360_000_000 } } },
      response: { 200: { type: 'object', properties: { now: { type: 'string' } } }, 400: { $ref: 'ValidationFailures#' } }
    }
  }, async (request) => {
    if (app.clock.now() + request.body.advanceMs > LAST_CLOCK_TIME) {
      throw validationError([{ field: 'advanceMs', value: String(request.body.advanceMs), constraint: `Must not move the clock past ${eloquaTimestamp(LAST_CLOCK_TIME)}.` }])
    }
    app.clock.advance(request.body.advanceMs)
    // Export rows still being written are finished first, so every sync whose time comes ends now.
    app.store.writeExports(Infinity)
    app.store.tick()
    return { now: eloquaTimestamp(app.clock.now()) }
  })

  app.get('/__mock/faults', {
    config: admin,
    schema: { summary: 'The fault rules in force, in the order they are tried, with their counters', ...open }
  }, async () => app.faults.state())

  app.post('/__mock/faults', {
    config: admin,
    schema: {
      summary: 'Add a fault rule (the fixtures format); it is tried before every other rule until reset',
      ...open,
      body: { [DOMAIN_VALIDATED]: true, ...faultRule },
      response: { 201: { description: 'The rule, with its counters.', type: 'object', additionalProperties: true }, 400: { $ref: 'ValidationFailures#' } }
    }
  }, async (request, reply) => {
    const problems = faultRuleProblems(request.body)
    if (problems.length > 0) throw validationError(problems.map(failureOf))
    const rule = request.body as FaultRuleFixture
    if (app.faults.runtimeSize >= options.maxFaultRules) {
      throw validationError([{ field: '/', constraint: `at most ${options.maxFaultRules} fault rules can be added at run time (MAX_FAULT_RULES); delete some first` }])
    }
    if (app.faults.has(rule.name)) throw validationError([{ field: '/name', value: rule.name, constraint: 'a fault rule of this name exists already' }])
    request.log.info({ fault: rule.name }, 'fault rule added')
    return reply.code(201).send(app.faults.add(rule))
  })

  app.delete<{ Params: { name: string } }>('/__mock/faults/:name', {
    config: admin,
    schema: { summary: 'Remove a fault rule until the next reset', ...open, response: { 204: { description: 'Removed.', type: 'null' } } }
  }, async (request, reply) => {
    if (!app.faults.remove(request.params.name)) throw notFound(`no fault rule named ${request.params.name}`)
    return reply.code(204).send()
  })

  app.delete('/__mock/faults', {
    config: admin,
    schema: { summary: 'Remove every fault rule added at run time; the fixture rules stay', ...open, response: { 204: { description: 'Removed.', type: 'null' } } }
  }, async (_request, reply) => {
    app.faults.clearRuntime()
    return reply.code(204).send()
  })

  // Sites by name (lower case): the fixtures' and those added since, with the users they were given.
  const siteFixtures = new Map(options.sites.map((site) => [site.name.toLowerCase(), site]))
  const siteView = (site: SiteFixture): object => ({ ...site, added: app.store.isAdded(siteOf(site.name)) })
  // Listed without passwords and tokens: only the answer to the POST that made a site carries them.
  const siteListing = (site: SiteFixture): object => ({ ...siteView(site), users: site.users.map(({ password: _password, tokens: _tokens, ...user }) => user) })

  app.get('/__mock/sites', {
    config: admin,
    schema: { summary: 'Every site (Eloqua instance) with its users (without passwords and tokens); added says it was made at run time', ...open }
  }, async () => ({ items: [...siteFixtures.values()].map(siteListing) }))

  app.post<{ Body: Partial<SiteFixture> | undefined }>('/__mock/sites', {
    config: admin,
    schema: {
      summary: 'Add a site, its own Eloqua instance seeded like the others: the first fixture site with a new name and new Bearer tokens, or the site given',
      ...open,
      body: { [DOMAIN_VALIDATED]: true, ...siteSchema, required: [] },
      response: { 400: { $ref: 'ValidationFailures#' } }
    }
  }, async (request, reply) => {
    const body = request.body ?? {}
    const problems = runtimeSiteProblems(body)
    if (problems.length > 0) throw validationError(problems.map(failureOf))
    const template = options.sites[0] as SiteFixture
    const ids = [...siteFixtures.values()].map((s) => s.id)
    const name = body.name ?? `Site${randomBytes(4).toString('hex')}`
    if (siteFixtures.has(name.toLowerCase())) throw validationError([{ field: 'name', value: name, constraint: 'Must not be the name of a site the mock holds.' }])
    if (siteFixtures.size >= options.maxSites) throw validationError([{ field: 'name', constraint: `At most ${options.maxSites} sites (MAX_SITES); delete one first.` }])
    // A template's Bearer tokens belong to its own users: the new users get tokens of their own.
    const users = body.users ?? template.users.map(({ tokens, ...user }) => ({ ...user, ...(tokens === undefined ? {} : { tokens: [`mock-token-${randomBytes(16).toString('hex')}`] }) }))
    const taken = users.flatMap((user) => user.tokens ?? []).find((token) => app.directory.hasToken(token))
    if (taken !== undefined) throw validationError([{ field: 'users', constraint: 'Must not give a Bearer token another user has.' }])
    const site: SiteFixture = { id: body.id ?? Math.max(0, ...ids) + 1, name, users, ...(body.podHost === undefined ? {} : { podHost: body.podHost }) }
    app.store.addSite(name)
    app.directory.addSite(site)
    siteFixtures.set(name.toLowerCase(), site)
    request.log.info({ site: name }, 'site added')
    return reply.code(201).send(siteView(site))
  })

  app.delete<{ Params: { name: string } }>('/__mock/sites/:name', {
    config: admin,
    schema: { summary: 'Remove a site added at run time, with everything it holds', ...open, response: { 204: { description: 'Removed.', type: 'null' } } }
  }, async (request, reply) => {
    const site = siteOf(request.params.name)
    if (!app.store.isAdded(site)) throw validationError([{ field: 'name', value: site.name, constraint: 'Must be a site added at run time: the sites of the fixtures stay.' }])
    app.store.removeSite(site)
    app.directory.removeSite(site.name)
    app.oauth.forgetSite(site.name)
    app.journal.clear(site.name)
    siteFixtures.delete(site.name.toLowerCase())
    request.log.info({ site: site.name }, 'site removed')
    stateDropped()
    return reply.code(204).send()
  })

  const journalQuery = {
    operation: { type: 'string', maxLength: 100, description: 'An operation id, e.g. uploadSyncActionData (see /__mock/openapi.json).' },
    method: { type: 'string', maxLength: 10 },
    path: { type: 'string', maxLength: 1024, description: 'The path without its query; * matches any run of characters; case is ignored.' },
    status: { type: 'string', maxLength: 3, description: 'A status such as 204, or a class such as 4xx.' },
    site: { type: 'string', maxLength: 256 },
    since: { type: 'string', maxLength: 40, description: 'An entry id (what came after it), or an ISO 8601 time on the mock clock (what was answered at or after it).' }
  } as const
  app.get<{ Querystring: JournalFilter & { limit?: number } }>('/__mock/requests', {
    config: admin,
    schema: {
      summary: 'The journal: Eloqua API requests the mock answered, oldest first, with what matched',
      ...open,
      querystring: { type: 'object', additionalProperties: false, properties: { ...journalQuery, limit: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1000 } } }
    }
  }, async (request) => {
    const { limit = 1000, ...filter } = request.query
    const items = app.journal.find(filter, limit)
    return { items, count: items.length, recorded: app.journal.size, dropped: app.journal.dropped, capacity: app.journal.capacity, nextId: app.journal.nextId() }
  })

  app.get<{ Querystring: JournalFilter }>('/__mock/requests/count', {
    config: admin,
    schema: { summary: 'How many journal entries match, for verification', ...open, querystring: { type: 'object', additionalProperties: false, properties: journalQuery } }
  }, async (request) => ({ count: app.journal.count(request.query), dropped: app.journal.dropped }))

  app.delete('/__mock/requests', {
    config: admin,
    schema: { summary: 'Empty the journal', ...open, response: { 204: { description: 'Emptied.', type: 'null' } } }
  }, async (_request, reply) => {
    app.journal.clear()
    return reply.code(204).send()
  })

  app.get<{ Querystring: { site?: string } }>('/__mock/report', {
    config: admin,
    schema: {
      summary: 'What the clients of a site did that real Eloqua would punish or that hints at a bug, each finding with the rule behind it and the journal ids of the requests',
      ...open,
      querystring: { type: 'object', additionalProperties: false, properties: { site: { type: 'string', maxLength: 256, description: 'The site; default the first site of the fixtures.' } } }
    }
  }, async (request) => {
    const site = siteOf(request.query.site)
    const name = site.name.toLowerCase()
    const entries = app.journal.timeline().filter((e) => e.site?.toLowerCase() === name)
    return { site: site.name, findings: clientReport(entries, site.reportFacts()), journalDropped: app.journal.dropped }
  })

  app.get('/__mock/openapi.json', {
    config: admin,
    schema: { summary: 'OpenAPI 3 description of every endpoint the mock implements', ...open }
  }, async () => await app.openApiDocument())
}

export default mockAdmin
