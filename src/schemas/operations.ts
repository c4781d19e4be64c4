/** Operation ids of the Eloqua endpoints the mock implements: fault rules match them, the OpenAPI description names them. */
export const OPERATION_IDS = [
  'discover',
  'listCustomObjects',
  'getCustomObject',
  'listCustomObjectFields',
  'getCustomObjectField',
  'listContactFields',
  'getContactField',
  'listAccountFields',
  'getAccountField',
  'listSyncActionDefinitions',
  'listAllSyncActionDefinitions',
  'createSyncActionDefinition',
  'getSyncActionDefinition',
  'replaceSyncActionDefinition',
  'deleteSyncActionDefinition',
  'uploadSyncActionData',
  'deleteSyncActionData',
  'createSync',
  'listSyncs',
  'getSync',
  'listSyncLogs',
  'listSyncRejects'
] as const

export type OperationId = typeof OPERATION_IDS[number]
