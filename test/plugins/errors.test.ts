import t from 'tap'
import { Writable } from 'node:stream'
import { API_USER, build } from '../helper.js'
import type { FastifyError, FastifyRequest } from 'fastify'
import { EloquaError, REASON_PHRASES, describeValue } from '../../src/domain/errors.js'
import { toEloquaError } from '../../src/plugins/errors.js'

t.test('an unknown endpoint answers 404 with no body, and is logged at warn', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb() } })
  const app = await build(t, { logger: { level: 'warn', stream } })
  const res = await app.inject({ url: '/api/bulk/2.0/opportunities/imports?x=1', headers: { authorization: API_USER } })
  t.equal(res.statusCode, 404)
  t.equal(res.statusMessage, 'The requested resource was not found.')
  t.equal(res.body, '')
  t.equal(res.headers['x-mock-reason'], 'GET /api/bulk/2.0/opportunities/imports is not implemented by the mock')
  t.match(JSON.parse(lines[0] ?? '{}'), { level: 40, msg: 'no such endpoint', method: 'GET', url: '/api/bulk/2.0/opportunities/imports?x=1' })
})

t.test('an unexpected error is a 500 with Eloqua\'s reason phrase, logged at error, its message not echoed', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb() } })
  const app = await build(t, { logger: { level: 'error', stream } })
  const res = await app.inject({ method: 'POST', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', payload: [], headers: { authorization: API_USER } })
  t.equal(res.statusCode, 204)
  const site = app.store.sites()[0] as NonNullable<ReturnType<typeof app.store.siteNamed>>
  site.stageUpload = () => { throw new Error('secret internals') }
  const failed = await app.inject({ method: 'POST', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', payload: [], headers: { authorization: API_USER } })
  t.equal(failed.statusCode, 500)
  t.equal(failed.statusMessage, 'The service has encountered an error.')
  t.equal(failed.body, '')
  t.notMatch(failed.headers['x-mock-reason'], /secret/)
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(entries.find((e) => e.msg === 'request failed'), { level: 50, err: { message: 'secret internals' } })
})

t.test('a malformed URL is a 400 in Eloqua\'s shape, not the framework\'s', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/api/bulk/2.0/syncs/%zz', headers: { authorization: API_USER } })
  t.equal(res.statusCode, 400)
  t.equal(res.statusMessage, 'There was a validation error.')
  t.strictSame(res.json(), { failures: [{ field: 'request', constraint: "'/api/bulk/2.0/syncs/%zz' is not a valid url component" }] })
})

t.test('EloquaError carries Oracle\'s status text and a body only for 400', async (t) => {
  t.equal(new EloquaError(409, 'x').reasonPhrase, REASON_PHRASES[409])
  t.equal(new EloquaError(418, 'x').reasonPhrase, 'Error')
  t.equal(new EloquaError(409, 'x').body(), undefined)
  t.strictSame(new EloquaError(400, 'x', [{ field: 'f', constraint: 'c' }]).body(), { failures: [{ field: 'f', constraint: 'c' }] })
})

t.test('describeValue keeps failure values short', async (t) => {
  t.equal(describeValue('abc'), 'abc')
  t.equal(describeValue({ a: 1 }), '{"a":1}')
  t.equal(describeValue(undefined), 'undefined')
  t.equal(describeValue('x'.repeat(200)).length, 100)
  t.equal(describeValue(['a', 1, null, true, { b: [[['c']]] }]), '["a",1,null,true,{"b":[[...]]}]', 'nested values stop three levels down')
  t.equal(describeValue(Array.from({ length: 100000 }, (_, i) => i)).length, 100, 'a huge array is not walked in full')
  t.equal(describeValue({ a: { b: { c: { d: 1 } } } }), '{"a":{"b":{"c":{...}}}}')
})

t.test('X-Mock-Reason stays a valid header for any request path', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/bulk/2.0/customObjects/9/syncActions/%C3%A9t%C3%A9/data', payload: [], headers: { authorization: API_USER } })
  t.equal(res.statusCode, 404)
  t.match(res.headers['x-mock-reason'], /^[\x20-\x7e]+$/)
  const long = await app.inject({ method: 'POST', url: `/api/bulk/2.0/customObjects/9/syncActions/${'9'.repeat(400)}/data`, payload: [], headers: { authorization: API_USER } })
  t.equal(String(long.headers['x-mock-reason']).length, 300)
})

t.test('ajv failures map to Eloqua failures: required properties name the field and carry no value', async (t) => {
  const error = Object.assign(new Error('body/name must have required property'), {
    validationContext: 'body',
    validation: [
      { keyword: 'required', instancePath: '', schemaPath: '#/required', params: { missingProperty: 'name' }, message: "must have required property 'name'" },
      { keyword: 'maxItems', instancePath: '/syncActions', schemaPath: '#/properties/syncActions/maxItems', params: { limit: 10 }, message: 'must NOT have more than 10 items' },
      { keyword: 'enum', instancePath: '/syncActions/0/action', schemaPath: '#', params: {}, message: undefined }
    ]
  })
  const request = { body: { syncActions: [{ action: 'fly' }] } }
  const mapped = toEloquaError(error as unknown as FastifyError, request as unknown as FastifyRequest)
  t.equal(mapped.statusCode, 400)
  t.strictSame(mapped.body(), {
    failures: [
      { field: 'name', constraint: 'Is required.' },
      { field: 'syncActions', value: '[{"action":"fly"}]', constraint: 'Must NOT have more than 10 items.' },
      { field: 'syncActions[0].action', value: 'fly', constraint: 'Is invalid.' }
    ]
  })
})

t.test('framework errors keep a 4xx status; only 400 gets a failures body', async (t) => {
  const request = { headers: {} } as unknown as FastifyRequest
  const teapot = toEloquaError(Object.assign(new Error('no'), { statusCode: 405 }) as unknown as FastifyError, request)
  t.equal(teapot.statusCode, 405)
  t.equal(teapot.body(), undefined)
})

t.test('a path the mock does not serve answers 404 before its Content-Type or body is judged', async (t) => {
  const app = await build(t)
  for (const [url, contentType, payload] of [
    ['/auth/oauth2/revoke', 'application/x-www-form-urlencoded', 'grant_type=password&username=a'],
    ['/api/bulk/2.0/opportunities/imports', 'application/json', '{not json'],
    ['/api/bulk/2.0/opportunities/imports', 'application/json', `[${'['.repeat(100)}]`],
    ['/api/bulk/2.0/opportunities/imports', ';;;', 'x'],
    ['/api/bulk/2.0/opportunities/imports', 'text/csv', 'Id,Id\na,b']
  ] as Array<[string, string, string]>) {
    const res = await app.inject({ method: 'POST', url, payload, headers: { authorization: API_USER, 'content-type': contentType } })
    t.equal(res.statusCode, 404, `${url} ${contentType}`)
    t.equal(res.headers['x-mock-reason'], `POST ${url} is not implemented by the mock`)
  }
})
