// The command's log destination (src/log-destination.ts): lines held until 4 KiB have gathered or
// the flush interval has passed, and written as they come with LOG_FLUSH_MS=0.
import t, { type Test } from 'tap'
import { once } from 'node:events'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOG_BATCH_BYTES, logDestination } from '../src/log-destination.js'

/** A destination on a fresh file, with the interval it asked for and what it has written so far. */
function destination (t: Test, flushMs: number): { dest: ReturnType<typeof logDestination>, written: () => string, interval: { flush: () => void, ms: number } | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'log-destination-'))
  const path = join(dir, 'out.log')
  // The destination's flush timer is the only interval made while it is built: keep its callback to call it here.
  const realSetInterval = globalThis.setInterval
  let interval: { flush: () => void, ms: number } | undefined
  globalThis.setInterval = ((flush: () => void, ms: number) => {
    interval = { flush, ms }
    return realSetInterval(flush, ms)
  }) as typeof setInterval
  let dest
  try {
    dest = logDestination(flushMs, openSync(path, 'w'))
  } finally {
    globalThis.setInterval = realSetInterval
  }
  t.teardown(async () => {
    // Ending it closes the file and stops its timer.
    dest.end()
    await once(dest, 'close')
    rmSync(dir, { recursive: true, force: true })
  })
  return { dest, written: () => readFileSync(path, 'utf8'), interval }
}

const LINE = '{"level":30,"msg":"request completed"}\n'

t.test('lines are held until the flush interval passes', async (t) => {
  const { dest, written, interval } = destination(t, 100)
  dest.write(LINE)
  dest.write(LINE)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(written(), '', 'nothing written yet')
  t.equal(interval?.ms, 100, 'flushed every LOG_FLUSH_MS')
  interval!.flush()
  await once(dest, 'write')
  t.equal(written(), LINE + LINE, 'both lines, in one write, once the interval has passed')
})

t.test('lines are written once 4 KiB have gathered, without waiting for the interval', async (t) => {
  const { dest, written } = destination(t, 10_000)
  const line = `{"msg":"${'x'.repeat(200)}"}\n`
  const lines = Math.ceil(LOG_BATCH_BYTES / line.length)
  for (let i = 0; i < lines - 1; i++) dest.write(line)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(written(), '', 'less than 4 KiB is held')
  dest.write(line)
  await once(dest, 'write')
  t.equal(written(), line.repeat(lines))
})

t.test('what is held is written by a synchronous flush, as pino does when the process exits', async (t) => {
  const { dest, written } = destination(t, 10_000)
  dest.write(LINE)
  dest.flushSync()
  t.equal(written(), LINE)
})

t.test('with LOG_FLUSH_MS=0 each line is written as it comes, and no timer runs', async (t) => {
  const { dest, written, interval } = destination(t, 0)
  t.equal(interval, undefined)
  dest.write(LINE)
  await once(dest, 'write')
  t.equal(written(), LINE)
})
