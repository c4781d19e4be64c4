import t from 'tap'
import { ManualClock } from '../../src/domain/clock.js'
import { Directory, type Principal } from '../../src/domain/directory.js'
import { EloquaError } from '../../src/domain/errors.js'
import { Store, type StoreOptions } from '../../src/domain/store.js'
import type { Site } from '../../src/domain/site.js'
import type { Definition, DefinitionKind } from '../../src/domain/kinds/kind.js'
import { customObjectSyncActions } from '../../src/domain/kinds/sync-actions.js'
import { defaultFixtures, storeOptions } from '../helper.js'

const fixtures = defaultFixtures()
const directory = new Directory(fixtures.sites)
function principal (user: string): Principal {
  const p = directory.authenticateBasic(`APITest\\${user}`, 'secret')
  if (p === undefined) throw new Error(`no fixture user ${user}`)
  return p
}
const apiUser = principal('API.User')

const OPTIONS: StoreOptions = storeOptions()

/** The one site of the default fixtures, which is what these tests exercise. */
function setup (options: Partial<StoreOptions> = {}): { store: Site, clock: ManualClock } {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 10, 0, 0))
  return { store: new Store(fixtures, { ...OPTIONS, ...options }, clock).site(apiUser), clock }
}

/** A custom object sync action definition by path segments. */
function resolve (site: Site, who: Principal, parentId: string, id: string): Definition {
  return site.resolveDefinition(who, customObjectSyncActions as DefinitionKind, parentId, id)
}

const jsonUpload = (records: unknown[]): { format: 'json', bytes: Buffer, recordCount: number } => {
  const bytes = Buffer.from(JSON.stringify(records))
  return { format: 'json', bytes, recordCount: records.length }
}

function statusOf (error: unknown): number | undefined {
  return error instanceof EloquaError ? error.statusCode : undefined
}

t.test('resolveSyncActionDefinition checks custom object, permission, then definition', async (t) => {
  const { store } = setup()
  t.equal(resolve(store, apiUser, '9', '6').uri, '/customObjects/9/syncActions/6')
  const cases: Array<[Principal, string, string, number]> = [
    [apiUser, '99', '6', 404],
    [apiUser, 'nine', '6', 404],
    [apiUser, '9', '99', 404],
    [apiUser, '9', '11', 404],
    [apiUser, '9', '06', 404],
    [principal('Events.User'), '9', '6', 403],
    [principal('Events.User'), '9', '99', 403],
    [principal('Events.User'), '99', '6', 404]
  ]
  for (const [who, parentId, id, status] of cases) {
    let caught: unknown
    try { resolve(store, who, parentId, id) } catch (err) { caught = err }
    t.equal(statusOf(caught), status, `${who.loginName} ${parentId}/${id}`)
  }
  t.equal(resolve(store, principal('Events.User'), '10', '11').id, 11)
})

t.test('a staged upload is kept as sent and counted in kbUsed', async (t) => {
  const { store } = setup()
  const definition = resolve(store, apiUser, '9', '6')
  const upload = jsonUpload(Array.from({ length: 60 }, (_, i) => ({ Id: `DLPSB0000000000${i}` })))
  t.equal(store.stageUpload(definition, upload, apiUser), undefined, 'no sync when isSyncTriggeredOnImport is false')
  t.equal(definition.staged.length, 1)
  t.equal(definition.staged[0]?.bytes, upload.bytes.toString('latin1'), 'a small upload: its bytes as a latin1 string')
  const large = jsonUpload(Array.from({ length: 200 }, (_, i) => ({ Id: `DLPSB0000000000${i}` })))
  store.stageUpload(definition, large, apiUser)
  t.equal(definition.staged[1]?.bytes, large.bytes, 'a large one: the very bytes, not a copy')
  store.deleteStagedData(definition)
  store.stageUpload(definition, upload, apiUser)
  t.match(store.snapshot({ records: true }), {
    syncActionDefinitions: [{ id: 6, kbUsed: 2, staged: { uploads: 1, records: 60, bytes: upload.bytes.length, files: [{ format: 'json', recordCount: 60, stagedBy: 'API.User', stagedAt: '2024-05-01T10:00:00.0000000Z' }] } }],
    stagingBytes: upload.bytes.length
  })
})

