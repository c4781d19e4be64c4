// GET /__mock/report: what the clients did that real Eloqua would punish or that hints at a bug.
import t from 'tap'
import { API_USER, build, bulk, upload } from '../helper.js'
import { clientReport, type Finding } from '../../src/domain/report.js'
import type { TimedEntry } from '../../src/domain/journal.js'

interface Report { site: string, findings: Finding[], journalDropped: number }

const report = async (app: Awaited<ReturnType<typeof build>>, site = ''): Promise<Report> => (await app.inject(`/__mock/report${site === '' ? '' : `?site=${site}`}`)).json<Report>()
const rules = (r: Report): string[] => r.findings.map((f) => f.rule)

t.test('a quiet client gets an empty report', async (t) => {
  const app = await build(t)
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 5000 } })
  t.strictSame(await report(app), { site: 'APITest', findings: [], journalDropped: 0 })
})

t.test('staged data never synced, definitions left behind, warnings never read, polling too fast', async (t) => {
  const app = await build(t)
  // Staged and never synced.
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  // A definition created and not deleted.
  const created = await app.inject(bulk('POST', '/customObjects/9/syncActions', { name: 'Left', fields: { Id: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'Id', syncActions: [{ action: 'setStatus', destination: '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[1]}}', status: 'complete' }] }))
  const uri = created.json<{ uri: string }>().uri
  // A sync that ends in warning (an unknown record), polled in a tight loop, logs never read.
  const sync = await upload(app, 9, 7, [{ Id: 'NO-SUCH-RECORD' }])
  const syncUri = sync.json<{ uri: string }>().uri
  await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 5000 } })
  for (let i = 0; i < 3; i++) await app.inject(bulk('GET', syncUri))
  const found = await report(app)
  t.strictSame(rules(found), ['poll-too-fast', 'staged-never-synced', 'definition-not-deleted', 'warning-not-read'])
  const [poll, staged, left, warning] = found.findings
  t.match(poll, { message: `${syncUri} was polled 3 times less than a second apart`, requests: [4, 5, 6] })
  t.match(staged, { message: '/customObjects/9/syncActions/6 holds 1 uploads that no sync has taken', requests: [1] })
  t.match(left, { message: `${uri} was created and not deleted`, requests: [2], eloqua: /26B/ })
  t.match(warning, { message: `${syncUri} ended in warning, and neither its logs nor its rejects were read`, requests: [4, 5, 6] })

  // Reading the logs, syncing the data and deleting the definition clear them.
  await app.inject(bulk('GET', `${syncUri}/logs`))
  await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: '/customObjects/9/syncActions/6' }))
  await app.inject(bulk('DELETE', uri))
  t.strictSame(rules(await report(app)), ['poll-too-fast'])
  t.strictSame(rules(await report(app, 'SecondSite')), [], 'another site has its own report')
  t.equal((await app.inject('/__mock/report?site=nope')).statusCode, 404)
})

t.test('Retry-After ignored, discovery on every request, too many files', async (t) => {
  const app = await build(t, { config: { MAX_UPLOADS_PER_SYNC: 1 } })
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'busy', match: { operation: 'listSyncs' }, when: { first: 1 }, response: { status: 503, headers: { 'Retry-After': '30' } } } })
  await app.inject(bulk('GET', '/syncs'))
  await app.inject(bulk('GET', '/syncs'))
  for (let i = 0; i < 3; i++) await app.inject({ url: '/id', headers: { authorization: API_USER } })
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000021' }])
  const found = await report(app)
  t.strictSame(rules(found), ['retry-after-ignored', 'discovery-per-request', 'too-many-files', 'staged-never-synced'])
  t.match(found.findings[0], { message: /^GET \/api\/bulk\/2\.0\/syncs answered 503 with Retry-After: 30, and was sent again \d+ ms later$/, requests: [1, 2] })
  t.match(found.findings[1], { message: 'GET /id was called 3 times for 4 Bulk API requests', requests: [3, 4, 5] })
  t.match(found.findings[2], { message: '1 uploads were refused because a definition already held 500 files since its last sync', requests: [7] })
})

t.test('uploads over 32 MB, and the rules that need time, in the domain', async (t) => {
  const entry = (id: number, over: Partial<TimedEntry>): TimedEntry => Object.assign({ id, time: '2024-05-01T10:00:00.000Z', method: 'GET', path: '/x', status: 200, durationMs: 1, requestBytes: 0, responseBytes: 0 }, over, { wallMs: over.wallMs ?? 0 }) as TimedEntry
  const entries = [
    entry(1, { method: 'POST', path: '/api/bulk/2.0/customObjects/9/syncActions/6/data', requestBytes: 33 * 1024 * 1024, status: 404 }),
    entry(2, { operation: 'getSync', path: '/api/bulk/2.0/syncs/1', wallMs: 0 }),
    entry(3, { operation: 'getSync', path: '/api/bulk/2.0/syncs/1?x=1', wallMs: 1500 }),
    entry(4, { path: '/api/bulk/2.0/syncs', status: 500, retryAfter: 1, wallMs: 0 }),
    entry(5, { path: '/api/bulk/2.0/syncs', wallMs: 2000 }),
    entry(6, { path: '/api/bulk/2.0/imports', status: 500, retryAfter: 1, wallMs: 0 })
  ]
  const findings = clientReport(entries, { definitions: [], syncs: [{ uri: '/syncs/1', status: 'success' }] })
  t.strictSame(findings.map((f) => [f.rule, f.requests]), [['upload-over-32mb', [1]]], 'polls a second apart, and retries after Retry-After, are fine')
  const forgotten = clientReport([], { definitions: [{ uri: '/contacts/imports/20', createdByClient: true, stagedUploads: 2, syncing: false }], syncs: [{ uri: '/syncs/4', status: 'warning' }] })
  t.strictSame(forgotten.map((f) => [f.rule, f.requests]), [['staged-never-synced', []], ['definition-not-deleted', []], ['warning-not-read', []]], 'the journal has forgotten the requests: the findings stand, without ids')
})
