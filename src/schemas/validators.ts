/**
 * Request validation and response serialization for every route. Path and query values arrive
 * as text and are coerced (limit=10 is a number); bodies are checked exactly as sent, never
 * coerced, since fastify's default would turn a scalar upload into a one-element array.
 *
 * Each schema is compiled when a request first needs it, not when the app is built: compiling all
 * of them took about half of the start-up time, and most runs use a few routes. A compiled
 * function is kept for the life of the process, so every app built after the first, in tests or in
 * the in-process API, reuses it. The schemas are the project's own, checked against the JSON
 * Schema meta-schema by a test, so ajv does not load or apply the meta-schema at run time.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import fastJsonStringify from 'fast-json-stringify'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { DOMAIN_VALIDATED, sharedSchemas } from './common.js'

/** The options both Ajv instances share, for the test that checks the route schemas fully. */
export const AJV_OPTIONS: Options = { allErrors: false, strict: false, schemas: [...sharedSchemas] }
const RUN_TIME: Options = { validateSchema: false, meta: false }
const coercing = new Ajv({ ...AJV_OPTIONS, ...RUN_TIME, coerceTypes: 'array', useDefaults: true })
const exact = new Ajv({ ...AJV_OPTIONS, ...RUN_TIME, coerceTypes: false })

const acceptAll = (): boolean => true

/**
 * Compiled functions by the text of their schema: some route schemas are made per app (path
 * parameters, …), and Ajv keeps every schema object it compiles, so keying by object would let
 * each app built in a process (tests build hundreds) add to Ajv for good. The texts are few.
 */
const validators = new Map<string, ValidateFunction>()

/** The compiled validator of a route schema, compiling it now if no app has yet. */
export function compiledValidator (schema: object, body: boolean): ValidateFunction {
  const key = `${body ? 'exact' : 'coercing'} ${JSON.stringify(schema)}`
  let validate = validators.get(key)
  if (validate === undefined) {
    validate = (body ? exact : coercing).compile(schema)
    validators.set(key, validate)
  }
  return validate
}

/** fastify reads `errors` from the function it called, so the stand-in copies them from the compiled one. */
interface LazyValidator {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (DOMAIN_VALIDATED in schema) return acceptAll
  let validate: ValidateFunction | undefined
  const lazy: LazyValidator = (data) => {
    validate ??= compiledValidator(schema, httpPart === 'body')
    const valid = validate(data)
    lazy.errors = validate.errors ?? null
    return valid
  }
  return lazy
}

/** The shared schemas response schemas $ref, by $id, as fastify's default serializer compiler passes them. */
type SerializerSchema = Parameters<typeof fastJsonStringify>[0]
const externalSchemas: Record<string, SerializerSchema> = Object.fromEntries(sharedSchemas.map((schema) => [schema.$id, schema as unknown as SerializerSchema]))
const serializers = new Map<string, (data: unknown) => string>()

/** The compiled serializer of a response schema, compiling it now if no app has yet. */
export function compiledSerializer (schema: object): (data: unknown) => string {
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

/** fastify's default (fast-json-stringify with the shared schemas), compiled when first used. */
export const serializerCompiler: FastifySerializerCompiler<object> = ({ schema }) => {
  let serialize: ((data: unknown) => string) | undefined
  return (data) => (serialize ??= compiledSerializer(schema))(data)
}

/** How many validators and serializers the process holds: the same however many apps it builds. */
export function compiledSchemaCount (): number {
  return validators.size + serializers.size
}
