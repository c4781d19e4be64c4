import t from 'tap'
import { API_USER, build, defaultFixtures } from '../../helper.js'
import { eloquaTimestamp } from '../../../src/domain/clock.js'
import { FixtureError, joinFixtures } from '../../../src/fixtures.js'

const get = (url: string): object => ({ url: `/api/bulk/2.0${url}`, headers: { authorization: API_USER } })

t.test('GET /contacts/fields lists the standard contact fields in Eloqua\'s shape and key order', async (t) => {
  const app = await build(t)
  const res = await app.inject(get('/contacts/fields?limit=2'))
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"items":[' +
    '{"name":"Email Address","internalName":"C_EmailAddress","dataType":"emailAddress","hasReadOnlyConstraint":false,"hasNotNullConstraint":true,"hasUniquenessConstraint":true,"statement":"{{Contact.Field(C_EmailAddress)}}","uri":"/contacts/fields/100001","createdAt":"1900-01-01T05:00:00.0000000Z","updatedAt":"1900-01-01T05:00:00.0000000Z"},' +
    '{"name":"First Name","internalName":"C_FirstName","dataType":"string","hasReadOnlyConstraint":false,"hasNotNullConstraint":false,"hasUniquenessConstraint":false,"statement":"{{Contact.Field(C_FirstName)}}","uri":"/contacts/fields/100002","createdAt":"1900-01-01T05:00:00.0000000Z","updatedAt":"1900-01-01T05:00:00.0000000Z"}' +
    '],"totalResults":34,"limit":2,"offset":0,"count":2,"hasMore":true}')
  const readOnly = (await app.inject(get("/contacts/fields?q=internalName='ContactIDExt'"))).json()
  t.match(readOnly.items, [{ name: 'Eloqua Contact ID', hasReadOnlyConstraint: true, uri: '/contacts/fields/100032' }])
  t.equal((await app.inject(get('/contacts/fields?orderBy=uri DESC&limit=1'))).json().items[0].internalName, 'C_ElqPURLName')
})

t.test('GET /accounts/fields and the single-field routes', async (t) => {
  const app = await build(t)
  const account = await app.inject(get('/accounts/fields/100085'))
  t.equal(account.statusCode, 200)
  t.match(account.json(), { name: 'Company Name', internalName: 'M_CompanyName', hasNotNullConstraint: true, statement: '{{Account.Field(M_CompanyName)}}', uri: '/accounts/fields/100085' })
  t.equal((await app.inject(get('/accounts/fields'))).json().totalResults, 15)
  t.match((await app.inject(get('/contacts/fields/100026'))).json(), { internalName: 'C_DateCreated', dataType: 'date' })
  for (const url of ['/contacts/fields/100085', '/accounts/fields/1', '/contacts/fields/abc']) {
    const res = await app.inject(get(url))
    t.equal(res.statusCode, 404, url)
  }
  t.equal((await app.inject({ url: '/api/bulk/2.0/contacts/fields' })).statusCode, 401)
})

t.test('fields a user made carry their own audit data', async (t) => {
  const fixtures = { ...defaultFixtures(), contactFields: [{ id: 100195, name: 'Lead Score', internalName: 'C_Lead_Score1', dataType: 'number' as const, defaultValue: '0', createdBy: 'Admin.User', createdAt: '2024-02-01T09:00:00Z' }] }
  const app = await build(t, { fixtures })
  t.strictSame((await app.inject(get('/contacts/fields/100195'))).json(), {
    name: 'Lead Score',
    internalName: 'C_Lead_Score1',
    dataType: 'number',
    defaultValue: '0',
    hasReadOnlyConstraint: false,
    hasNotNullConstraint: false,
    hasUniquenessConstraint: false,
    statement: '{{Contact.Field(C_Lead_Score1)}}',
    uri: '/contacts/fields/100195',
    createdBy: 'Admin.User',
    createdAt: '2024-02-01T09:00:00.0000000Z',
    updatedBy: 'Admin.User',
    updatedAt: '2024-02-01T09:00:00.0000000Z'
  })
})

t.test('field ids and internal names are unique per entity in fixtures', async (t) => {
  const { sites } = defaultFixtures()
  const twice = { id: 1, name: 'A', internalName: 'C_A' }
  const error = t.throws(() => joinFixtures([{ file: 'f.json', content: { sites, contactFields: [twice, { ...twice, internalName: 'c_a' }] } }])) as FixtureError
  t.strictSame(error.problems, ['f.json: /contactFields/1/id: contact field id 1 is used twice', 'f.json: /contactFields/1/internalName: contact field "c_a" is defined twice'])
  t.doesNotThrow(() => joinFixtures([{ file: 'f.json', content: { sites, contactFields: [twice], accountFields: [twice] } }]), 'contacts and accounts are separate')
})

t.test('timestamps print with four-digit years at both ends', async (t) => {
  t.equal(eloquaTimestamp(Date.parse('1900-01-01T05:00:00Z')), '1900-01-01T05:00:00.0000000Z')
  t.equal(eloquaTimestamp(-1e16), '0001-01-01T00:00:00.0000000Z')
})

t.test('activity fields list the types they apply to, and filter by activityType', async (t) => {
  const app = await build(t)
  const get = (url: string): { url: string, headers: Record<string, string> } => ({ url: `/api/bulk/2.0${url}`, headers: { authorization: API_USER } })
  const all = (await app.inject(get('/activities/fields'))).json()
  t.equal(all.totalResults, 35)
  t.strictSame(all.items[0], {
    name: 'Activity Id',
    internalName: 'ActivityId',
    dataType: 'number',
    hasReadOnlyConstraint: true,
    hasNotNullConstraint: false,
    hasUniquenessConstraint: false,
    statement: '{{Activity.Id}}',
    uri: '/activities/fields/1',
    createdAt: '1900-01-01T05:00:00.0000000Z',
    updatedAt: '1900-01-01T05:00:00.0000000Z',
    activityTypes: ['EmailSend', 'EmailOpen', 'EmailClickthrough', 'Subscribe', 'Unsubscribe', 'Bounceback', 'FormSubmit', 'PageView', 'WebVisit', 'ExternalActivity', 'SmsSend', 'SmsReply', 'SmsClickthrough']
  })
  const opens = (await app.inject(get('/activities/fields?activityType=EmailOpen'))).json()
  t.equal(opens.totalResults, 20)
  t.ok(opens.items.some((f: { statement: string }) => f.statement === '{{Activity.Field(IpAddress)}}'))
  t.notOk(opens.items.some((f: { internalName: string }) => f.internalName === 'EmailClickedThruLink'), 'a clickthrough field is not an open field')
  t.strictSame((await app.inject(get('/activities/fields?activityType=SmsSend'))).json().items.map((f: { internalName: string }) => f.internalName), ['ActivityId', 'ActivityType', 'ActivityDate'])
  const bad = await app.inject(get('/activities/fields?activityType=EmailPeek'))
  t.equal(bad.statusCode, 400)
  t.match(bad.json().failures, [{ field: 'activityType' }])
  t.match((await app.inject(get('/activities/fields/35'))).json(), { internalName: 'Duration', dataType: 'number', activityTypes: ['WebVisit'] })
  t.equal((await app.inject(get('/activities/fields/36'))).statusCode, 404)
  t.equal((await app.inject(get('/activities/fields?q=internalName=Email*&activityType=Bounceback'))).json().totalResults, 2)
})
