/**
 * Makes syncs end on time without anyone polling, and sends their callbacks: when a sync ends,
 * `POST <callbackUrl>` with the final sync object as JSON. Each attempt and its result is kept on
 * the sync (see /__mock/state). Callbacks run in the background with a timeout, so a receiver that
 * is down or slow never holds up the mock. Fault rules with `sync.callback` deliver them late,
 * twice or never.
 */
import fp from 'fastify-plugin'
import { eloquaTimestamp } from '../domain/clock.js'
import type { Sync } from '../domain/store.js'

export interface SyncEventsOptions {
  callbackTimeoutMs: number
  /** How often to look for syncs whose time is up. */
  tickMs: number
}

export default fp<SyncEventsOptions>(async function syncEvents (app, options) {
  const { store } = app
  // Replaced on reset: callbacks of syncs from before a reset are dropped, not delivered later.
  let stopped = new AbortController()
  const timers = new Set<NodeJS.Timeout>()
  const cancelAll = (): void => {
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
    stopped.abort()
  }

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => { timers.delete(timer); fn() }, ms)
    timer.unref()
    timers.add(timer)
  }

  async function deliver (sync: Sync, url: string): Promise<void> {
    const started = performance.now()
    const at = eloquaTimestamp(app.clock.now())
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(store.syncView(sync)),
        signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(options.callbackTimeoutMs)])
      })
      await res.arrayBuffer()
      store.recordCallbackAttempt(sync, { at, url, statusCode: res.status, durationMs: Math.round(performance.now() - started) })
      app.log.info({ sync: sync.uri, url, statusCode: res.status }, 'callback delivered')
    } catch (err) {
      const error = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message
      store.recordCallbackAttempt(sync, { at, url, error, durationMs: Math.round(performance.now() - started) })
      app.log.warn({ sync: sync.uri, url, error }, 'callback failed')
    }
  }

  store.onSyncEnded = (sync) => {
    app.log.info({ sync: sync.uri, status: sync.final?.status }, 'sync ended')
    const url = sync.callbackUrl
    if (url === undefined) return
    const plan = sync.shaping?.callback
    if (plan === 'never') {
      app.log.info({ sync: sync.uri, fault: sync.shaping?.ruleName }, 'callback withheld by fault rule')
      return
    }
    const delay = plan === 'late' ? sync.shaping?.callbackDelayMs ?? 5000 : 0
    // Never inside the request that noticed the end: the callback goes out on its own.
    // deliver() records its own failures and never rejects.
    later(delay, () => {
      deliver(sync, url)
      if (plan === 'twice') deliver(sync, url)
    })
  }

  store.onReset = () => {
    cancelAll()
    stopped = new AbortController()
  }

  const ticker = setInterval(() => { if (store.hasRunningSyncs) store.tick() }, options.tickMs)
  ticker.unref()

  app.addHook('onClose', async () => {
    clearInterval(ticker)
    cancelAll()
  })
}, { name: 'sync-events', dependencies: ['store'] })
