// Many requests at once: uploads to one and to several definitions, syncs racing uploads and each
// other. Whatever the interleaving, the counts afterwards are exact: every accepted upload is
// staged once, every refused one leaves nothing, and the staging area adds up.
import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { API_USER, build, dataUrl } from '../helper.js'

interface Staged { uploads: number, records: number, bytes: number }
interface DefinitionState { id: number, kbUsed: number, staged: Staged }
interface SyncState { id: number, uri: string, syncedInstanceUri: string, status: string, recordCount: number, bytes: number }
interface MockState { syncActionDefinitions: DefinitionState[], syncs: SyncState[], stagingBytes: number }

async function mockState (app: FastifyInstance): Promise<MockState> {
  const res = await app.inject('/__mock/state?records=false')
  return res.json() as MockState
}

/** A definition's size and staged counts (not the list of files). */
function definition (state: MockState, id: number): DefinitionState {
  const found = state.syncActionDefinitions.find((d) => d.id === id)
  if (found === undefined) throw new Error(`no definition ${id} in the state`)
  const { uploads, records, bytes } = found.staged
  return { id, kbUsed: found.kbUsed, staged: { uploads, records, bytes } }
}

/** Upload number i: i % 7 + 1 records, so that uploads differ in size. */
function body (i: number, key = 'Id'): string {
  const ids = ['DLPSB000000000020', 'DLPSB000000000021', 'DLPSB000000000099']
  return JSON.stringify(Array.from({ length: (i % 7) + 1 }, (_, j) => ({ [key]: ids[(i + j) % ids.length] })))
}
const recordsOf = (payload: string): number => (JSON.parse(payload) as unknown[]).length

async function post (app: FastifyInstance, url: string, payload: string): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url, payload, headers: { authorization: API_USER, 'content-type': 'application/json' } })
}

const countBy = (responses: readonly LightMyRequestResponse[]): Record<number, number> => {
  const counts: Record<number, number> = {}
  for (const res of responses) counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1
  return counts
}
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)

/**
 * Starts the requests one event-loop turn apart, without waiting for any answer: many are in
 * flight at once, and one started in the middle is handled in the middle. (Started in the same
 * turn, inject() requests go through each stage together, and a sync would come last.)
 */
async function staggered (starts: ReadonlyArray<() => Promise<LightMyRequestResponse>>): Promise<LightMyRequestResponse[]> {
  const inFlight: Array<Promise<LightMyRequestResponse>> = []
  for (const start of starts) {
    inFlight.push(start())
    await new Promise((resolve) => setImmediate(resolve))
  }
  return await Promise.all(inFlight)
}

t.test('200 concurrent uploads to one definition are each staged exactly once', async (t) => {
  const app = await build(t)
  const bodies = Array.from({ length: 200 }, (_, i) => body(i))
  const responses = await Promise.all(bodies.map((payload) => post(app, dataUrl(9, 6), payload)))
  t.strictSame(countBy(responses), { 204: 200 })
  const state = await mockState(app)
  const bytes = sum(bodies.map((b) => Buffer.byteLength(b)))
  t.strictSame(definition(state, 6).staged, { uploads: 200, records: sum(bodies.map(recordsOf)), bytes })
  t.equal(definition(state, 6).kbUsed, Math.ceil(bytes / 1024))
  t.equal(state.stagingBytes, bytes)
  t.strictSame(state.syncs, [])
})

t.test('concurrent uploads to several definitions, interleaved, land on their own definitions', async (t) => {
  const app = await build(t)
  const targets = [[9, 6, 'Id'], [9, 8, 'RecordId'], [9, 14, 'Id'], [9, 15, 'Id'], [10, 11, 'AttendeeId']] as const
  const uploads = Array.from({ length: 250 }, (_, i) => {
    const [parentId, id, key] = targets[i % targets.length] as typeof targets[number]
    return { id, url: dataUrl(parentId, id), payload: body(i, key) }
  })
  const responses = await Promise.all(uploads.map((u) => post(app, u.url, u.payload)))
  t.strictSame(countBy(responses), { 204: 250 })
  const state = await mockState(app)
  for (const [, id] of targets) {
    const mine = uploads.filter((u) => u.id === id)
    t.strictSame(definition(state, id).staged, {
      uploads: mine.length,
      records: sum(mine.map((u) => recordsOf(u.payload))),
      bytes: sum(mine.map((u) => Buffer.byteLength(u.payload)))
    }, `definition ${id}`)
  }
  t.equal(state.stagingBytes, sum(uploads.map((u) => Buffer.byteLength(u.payload))))
})

