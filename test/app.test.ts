// buildApp's own defaults: what the command gets when it passes no logger.
import t from 'tap'
import { buildApp } from '../src/app.js'
import { defaultFixtures, testConfig } from './helper.js'

t.test('without a logger option the app logs with pino at LOG_LEVEL, as the command does', async (t) => {
  // silent: the default destination is standard output, which carries the test's own report.
  const app = await buildApp({ config: testConfig({ LOG_LEVEL: 'silent' }), fixtures: defaultFixtures() })
  t.teardown(() => app.close())
  t.equal(app.log.level, 'silent')
  const res = await app.inject('/__mock/health')
  t.equal(res.statusCode, 200)
})

t.test('with LOG_FLUSH_MS=0 and no logger option, the app builds and closes alike', async (t) => {
  const app = await buildApp({ config: testConfig({ LOG_LEVEL: 'silent', LOG_FLUSH_MS: 0 }), fixtures: defaultFixtures() })
  t.equal((await app.inject('/__mock/health')).statusCode, 200)
  await app.close()
})

t.test('routes an in-process user adds keep fastify\'s own compilers: a schema that is not valid stops the start', async (t) => {
  const app = await buildApp({ config: testConfig(), fixtures: defaultFixtures(), logger: false })
  t.teardown(() => app.close())
  app.post('/extra', { schema: { body: { type: 'object', properties: { n: { type: 'nubmer' } } } } }, async () => ({}))
  await t.rejects(async () => { await app.ready() }, /schema is invalid/)
})

t.test('/__mock/openapi.json also describes the routes a user adds, routes told apart by constraints included', async (t) => {
  const app = await buildApp({ config: testConfig(), fixtures: defaultFixtures(), logger: false })
  t.teardown(() => app.close())
  app.get('/extra', { constraints: { host: 'a.example' }, schema: { summary: 'On host a' } }, async () => 'a')
  app.get('/extra', { constraints: { host: 'b.example' }, schema: { summary: 'On host b' } }, async () => 'b')
  const res = await app.inject('/__mock/openapi.json')
  t.equal(res.statusCode, 200)
  t.match(res.json().paths['/extra'], { get: { summary: /^On host [ab]$/ } })
  t.equal((await app.inject({ url: '/extra', headers: { host: 'b.example' } })).body, 'b')
})
