// Exported rows written as JSON while their sync runs: a big export ends once they are written,
// pages read them back as they are, and a budget bounds them.
import t from 'tap'
import { ManualClock } from '../../src/domain/clock.js'
import { Directory } from '../../src/domain/directory.js'
import { Store, type StoreOptions } from '../../src/domain/store.js'
import { JsonRows, JsonWriter, keyPrefixes, writeRow } from '../../src/domain/export-json.js'
import type { ExportData } from '../../src/domain/kinds/exports.js'
import { activityExports } from '../../src/domain/kinds/activity-exports.js'
import type { DefinitionKind } from '../../src/domain/kinds/kind.js'
import { defaultFixtures, storeOptions, testConfig } from '../helper.js'

const OPTIONS: StoreOptions = storeOptions({ syncPendingMs: 0, syncActiveMs: 1000, maxRetainedExportRows: 1_000_000, exportCacheBytes: testConfig().EXPORT_CACHE_BYTES })

function setup (rows: number, options: Partial<StoreOptions> = {}, timer = true): { store: Store, clock: ManualClock, site: ReturnType<Store['site']>, principal: NonNullable<ReturnType<Directory['authenticateBasic']>>, writing: { count: number } } {
  const fixtures = { ...defaultFixtures(), activities: [{ generate: { type: 'WebVisit' as const, count: rows, seed: 3 } }] }
  const clock = new ManualClock()
  const store = new Store(fixtures, { ...OPTIONS, ...options }, clock)
  const writing = { count: 0 }
  // Without `timer`, the default hook (nothing) is told: each look at a sync writes more.
  if (timer) store.onExportWriting = () => { writing.count++ }
  const principal = new Directory(fixtures.sites).authenticateBasic('APITest\\API.User', 'secret') as NonNullable<ReturnType<Directory['authenticateBasic']>>
  return { store, clock, site: store.site(principal), principal, writing }
}

const visits = { name: 'Visits', fields: { Id: '{{Activity.Id}}', Date: '{{Activity.CreatedAt}}', Url: '{{Activity.Field(FirstPageViewUrl)}}' }, filter: "'{{Activity.Type}}' = 'WebVisit'" }

t.test('an export of more rows than are written at once ends once they are written, by the timer or by each look at it', async (t) => {
  const { store, clock, site, principal, writing } = setup(60_000)
  const definition = site.createDefinition(principal, activityExports as unknown as DefinitionKind, undefined, visits)
  const sync = site.createSync(principal, { syncedInstanceUri: definition.uri })
  t.equal(writing.count, 1, 'the timer is told there is writing to do')
  clock.advance(5000)
  t.equal(site.syncView(sync).status, 'active', 'its time is up: 10,000 rows were written at its start, 20,000 more at this look, 30,000 are left')
  t.equal(store.writeExports(10_000), true, 'the timer writes 10,000; rows are left')
  t.equal(site.syncView(sync).status, 'success', 'this look wrote the last 20,000')
  t.equal(site.syncView(sync).syncEndedAt, '2024-05-01T10:00:05.0000000Z', 'held back, it says when it ended')
  t.equal(store.writeExports(10_000), false, 'nothing is left to write')
  const data = site.syncData(principal, sync)
  t.equal(data.json?.written, 60_000)
  t.ok((site.usage().exportCacheBytes as number) > 60_000 * 50, 'the bytes are counted')
  site.deleteSyncData(principal, sync)
  t.equal(site.usage().exportCacheBytes, 0, 'and let go with the data')
})

t.test('the budget stops the writing: the sync ends, and its later rows are left for pages to write', async (t) => {
  const { clock, site, principal } = setup(25_000, { exportCacheBytes: 100_000 })
  const definition = site.createDefinition(principal, activityExports as unknown as DefinitionKind, undefined, visits)
  const sync = site.createSync(principal, { syncedInstanceUri: definition.uri })
  clock.advance(5000)
  t.equal(site.syncView(sync).status, 'success', 'no more fits: nothing is left to wait for')
  const written = site.syncData(principal, sync).json?.written as number
  t.ok(written > 0 && written < 25_000, `${written} rows written`)
  const second = site.createSync(principal, { syncedInstanceUri: definition.uri })
  clock.advance(5000)
  t.equal(site.syncView(second).status, 'success')
  t.ok((site.syncData(principal, second).json?.written ?? 0) < 25_000, 'the next export gets only what is left of the budget')
  t.ok((site.usage().exportCacheBytes as number) <= 100_000 + 1000, 'the budget holds, give or take a row')
  site.reset()
  t.equal(site.usage().exportCacheBytes, 0)
})

