/** Where the command's log lines go: stdout, in batches written off the request path. */
import { pino } from 'pino'

/**
 * Bytes of log lines gathered into one write, at most: about 280 request lines. Each write goes
 * through Node's thread pool, and on a busy machine it is the number of writes that costs
 * (16 KiB batches cost the seed call 8 % more CPU than 64 KiB ones), so at common rates lines are
 * written when the flush interval ends, not when a batch is full.
 */
export const LOG_BATCH_BYTES = 64 * 1024
/** Bytes of lines held while stdout takes none (a stalled reader); later batches are dropped whole. */
export const LOG_HELD_MAX_BYTES = 16 * 1024 * 1024
/** How long closing the app waits for the lines held to be written. */
export const LOG_CLOSE_WAIT_MS = 1000

type SonicBoom = ReturnType<typeof pino.destination>

/** A line held as its fields, made into text only when its batch is handed over (see BatchedLog.hold). */
export interface HeldLine {
  text: () => string
}

/** Lines held as fields in one batch, at most: about LOG_BATCH_BYTES of request lines. */
export const LOG_BATCH_LINES = 256

/**
 * pino's stream for LOG_FLUSH_MS > 0: lines are held until LOG_BATCH_BYTES (or LOG_BATCH_LINES
 * held as fields) have gathered or the flush interval ends, then go as one buffer into pino's
 * asynchronous destination (sonic-boom), which writes them. Held here, as text (appending makes
 * a rope that is encoded once per batch, where a buffer per line cost more than the line;
 * sonic-boom's own text mode measures the whole batch again on every line) or as fields made
 * into text with the batch (hold). The destination's flush, flushSync and end take what is held
 * first, so pino's write of what is left when the process exits (an uncaught error's exit
 * included) writes it too. The interval flushes only when a line came since the last one: an
 * idle mock writes nothing.
 */
export class BatchedLog {
  private held = ''
  private readonly heldLines: HeldLine[] = []
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
    const boom = destination as unknown as Record<'flush' | 'flushSync' | 'end', (...args: unknown[]) => unknown>
    for (const name of ['flush', 'flushSync', 'end'] as const) {
      const own = boom[name]
      boom[name] = (...args) => {
        this.handOver()
        return own.apply(destination, args)
      }
    }
  }

  /** Gives the destination the lines held, as one buffer. */
  private handOver (): void {
    if ((this.held.length === 0 && this.heldLines.length === 0) || (this.destination as { destroyed?: boolean }).destroyed === true) return
    this.textOfHeldLines()
    const batch = Buffer.from(this.held)
    this.held = ''
    // Looked up on each batch: pino swaps the destination's methods for no-ops once its reader has gone (EPIPE).
    this.destination.write(batch as unknown as string)
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

  /** Appends the text of the lines held as fields, in their order, to the text held. */
  private textOfHeldLines (): void {
    let text = this.held
    for (const line of this.heldLines) text += line.text()
    this.held = text
    this.heldLines.length = 0
  }

  /** Holds a line as its fields (the lean path's request line, see request-log.ts), in order with the lines written. */
  hold (line: HeldLine): void {
    this.written = true
    this.heldLines.push(line)
    if (this.heldLines.length >= LOG_BATCH_LINES) this.handOver()
  }

  write (line: string): void {
    this.written = true
    // Lines keep their order.
    if (this.heldLines.length > 0) this.textOfHeldLines()
    this.held += line
    if (this.held.length >= LOG_BATCH_BYTES) this.handOver()
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
