/**
 * Contact and account fields, as `GET /contacts/fields` and `GET /accounts/fields` list them: the
 * catalogue comes from fixtures (the bundled one holds the standard fields of a real instance),
 * and each field is shown in Eloqua's shape, with the statement that names it in a definition.
 *
 * LIMITATIONS: the catalogue is read-only and shared by every site; contacts and accounts
 * themselves (their records) are not held yet.
 */
import { eloquaTimestamp } from './clock.js'
import type { EntityFieldFixture } from '../schemas/fixtures.js'

export type FieldEntity = 'contacts' | 'accounts'

const STATEMENT_ENTITY: Readonly<Record<FieldEntity, string>> = { contacts: 'Contact', accounts: 'Account' }

/** Eloqua dates its system fields 1900-01-01 (recorded answers); fields a user made carry their own dates. */
const SYSTEM_FIELD_DATE = '1900-01-01T05:00:00.000Z'

/** A contact or account field in Eloqua's key order; `createdBy`/`updatedBy` only on fields a user made. */
export function entityFieldView (entity: FieldEntity, f: EntityFieldFixture): object {
  const createdAt = f.createdAt ?? SYSTEM_FIELD_DATE
  return {
    name: f.name,
    internalName: f.internalName,
    dataType: f.dataType ?? 'string',
    defaultValue: f.defaultValue,
    hasReadOnlyConstraint: f.hasReadOnlyConstraint ?? false,
    hasNotNullConstraint: f.hasNotNullConstraint ?? false,
    hasUniquenessConstraint: f.hasUniquenessConstraint ?? false,
    statement: `{{${STATEMENT_ENTITY[entity]}.Field(${f.internalName})}}`,
    uri: `/${entity}/fields/${f.id}`,
    createdBy: f.createdBy,
    createdAt: eloquaTimestamp(Date.parse(createdAt)),
    updatedBy: f.updatedBy ?? f.createdBy,
    updatedAt: eloquaTimestamp(Date.parse(f.updatedAt ?? createdAt))
  }
}
