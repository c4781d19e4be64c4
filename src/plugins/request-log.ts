/**
 * One log line per request, written when it completes, instead of fastify's two. Errors are
 * logged with their cause by plugins/errors.ts, so this line only records the outcome.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

export class RequestLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (_error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    reply.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
  }
}
