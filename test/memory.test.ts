import t from 'tap'
import { spawnSync } from 'node:child_process'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { eventLoopBusyShare, exposeCollector, glibcHeapTrim, keepTickShapes, memoryReleaser, NO_IDLE_COLLECTIONS_FLAG, QUIET_BUSY_SHARE, releaseWhenQuiet, RELEASE_THRESHOLD_BYTES, stopIdleCollections, unrefInterval, type ForeignFunctions, type HeapTrim, type MemoryReleased } from '../src/memory.js'
import { API_USER, build, upload } from './helper.js'

t.test('memoryReleaser collects only when RSS is more than the threshold above its size when made', async (t) => {
  let rss = 100
  let collections = 0
  const release = memoryReleaser({ collect: () => { collections += 1 }, rss: () => rss, thresholdBytes: 50 })
  rss = 150
  release()
  t.equal(collections, 0, '50 above: not more than the threshold')
  rss = 151
  release()
  t.equal(collections, 1)
  rss = 90
  release()
  t.equal(collections, 1, 'below the baseline')
})

t.test('memoryReleaser defaults to the process RSS and a 32 MiB threshold', async (t) => {
  let collections = 0
  const release = memoryReleaser({ collect: () => { collections += 1 } })
  release()
  t.equal(collections, 0, 'nothing grew by 32 MiB meanwhile')
  t.equal(RELEASE_THRESHOLD_BYTES, 32 * 1024 * 1024)
})

t.test('memoryReleaser trims the C library\'s heap after the collection, loading the trim once', async (t) => {
  let rss = 100
  const calls: string[] = []
  let loads = 0
  const trim = async (): Promise<HeapTrim> => {
    loads += 1
    return () => { calls.push('trim'); return true }
  }
  const release = memoryReleaser({ collect: () => { calls.push('collect') }, trim, rss: () => rss, thresholdBytes: 50 })
  await release()
  t.strictSame(calls, [], 'below the threshold: neither, and nothing loaded')
  t.equal(loads, 0)
  rss = 151
  await release()
  await release()
  t.strictSame(calls, ['collect', 'trim', 'collect', 'trim'])
  t.equal(loads, 1, 'loaded when first needed, then kept')
})

t.test('memoryReleaser reports each release: RSS before and after, and what the trim did', async (t) => {
  const cases: Array<[string, (() => Promise<HeapTrim | undefined>) | undefined, MemoryReleased['heapTrim']]> = [
    ['gave', async () => () => true, 'gave memory back'],
    ['none to give', async () => () => false, 'had none to give back'],
    ['no trim', async () => undefined, 'not available'],
    ['no trim option', undefined, 'not available'],
    ['a failing trim', async () => () => { throw new Error('cannot trim') }, 'not available']
  ]
  for (const [name, trim, heapTrim] of cases) {
    let rss = 100
    const reports: MemoryReleased[] = []
    const release = memoryReleaser({ collect: () => { rss = 120 }, ...(trim === undefined ? {} : { trim }), report: (released) => { reports.push(released) }, rss: () => rss, thresholdBytes: 50 })
    await release()
    t.strictSame(reports, [], `${name}: nothing released, nothing reported`)
    rss = 200
    await release()
    t.strictSame(reports, [{ reason: 'state was dropped', rssBefore: 200, rssAfter: 120, heapTrim }], name)
    rss = 200
    await release('a quiet spell')
    t.strictSame(reports[1], { reason: 'a quiet spell', rssBefore: 200, rssAfter: 120, heapTrim }, `${name}: the reason given`)
  }
})

t.test('memoryReleaser only collects where there is no trim, and never rejects', async (t) => {
  const cases: Array<[string, () => Promise<HeapTrim | undefined>]> = [
    ['no trim to call', async () => undefined],
    ['the loader fails', async () => { throw new Error('cannot load') }],
    ['the trim fails', async () => () => { throw new Error('cannot trim') }]
  ]
  for (const [name, trim] of cases) {
    let collections = 0
    let rss = 100
    const release = memoryReleaser({ collect: () => { collections += 1 }, trim, rss: () => rss, thresholdBytes: 50 })
    rss = 200
    await release()
    await release()
    t.equal(collections, 2, name)
  }
})

t.test('glibcHeapTrim calls malloc_trim(0) of libc.so.6 and says whether it gave memory back', async (t) => {
  const declared: string[] = []
  const given: unknown[][] = []
  let answer = 1
  const foreign: ForeignFunctions = {
    load: (path) => ({
      func: (declaration) => {
        declared.push(`${path}: ${declaration}`)
        return (...args) => { given.push(args); return answer }
      }
    })
  }
  const trim = await glibcHeapTrim(async () => foreign)
  t.strictSame(declared, ['libc.so.6: int malloc_trim(size_t pad)'])
  t.equal(trim?.(), true)
  answer = 0
  t.equal(trim?.(), false, 'nothing to give back')
  t.strictSame(given, [[0], [0]], 'no padding kept at the top')
})

