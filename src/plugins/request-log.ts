/**
 * One log line per request, written when it completes, instead of fastify's two. Errors are
 * logged with their cause by plugins/errors.ts, so this line only records the outcome.
 */
import { tracingChannel } from 'node:diagnostics_channel'
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import { stdTimeFunctions, symbols, type Logger } from 'pino'
import { BatchedLog, type HeldLine } from '../log-destination.js'

export const COMPLETED = 'request completed'

export class RequestLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (_error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    reply.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, COMPLETED)
  }
}

/** Writes the line of a completed request that a root logger would write for these fields, with this request id. */
export type CompletedLine = (reqId: string, method: string, url: string, statusCode: number, responseTime: number) => void

const FIELDS = ['reqId', 'method', 'url', 'statusCode', 'responseTime']
/** Subscribers to pino's tracing of its JSON building (pino's own channel) must see every line. */
const asJsonTracing = tracingChannel('pino_asJson')

/**
 * The completed-request line of the lean path (lean-upload.ts), built as one string where pino
 * would build an object and walk it: at the default level that line was a quarter of the seed
 * call's CPU. The string is byte for byte the one `logger.info(fields, COMPLETED)` writes, from
 * the logger's own level prefix, time, bindings, message key and line end; a logger whose output
 * anything else shapes (a mixin, a log formatter, hooks, serializers or redaction of these
 * fields, a nested key, a message prefix, a stream that wants metadata) gets `logger.info`.
 * `method` and `url` must need no escaping in JSON; `reqId` may be any string.
 */
export function completedLine (logger: FastifyBaseLogger): CompletedLine {
  const viaPino: CompletedLine = (reqId, method, url, statusCode, responseTime) => { logger.info({ reqId, method, url, statusCode, responseTime }, COMPLETED) }
  const l = logger as unknown as Record<symbol, unknown>
  const stream = l[symbols.streamSym] as { write?: (line: string) => unknown, [key: symbol]: unknown } | undefined
  const hooks = l[symbols.hooksSym] as { logMethod?: unknown, streamWrite?: unknown } | undefined
  const formatters = l[symbols.formattersSym] as { log?: unknown } | undefined
  const serializers = l[symbols.serializersSym] as Record<string, unknown> | undefined
  const stringifiers = l[symbols.stringifiersSym] as Record<string | symbol, unknown> | undefined
  const messageKey = l[symbols.messageKeySym]
  const info = (logger as unknown as { levels?: { values?: Record<string, number> } }).levels?.values?.info
  const levelPrefix = (l[symbols.lsCacheSym] as Record<string, string> | undefined)?.[String(info)]
  const time = l[symbols.timeSym] as (() => string) | undefined
  const plain = typeof stream?.write === 'function' && stream[symbols.needsMetadataGsym] !== true &&
    typeof time === 'function' && typeof levelPrefix === 'string' && typeof messageKey === 'string' &&
    l[symbols.mixinSym] == null && l[symbols.nestedKeySym] == null && l[(symbols as unknown as Record<string, symbol>).msgPrefixSym as symbol] == null &&
    hooks?.logMethod == null && hooks?.streamWrite == null && formatters?.log == null &&
    serializers !== undefined && stringifiers !== undefined && stringifiers[symbols.wildcardFirstSym] == null &&
    [...FIELDS, messageKey].every((key) => serializers[key] == null && stringifiers[key] == null)
  if (!plain) return viaPino
  const out = stream as { write: (line: string) => unknown }
  const levels = logger as unknown as Logger
  const tail = `,"${messageKey}":"${COMPLETED}"${l[symbols.endSym] as string}`
  const text = (timeText: string, reqId: string, method: string, url: string, statusCode: number, responseTime: number): string =>
    `${levelPrefix}${timeText}${l[symbols.chindingsSym] as string},"reqId":${JSON.stringify(reqId)},"method":"${method}","url":"${url}","statusCode":${statusCode},"responseTime":${responseTime}${tail}`
  // The command's batches hold the line as its fields, made into text with the batch: as text it
  // would be a dozen strings kept alive until then, for the collector to copy. pino's epochTime
  // is `,"time":${Date.now()}`, so the time is kept as the number.
  const held = out instanceof BatchedLog && time === stdTimeFunctions.epochTime ? out : undefined
  // Lines of a batch often share their millisecond: its text is made once.
  let lastTime = NaN
  let lastTimeText = ''
  const epochTimeText = (time: number): string => {
    if (time !== lastTime) {
      lastTime = time
      lastTimeText = `,"time":${time}`
    }
    return lastTimeText
  }
  return (reqId, method, url, statusCode, responseTime) => {
    if (!levels.isLevelEnabled('info')) return
    if (asJsonTracing.hasSubscribers) {
      viaPino(reqId, method, url, statusCode, responseTime)
      return
    }
    if (held !== undefined) {
      held.hold(new HeldCompletedLine(text, epochTimeText, Date.now(), reqId, method, url, statusCode, responseTime))
      return
    }
    // Looked up on each line: pino swaps a destination's write for a no-op once its reader has gone (EPIPE).
    out.write(text(time.call(logger), reqId, method, url, statusCode, responseTime))
  }
}

/** A completed-request line held as its fields until its batch is written (BatchedLog.hold). */
class HeldCompletedLine implements HeldLine {
  constructor (
    private readonly format: (timeText: string, reqId: string, method: string, url: string, statusCode: number, responseTime: number) => string,
    private readonly timeText: (time: number) => string,
    private readonly time: number,
    private readonly reqId: string,
    private readonly method: string,
    private readonly url: string,
    private readonly statusCode: number,
    private readonly responseTime: number
  ) {}

  text (): string {
    return this.format(this.timeText(this.time), this.reqId, this.method, this.url, this.statusCode, this.responseTime)
  }
}
