/**
 * Giving memory back once state is dropped. V8 collects garbage when allocation asks for it, so a
 * mock left idle after a reset of millions of staged records would hold that memory until its next
 * busy spell. The command (never the in-process API, which shares its user's process) exposes
 * V8's collector once at start, as jest's leak detector does, and runs it after a reset or a site's
 * removal that leaves the process well above its size after start-up.
 *
 * A collection frees the uploads' bytes, but glibc keeps what they took: they arrive in pieces of
 * up to 64 KiB, which it serves from its main heap, and it gives that heap back only from the top,
 * where a few small blocks still in use hold it. `malloc_trim(0)` gives back the free pages
 * anywhere in its heaps; Node has no binding for it, so koffi (an optional dependency that calls C
 * functions without a compiler) makes one, loaded the first time it is needed.
 */
import { executionAsyncResource } from 'node:async_hooks'
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A reset that leaves RSS this far above its size after start-up is followed by a full collection. */
export const RELEASE_THRESHOLD_BYTES = 32 * 1024 * 1024

/** V8's `gc()`, exposed for this process; call it once, before serving. */
export function exposeCollector (): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Gives the C library's free heap memory back to the system; true when it gave some. */
export type HeapTrim = () => boolean

/** What glibcHeapTrim takes of koffi. */
export interface ForeignFunctions {
  load: (path: string) => { func: (declaration: string) => (...args: unknown[]) => unknown }
}

/**
 * glibc's `malloc_trim(0)` through koffi, or undefined where there is none to call: koffi not
 * installed (it is optional), or a C library other than glibc (macOS, Windows, Alpine's musl have
 * no `libc.so.6`).
 */
export async function glibcHeapTrim (foreignFunctions: () => Promise<ForeignFunctions> = async () => (await import('koffi')).default): Promise<HeapTrim | undefined> {
  try {
    const mallocTrim = (await foreignFunctions()).load('libc.so.6').func('int malloc_trim(size_t pad)')
    return () => mallocTrim(0) === 1
  } catch {
    return undefined
  }
}

/** What a release did, for the log. */
export interface MemoryReleased {
  /** What it followed: 'state was dropped' or 'a quiet spell'. */
  reason: string
  rssBefore: number
  rssAfter: number
  heapTrim: 'gave memory back' | 'had none to give back' | 'not available'
}

export interface MemoryReleaserOptions {
  /** Runs a full collection (see exposeCollector). */
  collect: () => void
  /** Makes the trim run after the collection (glibcHeapTrim); called once, when first needed. */
  trim?: () => Promise<HeapTrim | undefined>
  /** Told of each release once it is done. */
  report?: (released: MemoryReleased) => void
  /** The process's resident set size now, in bytes. */
  rss?: () => number
  thresholdBytes?: number
}

/**
 * What to run once state was dropped: a full collection, then the C library's trim, when RSS is
 * more than `thresholdBytes` above what it was when this was made (after start-up). Small resets,
 * as test suites make before every test, cost neither. The promise it returns never rejects.
 */
export function memoryReleaser ({ collect, trim, report, rss = process.memoryUsage.rss, thresholdBytes = RELEASE_THRESHOLD_BYTES }: MemoryReleaserOptions): (reason?: string) => Promise<void> {
  const baseline = rss()
  let trimmer: Promise<HeapTrim | undefined> | undefined
  return async (reason = 'state was dropped') => {
    const rssBefore = rss()
    if (rssBefore - baseline <= thresholdBytes) return
    collect()
    trimmer ??= trim === undefined ? Promise.resolve(undefined) : trim().catch(() => undefined)
    const heapTrim = await trimmer
    let gave: boolean | undefined
    try {
      gave = heapTrim?.()
    } catch {
      // Memory kept is no failure: the collection has run, and the next uploads reuse what glibc holds.
    }
    report?.({ reason, rssBefore, rssAfter: rss(), heapTrim: gave === undefined ? 'not available' : gave ? 'gave memory back' : 'had none to give back' })
  }
}

/** The tick objects keepTickShapes keeps, for the life of the process. */
let keptTicks: Promise<readonly object[]> | undefined