t.test('a sync that ends without data lets its rows go; EXPORT_CACHE_BYTES 0 writes none', async (t) => {
  const { clock, site, principal } = setup(25_000)
  const definition = site.createDefinition(principal, activityExports as unknown as DefinitionKind, undefined, visits)
  site.createSync(principal, { syncedInstanceUri: definition.uri })
  t.ok((site.usage().exportCacheBytes as number) > 0)
  site.deleteDefinition(definition)
  clock.advance(5000)
  t.equal(site.usage().exportCacheBytes, 0, 'the definition was deleted: the sync ended in error')
  const none = setup(25_000, { exportCacheBytes: 0 })
  const other = none.site.createDefinition(none.principal, activityExports as unknown as DefinitionKind, undefined, visits)
  const sync = none.site.createSync(none.principal, { syncedInstanceUri: other.uri })
  none.clock.advance(5000)
  t.equal(none.site.syncView(sync).status, 'success')
  t.equal(none.site.syncData(none.principal, sync).json, undefined)
})

t.test('rows read back as slices are the bytes a page writes, whatever buffer they fall in', async (t) => {
  const rows = Array.from({ length: 300 }, (_, i) => [String(i), i % 7 === 0 ? `caf\u00e9 "${i}"\n` : 'x'.repeat(i * 37 % 5000)])
  const data: ExportData = { keys: ['Id', 'Text'], count: rows.length, row: (i) => rows[i] as string[], chars: 0 }
  const json = new JsonRows(data)
  json.write(120, Infinity)
  t.equal(json.written, 120)
  t.equal(Buffer.concat(json.slices(100, 120)).toString(), `${rows.slice(100, 120).map(([id, text]) => JSON.stringify({ Id: id, Text: text })).join(',')},`, 'rows written so far read back while more are to come')
  json.write(Infinity, Infinity)
  t.equal(json.written, 300)
  t.equal(json.pending, false)
  const out = new JsonWriter(4096)
  const prefixes = keyPrefixes(data.keys)
  for (let i = 0; i < rows.length; i++) writeRow(data, i, prefixes, out)
  const expected = Buffer.concat(out.take())
  t.ok(Buffer.concat(json.slices(0, 300)).equals(expected), 'all rows')
  t.ok(Buffer.concat(json.slices(17, 245)).toString() === `${rows.slice(17, 245).map(([id, text]) => JSON.stringify({ Id: id, Text: text })).join(',')},`, 'a range, as JSON')
  const small = new JsonRows({ keys: ['Id'], count: 3, row: (i) => [String(i)], chars: 0 })
  small.write(3, Infinity)
  t.equal(small.bytes, '{"Id":"0"},'.length * 3 + 3 * 8, 'done: its bytes and its row tables, no spare buffer')
  small.stop()
  t.equal(Buffer.concat(small.slices(0, 3)).toString(), '{"Id":"0"},{"Id":"1"},{"Id":"2"},', 'stopping a finished one keeps its rows')
  const big = new JsonRows({ keys: ['Text'], count: 2, row: (i) => [i === 0 ? 'y'.repeat(3 * 1024 * 1024) : 'z'], chars: 0 })
  big.write(2, Infinity)
  t.equal(Buffer.concat(big.slices(0, 2)).toString(), `{"Text":"${'y'.repeat(3 * 1024 * 1024)}"},{"Text":"z"},`, 'a row larger than a buffer gets one of its own')
})

t.test('without a timer, looks at a held-back sync end it; a failing write stops the writing so the sync can end', async (t) => {
  const quiet = setup(40_000, {}, false)
  const definition = quiet.site.createDefinition(quiet.principal, activityExports as unknown as DefinitionKind, undefined, visits)
  const sync = quiet.site.createSync(quiet.principal, { syncedInstanceUri: definition.uri })
  quiet.clock.advance(5000)
  t.equal(quiet.site.syncView(sync).status, 'active')
  const write = JsonRows.prototype.write
  // Fails after writing five rows more: what it wrote is still counted.
  JsonRows.prototype.write = function (this: JsonRows, _until: number, room: number) {
    write.call(this, this.written + 5, room)
    throw new Error('boom')
  }
  t.teardown(() => { JsonRows.prototype.write = write })
  t.throws(() => quiet.store.writeExports(1000), /boom/)
  JsonRows.prototype.write = write
  t.equal(quiet.site.syncView(sync).status, 'success', 'the rows written stay; the rest are written for each page')
  const json = quiet.site.syncData(quiet.principal, sync).json as JsonRows
  t.equal(json.written, 30_005, '10,000 at its start, 20,000 at the first look, 5 before the failure')
  t.equal(quiet.site.usage().exportCacheBytes, json.bytes, 'every byte held is counted')
  quiet.site.deleteSyncData(quiet.principal, sync)
  t.equal(quiet.site.usage().exportCacheBytes, 0)
  // A failure when the sync is created, or at a look, fails neither.
  JsonRows.prototype.write = () => { throw new Error('boom') }
  const again = quiet.site.createSync(quiet.principal, { syncedInstanceUri: definition.uri })
  quiet.clock.advance(5000)
  t.equal(quiet.site.syncView(again).status, 'success')
  JsonRows.prototype.write = write
  t.equal(quiet.site.syncData(quiet.principal, again).json?.written, 0, 'none written: pages write them')
})
