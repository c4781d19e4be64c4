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