/**
 * Keeps two of Node's tick objects (what `process.nextTick` queues, one with arguments and one
 * without) alive for the life of the process. Node makes them with an object literal whose keys
 * are symbols. A full collection while no tick is queued, such as those V8's memory reducer runs
 * when the mock goes idle, frees the shapes those objects had; after a few of them V8 builds every
 * later tick object the slow way, for good. Measured: 80 ns a call became 330 on Node 20, and a
 * seed upload after idle spells took 2.5 µs more in `nextTick` alone on Node 24 (0.15 µs before).
 * A tick object that stays alive keeps its shape, so idle spells leave no trace. The command calls
 * this once; `executionAsyncResource()` inside a tick callback is that tick's object.
 */
export async function keepTickShapes (): Promise<readonly object[]> {
  keptTicks ??= new Promise((resolve) => {
    const ticks: object[] = []
    process.nextTick(() => { ticks.push(executionAsyncResource()) })
    process.nextTick((all: object[]) => {
      all.push(executionAsyncResource())
      resolve(all)
    }, ticks)
  })
  return await keptTicks
}

/**
 * V8's switch that stops its memory reducer collecting while the process is quiet. It is read each
 * time the reducer plans, so it holds when set at run time; V8 12 (Node 22) and later have it.
 */
export const NO_IDLE_COLLECTIONS_FLAG = '--memory-reducer-gc-count=0'

/**
 * Stops V8's own collections while the command is quiet, where its V8 can (see
 * NO_IDLE_COLLECTIONS_FLAG); true when it did. V8's memory reducer runs full collections 8 s after
 * a process goes quiet. They free the shapes of objects that live only while a request does, and
 * the optimised code of Node, fastify and the mock that relied on them, so the next burst of
 * requests ran its first second at about half speed while V8 learnt them again: 20,000-28,000
 * seed calls a second, against 40,000 and more once warm (Node 24). Tests come in bursts a few
 * seconds apart; the command gives memory back after a longer quiet spell instead
 * (releaseWhenQuiet).
 */
export function stopIdleCollections (v8Version: string = process.versions.v8, setFlags: (flags: string) => void = setFlagsFromString): boolean {
  // Node 20's V8 (11) has no such switch, and prints an error for a flag it does not know.
  if (Number.parseInt(v8Version, 10) < 12) return false
  setFlags(NO_IDLE_COLLECTIONS_FLAG)
  return true
}

/** A stretch in which the event loop was busy less than this share of the time counts as quiet. */
export const QUIET_BUSY_SHARE = 0.01

/** Quiet spells are watched in this many stretches each. */
const QUIET_STRETCHES = 4

/** The share of the time since its last call (or since it was made) that the event loop was busy. */
export function eventLoopBusyShare (): () => number {
  let last = performance.eventLoopUtilization()
  return () => {
    const now = performance.eventLoopUtilization()
    const { utilization } = performance.eventLoopUtilization(now, last)
    last = now
    return utilization
  }
}

/** Runs `tick` every `ms` without keeping the process alive; returns what stops it. */
export function unrefInterval (ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms)
  timer.unref()
  return () => { clearInterval(timer) }
}

export interface QuietReleaseOptions {
  /** What gives memory back (a memoryReleaser). */
  release: () => void
  /** How long the event loop must stay all but idle first. */
  quietMs: number
  busyShare?: () => number
  every?: (ms: number, tick: () => void) => () => void
}

/**
 * Runs `release` once the event loop has been quiet (busy under QUIET_BUSY_SHARE) for `quietMs`,
 * watched in four stretches of a quarter each, so between `quietMs` and 1.25 times it after the
 * last busy moment; then not again until a busy stretch has come between. Returns what stops it.
 */
export function releaseWhenQuiet ({ release, quietMs, busyShare = eventLoopBusyShare(), every = unrefInterval }: QuietReleaseOptions): () => void {
  let quietStretches = 0
  return every(quietMs / QUIET_STRETCHES, () => {
    if (busyShare() >= QUIET_BUSY_SHARE) {
      quietStretches = 0
      return
    }
    quietStretches += 1
    // Only on reaching the count: the stretches after it pass it.
    if (quietStretches === QUIET_STRETCHES) release()
  })
}
