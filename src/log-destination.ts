/** Where the command's log lines go: stdout, in batches written off the request path. */
import { pino } from 'pino'

/**
 * Bytes of log lines gathered into one write, at most: about 280 request lines. Each write goes
 * through Node's thread pool, and on a busy machine it is the number of writes that costs
 * (16 KiB batches cost the seed call 8 % more CPU than 64 KiB ones), so at common rates lines are
 * written when the flush interval ends, not when a batch is full.
 */
export const LOG_BATCH_BYTES = 64 * 1024
/** Bytes of lines held while stdout takes none (a stalled reader); later lines are dropped. */
export const LOG_HELD_MAX_BYTES = 16 * 1024 * 1024
/** How long closing the app waits for the lines held to be written. */
export const LOG_CLOSE_WAIT_MS = 1000

type SonicBoom = ReturnType<typeof pino.destination>

/**
 * pino's stream for LOG_FLUSH_MS > 0: each line goes as bytes into pino's asynchronous
 * destination (sonic-boom), which holds them until LOG_BATCH_BYTES have gathered or the flush
 * interval ends. As bytes, because sonic-boom holds text by appending to one string and
 * measuring it again on every line, a cost that grows with the batch; bytes it only counts.
 * The interval flushes only when a line came since the last one: an idle mock writes nothing.
 * pino writes what is held when the process exits, an uncaught error's exit included.
 */
export class BatchedLog {
  private written = false
  private readonly timer: NodeJS.Timeout

  constructor (readonly destination: SonicBoom, flushMs: number) {
    this.timer = setInterval(() => {
      // Once pino has ended the destination (at the process's end), a flush would throw.
      if (!this.written || (destination as { destroyed?: boolean }).destroyed === true) return
      this.written = false
      this.flush()
    }, flushMs).unref()
    destination.once('close', () => { clearInterval(this.timer) })
  }

  /**
   * Stops the interval and writes what is held, calling `done` once it is written or after
   * `waitMs`, whichever comes first (a stalled stdout must not hold up the shutdown). The command
   * exits as soon as the app has closed, and a write still in flight then could be lost: pino
   * writes at exit only what has not yet been handed to a write. Later lines wait for the exit.
   */
  stop (waitMs: number, done: () => void): void {
    clearInterval(this.timer)
    let pending = true
    const finish = (): void => {
      if (!pending) return
      pending = false
      clearTimeout(timeout)
      done()
    }
    const timeout = setTimeout(finish, waitMs)
    this.flush(finish)
  }

  write (line: string): void {
    this.written = true
    // Looked up on each line: pino swaps the destination's methods for no-ops once its reader has gone (EPIPE).
    this.destination.write(Buffer.from(line) as unknown as string)
  }

  flush (done?: (err?: Error) => void): void {
    this.destination.flush(done)
  }

  flushSync (): void {
    this.destination.flushSync()
  }
}

/**
 * The command's log stream on `fd`. With `flushMs` > 0, lines are written in batches at least
 * every flushMs (a write per request line was a quarter of the seed call's CPU); with 0, each
 * line is written as it comes. Either way writes never block a request.
 */
export function logDestination (flushMs: number, fd = 1): SonicBoom | BatchedLog {
  if (flushMs === 0) return pino.destination({ dest: fd, sync: false, maxLength: LOG_HELD_MAX_BYTES })
  return new BatchedLog(pino.destination({
    dest: fd,
    sync: false,
    contentMode: 'buffer',
    minLength: LOG_BATCH_BYTES,
    maxWrite: 4 * LOG_BATCH_BYTES,
    maxLength: LOG_HELD_MAX_BYTES
  }), flushMs)
}