t.test('glibcHeapTrim is undefined without koffi or without glibc', async (t) => {
  t.equal(await glibcHeapTrim(async () => { throw new Error('Cannot find package \'koffi\'') }), undefined, 'koffi not installed')
  const noGlibc: ForeignFunctions = { load: () => { throw new Error('libc.so.6: cannot open shared object file') } }
  t.equal(await glibcHeapTrim(async () => noGlibc), undefined, 'musl, macOS, Windows')
  const noSymbol: ForeignFunctions = { load: () => ({ func: () => { throw new Error('Cannot find function \'malloc_trim\'') } }) }
  t.equal(await glibcHeapTrim(async () => noSymbol), undefined, 'a libc.so.6 without malloc_trim')
})

t.test('on Linux with glibc, koffi is installed and the trim gives freed heap memory back', async (t) => {
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  const glibc = process.platform === 'linux' && header.glibcVersionRuntime !== undefined
  const trim = await glibcHeapTrim()
  t.equal(trim !== undefined, glibc, `glibc ${header.glibcVersionRuntime ?? 'absent'}`)
  if (trim === undefined) return
  // Pieces as uploads arrive in (64 KiB, from glibc's main heap), each with a small block after
  // it that stays, as a request's own allocations sit among staged data: freed, the pieces leave
  // holes the heap cannot shrink by from its top.
  const collect = exposeCollector()
  let pieces: Buffer[] | undefined = []
  const kept: Buffer[] = []
  for (let i = 0; i < 1024; i++) {
    pieces.push(Buffer.allocUnsafeSlow(64 * 1024).fill(1))
    kept.push(Buffer.allocUnsafeSlow(1024).fill(2))
  }
  const held = process.memoryUsage.rss()
  pieces = undefined
  t.equal(pieces, undefined)
  collect()
  const collected = process.memoryUsage.rss()
  t.equal(trim(), true, 'memory given back')
  const trimmed = process.memoryUsage.rss()
  t.ok(collected - trimmed > 32 * 1024 ** 2, `RSS ${(held / 1024 ** 2).toFixed(1)} MiB with the pieces, ${(collected / 1024 ** 2).toFixed(1)} after the collection, ${(trimmed / 1024 ** 2).toFixed(1)} after the trim`)
  t.equal(kept.length, 1024)
})

t.test('exposeCollector gives V8\'s gc(), which frees what nothing holds', async (t) => {
  const collect = exposeCollector()
  t.type(collect, 'function')
  let target: object | undefined = {}
  let resolveFreed = (): void => {}
  const freed = new Promise<void>((resolve) => { resolveFreed = resolve })
  // Held until the end: a registry that is itself collected calls nothing.
  const registry = new FinalizationRegistry(() => { resolveFreed() })
  registry.register(target, 'target')
  target = undefined
  t.equal(target, undefined)
  // A FinalizationRegistry callback runs only after a collection found its target unreachable.
  for (let i = 0; i < 5; i++) {
    collect()
    await nextTurn()
  }
  await freed
  t.ok(registry, 'the target was collected')
})

t.test('a reset, a site reset and a site removal call afterStateDropped once answered; other control calls do not', async (t) => {
  const calls: string[] = []
  const app = await build(t, { afterStateDropped: () => { calls.push('dropped') } })
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.strictSame(calls, [], 'not before the answer: it runs on the next turn')
  await nextTurn()
  t.strictSame(calls, ['dropped'])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?site=SecondSite' })).statusCode, 204)
  await nextTurn()
  t.strictSame(calls, ['dropped', 'dropped'])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/sites', payload: { name: 'Added' } })).statusCode, 201)
  t.equal((await app.inject({ method: 'GET', url: '/__mock/requests' })).statusCode, 200)
  await nextTurn()
  t.strictSame(calls, ['dropped', 'dropped'], 'adding a site or reading the journal drops nothing')
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/sites/Added' })).statusCode, 204)
  await nextTurn()
  t.strictSame(calls, ['dropped', 'dropped', 'dropped'])
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset?site=Nowhere' })).statusCode, 404)
  await nextTurn()
  t.equal(calls.length, 3, 'a refused reset drops nothing')
  t.ok(API_USER)
})

t.test('without afterStateDropped a reset just answers', async (t) => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
})

