/**
 * One fuzz run against an app on the sandbox's worker, and the properties checked after every
 * request and at the end of the run (see fuzz.test.ts).
 */
import { appendFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { API_USER } from '../helper.js'
import { ascii, clip, describeRequest } from './hostile.js'
import type { Outcome, Sandbox, WireRequest } from './sandbox.js'

export const WATCHDOG_MS = Number(process.env.FUZZ_WATCHDOG_MS ?? 2000)
// FUZZ_LOG=<file> appends every request of every run, with its answer, to that file.
const LOG = process.env.FUZZ_LOG
// Two apps: one that keeps uploads during a sync, one that refuses them and whose syncs are due
// at once (so the next request processes them). Small limits, so that hostile traffic reaches the
// 400 (too many files), 404 (body too large) and 413 (staging quota) answers too.
const LIMITS = { MAX_UPLOAD_BYTES: 256 * 1024, MAX_UPLOADS_PER_SYNC: 3, STAGING_QUOTA_BYTES: 600_000, CALLBACK_TIMEOUT_MS: 200 }
export const APPS = {
  accept: { ...LIMITS, UPLOADS_DURING_SYNC: 'accept' },
  reject: { ...LIMITS, UPLOADS_DURING_SYNC: 'reject', SYNC_PENDING_MS: 0, SYNC_ACTIVE_MS: 0 }
} as const

const DAY_MS = 86_400_000
// 415 answers a Content-Encoding the mock does not decode; the rest are Eloqua's.
const DOCUMENTED = new Set([200, 201, 204, 400, 401, 403, 404, 409, 410, 412, 413, 415, 429])
const CHANGING = new Set(['POST', 'PUT', 'DELETE'])

export function describeOutcome (outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer': {
      const reason = outcome.headers['x-mock-reason']
      const fault = outcome.headers['x-mock-fault']
      return `${outcome.status} x-mock-reason=${JSON.stringify(reason ?? null)}${fault === undefined ? '' : ` x-mock-fault=${String(fault)}`}` +
        `${outcome.body === '' ? '' : ` body=${ascii(clip(outcome.body, 200))}`} (${outcome.ms} ms)`
    }
    case 'timeout': return `no answer within ${WATCHDOG_MS} ms`
    case 'done': return 'done'
    default: return `${outcome.kind}: ${outcome.error.split('\n').slice(0, 6).join('\n    ')}`
  }
}

// Checks ----------------------------------------------------------------------------------------

export class Failure extends Error {}

/** What is wrong with an answer, if anything: properties (a) and (b). */
export function answerProblem (req: WireRequest, outcome: Outcome): string | undefined {
  if (outcome.kind === 'timeout') return `the app froze: no answer within ${WATCHDOG_MS} ms`
  if (outcome.kind === 'crash') return 'the app crashed: an exception escaped it'
  if (outcome.kind === 'rejected') return 'app.inject() rejected'
  if (outcome.kind === 'done') return undefined
  const { status, headers, body } = outcome
  if (status >= 500) return `answered ${status}`
  if (!DOCUMENTED.has(status)) return `answered ${status}, a status the mock does not document`
  if (status >= 400 && typeof headers['x-mock-reason'] !== 'string') return `answered ${status} without X-Mock-Reason`
  const bodyExpected = req.method !== 'HEAD'
  if (status === 400 && bodyExpected && headers['x-mock-fault'] === undefined) {
    let parsed: unknown
    try { parsed = JSON.parse(body) } catch { return 'answered 400 with a body that is not JSON' }
    const failures = (parsed as { failures?: unknown } | null)?.failures
    if (!Array.isArray(failures) || failures.length === 0 || !failures.every((f) => typeof f?.field === 'string' && typeof f?.constraint === 'string')) {
      return 'answered 400 without a {"failures":[{field, constraint}, ...]} body'
    }
  }
  if (bodyExpected && body !== '' && /json/i.test(String(headers['content-type'] ?? ''))) {
    try { JSON.parse(body) } catch { return `answered ${status} with a JSON Content-Type and a body that is not JSON` }
  }
  return undefined
}

function failure (problem: string, context: { app: string, step: string, req?: WireRequest, outcome?: Outcome, detail?: string }): Failure {
  const lines = [problem, `    during: ${context.step} (app "${context.app}")`]
  if (context.req !== undefined) lines.push(`    request: ${describeRequest(context.req)}`)
  if (context.outcome !== undefined) lines.push(`    answer: ${describeOutcome(context.outcome)}`)
  if (context.detail !== undefined) lines.push(`    ${context.detail}`)
  const error = new Failure(lines.join('\n'))
  // fast-check prints the stack with the message; the test's own frames would only be noise.
  error.stack = error.message
  return error
}

