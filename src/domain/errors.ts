/**
 * The one catalogue of errors the mock answers with. The domain throws these; only
 * plugins/errors.ts turns them into HTTP. Reason phrases are Oracle's documented status texts
 * (eloqua-reference §10.3). Only 400 has a documented body (`failures`); the others answer with
 * an empty body, as the reference suggests for 401 and 404.
 */
export interface ValidationFailure {
  field: string
  /** Where in the body the field is, as Eloqua names it for a `fields` entry (real-responses §7b). */
  stackTrace?: Array<{ field: string }>
  value?: string
  constraint: string
}

/** Failures listed at most in one answer; a body with a million bad keys gets a short answer. */
export const MAX_FAILURES = 100

export const REASON_PHRASES: Readonly<Record<number, string>> = {
  400: 'There was a validation error.',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'The requested resource was not found.',
  409: 'There was a conflict.',
  408: 'Request Timeout',
  410: 'The requested resource is no longer available.',
  412: 'The resource you are attempting to delete has dependencies, and cannot be deleted',
  413: 'Storage space exceeded.',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'The service has encountered an error.',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

export class EloquaError extends Error {
  readonly statusCode: number
  readonly failures: readonly ValidationFailure[] | undefined
  readonly reasonPhrase: string

  /** `explanation` is for logs and the X-Mock-Reason header, never for the body. */
  constructor (statusCode: number, explanation: string, failures?: readonly ValidationFailure[], reasonPhrase?: string) {
    super(explanation)
    this.name = 'EloquaError'
    this.statusCode = statusCode
    this.failures = failures
    this.reasonPhrase = reasonPhrase ?? REASON_PHRASES[statusCode] ?? 'Error'
  }

  /** The body Eloqua sends: `failures` for validation errors, nothing otherwise. */
  body (): { failures: readonly ValidationFailure[] } | undefined {
    return this.failures === undefined ? undefined : { failures: this.failures }
  }
}

export function validationError (all: readonly ValidationFailure[], reasonPhrase?: string): EloquaError {
  const failures = all.length <= MAX_FAILURES
    ? all
    : [...all.slice(0, MAX_FAILURES), { field: 'failures', constraint: `And ${all.length - MAX_FAILURES} more, not listed.` }]
  const explanation = failures.map((f) => `${f.field}: ${f.constraint}`).join('; ')
  return new EloquaError(400, explanation, failures, reasonPhrase)
}

/** Malformed JSON or CSV; Oracle's status text for it is "There was a parsing error." */
export function parsingError (field: string, constraint: string, value?: string): EloquaError {
  const failure: ValidationFailure = value === undefined ? { field, constraint } : { field, value, constraint }
  return validationError([failure], 'There was a parsing error.')
}

export function unauthorized (explanation: string): EloquaError {
  return new EloquaError(401, explanation)
}

export function forbidden (explanation: string): EloquaError {
  return new EloquaError(403, explanation)
}

export function notFound (explanation: string): EloquaError {
  return new EloquaError(404, explanation)
}

export function conflict (explanation: string): EloquaError {
  return new EloquaError(409, explanation)
}

export function storageExceeded (explanation: string): EloquaError {
  return new EloquaError(413, explanation)
}

export function tooManyRequests (explanation: string): EloquaError {
  return new EloquaError(429, explanation)
}

/** Failure `value`s are strings in Eloqua's examples; keep them short enough to read. */
export function describeValue (value: unknown): string {
  const text = typeof value === 'string' ? value : preview(value, 3)
  return text.length > 100 ? `${text.slice(0, 97)}...` : text
}

/**
 * JSON-like text of a value, cut short: at most `depth` levels and a few hundred characters are
 * looked at, so a huge or deeply nested value costs no more than a small one.
 */
function preview (value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value)
  if (depth === 0) return Array.isArray(value) ? '[...]' : '{...}'
  const parts: string[] = []
  let length = 0
  const entries = Array.isArray(value) ? value : Object.keys(value)
  for (const entry of entries) {
    if (length > 100) {
      parts.push('...')
      break
    }
    const part = Array.isArray(value)
      ? preview(entry, depth - 1)
      : `${JSON.stringify(entry)}:${preview((value as Record<string, unknown>)[entry as string], depth - 1)}`
    parts.push(part)
    length += part.length + 1
  }
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`
}
