import t from 'tap'
import { API_USER, build, upload } from '../../helper.js'

const getSync = (id: string | number): { url: string, headers: Record<string, string> } => ({ url: `/api/bulk/2.0/syncs/${id}`, headers: { authorization: API_USER } })

t.test('GET /syncs/{id} follows a sync from pending through active to success on the mock clock', async (t) => {
  const app = await build(t, { config: { SYNC_PENDING_MS: 1000, SYNC_ACTIVE_MS: 1500 } })
  t.equal((await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])).statusCode, 201)

  const pending = await app.inject(getSync(1))
  t.equal(pending.statusCode, 200)
  t.equal(pending.body, '{"syncedInstanceUri":"/customObjects/9/syncActions/7","status":"pending","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}')

  app.clock.advance(1000)
  t.strictSame((await app.inject(getSync(1))).json(), {
    syncedInstanceUri: '/customObjects/9/syncActions/7',
    syncStartedAt: '2024-05-01T10:00:01.0000000Z',
    status: 'active',
    createdAt: '2024-05-01T10:00:00.0000000Z',
    createdBy: 'API.User',
    uri: '/syncs/1'
  })

  app.clock.advance(1500)
  t.equal((await app.inject(getSync(1))).body,
    '{"syncedInstanceUri":"/customObjects/9/syncActions/7","syncStartedAt":"2024-05-01T10:00:01.0000000Z","syncEndedAt":"2024-05-01T10:00:02.5000000Z","status":"success","createdAt":"2024-05-01T10:00:00.0000000Z","createdBy":"API.User","uri":"/syncs/1"}')
})

t.test('immediate timing: a sync is already over when first read', async (t) => {
  const app = await build(t, { config: { SYNC_PENDING_MS: 0, SYNC_ACTIVE_MS: 0 } })
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  t.equal((await app.inject(getSync(1))).json().status, 'success')
})

t.test('GET /syncs/{id} answers 404 for a sync that does not exist', async (t) => {
  const app = await build(t)
  for (const id of ['1', '999', 'abc']) {
    const res = await app.inject(getSync(id))
    t.equal(res.statusCode, 404, id)
    t.equal(res.body, '')
  }
})

t.test('GET /syncs/{id} needs credentials', async (t) => {
  const app = await build(t)
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000020' }])
  t.equal((await app.inject('/api/bulk/2.0/syncs/1')).statusCode, 401)
  t.equal((await app.inject({ url: '/API/BULK/2.0/SYNCS/1', headers: { authorization: 'Bearer mock-access-token' } })).statusCode, 200)
})
