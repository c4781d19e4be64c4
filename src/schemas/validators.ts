/**
 * Request validation and response serialization for every route. Path and query values arrive
 * as text and are coerced (limit=10 is a number); bodies are checked exactly as sent, never
 * coerced, since fastify's default would turn a scalar upload into a one-element array. Both are
 * compiled once per schema for the life of the process, so every app built after the first, in
 * tests or in the in-process API, reuses them.
 */
import { Ajv } from 'ajv'
import fastJsonStringify from 'fast-json-stringify'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { DOMAIN_VALIDATED, sharedSchemas } from './common.js'

const options = { allErrors: false, strict: false, schemas: [...sharedSchemas] }
const coercing = new Ajv({ ...options, coerceTypes: 'array', useDefaults: true })
const exact = new Ajv({ ...options, coerceTypes: false })

const acceptAll = (): boolean => true

/**
 * Compiled functions by the text of their schema: some route schemas are made per app (path
 * parameters, …), and Ajv keeps every schema object it compiles, so keying by object would let
 * each app built in a process (tests build hundreds) add to Ajv for good. The texts are few.
 */
const validators = new Map<string, ReturnType<FastifySchemaCompiler<object>>>()

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (DOMAIN_VALIDATED in schema) return acceptAll
  const key = `${httpPart === 'body' ? 'exact' : 'coercing'} ${JSON.stringify(schema)}`
  let validate = validators.get(key)
  if (validate === undefined) {
    validate = (httpPart === 'body' ? exact : coercing).compile(schema)
    validators.set(key, validate)
  }
  return validate
}

/** The shared schemas response schemas $ref, by $id, as fastify's default serializer compiler passes them. */
type SerializerSchema = Parameters<typeof fastJsonStringify>[0]
const externalSchemas: Record<string, SerializerSchema> = Object.fromEntries(sharedSchemas.map((schema) => [schema.$id, schema as unknown as SerializerSchema]))
const serializers = new Map<string, (data: unknown) => string>()

/** fastify's default (fast-json-stringify with the shared schemas), compiled once per schema text. */
export const serializerCompiler: FastifySerializerCompiler<object> = ({ schema }) => {
  const key = JSON.stringify(schema)
  let serialize = serializers.get(key)
  if (serialize === undefined) {
    // A shared schema serialized on its own must not also be among its external schemas.
    const { [(schema as { $id?: string }).$id ?? '']: _self, ...external } = externalSchemas
    serialize = fastJsonStringify(schema as SerializerSchema, { schema: external })
    serializers.set(key, serialize)
  }
  return serialize
}

/** How many validators and serializers the process holds: the same however many apps it builds. */
export function compiledSchemaCount (): number {
  return validators.size + serializers.size
}
