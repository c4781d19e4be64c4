/**
 * Request validation for every route, compiled once per route at start. Path and query values
 * arrive as text and are coerced (limit=10 is a number); bodies are checked exactly as sent, never
 * coerced, since fastify's default would turn a scalar upload into a one-element array.
 */
import { Ajv } from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'
import { DOMAIN_VALIDATED, sharedSchemas } from './common.js'

const options = { allErrors: false, strict: false, schemas: [...sharedSchemas] }
const coercing = new Ajv({ ...options, coerceTypes: 'array', useDefaults: true })
const exact = new Ajv({ ...options, coerceTypes: false })

const acceptAll = (): boolean => true

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (DOMAIN_VALIDATED in schema) return acceptAll
  return (httpPart === 'body' ? exact : coercing).compile(schema)
}
