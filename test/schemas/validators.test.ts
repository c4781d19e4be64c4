// Validators and serializers are compiled when a request first needs them, once per schema for the
// process: apps built one after another (as tests and the in-process API build them) reuse them
// and add nothing. Since the mock skips ajv's meta-schema check at run time, every route schema is
// checked against it here.
import t from 'tap'
import { Ajv } from 'ajv'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { AJV_OPTIONS, compiledSchemaCount, compiledSerializer, compiledValidator, serializerCompiler, validatorCompiler } from '../../src/schemas/validators.js'
import { DOMAIN_VALIDATED } from '../../src/schemas/common.js'
import { build, bulk, defaultFixtures, testConfig } from '../helper.js'

t.test('building an app compiles nothing; the first request to a route compiles its schemas', async (t) => {
  const before = compiledSchemaCount()
  const app = await build(t)
  t.equal(compiledSchemaCount(), before, 'nothing compiled at build')
  const res = await app.inject(bulk('GET', '/contacts/lists?limit=1'))
  t.equal(res.statusCode, 200)
  t.equal(res.json().limit, 1, 'the query was coerced to a number')
  t.ok(compiledSchemaCount() > before, 'compiled on first use')
})

t.test('a second app compiles no schema the first did not, and answers the same bytes', async (t) => {
  const first = await build(t)
  const answer = (await first.inject(bulk('GET', '/contacts/lists'))).body
  const count = compiledSchemaCount()
  const second = await build(t)
  const third = await build(t)
  t.equal((await second.inject(bulk('GET', '/contacts/lists'))).body, answer)
  t.equal((await third.inject(bulk('GET', '/contacts/lists'))).body, answer)
  t.equal(compiledSchemaCount(), count)
})

t.test('a lazily compiled validator reports the errors of the call, which fastify reads', async (t) => {
  const validate = validatorCompiler({ schema: { type: 'object', properties: { limit: { type: 'integer', maximum: 1000 } } }, httpPart: 'querystring', method: 'GET', url: '/' }) as ((data: unknown) => boolean) & { errors?: unknown }
  t.equal(validate({ limit: '5000' }), false)
  t.match(validate.errors, [{ instancePath: '/limit', keyword: 'maximum' }])
  t.equal(validate({ limit: '5' }), true)
  t.equal(validate.errors, null)
})

t.test('every route schema is valid draft-07 JSON Schema and compiles, as do its response schemas', async (t) => {
  const full = new Ajv({ ...AJV_OPTIONS }) // checks each schema against the meta-schema, throwing if it is not valid
  let validators = 0
  let serializers = 0
  const eagerValidator: FastifySchemaCompiler<object> = (route) => {
    if (!(DOMAIN_VALIDATED in route.schema)) {
      full.compile(route.schema)
      compiledValidator(route.schema, route.httpPart === 'body')
      validators++
    }
    return validatorCompiler(route)
  }
  const eagerSerializer: FastifySerializerCompiler<object> = (route) => {
    compiledSerializer(route.schema)
    serializers++
    return serializerCompiler(route)
  }
  const { buildApp } = await t.mockImport<typeof import('../../src/app.js')>('../../src/app.js', {
    '../../src/schemas/validators.js': { validatorCompiler: eagerValidator, serializerCompiler: eagerSerializer }
  })
  const app = await buildApp({ config: testConfig(), fixtures: defaultFixtures(), logger: false })
  t.teardown(() => app.close())
  await app.ready()
  t.ok(validators > 50, `${validators} request schemas checked`)
  t.ok(serializers > 100, `${serializers} response schemas compiled`)
})
