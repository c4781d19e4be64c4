/**
 * Request validation and response serialization for every route. Path and query values arrive
 * as text and are coerced (limit=10 is a number); bodies are checked exactly as sent, never
 * coerced, since fastify's default would turn a scalar upload into a one-element array. Both are
 * compiled once per schema for the life of the process (route schemas are module constants), so
 * every app built after the first, in tests or in the in-process API, reuses them.
 */
import { Ajv } from 'ajv'
import fastJsonStringify from 'fast-json-stringify'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { DOMAIN_VALIDATED, sharedSchemas } from './common.js'

const options = { allErrors: false, strict: false, schemas: [...sharedSchemas] }
const coercing = new Ajv({ ...options, coerceTypes: 'array', useDefaults: true })
const exact = new Ajv({ ...options, coerceTypes: false })

const acceptAll = (): boolean => true

const validators = { body: new WeakMap<object, ReturnType<FastifySchemaCompiler<object>>>(), other: new WeakMap<object, ReturnType<FastifySchemaCompiler<object>>>() }

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (DOMAIN_VALIDATED in schema) return acceptAll
  const cache = httpPart === 'body' ? validators.body : validators.other
  let validate = cache.get(schema)
  if (validate === undefined) {
    validate = (httpPart === 'body' ? exact : coercing).compile(schema)
    cache.set(schema, validate)
  }
  return validate
}

/** The shared schemas response schemas $ref, by $id, as fastify's default serializer compiler passes them. */
type SerializerSchema = Parameters<typeof fastJsonStringify>[0]
const externalSchemas: Record<string, SerializerSchema> = Object.fromEntries(sharedSchemas.map((schema) => [schema.$id, schema as unknown as SerializerSchema]))
const serializers = new WeakMap<object, (data: unknown) => string>()

/** fastify's default (fast-json-stringify with the shared schemas), compiled once per schema object. */
export const serializerCompiler: FastifySerializerCompiler<object> = ({ schema }) => {
  let serialize = serializers.get(schema)
  if (serialize === undefined) {
    // A shared schema serialized on its own must not also be among its external schemas.
    const { [(schema as { $id?: string }).$id ?? '']: _self, ...external } = externalSchemas
    serialize = fastJsonStringify(schema as SerializerSchema, { schema: external })
    serializers.set(schema, serialize)
  }
  return serialize
}