/** The first place two JSON values differ, as `path: before -> after`. */
function firstDifference (a: unknown, b: unknown, path = '$'): string {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    for (const key of keys) {
      const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]]
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`)
    }
  }
  return `${path}: ${clip(JSON.stringify(a) ?? 'absent', 150)} -> ${clip(JSON.stringify(b) ?? 'absent', 150)}`
}

interface MockState {
  customObjects: unknown
  syncActionDefinitions: unknown
  syncs: Array<{ id: number, syncedInstanceUri: string, status: string, fault?: string, callbacks?: unknown }>
  stagingBytes: number
  faults: Array<{ name: string }>
}

const ADMIN_GET = (url: string): WireRequest => ({ method: 'GET', url, headers: {} })

/**
 * GET /__mock/state, which must answer 200 both with the staged records and without them; the
 * state without records is returned (the records may be nested far deeper than this thread's
 * stack allows to compare).
 */
async function readState (sandbox: Sandbox, app: string, step: string, culprit?: { req: WireRequest, outcome: Outcome }): Promise<MockState> {
  let body = ''
  for (const url of ['/__mock/state', '/__mock/state?records=false']) {
    const req = ADMIN_GET(url)
    const outcome = await sandbox.inject(app, req, WATCHDOG_MS)
    const problem = answerProblem(req, outcome)
    if (problem !== undefined || (outcome.kind === 'answer' && outcome.status !== 200)) {
      const detail = culprit === undefined ? undefined : `after: ${describeRequest(culprit.req)}\n    which answered: ${describeOutcome(culprit.outcome)}`
      throw failure(`GET ${url} ${problem ?? 'did not answer 200'}`, { app, step, req, outcome, ...(detail === undefined ? {} : { detail }) })
    }
    body = (outcome as { body: string }).body
  }
  return JSON.parse(body) as MockState
}

/** What a refused request must leave alone: everything but counters, clocks and callback attempts. */
function comparable (state: MockState): unknown {
  return {
    customObjects: state.customObjects,
    syncActionDefinitions: state.syncActionDefinitions,
    syncs: state.syncs.map(({ callbacks: _callbacks, ...sync }) => sync),
    stagingBytes: state.stagingBytes,
    faults: state.faults.map((rule) => rule.name)
  }
}

export async function run (sandbox: Sandbox, app: string, requests: readonly WireRequest[]): Promise<void> {
  await sandbox.ensureStarted()
  sandbox.takeCrash()
  const resetReq: WireRequest = { method: 'POST', url: '/__mock/reset', headers: {} }
  const reset = await sandbox.inject(app, resetReq, WATCHDOG_MS)
  if (reset.kind !== 'answer' || reset.status !== 204) throw failure('POST /__mock/reset did not answer 204', { app, step: 'reset before the run', req: resetReq, outcome: reset })
  let before = comparable(await readState(sandbox, app, 'before the first request'))
  for (const [i, req] of requests.entries()) {
    const step = `request ${i + 1} of ${requests.length}`
    const outcome = await sandbox.inject(app, req, WATCHDOG_MS)
    const problem = answerProblem(req, outcome)
    if (LOG !== undefined) appendFileSync(LOG, `${app} ${describeRequest(req)}\n  -> ${describeOutcome(outcome)}\n`)
    if (problem !== undefined) throw failure(problem, { app, step, req, outcome })
    const after = comparable(await readState(sandbox, app, `reading the state after ${step}`, { req, outcome }))
    const status = (outcome as { status: number }).status
    if ((status >= 400 || !CHANGING.has(req.method)) && !isDeepStrictEqual(before, after)) {
      throw failure(`a ${status >= 400 ? 'refused' : `${req.method}`} request changed the state`, { app, step, req, outcome, detail: `first difference: ${firstDifference(before, after)}` })
    }
    before = after
  }
  // Process every staged upload and end every sync: app.clock.advance, then a request that looks.
  // Fault rules added in the run go first, so that they answer none of the requests below.
  const step = 'the end of the run: the clock moved a day'
  const dropRules: WireRequest = { method: 'DELETE', url: '/__mock/faults', headers: {} }
  const dropped = await sandbox.inject(app, dropRules, WATCHDOG_MS)
  if (dropped.kind !== 'answer' || dropped.status !== 204) throw failure('DELETE /__mock/faults did not answer 204', { app, step, req: dropRules, outcome: dropped })
  const moved = await sandbox.advance(app, DAY_MS)
  if (moved.kind !== 'done') throw failure('the app crashed when its clock moved', { app, step, outcome: moved })
  const final = await readState(sandbox, app, step)
  const running = (sync: MockState['syncs'][number]): boolean => !['success', 'warning', 'error'].includes(sync.status)
  // A sync a fault rule keeps pending never ends, nor do the syncs queued behind it.
  const held = new Set(final.syncs.filter((s) => s.fault !== undefined && running(s)).map((s) => s.syncedInstanceUri))
  for (const sync of final.syncs) {
    if (running(sync) && !held.has(sync.syncedInstanceUri)) {
      throw failure(`sync ${sync.id} is still ${sync.status} a day after it was created`, { app, step })
    }
    for (const what of ['', '/logs', '/rejects']) {
      const req: WireRequest = { method: 'GET', url: `/api/bulk/2.0/syncs/${sync.id}${what}`, headers: { authorization: API_USER } }
      const outcome = await sandbox.inject(app, req, WATCHDOG_MS)
      const problem = answerProblem(req, outcome) ?? (outcome.kind === 'answer' && outcome.status !== 200 ? 'did not answer 200' : undefined)
      if (problem !== undefined) throw failure(problem, { app, step, req, outcome })
    }
  }
  const healthReq = ADMIN_GET('/__mock/health')
  const health = await sandbox.inject(app, healthReq, WATCHDOG_MS)
  if (health.kind !== 'answer' || health.status !== 200) throw failure('GET /__mock/health did not answer 200', { app, step, req: healthReq, outcome: health })
  const crash = sandbox.takeCrash()
  if (crash !== undefined) throw failure(`the app crashed between requests: ${crash.split('\n').slice(0, 6).join('\n    ')}`, { app, step })
}
