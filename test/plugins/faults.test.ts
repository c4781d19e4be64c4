import t from 'tap'
import { Writable } from 'node:stream'
import { API_USER, build, dataUrl, defaultFixtures, state, upload } from '../helper.js'
import type { FaultRuleFixture } from '../../src/schemas/fixtures.js'

const RECORDS = [{ Id: 'DLPSB000000000020' }]
const scenario = (name: string): Record<string, string> => ({ 'x-mock-scenario': name })

function withFaults (faults: FaultRuleFixture[]): ReturnType<typeof defaultFixtures> {
  return { ...defaultFixtures(), faults }
}

t.test('definition-12-gone: uploads to definition 12 answer 410 from the rule, with X-Mock-Fault', async (t) => {
  const app = await build(t)
  const res = await upload(app, 9, 12, RECORDS)
  t.equal(res.statusCode, 410)
  t.equal(res.headers['x-mock-fault'], 'definition-12-gone')
  t.equal(res.body, '')
  t.equal((await upload(app, 9, 6, RECORDS)).statusCode, 204, 'other definitions are untouched')
})

t.test('scenario-unavailable: 503 with Retry-After on every request', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 3; i++) {
    const res = await upload(app, 9, 6, RECORDS, scenario('unavailable'))
    t.equal(res.statusCode, 503)
    t.equal(res.statusMessage, 'Service Unavailable')
    t.equal(res.headers['retry-after'], '30')
    t.equal(res.headers['x-mock-fault'], 'scenario-unavailable')
  }
})

t.test('scenario-flaky: the first two requests answer 503, the third goes through', async (t) => {
  const app = await build(t)
  const codes = []
  for (let i = 0; i < 4; i++) codes.push((await upload(app, 9, 6, RECORDS, scenario('flaky'))).statusCode)
  t.strictSame(codes, [503, 503, 204, 204])
})

t.test('scenario-rate-limited: every third request answers 429', async (t) => {
  const app = await build(t)
  const codes = []
  for (let i = 0; i < 6; i++) codes.push((await upload(app, 9, 6, RECORDS, scenario('rate-limited'))).statusCode)
  t.strictSame(codes, [204, 204, 429, 204, 204, 429])
})

t.test('scenario-quota-after-2: uploads after the first two answer 413', async (t) => {
  const app = await build(t)
  const codes = []
  for (let i = 0; i < 4; i++) codes.push((await upload(app, 9, 6, RECORDS, scenario('quota'))).statusCode)
  t.strictSame(codes, [204, 204, 413, 413])
})

t.test('scenario-chaos: the same seed gives the same sequence on every run', async (t) => {
  const run = async (): Promise<number[]> => {
    const app = await build(t)
    const codes = []
    for (let i = 0; i < 20; i++) codes.push((await upload(app, 9, 6, RECORDS, scenario('chaos'))).statusCode)
    return codes
  }
  const first = await run()
  t.strictSame(await run(), first)
  t.ok(first.includes(500) && first.includes(204), `mixes 500 and 204: ${first.join(',')}`)
})

t.test('scenario-conflict-for-events-user: narrowed by user, with the rule\'s own body', async (t) => {
  const app = await build(t)
  const events = `Basic ${Buffer.from('APITest\\Events.User:secret').toString('base64')}`
  const res = await app.inject({ method: 'POST', url: dataUrl(10, 11), payload: RECORDS, headers: { authorization: events, ...scenario('conflict') } })
  t.equal(res.statusCode, 409)
  t.strictSame(res.json(), { failures: [{ field: 'syncActions', constraint: 'A sync of this definition is in progress.' }] })
  t.equal((await upload(app, 9, 6, RECORDS, scenario('conflict'))).statusCode, 204, 'API.User is not matched')
})

t.test('a delay-only rule answers normally, late, and says it fired', async (t) => {
  const app = await build(t, { fixtures: withFaults([{ name: 'slow', response: { delayMs: 60 } }]) })
  const started = performance.now()
  const res = await upload(app, 9, 6, RECORDS)
  t.equal(res.statusCode, 204)
  t.equal(res.headers['x-mock-fault'], 'slow')
  t.ok(performance.now() - started >= 55, 'waited for the delay')
})

t.test('a delayed status answers after the delay', async (t) => {
  const app = await build(t, { fixtures: withFaults([{ name: 'slow-503', response: { status: 503, delayMs: 40 } }]) })
  const started = performance.now()
  t.equal((await upload(app, 9, 6, RECORDS)).statusCode, 503)
  t.ok(performance.now() - started >= 35)
})