t.test('a definition that syncs on import starts a pending sync per upload', async (t) => {
  const { store, clock } = setup()
  const definition = resolve(store, apiUser, '9', '7')
  const sync = store.stageUpload(definition, jsonUpload([{ Id: 'DLPSB000000000020' }]), apiUser)
  if (sync === undefined) throw new Error('expected a sync')
  t.strictSame(store.syncView(sync), {
    syncedInstanceUri: '/customObjects/9/syncActions/7',
    status: 'pending',
    createdAt: '2024-05-01T10:00:00.0000000Z',
    createdBy: 'API.User',
    uri: '/syncs/1'
  })
  t.equal(definition.staged.length, 0, 'the sync took the upload')
  t.match(store.snapshot({ records: false }), { syncActionDefinitions: [{}, { id: 7, kbUsed: 1 }] }, 'still counted until the sync ends')

  clock.advance(1000)
  t.match(store.syncView(store.getSync(apiUser, '1')), { status: 'active', syncStartedAt: '2024-05-01T10:00:01.0000000Z' })
  t.notOk('syncEndedAt' in store.syncView(sync))
  clock.advance(2000)
  t.strictSame(store.syncView(store.getSync(apiUser, '1')), {
    syncedInstanceUri: '/customObjects/9/syncActions/7',
    syncStartedAt: '2024-05-01T10:00:01.0000000Z',
    syncEndedAt: '2024-05-01T10:00:03.0000000Z',
    status: 'success',
    createdAt: '2024-05-01T10:00:00.0000000Z',
    createdBy: 'API.User',
    uri: '/syncs/1'
  })
  t.match(store.snapshot({ records: false }), { syncActionDefinitions: [{}, { id: 7, kbUsed: 0 }], stagingBytes: 0 }, 'ending a sync frees its staging')
})

t.test('syncs of one definition run one after another', async (t) => {
  const { store, clock } = setup()
  const definition = resolve(store, apiUser, '9', '7')
  const first = store.stageUpload(definition, jsonUpload([{ Id: 'DLPSB000000000020' }]), apiUser)
  clock.advance(500)
  const second = store.stageUpload(definition, jsonUpload([{ Id: 'DLPSB000000000021' }]), apiUser)
  if (first === undefined || second === undefined) throw new Error('expected syncs')
  t.equal(second.uri, '/syncs/2')
  t.equal(second.startAt, first.endAt, 'the second starts when the first ends')
  clock.advance(2500)
  t.equal(store.syncView(first).status, 'success')
  t.equal(store.syncView(second).status, 'active')
})

t.test('getSync answers 403 for a sync of a custom object the user may not use', async (t) => {
  const { store } = setup()
  store.stageUpload(resolve(store, apiUser, '9', '7'), jsonUpload([{ Id: 'DLPSB000000000020' }]), apiUser)
  const error = t.throws(() => store.getSync(principal('Events.User'), '1')) as EloquaError
  t.equal(error.statusCode, 403)
  t.strictSame(store.syncs(principal('Events.User')), [])
  t.equal(store.syncs(apiUser).length, 1)
})

t.test('getSync answers 404 for unknown or malformed ids', async (t) => {
  const { store } = setup()
  for (const id of ['1', 'x', '0', '-1']) {
    let caught: unknown
    try { store.getSync(apiUser, id) } catch (err) { caught = err }
    t.equal(statusOf(caught), 404, id)
  }
})