t.test('MAX_UPLOADS_PER_SYNC holds under concurrency: exactly 50 of 200 are staged', async (t) => {
  const app = await build(t, { config: { MAX_UPLOADS_PER_SYNC: 50 } })
  const payload = body(3)
  const responses = await Promise.all(Array.from({ length: 200 }, () => post(app, dataUrl(9, 6), payload)))
  t.strictSame(countBy(responses), { 204: 50, 400: 150 })
  for (const res of responses.filter((r) => r.statusCode === 400)) {
    t.strictSame(res.json(), { failures: [{ field: 'files', value: '51', constraint: 'Must not exceed 50 files per sync.' }] })
  }
  const state = await mockState(app)
  t.strictSame(definition(state, 6).staged, { uploads: 50, records: 50 * recordsOf(payload), bytes: 50 * Buffer.byteLength(payload) })
  t.equal(state.stagingBytes, 50 * Buffer.byteLength(payload))
})

t.test('the staging quota holds under concurrency: no upload past it is kept', async (t) => {
  const payload = body(6)
  const size = Buffer.byteLength(payload)
  // Each upload takes at least 1 KiB of the quota. Room for 37 uploads and half of a 38th, shared by two definitions.
  const charge = Math.max(size, 1024)
  const app = await build(t, { config: { STAGING_QUOTA_BYTES: 37 * charge + Math.floor(charge / 2) } })
  const responses = await Promise.all(Array.from({ length: 120 }, (_, i) => post(app, dataUrl(9, i % 2 === 0 ? 6 : 14), payload)))
  t.strictSame(countBy(responses), { 204: 37, 413: 83 })
  const state = await mockState(app)
  t.equal(state.stagingBytes, 37 * size)
  t.equal(definition(state, 6).staged.uploads + definition(state, 14).staged.uploads, 37)
  t.equal(definition(state, 6).staged.bytes + definition(state, 14).staged.bytes, 37 * size)
})

t.test('concurrent POST /syncs of one definition: one 201, every other 409', async (t) => {
  const app = await build(t)
  t.equal((await post(app, dataUrl(9, 6), body(2))).statusCode, 204)
  const create = JSON.stringify({ syncedInstanceUri: '/customObjects/9/syncActions/6' })
  const responses = await Promise.all(Array.from({ length: 50 }, () => post(app, '/api/bulk/2.0/syncs', create)))
  t.strictSame(countBy(responses), { 201: 1, 409: 49 })
  const created = responses.find((r) => r.statusCode === 201) as LightMyRequestResponse
  t.equal(created.json().uri, '/syncs/1', 'a refused sync uses no sync id')
  const state = await mockState(app)
  t.equal(state.syncs.length, 1)
  t.match(state.syncs[0], { uri: '/syncs/1', recordCount: recordsOf(body(2)), bytes: Buffer.byteLength(body(2)) })
  t.strictSame(definition(state, 6).staged, { uploads: 0, records: 0, bytes: 0 })
})

