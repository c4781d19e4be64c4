/** Gives every app its own in-memory state: the store, the fault rules, the user directory and the OAuth server. */
import fp from 'fastify-plugin'
import type { Clock } from '../domain/clock.js'
import { Directory } from '../domain/directory.js'
import { FaultStore } from '../domain/faults.js'
import { Store, type StoreOptions } from '../domain/store.js'
import { OAuthServer } from '../domain/oauth.js'
import type { Fixtures } from '../schemas/fixtures.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    faults: FaultStore
    directory: Directory
    clock: Clock
    oauth: OAuthServer
  }
}

export interface StorePluginOptions {
  fixtures: Fixtures
  storeOptions: StoreOptions
  faultSeed: number
  clock: Clock
}

/** Export rows written as JSON per turn of the event loop: a few milliseconds, so requests wait no longer. */
const ROWS_PER_TURN = 2000

export default fp<StorePluginOptions>(async function store (app, options) {
  const faults = new FaultStore(options.fixtures.faults, options.faultSeed)
  const state = new Store(options.fixtures, options.storeOptions, options.clock, faults.decideSync)
  app.decorate('clock', options.clock)
  app.decorate('faults', faults)
  app.decorate('store', state)
  const directory = new Directory(options.fixtures.sites)
  const oauth = new OAuthServer(options.fixtures.oauthClients, directory, options.clock)
  directory.useIssuedTokens((token) => oauth.principal(token))
  app.decorate('directory', directory)
  app.decorate('oauth', oauth)

  // Export syncs have their rows written as JSON between requests, from when they start.
  let scheduled = false
  let closed = false
  const turn = (): void => {
    scheduled = false
    try {
      if (state.writeExports(ROWS_PER_TURN)) schedule()
    } catch (err) {
      app.log.error({ err }, 'writing exported rows failed')
    }
  }
  // A turn queued before the app closed still runs once; none is queued after.
  const schedule = (): void => {
    if (scheduled || closed) return
    scheduled = true
    setImmediate(turn)
  }
  state.onExportWriting = schedule
  app.addHook('onClose', async () => { closed = true })
}, { name: 'store' })
