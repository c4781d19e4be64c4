// The completed-request line the lean path builds by hand (plugins/request-log.ts) must be, byte
// for byte, the line pino writes for the same fields, and must give way to pino whenever the
// logger's options shape its lines in a way the hand-built line does not follow.
import t from 'tap'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import { pino, type LoggerOptions } from 'pino'
import { BatchedLog, logDestination } from '../../src/log-destination.js'
import { COMPLETED, completedLine } from '../../src/plugins/request-log.js'

/** A logger writing into an array, one string per write, at a fixed time. */
function capture (options: LoggerOptions = {}): { logger: pino.Logger, writes: string[] } {
  const writes: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'))
      done()
    }
  })
  stream.setDefaultEncoding('utf8')
  const logger = pino({ timestamp: () => ',"time":1700000000000', ...options }, stream)
  return { logger, writes }
}

/** What the hand-built line and `logger.info` write for the same fields. */
async function both (options: LoggerOptions, reqId = 'req-1', url = '/api/bulk/2.0/customObjects/9/syncActions/6/data', statusCode = 204, responseTime = 1.2345678): Promise<[string[], string[]]> {
  const fast = capture(options)
  completedLine(fast.logger as unknown as FastifyBaseLogger)(reqId, 'POST', url, statusCode, responseTime)
  const slow = capture(options)
  slow.logger.info({ reqId, method: 'POST', url, statusCode, responseTime }, COMPLETED)
  await new Promise((resolve) => setImmediate(resolve))
  return [fast.writes, slow.writes]
}

t.test('the hand-built line is the one pino writes, for request ids that need escaping too', async (t) => {
  for (const reqId of ['req-1', 'req-zz', 'a"b\\c', 'tab\there', 'line\nbreak', 'ünïcödé', 'x'.repeat(150), '']) {
    const [fast, slow] = await both({}, reqId)
    t.equal(fast.length, 1, `one write for ${JSON.stringify(reqId)}`)
    t.strictSame(fast, slow, `the same line for ${JSON.stringify(reqId)}`)
    t.equal((JSON.parse(fast[0]!) as { reqId: string }).reqId, reqId)
  }
  const [fast] = await both({}, 'req-1', '/u', 503, 0.5)
  t.equal(fast[0], `{"level":30,"time":1700000000000,"pid":${process.pid},"hostname":${JSON.stringify((await import('node:os')).hostname())},"reqId":"req-1","method":"POST","url":"/u","statusCode":503,"responseTime":0.5,"msg":"request completed"}\n`)
})

t.test('options the hand-built line follows: bindings, message key, level format, line end, redaction elsewhere', async (t) => {
  const cases: Array<[string, LoggerOptions]> = [
    ['no base bindings', { base: null }],
    ['its own bindings', { base: { service: 'mock', 'we"ird': 1 } }],
    ['another message key', { messageKey: 'message' }],
    ['level labels', { formatters: { level: (label) => ({ severity: label.toUpperCase() }) } }],
    ['CRLF line ends', { crlf: true }],
    ['redaction of other paths', { redact: ['req.headers.authorization'] }],
    ['the default time', { timestamp: pino.stdTimeFunctions.epochTime }]
  ]
  for (const [name, options] of cases) {
    const [fast, slow] = await both(options)
    if (name === 'the default time') {
      // Written a moment apart: compare all but the time.
      const untimed = (lines: string[]): string[] => lines.map((line) => line.replace(/"time":\d+/, ''))
      t.strictSame(untimed(fast), untimed(slow), name)
    } else {
      t.strictSame(fast, slow, name)
    }
  }
  const { logger, writes } = capture()
  completedLine(logger.child({ reqId: 'outer' }) as unknown as FastifyBaseLogger)('req-9', 'POST', '/u', 204, 1)
  t.match(writes[0], /"reqId":"outer","reqId":"req-9"/, 'a child\'s bindings come first, as pino writes them')
})