t.test('concurrent POST /syncs of several definitions: one 201 for each, ids without gaps', async (t) => {
  const app = await build(t)
  const ids = [6, 8, 14, 15, 16]
  const responses = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    post(app, '/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: `/customObjects/9/syncActions/${ids[i % ids.length] as number}` }))))
  t.strictSame(countBy(responses), { 201: 5, 409: 95 })
  const created = responses.filter((r) => r.statusCode === 201).map((r) => r.json() as { uri: string, syncedInstanceUri: string })
  t.strictSame(created.map((s) => s.uri).sort(), ['/syncs/1', '/syncs/2', '/syncs/3', '/syncs/4', '/syncs/5'])
  t.strictSame(created.map((s) => s.syncedInstanceUri).sort(), ids.map((id) => `/customObjects/9/syncActions/${id}`).sort())
  t.equal((await mockState(app)).syncs.length, 5)
})

t.test('uploads racing a sync: each record is either in the sync or still staged, never both or neither', async (t) => {
  const app = await build(t)
  const bodies = Array.from({ length: 150 }, (_, i) => body(i))
  const create = JSON.stringify({ syncedInstanceUri: '/customObjects/9/syncActions/6' })
  const starts = bodies.map((payload) => async () => await post(app, dataUrl(9, 6), payload))
  starts.splice(75, 0, async () => await post(app, '/api/bulk/2.0/syncs', create))
  const responses = await staggered(starts)
  t.strictSame(countBy(responses), { 201: 1, 204: 150 })
  const state = await mockState(app)
  const [sync] = state.syncs as [SyncState]
  const staged = definition(state, 6).staged
  t.ok(sync.recordCount > 0 && staged.records > 0, `the sync came in the middle of the uploads (${sync.recordCount} records taken, ${staged.records} left)`)
  t.equal(sync.recordCount + staged.records, sum(bodies.map(recordsOf)))
  t.equal(sync.bytes + staged.bytes, sum(bodies.map((b) => Buffer.byteLength(b))))
  t.equal(state.stagingBytes, sync.bytes + staged.bytes, 'the running sync\'s bytes count until it ends')
  app.clock.advance(60_000)
  const after = await mockState(app)
  t.equal(after.stagingBytes, staged.bytes, 'the sync released what it took')
  const logs = await app.inject({ url: '/api/bulk/2.0/syncs/1/logs', headers: { authorization: API_USER } })
  t.match(logs.json(), { items: [{ statusCode: 'ELQ-00140', count: sync.recordCount }] })
})

t.test('UPLOADS_DURING_SYNC=reject under concurrency: what the sync did not take is refused, not staged', async (t) => {
  const app = await build(t, { config: { UPLOADS_DURING_SYNC: 'reject' } })
  const bodies = Array.from({ length: 150 }, (_, i) => body(i))
  const starts = bodies.map((payload) => async () => await post(app, dataUrl(9, 6), payload))
  starts.splice(75, 0, async () => await post(app, '/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: '/customObjects/9/syncActions/6' })))
  const responses = await staggered(starts)
  const uploads = responses.filter((_, i) => i !== 75)
  t.equal(responses[75]?.statusCode, 201)
  const accepted = bodies.filter((_, i) => uploads[i]?.statusCode === 204)
  t.ok(accepted.length > 0 && accepted.length < 150, `the sync came in the middle of the uploads (${accepted.length} accepted)`)
  t.equal((countBy(uploads)[204] ?? 0) + (countBy(uploads)[409] ?? 0), 150, 'each upload is accepted or refused with 409')
  const state = await mockState(app)
  const [sync] = state.syncs as [SyncState]
  t.strictSame(definition(state, 6).staged, { uploads: 0, records: 0, bytes: 0 }, 'nothing staged once the sync began')
  t.equal(sync.recordCount, sum(accepted.map(recordsOf)))
  t.equal(state.stagingBytes, sum(accepted.map((b) => Buffer.byteLength(b))))
})

t.test('100 concurrent uploads to a definition that syncs on import: 100 syncs, one per upload, run one after another', async (t) => {
  const app = await build(t)
  const bodies = Array.from({ length: 100 }, (_, i) => body(i))
  const responses = await Promise.all(bodies.map((payload) => post(app, dataUrl(9, 7), payload)))
  t.strictSame(countBy(responses), { 201: 100 })
  const uris = responses.map((r) => (r.json() as { uri: string }).uri)
  t.equal(new Set(uris).size, 100, 'every upload started its own sync')
  const state = await mockState(app)
  t.strictSame(definition(state, 7).staged, { uploads: 0, records: 0, bytes: 0 })
  // Each sync took exactly the upload that started it.
  for (const [i, uri] of uris.entries()) {
    const sync = state.syncs.find((s) => s.uri === uri) as SyncState
    t.equal(sync.recordCount, recordsOf(bodies[i] as string), uri)
  }
  // Syncs of one definition run one after another: 100 of them take 100 × (pending + active).
  app.clock.advance(100 * 1000)
  const after = await mockState(app)
  t.strictSame(after.syncs.filter((s) => s.status === 'pending' || s.status === 'active'), [])
  t.equal(after.stagingBytes, 0)
  t.equal(sum(after.syncs.map((s) => s.recordCount)), sum(bodies.map(recordsOf)))
})

t.test('mixed concurrent traffic keeps the staging area\'s accounting exact', async (t) => {
  const app = await build(t)
  // A fixed interleaving of uploads, deletes of staged data, syncs and clock moves.
  let seed = 20261128
  // mulberry32: a small seeded generator, so the interleaving is the same on every run.
  const next = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) % n
  }
  const starts: Array<() => Promise<LightMyRequestResponse>> = []
  for (let i = 0; i < 400; i++) {
    const id = [6, 8, 14, 15][next(4)] as number
    const roll = next(20)
    if (roll < 14) starts.push(async () => await post(app, dataUrl(9, id), body(i, id === 8 ? 'RecordId' : 'Id')))
    else if (roll < 16) starts.push(async () => await app.inject({ method: 'DELETE', url: dataUrl(9, id), headers: { authorization: API_USER } }))
    else if (roll < 19) starts.push(async () => await post(app, '/api/bulk/2.0/syncs', JSON.stringify({ syncedInstanceUri: `/customObjects/9/syncActions/${id}` })))
    else starts.push(async () => await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 700 } }))
  }
  const responses = await staggered(starts)
  const statuses = countBy(responses)
  t.strictSame(Object.keys(statuses).filter((status) => Number(status) >= 500), [], 'no 5xx')
  t.ok((statuses[201] ?? 0) > 0 && (statuses[409] ?? 0) > 0, `syncs started and some were refused (${JSON.stringify(statuses)})`)
  const check = (state: MockState, when: string): void => {
    const running = state.syncs.filter((s) => s.status === 'pending' || s.status === 'active')
    const staged = sum(state.syncActionDefinitions.map((d) => d.staged.bytes))
    t.equal(state.stagingBytes, staged + sum(running.map((s) => s.bytes)), `stagingBytes = staged + running syncs, ${when}`)
    for (const d of state.syncActionDefinitions) {
      const syncing = sum(running.filter((s) => s.syncedInstanceUri === `/customObjects/9/syncActions/${d.id}`).map((s) => s.bytes))
      t.equal(d.kbUsed, Math.ceil((d.staged.bytes + syncing) / 1024), `kbUsed of definition ${d.id}, ${when}`)
    }
  }
  check(await mockState(app), 'right after')
  app.clock.advance(3_600_000)
  const later = await mockState(app)
  check(later, 'once every sync has ended')
  t.equal(later.stagingBytes, sum(later.syncActionDefinitions.map((d) => d.staged.bytes)))
})

