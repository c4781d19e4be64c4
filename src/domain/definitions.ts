/** Rules of custom object sync action definitions that both fixtures and the API apply. */

// Per the Bulk API reference the one field of a custom object sync action definition is
// {{CustomObject[n].ExternalId}}; the sync actions tutorial also lists {{CustomObject[n].Id}}.
const IDENTIFIER_STATEMENT = /^\{\{CustomObject\[(\d+)\]\.(ExternalId|Id)\}\}$/

export type IdentifierKind = 'ExternalId' | 'Id'

export function parseIdentifierStatement (statement: string): { customObjectId: number, kind: IdentifierKind } | undefined {
  const match = IDENTIFIER_STATEMENT.exec(statement)
  if (match === null) return undefined
  return { customObjectId: Number(match[1]), kind: match[2] as IdentifierKind }
}

/** Path segments are ids only when they are plain decimal integers; anything else names no resource. */
export function parseId (segment: string): number | undefined {
  return /^[1-9]\d{0,14}$/.test(segment) ? Number(segment) : undefined
}
