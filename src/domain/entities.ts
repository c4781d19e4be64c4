/**
 * The records of one entity in one site: contacts, accounts, or the records of one custom object.
 * Values are kept by field internal name, as text, as Eloqua exports them. Ids are assigned by the
 * table, after the highest id the fixtures gave.
 */
import type { CustomObjectFixture } from '../schemas/fixtures.js'
import type { Target } from './statements.js'

export interface DestinationState { status?: string, member?: boolean, syncUri: string, updatedAt: string }

export interface EntityRecord {
  readonly id: number
  /** Custom object records only: matched by {{CustomObject[n].ExternalId}}. */
  externalId?: string
  /** Replaced whole when a sync changes it, never edited: it may be the fixture's own object. */
  fieldValues: Readonly<Record<string, string>>
  /** Custom object records linked to a contact or account by an import with mapDataCards; contacts linked to their account. */
  contactId?: number
  accountId?: number
  /** What sync actions did to this record, by destination. */
  destinations: Record<string, DestinationState>
  /** On the mock clock: when the fixtures were loaded or an import created or last changed it. */
  createdAt: number
  updatedAt: number
}

export interface RecordFixture { id?: number, externalId?: string, fieldValues?: Record<string, string>, accountId?: number }

/** How records are looked up by one value of theirs: the Id, the ExternalId or a field, with or without case. */
export interface IndexSpec {
  /** Names the index, so each is built once per table. */
  readonly name: string
  readonly valueOf: (record: EntityRecord) => string | undefined
  readonly foldCase: boolean
}

/** The index of a target; by default email addresses ignore case, as Eloqua matches them, and other values do not. */
export function indexSpec (target: Target, caseSensitive?: boolean): IndexSpec {
  if (target.kind === 'id') return { name: 'id', valueOf: (record) => String(record.id), foldCase: false }
  if (target.kind === 'externalId') return { name: 'externalId', valueOf: (record) => record.externalId, foldCase: false }
  const name = target.field.internalName
  const foldCase = caseSensitive === undefined ? target.field.dataType === 'emailAddress' : !caseSensitive
  return { name: `${foldCase ? 'i' : 's'}:${name}`, valueOf: (record) => record.fieldValues[name], foldCase }
}

type Bucket = EntityRecord | EntityRecord[]
interface Index { readonly spec: IndexSpec, readonly map: Map<string, Bucket> }
const NO_RECORDS: readonly EntityRecord[] = Object.freeze([])

/** Shared by every record the fixtures gave no values: never written, as records get a new object when they change. */
const NO_VALUES: Record<string, string> = Object.freeze({}) as Record<string, string>

export class EntityTable {
  readonly #fixtures: readonly RecordFixture[]
  /** Records past this many are not created. */
  readonly maxRecords: number
  /** The records, made from the fixtures on first use: a reset costs nothing however many there are. */
  #records: Map<number, EntityRecord> | undefined
  /** Lookups by value, built on first use and kept current as records change, so a sync costs what it changes. */
  readonly #indexes = new Map<string, Index>()
  #nextId = 1

  /** When the fixtures were loaded: the creation time of their records. */
  readonly #loadedAt: number

  /** The fixture records are never changed: a record's values are replaced, not edited, when an import changes them. */
  constructor (fixtures: readonly RecordFixture[], maxRecords = Infinity, loadedAt = 0) {
    this.#fixtures = fixtures
    this.maxRecords = maxRecords
    this.#loadedAt = loadedAt
  }

  static ofCustomObject (customObject: CustomObjectFixture, maxRecords?: number, loadedAt?: number): EntityTable {
    return new EntityTable(customObject.records ?? [], maxRecords, loadedAt)
  }

  #all (): Map<number, EntityRecord> {
    if (this.#records !== undefined) return this.#records
    const records = new Map<number, EntityRecord>()
    let highest = 0
    for (const fixture of this.#fixtures) if (fixture.id !== undefined && fixture.id > highest) highest = fixture.id
    this.#nextId = highest + 1
    for (const fixture of this.#fixtures) {
      const record: EntityRecord = { id: fixture.id ?? this.#nextId++, fieldValues: fixture.fieldValues ?? NO_VALUES, destinations: {}, createdAt: this.#loadedAt, updatedAt: this.#loadedAt }
      if (fixture.externalId !== undefined) record.externalId = fixture.externalId
      if (fixture.accountId !== undefined) record.accountId = fixture.accountId
      records.set(record.id, record)
    }
    this.#records = records
    return records
  }

  get size (): number {
    return this.#all().size
  }

  get full (): boolean {
    return this.size >= this.maxRecords
  }

  get (id: number): EntityRecord | undefined {
    return this.#all().get(id)
  }

  records (): IterableIterator<EntityRecord> {
    return this.#all().values()
  }

  /** The records whose value (by `spec`) is `value`, oldest first. */
  find (spec: IndexSpec, value: string): readonly EntityRecord[] {
    const bucket = this.#index(spec).map.get(spec.foldCase ? value.toLowerCase() : value)
    return bucket === undefined ? NO_RECORDS : Array.isArray(bucket) ? bucket : [bucket]
  }

  /** A new record with the next id; `derive` adds values the instance assigns, such as ContactIDExt. */
  create (at: number, fieldValues: Record<string, string>, externalId?: string, derive?: (id: number) => Record<string, string>): EntityRecord {
    const records = this.#all()
    const id = this.#nextId++
    const record: EntityRecord = { id, fieldValues: derive === undefined ? fieldValues : { ...fieldValues, ...derive(id) }, destinations: {}, createdAt: at, updatedAt: at }
    if (externalId !== undefined) record.externalId = externalId
    records.set(id, record)
    for (const index of this.#indexes.values()) add(index, record)
    return record
  }

  /** Gives a record new values, keeping every index current. */
  replaceValues (record: EntityRecord, fieldValues: Record<string, string>, at: number): void {
    record.updatedAt = at
    const previous = record.fieldValues
    for (const index of this.#indexes.values()) {
      const before = index.spec.valueOf(record)
      record.fieldValues = fieldValues
      const after = index.spec.valueOf(record)
      record.fieldValues = previous
      if (after === before) continue
      remove(index, record)
      record.fieldValues = fieldValues
      add(index, record)
      record.fieldValues = previous
    }
    record.fieldValues = fieldValues
  }

  #index (spec: IndexSpec): Index {
    let index = this.#indexes.get(spec.name)
    if (index === undefined) {
      index = { spec, map: new Map() }
      for (const record of this.records()) add(index, record)
      this.#indexes.set(spec.name, index)
    }
    return index
  }
}

function keyOf (index: Index, record: EntityRecord): string | undefined {
  const value = index.spec.valueOf(record)
  if (value === undefined || value === '') return undefined
  return index.spec.foldCase ? value.toLowerCase() : value
}

function add (index: Index, record: EntityRecord): void {
  const key = keyOf(index, record)
  if (key === undefined) return
  const bucket = index.map.get(key)
  if (bucket === undefined) index.map.set(key, record)
  else if (Array.isArray(bucket)) bucket.push(record)
  else index.map.set(key, [bucket, record])
}

function remove (index: Index, record: EntityRecord): void {
  const key = keyOf(index, record)
  if (key === undefined) return
  const bucket = index.map.get(key)
  if (bucket === record) index.map.delete(key)
  else if (Array.isArray(bucket)) {
    const rest = bucket.filter((r) => r !== record)
    index.map.set(key, rest.length === 1 ? rest[0] as EntityRecord : rest)
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
