import t from 'tap'
import { FaultStore, normalisePath, preferredFault, type FaultRequest } from '../../src/domain/faults.js'
import { EloquaError } from '../../src/domain/errors.js'
import type { FaultRuleFixture } from '../../src/schemas/fixtures.js'

const UPLOAD = '/api/bulk/2.0/customObjects/{parentId}/syncActions/{id}/data'

function request (overrides: Partial<FaultRequest> = {}): FaultRequest {
  return {
    method: 'POST',
    path: '/api/bulk/2.0/customObjects/9/syncActions/6/data',
    params: { parentId: '9', id: '6' },
    headers: {},
    identity: () => ({ site: 'APITest', user: 'API.User' }),
    ...overrides
  }
}

const rule = (fixture: Partial<FaultRuleFixture>): FaultRuleFixture => ({ name: 'r', response: { status: 503 }, ...fixture })

function firing (store: FaultStore, n: number, req: FaultRequest = request()): boolean[] {
  return Array.from({ length: n }, () => store.decide(req) !== undefined)
}

t.test('normalisePath lower-cases, collapses slashes and drops a trailing one', async (t) => {
  t.equal(normalisePath('/API/Bulk/2.0//Syncs/'), '/api/bulk/2.0/syncs')
  t.equal(normalisePath('/'), '/')
})

t.test('when: always, first N, after N, every Nth', async (t) => {
  t.strictSame(firing(new FaultStore([rule({})], 1), 3), [true, true, true])
  t.strictSame(firing(new FaultStore([rule({ when: 'always' })], 1), 2), [true, true])
  t.strictSame(firing(new FaultStore([rule({ when: { first: 2 } })], 1), 4), [true, true, false, false])
  t.strictSame(firing(new FaultStore([rule({ when: { after: 2 } })], 1), 4), [false, false, true, true])
  t.strictSame(firing(new FaultStore([rule({ when: { every: 3 } })], 1), 6), [false, false, true, false, false, true])
})

t.test('when: probability repeats exactly under the same seed and differs under another', async (t) => {
  const run = (seed: number): boolean[] => firing(new FaultStore([rule({ when: { probability: 0.5 } })], seed), 40)
  t.strictSame(run(7), run(7))
  t.notSame(run(7), run(8))
  const hits = run(7).filter(Boolean).length
  t.ok(hits > 5 && hits < 35, `about half fire (${hits}/40)`)
  const withOwnSeed = (defaultSeed: number): boolean[] => firing(new FaultStore([rule({ when: { probability: 0.5 }, seed: 99 })], defaultSeed), 20)
  t.strictSame(withOwnSeed(1), withOwnSeed(2), 'a rule seed wins over the default seed')
})

t.test('reset restarts counters and the random sequence', async (t) => {
  const store = new FaultStore([rule({ when: { first: 1 } }), rule({ name: 'p', when: { probability: 0.5 } })], 3)
  const first = firing(store, 10)
  t.strictSame(store.state().map((s) => [s.matched, s.fired]), [[10, 1], [9, first.slice(1).filter(Boolean).length]])
  store.reset()
  t.strictSame(firing(store, 10), first)
})

t.test('match narrows by method, path template, ids, site, user and headers', async (t) => {
  const cases: Array<[Partial<FaultRuleFixture>, Partial<FaultRequest>, boolean]> = [
    [{ match: { method: 'POST' } }, {}, true],
    [{ match: { method: 'GET' } }, {}, false],
    [{ match: { path: UPLOAD } }, {}, true],
    [{ match: { path: UPLOAD } }, { path: '/API/Bulk/2.0//customObjects/9/syncActions/6/data/' }, true],
    [{ match: { path: UPLOAD } }, { path: '/api/bulk/2.0/syncs/1' }, false],
    [{ match: { path: '/api/bulk/2.0/customObjects/9/syncActions/6/data' } }, {}, true],
    [{ match: { path: '/api/bulk/2.0/*' } }, { path: '/api/bulk/2.0/syncs/3' }, true],
    [{ match: { path: '/api/bulk/2.0/syncs/{id}' } }, { path: '/api/bulk/2.0/syncs/3/logs' }, false],
    [{ match: { path: '/api/(bulk)/2.0+' } }, { path: '/api/bulk/2.00' }, false],
    [{ match: { parentId: 9, id: 6 } }, {}, true],
    [{ match: { parentId: 10 } }, {}, false],
    [{ match: { id: 7 } }, {}, false],
    [{ match: { site: 'apitest', user: 'api.user' } }, {}, true],
    [{ match: { site: 'Other' } }, {}, false],
    [{ match: { user: 'Other' } }, {}, false],
    [{ match: { user: 'API.User' } }, { identity: () => ({}) }, false],
    [{ match: { headers: { 'X-Mock-Scenario': 'flaky' } } }, { headers: { 'x-mock-scenario': 'flaky' } }, true],
    [{ match: { headers: { 'X-Mock-Scenario': 'flaky' } } }, { headers: { 'x-mock-scenario': 'other' } }, false],
    [{ match: { headers: { 'X-Mock-Scenario': 'flaky' } } }, {}, false],
    [{ match: {} }, {}, true]
  ]
  for (const [fixture, req, expected] of cases) {
    t.equal(new FaultStore([rule(fixture)], 1).decide(request(req)) !== undefined, expected, JSON.stringify(fixture.match))
  }
})

