/**
 * Shapes shared by every route, registered once with addSchema and referenced by `$id`.
 * Property order follows Eloqua's recorded answers (shared real-responses §4), because the
 * serializer writes properties in schema order.
 */
export const validationFailures = {
  $id: 'ValidationFailures',
  description: "Eloqua's validation error body (400).",
  type: 'object',
  required: ['failures'],
  properties: {
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'constraint'],
        properties: {
          field: { type: 'string' },
          value: { type: 'string' },
          constraint: { type: 'string' }
        }
      }
    }
  }
} as const

export const sync = {
  $id: 'Sync',
  description: 'A sync: Eloqua processes the data staged for a definition.',
  type: 'object',
  // No `required`: the serializer writes required properties first, and Eloqua's order matters more.
  properties: {
    syncedInstanceUri: { type: 'string' },
    callbackUrl: { type: 'string' },
    syncStartedAt: { type: 'string' },
    syncEndedAt: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'active', 'success', 'warning', 'error'] },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    uri: { type: 'string' }
  }
} as const

export const sharedSchemas = [validationFailures, sync] as const

const idParam = { type: 'string', description: 'Integer id.' } as const

export const uploadSyncActionDataSchema = {
  summary: 'Upload records to a custom object sync action definition',
  params: {
    type: 'object',
    required: ['parentId', 'id'],
    properties: { parentId: idParam, id: idParam }
  },
  body: {
    description: 'Records keyed by the definition\'s identifierFieldName, as JSON or as CSV with a header row.',
    type: 'array',
    items: { type: 'object' }
  },
  response: {
    201: { $ref: 'Sync#' },
    204: { description: 'Staged; the definition does not sync on import.', type: 'null' },
    400: { $ref: 'ValidationFailures#' }
  }
} as const

export const getSyncSchema = {
  summary: 'Retrieve a sync',
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: idParam }
  },
  response: {
    200: { $ref: 'Sync#' }
  }
} as const
