/**
 * The records of one entity in one site: contacts, accounts, or the records of one custom object.
 * Values are kept by field internal name, as text, as Eloqua exports them. Ids are assigned by the
 * table, after the highest id the fixtures gave.
 */
import type { CustomObjectFixture } from '../schemas/fixtures.js'

export interface DestinationState { status?: string, member?: boolean, syncUri: string, updatedAt: string }

export interface EntityRecord {
  readonly id: number
  /** Custom object records only: matched by {{CustomObject[n].ExternalId}}. */
  externalId?: string
  /** Replaced whole when a sync changes it, never edited: it may be the fixture's own object. */
  fieldValues: Readonly<Record<string, string>>
  /** Custom object records linked to a contact or account by an import with mapDataCards. */
  contactId?: number
  accountId?: number
  /** What sync actions did to this record, by destination. */
  destinations: Record<string, DestinationState>
}

export interface RecordFixture { id?: number, externalId?: string, fieldValues?: Record<string, string> }

/** Shared by every record the fixtures gave no values: never written, as records get a new object when they change. */
const NO_VALUES: Record<string, string> = Object.freeze({}) as Record<string, string>

export class EntityTable {
  readonly #fixtures: readonly RecordFixture[]
  /** The records, made from the fixtures on first use: a reset costs nothing however many there are. */
  #records: Map<number, EntityRecord> | undefined
  #nextId = 1

  /** The fixture records are never changed: a record's values are replaced, not edited, when an import changes them. */
  constructor (fixtures: readonly RecordFixture[]) {
    this.#fixtures = fixtures
  }

  static ofCustomObject (customObject: CustomObjectFixture): EntityTable {
    return new EntityTable(customObject.records ?? [])
  }

  #all (): Map<number, EntityRecord> {
    if (this.#records !== undefined) return this.#records
    const records = new Map<number, EntityRecord>()
    let highest = 0
    for (const fixture of this.#fixtures) if (fixture.id !== undefined && fixture.id > highest) highest = fixture.id
    this.#nextId = highest + 1
    for (const fixture of this.#fixtures) {
      const record: EntityRecord = { id: fixture.id ?? this.#nextId++, fieldValues: fixture.fieldValues ?? NO_VALUES, destinations: {} }
      if (fixture.externalId !== undefined) record.externalId = fixture.externalId
      records.set(record.id, record)
    }
    this.#records = records
    return records
  }

  get size (): number {
    return this.#all().size
  }

  get (id: number): EntityRecord | undefined {
    return this.#all().get(id)
  }

  records (): IterableIterator<EntityRecord> {
    return this.#all().values()
  }

  create (fieldValues: Record<string, string>, externalId?: string): EntityRecord {
    const records = this.#all()
    const record: EntityRecord = { id: this.#nextId++, fieldValues, destinations: {} }
    if (externalId !== undefined) record.externalId = externalId
    records.set(record.id, record)
    return record
  }
}

/** A record for `/__mock/state`: its keys in a fixed order, links only when set. */
export function recordState (record: EntityRecord): object {
  return {
    id: record.id,
    ...(record.externalId === undefined ? {} : { externalId: record.externalId }),
    fieldValues: record.fieldValues,
    ...(record.contactId === undefined ? {} : { contactId: record.contactId }),
    ...(record.accountId === undefined ? {} : { accountId: record.accountId }),
    destinations: record.destinations
  }
}
