/**
 * Property-based fuzzing of every endpoint with hostile requests: ids, query strings, methods,
 * Content-Types, bodies (random JSON, JSON nested 20,000 deep, invalid UTF-8, BOMs, odd CSV,
 * numbers like 1e400), credentials and other headers. Each run is a short sequence of such
 * requests, mixed with valid ones that give the mock state to lose, against a freshly reset app.
 * After every request:
 *   (a) no answer is a 5xx (the fixtures' request fault rules are removed and no Prefer header is
 *       sent, so nothing may ask for one), nor a status the mock does not document; every 4xx
 *       carries X-Mock-Reason, every 400 a {"failures": [...]} body;
 *   (b) the app answers at all: inject() resolves within WATCHDOG_MS and nothing throws out of
 *       it (the apps run on a worker thread, see sandbox.ts), and GET /__mock/state still works;
 *   (c) a refused request (>= 400), or any request that is not POST/PUT/DELETE, changes nothing
 *       in GET /__mock/state.
 * After every run the clock moves a day, so every staged upload is processed: then the state,
 * each sync with its logs and rejects, and /__mock/health must still answer 200.
 *
 * `npm test` runs a bounded number of runs with a fixed seed; `npm run fuzz` runs FUZZ_RUNS
 * (20,000) per property. FUZZ_SEED picks another seed, FUZZ_WATCHDOG_MS another time limit, and
 * FUZZ_LOG=<file> logs every request with its answer.
 */
import t from 'tap'
import fc from 'fast-check'
import { API_USER, build, dataUrl } from '../helper.js'
import { APPS, run } from './checks.js'
import { GROUPS, setup } from './hostile.js'
import { Sandbox } from './sandbox.js'

const LONG = process.env.FUZZ_RUNS !== undefined
const LONG_RUNS = Number(process.env.FUZZ_RUNS)
const SEED = Number(process.env.FUZZ_SEED ?? 20261128)
// In `npm test`, a property that fails stops shrinking about this long after its first failure
// and reports the smallest counterexample it has by then.
const SHRINK_MS = LONG ? Infinity : 4000

// Properties ------------------------------------------------------------------------------------

const sandbox = new Sandbox(APPS)
t.teardown(() => sandbox.close())
t.before(async () => { await sandbox.ensureStarted() })

for (const group of GROUPS) {
  t.test(`hostile requests: ${group.name}`, async (t) => {
    const started = performance.now()
    const stopsBefore = sandbox.stops
    const numRuns = LONG ? LONG_RUNS : group.runs
    let runs = 0
    let firstFailure: number | undefined
    const property = fc.asyncProperty(
      fc.constantFrom(...Object.keys(APPS)),
      fc.array(fc.oneof({ weight: 3, arbitrary: group.request }, { weight: 2, arbitrary: setup }), { minLength: 1, maxLength: 6 }),
      async (app, requests) => {
        // Out of shrinking time: the remaining candidates pass unseen, so fast-check reports the
        // smallest failing one so far. (Its own interruptAfterTimeLimit would leave a run going.)
        if (firstFailure !== undefined && performance.now() - firstFailure > SHRINK_MS) return
        runs += 1
        try {
          await run(sandbox, app, requests)
        } catch (err) {
          firstFailure ??= performance.now()
          throw err
        }
      }
    )
    try {
      await fc.assert(property, { seed: SEED, numRuns, includeErrorInReport: true })
      t.pass(`${numRuns} runs of up to 6 requests each, seed ${SEED}`)
    } catch (err) {
      t.fail(`a property does not hold (seed ${SEED})`, { diagnostic: true, report: (err as Error).message })
    } finally {
      t.comment(`${runs} runs (shrinking included), ${Math.round(performance.now() - started)} ms, ${sandbox.stops - stopsBefore} worker restarts`)
    }
  })
}

t.test('the clock cannot be moved past the last date the mock can print', async (t) => {
  const app = await build(t)
  const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/
  // Ten years is the largest jump; about 800 of them reach the year 10000, and 21,900 the last
  // date JavaScript has. Each must either move the clock to a date the mock prints in Eloqua's
  // format, or be refused with a 400 that changes nothing.
  let jumps = 0
  let last
  do {
    last = await app.inject({ method: 'POST', url: '/__mock/clock', payload: { advanceMs: 315_360_000_000 } })
    jumps += 1
  } while (last.statusCode === 200 && TIMESTAMP.test((last.json() as { now: string }).now) && jumps < 25_000)
  t.equal(last.statusCode, 400, `jump ${jumps} is refused, not answered ${last.statusCode} ${last.body}`)
  t.type(last.headers['x-mock-reason'], 'string')
  const clock = await app.inject('/__mock/clock')
  t.equal(clock.statusCode, 200)
  t.match(clock.json(), { now: TIMESTAMP }, 'the clock still reads as an Eloqua timestamp')
  t.equal((await app.inject('/__mock/state?records=false')).statusCode, 200)
  const upload = await app.inject({ method: 'POST', url: dataUrl(9, 7), payload: [{ Id: 'DLPSB000000000020' }], headers: { authorization: API_USER } })
  t.equal(upload.statusCode, 201)
  t.match(upload.json(), { createdAt: TIMESTAMP })
})
