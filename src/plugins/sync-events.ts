/**
 * Makes syncs end on time without anyone polling, and sends their callbacks: when a sync ends,
 * `POST <callbackUrl>` with the final sync object as JSON. Each attempt and its result is kept on
 * the sync (see /__mock/state). Callbacks run in the background with a timeout, so a receiver that
 * is down or slow never holds up the mock; redirects are not followed and the receiver's answer is
 * not read, so a callback reaches only the URL given and costs no memory for what comes back.
 * Fault rules with `sync.callback` deliver them late (on the mock clock), twice or never.
 */
import fp from 'fastify-plugin'
import { eloquaTimestamp } from '../domain/clock.js'
import type { Sync } from '../domain/store.js'

export interface SyncEventsOptions {
  callbackTimeoutMs: number
  /** How often to look for syncs whose time is up. */
  tickMs: number
}

/** A callback to send; `signal` is the state it belongs to, aborted by a reset or close. */
interface DueCallback { at: number, sync: Sync, url: string, twice: boolean, signal: AbortSignal }

export default fp<SyncEventsOptions>(async function syncEvents (app, options) {
  const { store, clock } = app
  // One per site, replaced when that site is reset: callbacks of syncs from before a reset are dropped, not delivered later.
  let stopped = new Map<string, AbortController>()
  const signalOf = (site: string): AbortSignal => {
    const key = site.toLowerCase()
    let controller = stopped.get(key)
    if (controller === undefined) {
      controller = new AbortController()
      stopped.set(key, controller)
    }
    return controller.signal
  }
  /** Late callbacks, due at a time on the mock clock, so advancing the clock sends them. */
  let due: DueCallback[] = []

  async function deliver ({ sync, url, signal }: DueCallback): Promise<void> {
    const started = performance.now()
    const at = eloquaTimestamp(clock.now())
    // A timer and a controller of our own, not AbortSignal.any with AbortSignal.timeout, whose
    // timeout signal the garbage collector may take early, leaving a silent receiver waited on for ever.
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, options.callbackTimeoutMs)
    timer.unref()
    const stop = (): void => { controller.abort(signal.reason) }
    signal.addEventListener('abort', stop, { once: true })
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(store.siteOf(sync).syncView(sync)),
        redirect: 'manual',
        signal: controller.signal
      })
      // The status is all that counts; the body is dropped unread, however large.
      await res.body?.cancel()
      // A site removed meanwhile keeps no record of it.
      store.siteNamed(sync.site)?.recordCallbackAttempt(sync, { at, url, statusCode: res.status, durationMs: Math.round(performance.now() - started) })
      app.log.info({ sync: sync.uri, url, statusCode: res.status }, 'callback delivered')
    } catch (err) {
      const error = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message
      store.siteNamed(sync.site)?.recordCallbackAttempt(sync, { at, url, error, durationMs: Math.round(performance.now() - started) })
      app.log.warn({ sync: sync.uri, url, error }, 'callback failed')
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', stop)
    }
  }

  // deliver() records its own failures and never rejects.
  const send = (callback: DueCallback): void => {
    if (callback.signal.aborted) return
    deliver(callback)
    if (callback.twice) deliver(callback)
  }

  /** Sends the late callbacks whose time has come. */
  function sendDue (): void {
    if (due.length === 0) return
    const now = clock.now()
    const ready = due.filter((d) => d.at <= now)
    due = due.filter((d) => d.at > now)
    for (const callback of ready) send(callback)
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
    const callback = { at: sync.endAt + (plan === 'late' ? sync.shaping?.callbackDelayMs ?? 5000 : 0), sync, url, twice: plan === 'twice', signal: signalOf(sync.site) }
    // Never inside the request that noticed the end: the callback goes out on its own.
    if (plan === 'late') due.push(callback)
    else setImmediate(send, callback)
  }

  store.onSyncFailed = (sync, err) => {
    app.log.error({ sync: sync.uri, err }, 'sync processing failed; the sync ended in error')
  }

  store.onReset = (site) => {
    const key = site?.toLowerCase()
    for (const [name, controller] of stopped) {
      if (key !== undefined && name !== key) continue
      controller.abort()
      stopped.delete(name)
    }
    due = due.filter((d) => !d.signal.aborted)
  }

  const ticker = setInterval(() => {
    // Whatever goes wrong here is logged; the timer of a test double must never end the process.
    try {
      if (store.hasRunningSyncs) store.tick()
      sendDue()
    } catch (err) {
      app.log.error({ err }, 'sync timer failed')
    }
  }, options.tickMs)
  ticker.unref()

  app.addHook('onClose', async () => {
    clearInterval(ticker)
    for (const controller of stopped.values()) controller.abort()
    stopped = new Map()
    due = []
  })
}, { name: 'sync-events', dependencies: ['store'] })
