/** The one place errors become HTTP: Eloqua's status, reason phrase and (for 400) `failures` body. */
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { EloquaError, describeValue, notFound, unauthorized, validationError, type ValidationFailure } from '../domain/errors.js'
import { TRUE_OR_FALSE } from '../schemas/common.js'

/**
 * Writes an Eloqua error. `X-Mock-Reason` says in plain words why the mock answered so; Eloqua
 * sends no such header, clients ignore it, and people debugging a failing test need it.
 */
export function sendEloquaError (reply: FastifyReply, error: EloquaError, body: unknown = error.body()): FastifyReply {
  reply.raw.statusMessage = error.reasonPhrase
  reply.code(error.statusCode).header('x-mock-reason', headerSafe(error.message))
  if (body === undefined) return reply.send()
  return reply.type('application/json; charset=utf-8').serializer(JSON.stringify).send(body)
}

function headerSafe (text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?')
  return printable.length > 300 ? `${printable.slice(0, 297)}...` : printable
}

const CONTEXT_FIELD = { body: 'body', params: 'path', querystring: 'query', headers: 'header' } as const

/** Ajv's errors as Eloqua failures: `field` is the property path, `constraint` a sentence. */
function failuresFromValidation (error: FastifyError, request: FastifyRequest): ValidationFailure[] {
  const context = error.validationContext as keyof typeof CONTEXT_FIELD
  const source: unknown = context === 'querystring' ? request.query : request[context]
  // Called only for errors that carry `validation`.
  return (error.validation as NonNullable<FastifyError['validation']>).map((issue) => {
    const params = issue.params as Record<string, unknown>
    const segments = issue.instancePath.split('/').slice(1)
    if (typeof params.missingProperty === 'string') segments.push(params.missingProperty)
    const field = segments.length === 0
      ? CONTEXT_FIELD[context]
      : segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
    const constraint = constraintFor(issue.keyword, params, issue.message, context === 'body')
    const value = typeof params.missingProperty === 'string'
      ? undefined
      // Object(): a step past null or a scalar reads nothing instead of throwing.
      : segments.reduce<unknown>((value, segment) => Object(value)[segment], source)
    return value === undefined ? { field, constraint } : { field, value: describeValue(value), constraint }
  })
}

const ARTICLE: Readonly<Record<string, string>> = { integer: 'an integer', array: 'an array', object: 'an object' }

function constraintFor (keyword: string, params: Record<string, unknown>, message: string | undefined, inBody: boolean): string {
  const type = String(params.type)
  switch (keyword) {
    case 'type':
      if (!inBody) return `Must be ${ARTICLE[type] ?? `a ${type}`}.`
      if (type === 'array,object') return 'Must be a JSON array of records, or one record.'
      return type === 'array' ? 'Must be a JSON array of records.' : `Must be a JSON ${type}.`
    case 'required': return 'Is required.'
  }
  if (keyword === 'pattern' && params.pattern === TRUE_OR_FALSE) return 'Must be true or false.'
  return message === undefined ? 'Is invalid.' : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`
}

export function toEloquaError (error: FastifyError, request: FastifyRequest): EloquaError {
  if (error instanceof EloquaError) return error
  // A path the mock does not serve is a 404 before anything about its body counts.
  if (request.is404 && error.code.startsWith('FST_ERR_CTP_')) return notImplemented(request)
  if (error.validation !== undefined) return validationError(failuresFromValidation(error, request))
  switch (error.code) {
    // Eloqua documents a 404 for uploads over 32 MB (eloqua-reference §12).
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return notFound('request body is larger than this endpoint takes (MAX_UPLOAD_BYTES, 64 KiB on /__mock); Eloqua answers 404 past 32 MB')
    // A Content-Type that does not parse as a media type; any other type reaches the catch-all parser.
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return validationError([{
      field: 'Content-Type',
      value: String(request.headers['content-type']),
      constraint: 'Must be application/json or text/csv.'
    }])
  }
  if (error.statusCode === 401) return unauthorized(error.message)
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new EloquaError(error.statusCode, error.message, error.statusCode === 400 ? [{ field: 'request', constraint: error.message }] : undefined)
  }
  return new EloquaError(500, 'unexpected error in the mock; see its log')
}

function notImplemented (request: FastifyRequest): EloquaError {
  // split always gives at least one element.
  return notFound(`${request.method} ${request.url.split('?')[0] as string} is not implemented by the mock`)
}

export default fp(async function errors (app) {
  app.setErrorHandler(function handleError (error: FastifyError, request, reply) {
    const eloquaError = toEloquaError(error, request)
    if (eloquaError.statusCode >= 500 && !(error instanceof EloquaError)) request.log.error({ err: error }, 'request failed')
    else request.log.info({ status: eloquaError.statusCode, reason: eloquaError.message }, 'request refused')
    return sendEloquaError(reply, eloquaError)
  })

  app.setNotFoundHandler(function handleNotFound (request, reply) {
    request.log.warn({ method: request.method, url: request.url }, 'no such endpoint')
    return sendEloquaError(reply, notImplemented(request))
  })
}, { name: 'errors' })