t.test('the upload past the per-sync limit is a 400 and changes nothing', async (t) => {
  const { store } = setup({ maxUploadsPerSync: 2 })
  const definition = resolve(store, apiUser, '9', '6')
  store.stageUpload(definition, jsonUpload([{ Id: 'a' }]), apiUser)
  store.stageUpload(definition, jsonUpload([{ Id: 'b' }]), apiUser)
  const before = JSON.stringify(store.snapshot({ records: true }))
  const error = t.throws(() => store.stageUpload(definition, jsonUpload([{ Id: 'c' }]), apiUser)) as EloquaError
  t.equal(error.statusCode, 400)
  t.strictSame(error.body(), { failures: [{ field: 'files', value: '3', constraint: 'Must not exceed 2 files per sync.' }] })
  t.equal(JSON.stringify(store.snapshot({ records: true })), before)
})

t.test('the staging quota covers the whole instance, each upload taking at least 1 KiB of it: 413, nothing stored', async (t) => {
  const { store } = setup({ stagingQuotaBytes: 2000 })
  const six = resolve(store, apiUser, '9', '6')
  const eight = resolve(store, apiUser, '9', '8')
  store.stageUpload(six, jsonUpload([{ Id: 'DLPSB000000000020' }]), apiUser)
  const before = JSON.stringify(store.snapshot({ records: true }))
  const error = t.throws(() => store.stageUpload(eight, jsonUpload([{ RecordId: '1' }]), apiUser)) as EloquaError
  t.equal(error.statusCode, 413)
  t.equal(error.reasonPhrase, 'Storage space exceeded.')
  t.equal(JSON.stringify(store.snapshot({ records: true })), before)
})

t.test('uploads during a running sync are kept for the next one, or refused with 409 when so configured', async (t) => {
  for (const mode of ['accept', 'reject'] as const) {
    const { store, clock } = setup({ uploadsDuringSync: mode })
    const seven = resolve(store, apiUser, '9', '7')
    store.stageUpload(seven, jsonUpload([{ Id: 'a' }]), apiUser)
    if (mode === 'accept') {
      t.ok(store.stageUpload(seven, jsonUpload([{ Id: 'b' }]), apiUser), 'accepted and queued')
    } else {
      const error = t.throws(() => store.stageUpload(seven, jsonUpload([{ Id: 'b' }]), apiUser)) as EloquaError
      t.equal(error.statusCode, 409)
      clock.advance(3000)
      t.ok(store.stageUpload(seven, jsonUpload([{ Id: 'b' }]), apiUser), 'accepted once the sync ended')
    }
  }
})

t.test('reset restores the fixtures and forgets staged data and syncs', async (t) => {
  const { store } = setup()
  store.stageUpload(resolve(store, apiUser, '9', '6'), jsonUpload([{ Id: 'a' }]), apiUser)
  store.stageUpload(resolve(store, apiUser, '9', '7'), jsonUpload([{ Id: 'a' }]), apiUser)
  store.reset()
  const snapshot = store.snapshot({ records: true }) as { syncs: unknown[], stagingBytes: number, syncActionDefinitions: Array<{ staged: { uploads: number } }> }
  t.strictSame(snapshot.syncs, [])
  t.equal(snapshot.stagingBytes, 0)
  t.ok(snapshot.syncActionDefinitions.every((d) => d.staged.uploads === 0))
  const sync = store.stageUpload(resolve(store, apiUser, '9', '7'), jsonUpload([{ Id: 'a' }]), apiUser)
  t.equal(sync?.uri, '/syncs/1', 'sync ids start again')
})

