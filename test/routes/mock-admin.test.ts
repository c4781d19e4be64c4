import t from 'tap'
import { build, upload } from '../helper.js'
import { VERSION } from '../../src/app.js'

t.test('GET /__mock/health answers without credentials', async (t) => {
  const app = await build(t)
  const res = await app.inject('/__mock/health')
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { status: 'ok', version: VERSION })
})

t.test('GET /__mock/state shows custom objects, definitions with staged records, syncs and faults', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000021' }])
  const res = await app.inject('/__mock/state')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, {
    customObjects: [{ id: 9, name: 'Webinar Registrations', uri: '/customObjects/9', records: [{ id: 1, externalId: 'DLPSB000000000020' }] }, { id: 10 }],
    syncActionDefinitions: [
      { id: 6, parentId: 9, uri: '/customObjects/9/syncActions/6', identifierFieldName: 'Id', isSyncTriggeredOnImport: false, kbUsed: 1, staged: { uploads: 1, records: 1, files: [{ records: [{ Id: 'DLPSB000000000020' }] }] } },
      { id: 7, isSyncTriggeredOnImport: true, staged: { uploads: 0 } }
    ],
    syncs: [{ id: 1, uri: '/syncs/1', status: 'pending', recordCount: 1, files: [{ records: [{ Id: 'DLPSB000000000021' }] }] }],
    faults: [{ name: 'definition-12-gone', matched: 0, fired: 0 }]
  })
  t.equal(body.syncActionDefinitions.length, 5)
})

t.test('GET /__mock/state?records=false leaves the records out', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  const body = (await app.inject('/__mock/state?records=false')).json()
  t.strictSame(Object.keys(body.syncActionDefinitions[0].staged.files[0]).sort(), ['bytes', 'format', 'recordCount', 'stagedAt', 'stagedBy'])
  t.equal((await app.inject('/__mock/state?records=maybe')).statusCode, 400)
})

t.test('POST /__mock/reset restores the fixtures', async (t) => {
  const app = await build(t)
  const pristine = (await app.inject('/__mock/state')).json()
  await upload(app, 9, 6, [{ Id: 'DLPSB000000000020' }])
  await upload(app, 9, 7, [{ Id: 'DLPSB000000000021' }])
  const reset = await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal(reset.statusCode, 204)
  t.strictSame((await app.inject('/__mock/state')).json(), pristine)
})