t.test('a simulated 400 carries a failures body unless the rule gives one', async (t) => {
  const app = await build(t, { fixtures: withFaults([{ name: 'bad', response: { status: 400 } }]) })
  const res = await upload(app, 9, 6, RECORDS)
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), { failures: [{ field: 'request', constraint: 'There was a validation error.' }] })
})

t.test('faults act before authentication, like a gateway', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: dataUrl(9, 6), payload: RECORDS, headers: scenario('unavailable') })
  t.equal(res.statusCode, 503)
})

t.test('faults also answer for paths the mock does not implement', async (t) => {
  const app = await build(t)
  t.equal((await app.inject({ url: '/api/bulk/2.0/nothing', headers: scenario('unavailable') })).statusCode, 503)
})

t.test('a fired fault changes no Eloqua state', async (t) => {
  const app = await build(t)
  const before = await state(app)
  await upload(app, 9, 6, RECORDS, scenario('unavailable'))
  await upload(app, 9, 7, RECORDS, { prefer: 'code=500' })
  t.strictSame(await state(app), before)
})

t.test('Prefer: code=N answers N for that request only', async (t) => {
  const app = await build(t)
  for (const code of [400, 401, 403, 404, 409, 410, 412, 413, 429, 500, 503]) {
    const res = await upload(app, 9, 6, RECORDS, { prefer: `code=${code}` })
    t.equal(res.statusCode, code)
    t.equal(res.headers['x-mock-fault'], 'prefer')
  }
  t.equal((await upload(app, 9, 6, RECORDS)).statusCode, 204)
  t.equal((await upload(app, 9, 6, RECORDS, { prefer: 'return=minimal' })).statusCode, 204, 'other preferences are ignored')
})

t.test('a simulated 401 challenges like a real one', async (t) => {
  const app = await build(t)
  const res = await upload(app, 9, 6, RECORDS, { prefer: 'code=401' })
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], 'Basic realm="Eloqua", charset="UTF-8"')
})

t.test('an invalid Prefer code gets a clear 400 from the mock', async (t) => {
  const app = await build(t)
  const res = await upload(app, 9, 6, RECORDS, { prefer: 'code=299' })
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), { failures: [{ field: 'Prefer', value: 'code=299', constraint: 'code must be one of 400, 401, 403, 404, 409, 410, 412, 413, 429, 500, 502, 503, 504.' }] })
})

t.test('faults and Prefer never touch /__mock routes', async (t) => {
  const app = await build(t, { fixtures: withFaults([{ name: 'everything', response: { status: 500 } }]) })
  t.equal((await app.inject({ url: '/__mock/health', headers: { prefer: 'code=503' } })).statusCode, 200)
  t.equal((await app.inject('/__mock/state')).statusCode, 200)
  t.equal((await upload(app, 9, 6, RECORDS)).statusCode, 500)
})

t.test('a fired fault is logged with the rule that fired', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, callback) { lines.push(chunk.toString()); callback() } })
  const app = await build(t, { logger: { level: 'info', stream } })
  await upload(app, 9, 6, RECORDS, scenario('unavailable'))
  const entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'fault injected')
  t.match(entry, { level: 30, reqId: String, fault: 'scenario-unavailable: x-mock-scenario: unavailable, always: answer 503' })
})

t.test('fault counters show in /__mock/state and restart on reset', async (t) => {
  const app = await build(t)
  await upload(app, 9, 6, RECORDS, scenario('flaky'))
  await upload(app, 9, 6, RECORDS, scenario('flaky'))
  t.match((await app.inject('/__mock/state')).json(), { faults: [{}, {}, { name: 'scenario-flaky', matched: 2, fired: 2 }] })
  t.equal((await upload(app, 9, 6, RECORDS, scenario('flaky'))).statusCode, 204)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.equal((await upload(app, 9, 6, RECORDS, scenario('flaky'))).statusCode, 503, 'first N again after reset')
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1', headers: { authorization: API_USER } })).statusCode, 404)
})

t.test('without fault rules, requests pass straight through, and Prefer still works', async (t) => {
  const app = await build(t, { fixtures: withFaults([]) })
  t.equal((await upload(app, 9, 6, RECORDS, scenario('unavailable'))).statusCode, 204)
  t.equal((await upload(app, 9, 6, RECORDS, { prefer: 'code=503' })).statusCode, 503)
  t.strictSame((await app.inject('/__mock/state')).json().faults, [])
})

t.test('rules match paths whatever the query string', async (t) => {
  const app = await build(t, { fixtures: withFaults([{ name: 'q', match: { path: '/api/bulk/2.0/syncs/{id}' }, response: { status: 500 } }]) })
  t.equal((await app.inject({ url: '/api/bulk/2.0/syncs/1?links=self', headers: { authorization: API_USER } })).statusCode, 500)
})