t.test('fixture timestamps and authors are kept; missing ones default', async (t) => {
  const clock = new ManualClock(Date.UTC(2030, 0, 1))
  const store = new Store({
    ...fixtures,
    syncActionDefinitions: [
      { ...fixtures.syncActionDefinitions[0]!, createdAt: undefined as unknown as string, createdBy: undefined as unknown as string },
      { ...fixtures.syncActionDefinitions[1]!, updatedAt: '2024-06-01T00:00:00Z', updatedBy: 'Someone', isSyncTriggeredOnImport: undefined as unknown as boolean }
    ]
  }, OPTIONS, clock).site(apiUser)
  const [first, second] = [resolve(store, apiUser, '9', '6'), resolve(store, apiUser, '9', '7')]
  t.equal(first.createdAt, Date.UTC(2030, 0, 1))
  t.equal(first.createdBy, 'API.User')
  t.equal(second.updatedAt, Date.UTC(2024, 5, 1))
  t.equal(second.updatedBy, 'Someone')
  t.equal(second.body.isSyncTriggeredOnImport, false, 'isSyncTriggeredOnImport defaults to false')
})

t.test('a CSV upload decodes to string records in the state', async (t) => {
  const { store } = setup()
  const definition = resolve(store, apiUser, '9', '6')
  store.stageUpload(definition, { format: 'csv', bytes: Buffer.from('Id\nDLPSB000000000020\n'), recordCount: 1 }, apiUser)
  t.match(store.snapshot({ records: true }), { syncActionDefinitions: [{ staged: { files: [{ format: 'csv', records: [{ Id: 'DLPSB000000000020' }] }] } }] })
  t.notOk('records' in ((store.snapshot({ records: false }) as { syncActionDefinitions: Array<{ staged: { files: object[] } }> }).syncActionDefinitions[0]?.staged.files[0] ?? {}))
})

t.test('a sync whose processing throws ends in error (ELQ-00107), is reported, and frees its definition', async (t) => {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 10, 0, 0))
  const sites = new Store(fixtures, OPTIONS, clock)
  const store = sites.site(apiUser)
  const failures: Array<[number, unknown]> = []
  sites.onSyncFailed = (sync, err) => failures.push([sync.id, err])
  const six = resolve(store, apiUser, '9', '6')
  // Bytes the upload path would never stage: processing them throws.
  store.stageUpload(six, { format: 'json', bytes: Buffer.from('[{"Id":'), recordCount: 1 }, apiUser)
  store.createSync(apiUser, { syncedInstanceUri: '/customObjects/9/syncActions/6' })
  clock.advance(3000)
  const sync = store.getSync(apiUser, '1')
  t.equal(store.syncView(sync).status, 'error')
  t.match(store.syncLogs(sync), [{ severity: 'error', statusCode: 'ELQ-00107' }, { statusCode: 'ELQ-00101', message: 'Sync processed for sync 1, resulting in Error status.' }])
  t.match(failures, [[1, SyntaxError]])
  t.equal(six.runningSyncs, 0)
  t.ok(store.createSync(apiUser, { syncedInstanceUri: '/customObjects/9/syncActions/6' }), 'the definition syncs again')
})

t.test('without a failure handler a failing sync still ends in error quietly', async (t) => {
  const { store, clock } = setup()
  const six = resolve(store, apiUser, '9', '6')
  store.stageUpload(six, { format: 'csv', bytes: Buffer.from('Id\n"unterminated'), recordCount: 1 }, apiUser)
  store.createSync(apiUser, { syncedInstanceUri: '/customObjects/9/syncActions/6' })
  clock.advance(3000)
  t.equal(store.syncView(store.getSync(apiUser, '1')).status, 'error')
  t.equal(store.syncRejects(store.getSync(apiUser, '1')).length, 0)
})

t.test('a Store resets one site or all, and says so', async (t) => {
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 10, 0, 0))
  const sites = new Store(fixtures, OPTIONS, clock)
  sites.reset()
  const resets: Array<string | undefined> = []
  sites.onReset = (site) => resets.push(site)
  sites.reset(sites.site(apiUser))
  sites.reset()
  t.strictSame(resets, ['APITest', undefined])
  t.strictSame(sites.sites().map((s) => s.name), ['APITest', 'SecondSite'])
  t.equal(sites.siteNamed('secondsite')?.name, 'SecondSite')
})