t.test('keepTickShapes keeps a tick object without arguments and one with, the same two on every call', async (t) => {
  const kept = await keepTickShapes()
  t.equal(kept.length, 2)
  for (const tick of kept) {
    t.type((tick as { callback?: unknown }).callback, 'function')
    t.ok(Object.getOwnPropertySymbols(tick).some((key) => key.description === 'async_id_symbol'), 'a tick object, with its async id')
  }
  t.equal((kept[0] as { args?: unknown }).args, undefined)
  t.same((kept[1] as { args?: unknown }).args, [kept])
  t.equal(await keepTickShapes(), kept)
})

t.test('stopIdleCollections sets V8\'s switch from V8 12 on, and leaves older V8 alone', async (t) => {
  const set: string[] = []
  const setFlags = (flags: string): void => { set.push(flags) }
  t.equal(stopIdleCollections('11.3.244.8-node.38', setFlags), false, 'Node 20')
  t.strictSame(set, [])
  t.equal(stopIdleCollections('12.4.254.21-node.57', setFlags), true, 'Node 22')
  t.equal(stopIdleCollections('13.6.233.17-node.63', setFlags), true, 'Node 24')
  t.strictSame(set, [NO_IDLE_COLLECTIONS_FLAG, NO_IDLE_COLLECTIONS_FLAG])
})

t.test('this Node\'s V8 knows the switch exactly when stopIdleCollections sets it', async (t) => {
  // V8 prints an error on stderr for a flag it does not know, and goes on.
  const run = (flags: string): string => spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flags)})`], { encoding: 'utf8' }).stderr
  t.match(run('--no-such-v8-flag'), /unrecognized flag/, 'an unknown flag is reported')
  const sets = stopIdleCollections(process.versions.v8, () => {})
  t.equal(/unrecognized flag/.test(run(NO_IDLE_COLLECTIONS_FLAG)), !sets, `V8 ${process.versions.v8}`)
})

/** releaseWhenQuiet with its stretches driven by hand. */
function quietWatch (quietMs: number): { shares: number[], releases: () => number, tick: () => void, stretchMs: () => number, stopped: () => boolean } {
  const shares: number[] = []
  let releases = 0
  let tick = (): void => {}
  let stretchMs = 0
  let stopped = false
  const stop = releaseWhenQuiet({
    quietMs,
    release: () => { releases += 1 },
    busyShare: () => shares.shift() ?? 0,
    every: (ms, run) => {
      stretchMs = ms
      tick = run
      return () => { stopped = true }
    }
  })
  return { shares, releases: () => releases, tick: () => { tick() }, stretchMs: () => stretchMs, stopped: () => { stop(); return stopped } }
}

t.test('releaseWhenQuiet releases after four quiet stretches in a row, once per quiet spell', async (t) => {
  const watch = quietWatch(60000)
  t.equal(watch.stretchMs(), 15000, 'stretches of a quarter')
  watch.shares.push(0.5, 0, 0, 0.02, 0, 0, 0)
  for (let i = 0; i < 6; i++) watch.tick()
  t.equal(watch.releases(), 0, 'a busy stretch starts the count again')
  watch.tick()
  t.equal(watch.releases(), 0, 'three quiet stretches')
  watch.tick()
  t.equal(watch.releases(), 1, 'the fourth')
  for (let i = 0; i < 8; i++) watch.tick()
  t.equal(watch.releases(), 1, 'not again while it stays quiet')
  watch.shares.push(QUIET_BUSY_SHARE)
  for (let i = 0; i < 5; i++) watch.tick()
  t.equal(watch.releases(), 2, 'again after a busy stretch and four quiet ones')
  t.equal(watch.stopped(), true, 'what it returns stops the stretches')
})

t.test('eventLoopBusyShare measures the event loop since its last call', async (t) => {
  const busyShare = eventLoopBusyShare()
  const until = performance.now() + 20
  while (performance.now() < until);
  t.ok(busyShare() > 0.5, 'busy the whole time')
  t.ok(busyShare() >= 0, 'a share')
})

t.test('unrefInterval runs its tick until stopped, without holding the process', async (t) => {
  // The interval alone would let this process end mid-test: a timer of the test's holds it.
  const hold = setTimeout(() => {}, 10_000)
  let ticks = 0
  let stop = (): void => {}
  await new Promise<void>((resolve) => {
    stop = unrefInterval(1, () => {
      ticks += 1
      if (ticks === 2) resolve()
    })
  })
  stop()
  await new Promise((resolve) => setTimeout(resolve, 5))
  clearTimeout(hold)
  t.equal(ticks, 2, 'no tick after stop')
})
