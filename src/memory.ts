/**
 * Giving memory back once state is dropped. V8 collects garbage when allocation asks for it, so a
 * mock left idle after a reset of millions of staged records would hold that memory until its next
 * busy spell. The command (never the in-process API, which shares its user's process) exposes
 * V8's collector once at start, as jest's leak detector does, and runs it after a reset or a site's
 * removal that leaves the process well above its size after start-up.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A reset that leaves RSS this far above its size after start-up is followed by a full collection. */
export const RELEASE_THRESHOLD_BYTES = 32 * 1024 * 1024

/** V8's `gc()`, exposed for this process; call it once, before serving. */
export function exposeCollector (): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

export interface MemoryReleaserOptions {
  /** Runs a full collection (see exposeCollector). */
  collect: () => void
  /** The process's resident set size now, in bytes. */
  rss?: () => number
  thresholdBytes?: number
}

/**
 * What to run once state was dropped: a full collection when RSS is more than `thresholdBytes`
 * above what it was when this was made (after start-up). Small resets, as test suites make before
 * every test, cost no collection.
 */
export function memoryReleaser ({ collect, rss = process.memoryUsage.rss, thresholdBytes = RELEASE_THRESHOLD_BYTES }: MemoryReleaserOptions): () => void {
  const baseline = rss()
  return () => {
    if (rss() - baseline > thresholdBytes) collect()
  }
}