t.test('200 concurrent uploads over real sockets are each staged exactly once', async (t) => {
  const app = await build(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const bodies = Array.from({ length: 200 }, (_, i) => ({ id: i % 2 === 0 ? 6 : 8, payload: body(i, i % 2 === 0 ? 'Id' : 'RecordId') }))
  const statuses = await Promise.all(bodies.map(async ({ id, payload }) => {
    const res = await fetch(`${address}${dataUrl(9, id)}`, { method: 'POST', body: payload, headers: { authorization: API_USER, 'content-type': 'application/json' } })
    await res.arrayBuffer()
    return res.status
  }))
  t.strictSame(statuses.filter((s) => s !== 204), [])
  const state = await mockState(app)
  for (const id of [6, 8]) {
    const mine = bodies.filter((b) => b.id === id)
    t.strictSame(definition(state, id).staged, {
      uploads: 100,
      records: sum(mine.map((b) => recordsOf(b.payload))),
      bytes: sum(mine.map((b) => Buffer.byteLength(b.payload)))
    }, `definition ${id}`)
  }
  t.equal(state.stagingBytes, sum(bodies.map((b) => Buffer.byteLength(b.payload))))
})

t.test('over real sockets: uploads racing a sync, and syncs racing each other', async (t) => {
  const app = await build(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const send = async (url: string, payload: string): Promise<number> => {
    const res = await fetch(`${address}${url}`, { method: 'POST', body: payload, headers: { authorization: API_USER, 'content-type': 'application/json' } })
    await res.arrayBuffer()
    return res.status
  }
  const bodies = Array.from({ length: 200 }, (_, i) => body(i))
  const create = (id: number): string => JSON.stringify({ syncedInstanceUri: `/customObjects/9/syncActions/${id}` })
  const uploads = bodies.map((payload) => send(dataUrl(9, 6), payload))
  const sync6 = send('/api/bulk/2.0/syncs', create(6))
  const syncs8 = Array.from({ length: 20 }, () => send('/api/bulk/2.0/syncs', create(8)))
  t.strictSame((await Promise.all(uploads)).filter((s) => s !== 204), [])
  t.equal(await sync6, 201)
  t.strictSame((await Promise.all(syncs8)).sort(), [201, ...Array.from({ length: 19 }, () => 409)])
  const state = await mockState(app)
  const sync = state.syncs.find((s) => s.syncedInstanceUri === '/customObjects/9/syncActions/6') as SyncState
  const staged = definition(state, 6).staged
  t.equal(sync.recordCount + staged.records, sum(bodies.map(recordsOf)), 'every record is in the sync or staged, once')
  t.equal(sync.bytes + staged.bytes, sum(bodies.map((b) => Buffer.byteLength(b))))
  t.equal(state.stagingBytes, sync.bytes + staged.bytes)
  t.equal(state.syncs.length, 2)
})