t.test('the first rule that matches and fires wins; the others do not count the request', async (t) => {
  const store = new FaultStore([
    rule({ name: 'a', when: { first: 1 }, response: { status: 503 } }),
    rule({ name: 'b', response: { status: 500 } }),
    rule({ name: 'c', response: { status: 429 } })
  ], 1)
  t.equal(store.decide(request())?.ruleName, 'a')
  t.equal(store.decide(request())?.ruleName, 'b')
  t.strictSame(store.state().map((s) => [s.name, s.matched, s.fired]), [['a', 2, 1], ['b', 1, 1], ['c', 0, 0]])
  t.equal(store.size, 3)
})

t.test('a decision carries status, headers, body and delay, and explains itself', async (t) => {
  const store = new FaultStore([rule({
    name: 'full',
    description: 'shown in state',
    match: { method: 'POST', path: UPLOAD, parentId: 9, id: 6, site: 'APITest', user: 'API.User', headers: { 'X-A': 'b' } },
    when: { every: 1 },
    response: { status: 429, headers: { 'Retry-After': '5' }, body: { x: 1 }, delayMs: 10 }
  })], 1)
  const decision = store.decide(request({ headers: { 'x-a': 'b' } }))
  t.strictSame(decision, {
    ruleName: 'full',
    explanation: `full: POST ${UPLOAD} parentId=9 id=6 site=APITest user=API.User x-a: b, every 1: answer 429 after 10 ms`,
    status: 429,
    headers: { 'Retry-After': '5' },
    body: { x: 1 },
    delayMs: 10,
    bytes: 0
  })
  t.equal(store.state()[0]?.description, 'shown in state')
  const delayOnly = new FaultStore([rule({ name: 'slow', response: { delayMs: 5 } })], 1).decide(request())
  t.equal(delayOnly?.explanation, 'slow: any request, always: after 5 ms')
  t.equal(delayOnly?.status, undefined)
  const empty = new FaultStore([rule({ name: 'odd', response: { headers: { a: 'b' } } })], 1).decide(request())
  t.equal(empty?.explanation, 'odd: any request, always: no change')
})

t.test('Prefer: code=N picks a fault status; other preferences are ignored', async (t) => {
  t.equal(preferredFault(undefined), undefined)
  t.equal(preferredFault('return=minimal'), undefined)
  t.equal(preferredFault('code=503')?.status, 503)
  t.equal(preferredFault('return=minimal, Code = "429"')?.status, 429)
  t.equal(preferredFault('code=410; foo=bar')?.ruleName, 'prefer')
})

t.test('Prefer with a code the mock cannot produce is a 400 naming the header', async (t) => {
  for (const value of ['code=200', 'code=abc', 'code=', 'code=5030']) {
    const error = t.throws(() => preferredFault(value)) as unknown
    t.ok(error instanceof EloquaError)
    t.equal((error as EloquaError).statusCode, 400)
    t.strictSame((error as EloquaError).body(), {
      failures: [{ field: 'Prefer', value, constraint: 'code must be one of 400, 401, 403, 404, 409, 410, 412, 413, 429, 500, 502, 503, 504.' }]
    })
  }
})

t.test('rules match by operation id too', async (t) => {
  const store = new FaultStore([rule({ match: { operation: 'createSync' } })], 1)
  t.equal(store.decide(request({ operation: 'createSync' }))?.ruleName, 'r')
  t.equal(store.decide(request({ operation: 'getSync' })), undefined)
  t.equal(store.decide(request()), undefined)
})

t.test('runtime rules go first, can be removed, and reset brings back the fixture rules', async (t) => {
  const store = new FaultStore([rule({ name: 'fixture', response: { status: 500 } })], 1)
  t.strictSame(store.add(rule({ name: 'runtime', response: { status: 503 } })), { name: 'runtime', explanation: 'runtime: any request, always: answer 503', matched: 0, fired: 0 })
  t.ok(store.has('runtime'))
  t.equal(store.decide(request())?.ruleName, 'runtime')
  t.ok(store.remove('fixture'))
  t.notOk(store.remove('fixture'))
  store.clearRuntime()
  t.equal(store.size, 0)
  store.add(rule({ name: 'again' }))
  store.reset()
  t.strictSame(store.state().map((s) => s.name), ['fixture'])
})
