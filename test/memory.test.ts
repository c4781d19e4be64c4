import t from 'tap'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { exposeCollector, memoryReleaser, RELEASE_THRESHOLD_BYTES } from '../src/memory.js'
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
