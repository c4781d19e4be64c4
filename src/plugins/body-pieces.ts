/**
 * Reading a request body in the pieces Node delivers it in, for a content-type parser that wants
 * to see each piece as it arrives and keep them as they are (content-types.ts).
 */
import type { Readable } from 'node:stream'
import { errorCodes, type FastifyRequest } from 'fastify'

export type PiecesDone = (err: Error | null, pieces: Buffer[], length: number) => void

/**
 * Reads a body as fastify reads one for a parser (see its content-type-parser.js): the route's
 * body limit, checked against Content-Length before reading and against what arrives; a body
 * shorter or longer than its Content-Length refused; a stream error answered 400. Each piece
 * goes to `onPiece` as it arrives, then all of them to `done`.
 */
export function readPieces (request: FastifyRequest, payload: Readable, onPiece: ((piece: Buffer) => void) | undefined, done: PiecesDone): void {
  const limit = request.routeOptions.bodyLimit as number
  const contentLength = Number(request.headers['content-length'])
  if (contentLength > limit) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), [], 0)
    return
  }
  const pieces: Buffer[] = []
  let received = 0
  const stop = (): void => {
    payload.removeListener('data', onData)
    payload.removeListener('end', onEnd)
    payload.removeListener('error', onEnd)
  }
  function onData (chunk: Buffer | string): void {
    // A stream a preParsing hook returns may give strings.
    const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    received += piece.length
    const encoded = (payload as { receivedEncodedLength?: number }).receivedEncodedLength ?? 0
    if (received > limit || encoded > limit) {
      stop()
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), [], 0)
      return
    }
    pieces.push(piece)
    onPiece?.(piece)
  }
  function onEnd (err?: Error & { statusCode?: number }): void {
    stop()
    if (err != null) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400
      done(err, [], 0)
      return
    }
    const encoded = (payload as { receivedEncodedLength?: number }).receivedEncodedLength
    if (!Number.isNaN(contentLength) && (encoded !== undefined && encoded > 0 ? encoded : received) !== contentLength) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(), [], 0)
      return
    }
    done(null, pieces, received)
  }
  payload.on('data', onData)
  payload.on('end', onEnd)
  payload.on('error', onEnd)
  payload.resume()
}
