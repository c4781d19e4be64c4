// The command's log stream (src/log-destination.ts): lines held until LOG_BATCH_BYTES have gathered
// or the flush interval has passed, never more than LOG_HELD_MAX_BYTES held, written at exit, and
// with LOG_FLUSH_MS=0 each line written as it comes.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BatchedLog, LOG_BATCH_BYTES, LOG_BATCH_LINES, LOG_HELD_MAX_BYTES, logDestination } from '../src/log-destination.js'

type SonicBoom = BatchedLog['destination']

/** A log stream on a fresh file, its sonic-boom, the flush interval it asked for, and what the file holds. */
function destination (t: Test, flushMs: number): { stream: ReturnType<typeof logDestination>, boom: SonicBoom, written: () => string, interval: { flush: () => void, ms: number } | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'log-destination-'))
  const path = join(dir, 'out.log')
  // The flush timer is the only interval made while the stream is built: keep its callback, to call it here.
  const realSetInterval = globalThis.setInterval
  let interval: { flush: () => void, ms: number } | undefined
  globalThis.setInterval = ((flush: () => void, ms: number) => {
    interval = { flush, ms }
    return realSetInterval(flush, ms)
  }) as typeof setInterval
  let stream
  try {
    stream = logDestination(flushMs, openSync(path, 'w'))
  } finally {
    globalThis.setInterval = realSetInterval
  }
  const boom = stream instanceof BatchedLog ? stream.destination : stream
  t.teardown(async () => {
    // Ending it closes the file.
    if (stream instanceof BatchedLog) await new Promise<void>((resolve) => { stream.stop(1000, resolve) })
    if (!(boom as { destroyed?: boolean }).destroyed) {
      boom.end()
      await once(boom, 'close')
    }
    rmSync(dir, { recursive: true, force: true })
  })
  return { stream, boom, written: () => readFileSync(path, 'utf8'), interval }
}

const LINE = '{"level":30,"msg":"request completed","reqId":"ünïcödé"}\n'
const tick = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('lines are held until the flush interval passes', async (t) => {
  const { stream, boom, written, interval } = destination(t, 100)
  stream.write(LINE)
  stream.write(LINE)
  await tick()
  t.equal(written(), '', 'nothing written yet')
  t.equal(interval?.ms, 100, 'flushed every LOG_FLUSH_MS')
  interval!.flush()
  await once(boom, 'write')
  t.equal(written(), LINE + LINE, 'both lines, in one write, once the interval has passed')
})

t.test('the interval flushes only when a line came since the last flush: an idle mock writes nothing', async (t) => {
  const { stream, boom, interval } = destination(t, 100)
  let flushes = 0
  const flush = boom.flush.bind(boom)
  boom.flush = (done) => {
    flushes++
    flush(done)
  }
  interval!.flush()
  t.equal(flushes, 0, 'no line, no flush')
  stream.write(LINE)
  interval!.flush()
  interval!.flush()
  t.equal(flushes, 1, 'one flush for the line')
  await once(boom, 'write')
})

t.test('stopping writes what is held, and calls back once it is written', async (t) => {
  const { stream, written } = destination(t, 10_000)
  stream.write(LINE)
  await new Promise<void>((resolve) => { (stream as BatchedLog).stop(60_000, resolve) })
  t.equal(written(), LINE)
})

t.test('stopping calls back after its wait even when stdout takes nothing', async (t) => {
  const { stream, boom } = destination(t, 10_000)
  const flush = boom.flush.bind(boom)
  // A write that never ends, as to a reader that has stalled.
  let stalled: ((err?: Error) => void) | undefined
  boom.flush = (done) => { stalled = done }
  stream.write(LINE)
  await new Promise<void>((resolve) => { (stream as BatchedLog).stop(5, resolve) })
  t.type(stalled, 'function', 'the flush was asked for, and is still pending')
  boom.flush = flush
  stalled!()
})

t.test('once pino has ended the destination, the interval does nothing', async (t) => {
  const { stream, boom, written, interval } = destination(t, 100)
  stream.write(LINE)
  boom.end()
  await once(boom, 'close')
  t.equal(written(), LINE, 'what was held is written by the end')
  // A line came since the last flush, but the destination is gone: a flush would throw.
  t.doesNotThrow(() => { interval!.flush() })
})

t.test('lines are written once a batch has gathered, without waiting for the interval', async (t) => {
  const { stream, boom, written } = destination(t, 10_000)
  const line = `{"msg":"${'x'.repeat(200)}"}\n`
  const lines = Math.ceil(LOG_BATCH_BYTES / line.length)
  for (let i = 0; i < lines - 1; i++) stream.write(line)
  await tick()
  t.equal(written(), '', 'less than a batch is held')
  stream.write(line)
  const [bytes] = await once(boom, 'write') as [number]
  t.equal(bytes, line.length * lines, 'the whole batch in one write')
  t.equal(written(), line.repeat(lines))
})

/** A line held as its fields, counting how often it is made into text. */
function heldLine (text: string): { text: () => string, made: number } {
  const line = { made: 0, text: () => { line.made++; return text } }
  return line
}

