import t from 'tap'
import { API_USER, basic, build } from '../../helper.js'

const get = (url: string, authorization = API_USER): { url: string, headers: Record<string, string> } => ({ url: `/api/bulk/2.0${url}`, headers: { authorization } })

t.test('GET /customObjects lists custom objects in Eloqua\'s envelope', async (t) => {
  const app = await build(t)
  const res = await app.inject(get('/customObjects'))
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.strictSame(Object.keys(body), ['items', 'totalResults', 'limit', 'offset', 'count', 'hasMore'])
  t.strictSame(body.items[0], {
    name: 'Webinar Registrations',
    displayNameFieldUri: '/customObjects/9/fields/103',
    emailAddressFieldUri: '/customObjects/9/fields/101',
    uniqueFieldUri: '/customObjects/9/fields/102',
    uri: '/customObjects/9',
    createdBy: 'API.User',
    createdAt: '2024-01-10T09:00:00.0000000Z',
    updatedBy: 'API.User',
    updatedAt: '2024-01-10T09:00:00.0000000Z'
  })
  t.match(body, { totalResults: 2, limit: 1000, offset: 0, count: 2, hasMore: false })
  const events = await app.inject(get('/customObjects', basic('APITest\\Events.User', 'secret')))
  t.strictSame(events.json().items.map((c: { uri: string }) => c.uri), ['/customObjects/10'], 'only those the user may use')
  t.match((await app.inject(get('/customObjects?q=name=Event*'))).json(), { totalResults: 1, items: [{ uri: '/customObjects/10' }] })
})

t.test('GET /customObjects/{id}: 200, 404 unknown, 403 not permitted', async (t) => {
  const app = await build(t)
  t.match((await app.inject(get('/customObjects/10'))).json(), { name: 'Event Attendees', uri: '/customObjects/10', createdAt: '2024-01-10T09:00:00.0000000Z' })
  t.notOk('displayNameFieldUri' in (await app.inject(get('/customObjects/10'))).json(), 'absent fields are omitted')
  t.equal((await app.inject(get('/customObjects/99'))).statusCode, 404)
  t.equal((await app.inject(get('/customObjects/9', basic('APITest\\Events.User', 'secret')))).statusCode, 403)
})

t.test('GET /customObjects/{id}/fields and /fields/{fieldId}', async (t) => {
  const app = await build(t)
  const list = await app.inject(get('/customObjects/9/fields?limit=1&offset=1'))
  t.strictSame(list.json(), {
    items: [{
      name: 'Registration Id',
      internalName: 'Registration_Id1',
      dataType: 'string',
      hasReadOnlyConstraint: false,
      hasNotNullConstraint: false,
      hasUniquenessConstraint: true,
      statement: '{{CustomObject[9].Field[102]}}',
      uri: '/customObjects/9/fields/102',
      createdBy: 'API.User',
      createdAt: '2024-01-10T09:00:00.0000000Z',
      updatedBy: 'API.User',
      updatedAt: '2024-01-10T09:00:00.0000000Z'
    }],
    totalResults: 3,
    limit: 1,
    offset: 1,
    count: 1,
    hasMore: true
  })
  t.match((await app.inject(get('/customObjects/10/fields/201'))).json(), { name: 'Email Address', uri: '/customObjects/10/fields/201' })
  t.equal((await app.inject(get('/customObjects/10/fields/999'))).statusCode, 404)
  t.equal((await app.inject(get('/customObjects/10/fields/abc'))).statusCode, 404)
  t.equal((await app.inject(get('/customObjects/99/fields'))).statusCode, 404)
})

t.test('fields without optional metadata get defaults', async (t) => {
  const fixtures = (await import('../../helper.js')).defaultFixtures()
  fixtures.customObjects.push({ id: 50, name: 'Bare', fields: [{ id: 1, name: 'Some Field' }], createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-02-01T00:00:00Z', updatedBy: 'Other.User' })
  fixtures.customObjects.push({ id: 51, name: 'Bare too' })
  const app = await build(t, { fixtures })
  t.match((await app.inject(get('/customObjects/50/fields/1'))).json(), { internalName: 'Some_Field', dataType: 'string', hasNotNullConstraint: false })
  t.match((await app.inject(get('/customObjects/50'))).json(), { updatedAt: '2024-02-01T00:00:00.0000000Z', updatedBy: 'Other.User' })
  t.strictSame((await app.inject(get('/customObjects/51'))).json(), { name: 'Bare too', uri: '/customObjects/51' })
  t.strictSame((await app.inject(get('/customObjects/51/fields'))).json().items, [])
})

t.test('list parameters out of range answer 400 failures', async (t) => {
  const app = await build(t)
  for (const [query, field, constraint] of [
    ['limit=0', 'limit', 'Must be >= 1.'],
    ['limit=1001', 'limit', 'Must be <= 1000.'],
    ['offset=-1', 'offset', 'Must be >= 0.'],
    ['limit=ten', 'limit', 'Must be an integer.'],
    ['totalResults=maybe', 'totalResults', 'Must be true or false.'],
    ['orderBy=color', 'orderBy', undefined],
    ['q=color=red', 'q', undefined]
  ] as const) {
    const res = await app.inject(get(`/customObjects?${query}`))
    t.equal(res.statusCode, 400, query)
    t.match(res.json(), { failures: [{ field, ...(constraint === undefined ? {} : { constraint }) }] })
    t.equal(res.json().failures.length, 1, `${query}: one failure`)
  }
  for (const value of ['false', 'False', 'FALSE']) {
    t.notOk('totalResults' in (await app.inject(get(`/customObjects?totalResults=${value}`))).json(), value)
  }
  t.equal((await app.inject(get('/customObjects?totalResults=True'))).json().totalResults, 2)
})
