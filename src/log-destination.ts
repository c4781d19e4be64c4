/** Where the command's log lines go: stdout, written in batches off the request path. */
import { pino } from 'pino'

/** Bytes of log lines held before they are written: about 18 request lines, one write instead of 18. */
export const LOG_BATCH_BYTES = 4096

/**
 * pino's asynchronous destination (sonic-boom) on `fd`. With `flushMs` > 0 lines are held until
 * LOG_BATCH_BYTES have gathered or flushMs have passed, whichever comes first: at the default
 * level, one write per request line was a tenth of the seed call's CPU. pino writes what is held
 * when the process exits, an uncaught error's exit included; the command also flushes once it is
 * ready, so the start-up lines are never late.
 */
export function logDestination (flushMs: number, fd = 1): ReturnType<typeof pino.destination> {
  return pino.destination(flushMs > 0 ? { dest: fd, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: flushMs } : { dest: fd, sync: false })
}