t.test('lines held as fields are made into text with their batch, in order with the lines written', async (t) => {
  const { stream, boom, written, interval } = destination(t, 100)
  const batched = stream as BatchedLog
  const [one, three] = [heldLine('{"n":1}\n'), heldLine('{"n":3}\n')]
  batched.hold(one)
  stream.write('{"n":2}\n')
  t.equal(one.made, 1, 'a line written after it makes it text, to keep the order')
  batched.hold(three)
  t.equal(three.made, 0, 'held as fields until the batch is handed over')
  interval!.flush()
  await once(boom, 'write')
  t.equal(three.made, 1)
  t.equal(written(), '{"n":1}\n{"n":2}\n{"n":3}\n')
})

t.test('LOG_BATCH_LINES lines held as fields are made into text together, without waiting for the interval', async (t) => {
  const { stream, boom, written } = destination(t, 10_000)
  const batched = stream as BatchedLog
  // Long enough that the batch is also LOG_BATCH_BYTES, which the destination writes at once.
  const text = (i: number): string => `{"i":${String(i).padStart(3, '0')},"pad":"${'p'.repeat(300)}"}\n`
  const lines = Array.from({ length: LOG_BATCH_LINES }, (_, i) => heldLine(text(i)))
  t.ok(LOG_BATCH_LINES * text(0).length >= LOG_BATCH_BYTES)
  for (const line of lines.slice(0, -1)) batched.hold(line)
  await tick()
  t.equal(written(), '', 'less than a batch is held')
  t.equal(lines[0]!.made, 0, 'as fields')
  batched.hold(lines.at(-1)!)
  t.ok(lines.every((line) => line.made === 1), 'the batch made into text, each line once')
  await once(boom, 'write')
  t.equal(written(), lines.map((_, i) => text(i)).join(''))
})

t.test('lines held as fields are written by a synchronous flush and by the end', async (t) => {
  const { stream, boom, written } = destination(t, 10_000)
  const batched = stream as BatchedLog
  batched.hold(heldLine('{"n":1}\n'))
  stream.flushSync()
  t.equal(written(), '{"n":1}\n')
  batched.hold(heldLine('{"n":2}\n'))
  boom.end()
  await once(boom, 'close')
  t.equal(written(), '{"n":1}\n{"n":2}\n')
})

t.test('what is held is written by a flush, and by a synchronous flush, as pino does when the process exits', async (t) => {
  const { stream, boom, written } = destination(t, 10_000)
  stream.write(LINE)
  stream.flush()
  await once(boom, 'write')
  t.equal(written(), LINE)
  stream.write(LINE)
  stream.flushSync()
  t.equal(written(), LINE + LINE)
})

t.test('while nothing is taken, at most LOG_HELD_MAX_BYTES are held; later batches are dropped whole', async (t) => {
  const { stream, boom, written } = destination(t, 10_000)
  const line = `{"msg":"${'y'.repeat(1000)}"}\n`
  // Lines go to the destination a batch at a time: as many as make LOG_BATCH_BYTES.
  const batch = Math.ceil(LOG_BATCH_BYTES / line.length) * line.length
  let dropped = 0
  boom.on('drop', (data: Buffer) => {
    t.equal(data.length, batch, 'a whole batch')
    dropped++
  })
  // All in one turn of the event loop: no write can end in between, so batches pile up.
  const batches = Math.floor(LOG_HELD_MAX_BYTES / batch)
  const sent = (batches + 3) * batch / line.length
  for (let i = 0; i < sent; i++) stream.write(line)
  t.equal(dropped, 3, 'the batches past the bound are dropped')
  stream.flushSync()
  t.equal(written(), line.repeat(batches * batch / line.length), 'the batches held are all written, whole lines only')
})

t.test('lines still held, as text or as fields, are written when the process exits, an uncaught error\'s exit included', async (t) => {
  const script = (end: string): string => `
    import { logDestination } from './dist/log-destination.js'
    const stream = logDestination(60_000, 1)
    stream.write('{"msg":"one"}\\n')
    stream.hold({ text: () => '{"msg":"two"}\\n' })
    setImmediate(() => { ${end} })`
  for (const [end, code] of [['process.exit(0)', 0], ['throw new Error("uncaught")', 1]] as const) {
    // The built module (npm test builds before it tests): tap's coverage of a second copy of the
    // sources, made by another loader, would not merge with its own.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script(end)], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => { out += text })
    const [exitCode] = await once(child, 'exit') as [number]
    t.equal(exitCode, code, end)
    t.equal(out, '{"msg":"one"}\n{"msg":"two"}\n', `both lines, after ${end}`)
  }
})

t.test('with LOG_FLUSH_MS=0 each line is written as it comes, and no timer runs', async (t) => {
  const { stream, boom, written, interval } = destination(t, 0)
  t.equal(interval, undefined)
  t.notOk(stream instanceof BatchedLog)
  stream.write(LINE)
  await once(boom, 'write')
  t.equal(written(), LINE)
})
