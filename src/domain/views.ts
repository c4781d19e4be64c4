/**
 * How custom objects and fields (of custom objects, contacts and accounts) read in the API: Eloqua's keys in Eloqua's order, absent values omitted. Pure
 * functions of the domain objects; the routes serialize what these return.
 *
 * LIMITATIONS: the contact and account field catalogue is read-only and shared by every site.
 */
import { eloquaTimestamp } from './clock.js'
import type { CustomObjectFixture, EntityFieldFixture } from '../schemas/fixtures.js'

/** A custom object as `GET /customObjects/{id}` returns it. */
export function customObjectView (c: CustomObjectFixture): object {
  const fieldUri = (id: number | undefined): string | undefined => id === undefined ? undefined : `/customObjects/${c.id}/fields/${id}`
  return {
    name: c.name,
    displayNameFieldUri: fieldUri(c.displayNameFieldId),
    emailAddressFieldUri: fieldUri(c.emailAddressFieldId),
    uniqueFieldUri: fieldUri(c.uniqueFieldId),
    uri: `/customObjects/${c.id}`,
    createdBy: c.createdBy,
    createdAt: timestampOf(c.createdAt),
    updatedBy: c.updatedBy ?? c.createdBy,
    updatedAt: timestampOf(c.updatedAt ?? c.createdAt)
  }
}

function timestampOf (iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : eloquaTimestamp(Date.parse(iso))
}

type FieldFixture = NonNullable<CustomObjectFixture['fields']>[number]

/** A custom object field as `GET /customObjects/{id}/fields` returns it. */
export function fieldView (c: CustomObjectFixture, f: FieldFixture): object {
  return {
    name: f.name,
    internalName: f.internalName ?? f.name.replace(/\W+/g, '_'),
    dataType: f.dataType ?? 'string',
    defaultValue: f.defaultValue,
    hasReadOnlyConstraint: f.hasReadOnlyConstraint ?? false,
    hasNotNullConstraint: f.hasNotNullConstraint ?? false,
    hasUniquenessConstraint: f.hasUniquenessConstraint ?? false,
    statement: `{{CustomObject[${c.id}].Field[${f.id}]}}`,
    uri: `/customObjects/${c.id}/fields/${f.id}`,
    // A field without its own audit data shares its custom object's.
    createdBy: f.createdBy ?? c.createdBy,
    createdAt: timestampOf(f.createdAt ?? c.createdAt),
    updatedBy: f.updatedBy ?? f.createdBy ?? c.updatedBy ?? c.createdBy,
    updatedAt: timestampOf(f.updatedAt ?? f.createdAt ?? c.updatedAt ?? c.createdAt)
  }
}

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
