/** Gives every app its own in-memory state: the store, the fault rules and the user directory. */
import fp from 'fastify-plugin'
import type { Clock } from '../domain/clock.js'
import { Directory } from '../domain/directory.js'
import { FaultStore } from '../domain/faults.js'
import { Store, type StoreOptions } from '../domain/store.js'
import type { Fixtures } from '../schemas/fixtures.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    faults: FaultStore
    directory: Directory
    clock: Clock
  }
}

export interface StorePluginOptions {
  fixtures: Fixtures
  storeOptions: StoreOptions
  faultSeed: number
  clock: Clock
}

export default fp<StorePluginOptions>(async function store (app, options) {
  const faults = new FaultStore(options.fixtures.faults, options.faultSeed)
  app.decorate('clock', options.clock)
  app.decorate('faults', faults)
  app.decorate('store', new Store(options.fixtures, options.storeOptions, options.clock, faults.decideSync))
  app.decorate('directory', new Directory(options.fixtures.sites))
}, { name: 'store' })