t.test('options that shape lines otherwise get pino\'s own line', async (t) => {
  const multi = capture()
  // Each with what it does to this line; a wildcard redaction changes nothing here, yet makes pino redact under every key.
  const cases: Array<[string, LoggerOptions, RegExp | undefined]> = [
    ['a mixin', { mixin: () => ({ extra: 1 }) }, /"extra":1/],
    ['a log formatter', { formatters: { log: (o) => ({ ...o, formatted: true }) } }, /"formatted":true/],
    ['a logMethod hook', { hooks: { logMethod (args, method) { method.apply(this, [{ ...(args[0] as object), hooked: 1 }, ...args.slice(1)] as Parameters<typeof method>) } } }, /"hooked":1/],
    ['a streamWrite hook', { hooks: { streamWrite: (s) => s.replace('"msg"', '"hookedMsg"') } }, /"hookedMsg"/],
    ['a serializer of the url', { serializers: { url: () => 'hidden' } }, /"url":"hidden"/],
    ['a serializer of the message', { serializers: { msg: () => 'other' } }, /"msg":"other"/],
    ['redaction of the url', { redact: ['url'] }, /"url":"\[Redacted\]"/],
    ['redaction under every key', { redact: ['*.password'] }, undefined],
    ['a nested key', { nestedKey: 'payload' }, /"payload":\{"reqId"/],
    ['a message prefix', { msgPrefix: '[mock] ' }, /"msg":"\[mock\] request completed"/]
  ]
  for (const [name, options, shaped] of cases) {
    const [fast, slow] = await both(options)
    t.strictSame(fast, slow, name)
    if (shaped !== undefined) t.match(fast[0], shaped, `${name} shapes the line`)
  }
  // A stream that asks for each line's metadata (pino.multistream) gets it from pino.
  const streams = pino.multistream([{ stream: new Writable({ write (chunk: Buffer, _e, done) { multi.writes.push(chunk.toString()); done() } }) }])
  const logger = pino({ timestamp: () => ',"time":1' }, streams)
  completedLine(logger as unknown as FastifyBaseLogger)('req-1', 'POST', '/u', 204, 1)
  t.equal((streams as unknown as { lastMsg: string }).lastMsg, COMPLETED, 'the multistream saw the line through pino')
  t.equal(multi.writes.length, 1)
})

t.test('the line follows the level the logger has when it writes', async (t) => {
  const { logger, writes } = capture({ level: 'warn' })
  const line = completedLine(logger as unknown as FastifyBaseLogger)
  line('req-1', 'POST', '/u', 204, 1)
  t.equal(writes.length, 0, 'not written at warn')
  logger.level = 'debug'
  line('req-2', 'POST', '/u', 204, 1)
  logger.level = 'silent'
  line('req-3', 'POST', '/u', 204, 1)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(writes.length, 1, 'written at debug only')
  t.match(writes[0], /"reqId":"req-2"/)
})

t.test('the stream\'s write is looked up on each line, as pino does once a destination has lost its reader', async (t) => {
  const { logger, writes } = capture()
  const line = completedLine(logger as unknown as FastifyBaseLogger)
  const stream = (logger as unknown as Record<symbol, { write: (s: string) => boolean }>)[pino.symbols.streamSym]!
  const swapped: string[] = []
  stream.write = (s: string) => { swapped.push(s); return true }
  line('req-1', 'POST', '/u', 204, 1)
  t.equal(writes.length, 0)
  t.equal(swapped.length, 1)
})

t.test('while pino\'s JSON building is traced, the line is built by pino, so subscribers see it', async (t) => {
  const { logger, writes } = capture()
  const line = completedLine(logger as unknown as FastifyBaseLogger)
  const seen: unknown[] = []
  const onStart = (message: unknown): void => { seen.push(message) }
  subscribe('tracing:pino_asJson:start', onStart)
  t.teardown(() => unsubscribe('tracing:pino_asJson:start', onStart))
  line('req-1', 'POST', '/u', 204, 1)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(seen.length, 1, 'the subscriber saw the line')
  t.match(writes[0], /"reqId":"req-1"/)
})

t.test('a logger that is not pino (fastify takes any with pino\'s methods) gets its own info call', async (t) => {
  const calls: unknown[][] = []
  const logger = { levels: { values: { info: 30 } }, info: (...args: unknown[]) => { calls.push(args) } }
  completedLine(logger as unknown as FastifyBaseLogger)('req-1', 'POST', '/u', 204, 1.5)
  t.strictSame(calls, [[{ reqId: 'req-1', method: 'POST', url: '/u', statusCode: 204, responseTime: 1.5 }, COMPLETED]])
})

t.test('with the command\'s batched stream the line is held as its fields, and written byte for byte as pino writes it, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'request-log-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  /** A logger on a batched stream into a file, as the command makes it (pino's default time). */
  const batchedLogger = (name: string, options: LoggerOptions = {}): { logger: pino.Logger, stream: BatchedLog, lines: () => string[] } => {
    const path = join(dir, name)
    const stream = logDestination(60_000, openSync(path, 'w')) as BatchedLog
    t.teardown(async () => { await new Promise<void>((resolve) => { stream.stop(1000, resolve) }) })
    return { logger: pino(options, stream as unknown as pino.DestinationStream), stream, lines: () => readFileSync(path, 'utf8').split('\n').filter(Boolean) }
  }
  const realNow = Date.now
  Date.now = () => 1700000000123
  t.teardown(() => { Date.now = realNow })
  const fast = batchedLogger('fast')
  const slow = batchedLogger('slow')
  const held: unknown[] = []
  const hold = fast.stream.hold.bind(fast.stream)
  fast.stream.hold = (line) => { held.push(line); hold(line) }
  const line = completedLine(fast.logger as unknown as FastifyBaseLogger)
  const reqIds = ['req-1', 'a"b\\c', 'line\nbreak', 'ünïcödé', '']
  for (const [i, reqId] of reqIds.entries()) {
    // Two lines a millisecond: each line keeps its own time.
    Date.now = () => 1700000000123 + (i >> 1)
    line(reqId, 'POST', '/api/bulk/2.0/customObjects/9/syncActions/6/data', 204, 1.2345678 * i)
    slow.logger.info({ reqId, method: 'POST', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', statusCode: 204, responseTime: 1.2345678 * i }, COMPLETED)
  }
  t.equal(held.length, reqIds.length, 'each line held as its fields')
  fast.logger.warn('after')
  slow.logger.warn('after')
  fast.stream.flushSync()
  slow.stream.flushSync()
  t.equal(fast.lines().length, reqIds.length + 1)
  t.strictSame(fast.lines(), slow.lines(), 'the same lines, in the same order')
  t.match(fast.lines()[0], /^\{"level":30,"time":1700000000123,"pid":\d+,/)
  t.strictSame(fast.lines().slice(0, reqIds.length).map((text) => (JSON.parse(text) as { time: number }).time), [0, 0, 1, 1, 2].map((ms) => 1700000000123 + ms))

  // Below the level, or while pino's JSON building is traced, nothing is held.
  const quiet = batchedLogger('quiet', { level: 'warn' })
  let quietHeld = 0
  quiet.stream.hold = () => { quietHeld++ }
  completedLine(quiet.logger as unknown as FastifyBaseLogger)('req-1', 'POST', '/u', 204, 1)
  t.equal(quietHeld, 0, 'nothing held at warn')
  const onStart = (): void => {}
  subscribe('tracing:pino_asJson:start', onStart)
  line('req-traced', 'POST', '/u', 204, 1)
  unsubscribe('tracing:pino_asJson:start', onStart)
  t.equal(held.length, reqIds.length, 'a traced line goes through pino')
  fast.stream.flushSync()
  t.match(fast.lines().at(-1), /"reqId":"req-traced"/)

  // Another time function: the line is made as text at once.
  const timed = batchedLogger('timed', { timestamp: pino.stdTimeFunctions.isoTime })
  let timedHeld = 0
  timed.stream.hold = () => { timedHeld++ }
  completedLine(timed.logger as unknown as FastifyBaseLogger)('req-1', 'POST', '/u', 204, 1)
  timed.stream.flushSync()
  t.equal(timedHeld, 0)
  t.match(timed.lines()[0], /"time":"\d{4}-.*"reqId":"req-1"/)
})
