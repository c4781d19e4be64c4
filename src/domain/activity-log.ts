/**
 * The activities of a site (imports-exports §4.5): the rows the fixtures list, and the rows their
 * generators describe. Activities never change through the API (the mock serves no activity
 * imports), so the log is built once from the fixtures and every site shares it. Generated rows
 * are computed from (seed, index) whenever they are read and never stored: a fixture can hold
 * millions of them at no cost in memory, and an export of them keeps only row indices.
 */
import { ACTIVITY_FIELDS, ACTIVITY_TYPES, type ActivityType } from './activities.js'
import { exportedDate } from './clock.js'

/** When a generator's `from` and `to` are not given: the four months before the test clock starts. */
export const DEFAULT_GENERATED_FROM = '2024-01-01T00:00:00Z'
export const DEFAULT_GENERATED_TO = '2024-05-01T00:00:00Z'

/** A run of activities of one type: fixture rows, or one generator. */
export interface ActivitySegment {
  readonly type: ActivityType
  /** Index of its first row in the log. */
  readonly start: number
  readonly count: number
  /** How to read an activity field (by internal name) of a row, as text; "" when the row has none. */
  reader: (field: string) => (row: number) => string
  /** The contact the row's activity belongs to, if any. */
  contactId: (row: number) => number | undefined
  /** When the row's activity happened, in epoch milliseconds. */
  createdAt: (row: number) => number
}

/** A contact generated activities may belong to: its id and the email address they were sent to. */
export interface ActivityContact { readonly id: number, readonly email: string }

export interface ListedActivity {
  readonly id: number
  readonly type: ActivityType
  /** Epoch milliseconds. */
  readonly createdAt: number
  readonly contactId?: number | undefined
  /** By activity field internal name. */
  readonly values: Readonly<Record<string, string>>
}

export interface ActivityGenerator {
  readonly type: ActivityType
  readonly count: number
  readonly seed: number
  readonly firstId: number
  /** Epoch milliseconds: the first row's date; rows are spread evenly up to `to`. */
  readonly from: number
  readonly to: number
}

export class ActivityLog {
  readonly count: number
  readonly #segments: readonly ActivitySegment[]

  constructor (listed: readonly ListedActivity[], generators: readonly ActivityGenerator[], contacts: readonly ActivityContact[]) {
    const segments: ActivitySegment[] = []
    let start = 0
    // Listed rows are grouped by type, so an export scans only the segments of its type.
    for (const type of ACTIVITY_TYPES) {
      const rows = listed.filter((a) => a.type === type)
      if (rows.length === 0) continue
      segments.push(listedSegment(type, start, rows))
      start += rows.length
    }
    for (const generator of generators) {
      segments.push(generatedSegment(generator, start, contacts))
      start += generator.count
    }
    this.#segments = segments
    this.count = start
  }

  /** The segments of one type, in log order. */
  segmentsOf (type: ActivityType): ActivitySegment[] {
    return this.#segments.filter((s) => s.type === type)
  }

  /** Rows per type, for `/__mock/state`. */
  counts (): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const segment of this.#segments) counts[segment.type] = (counts[segment.type] ?? 0) + segment.count
    return counts
  }

  /** The segment holding the log's row `index`. */
  segmentAt (index: number): ActivitySegment {
    let low = 0
    let high = this.#segments.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if ((this.#segments[middle] as ActivitySegment).start <= index) low = middle
      else high = middle - 1
    }
    return this.#segments[low] as ActivitySegment
  }
}

/** Readers of the fields every activity has (ActivityId, ActivityType, ActivityDate, ContactId), or undefined for others. */
function commonReader (field: string, id: (row: number) => number, type: ActivityType, createdAt: (row: number) => number, contactId: (row: number) => number | undefined): ((row: number) => string) | undefined {
  switch (field) {
    case 'ActivityId': return (row) => String(id(row))
    case 'ActivityType': return () => type
    case 'ActivityDate': return (row) => exportedDate(createdAt(row))
    case 'ContactId': return (row) => String(contactId(row) ?? '')
    default: return undefined
  }
}

function listedSegment (type: ActivityType, start: number, rows: readonly ListedActivity[]): ActivitySegment {
  const at = (row: number): ListedActivity => rows[row] as ListedActivity
  const contactId = (row: number): number | undefined => at(row).contactId
  const createdAt = (row: number): number => at(row).createdAt
  return {
    type,
    start,
    count: rows.length,
    reader: (field) => commonReader(field, (row) => at(row).id, type, createdAt, contactId) ?? ((row) => at(row).values[field] ?? ''),
    contactId,
    createdAt
  }
}

/** The reader of a field a row does not have. */
export const blank = (): string => ''

/** A 32-bit hash of (seed, row, salt): the same row always reads the same values, in any order. */
function mix (seed: number, row: number, salt: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(row + 1, 0xc2b2ae35) ^ Math.imul(salt + 1, 0x27d4eb2f)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
/** Eight hex digits of a 32-bit number. */
const hex8 = (n: number): string => `${HEX[n >>> 24] as string}${HEX[(n >>> 16) & 0xff] as string}${HEX[(n >>> 8) & 0xff] as string}${HEX[n & 0xff] as string}`
/** Four hex digits of the low 16 bits. */
const hex4 = (n: number): string => `${HEX[(n >>> 8) & 0xff] as string}${HEX[n & 0xff] as string}`

/** The asset each type is about, for AssetType and AssetName (types without asset fields never read it). */
const ASSET_KIND: Readonly<Record<ActivityType, string>> = {
  EmailSend: 'Email',
  EmailOpen: 'Email',
  EmailClickthrough: 'Email',
  Subscribe: 'Email',
  Unsubscribe: 'Email',
  Bounceback: 'Email',
  FormSubmit: 'Form',
  ExternalActivity: 'Webinar',
  PageView: 'Page',
  WebVisit: 'Page',
  SmsSend: 'SMS',
  SmsReply: 'SMS',
  SmsClickthrough: 'SMS'
}
const SEND_TYPES = ['Campaign', 'Campaign', 'Campaign', 'Quicksend', 'Program']
const BOUNCES = [['5.1.1', '550', 'User unknown'], ['4.2.2', '452', 'Mailbox full'], ['5.7.1', '554', 'Message rejected as spam']] as const
const PAGES = ['/', '/pricing', '/products', '/blog/launch', '/contact-us', '/docs/getting-started'].map((path) => `https://www.example.com${path}`)
const REFERRERS = ['https://www.google.com/', 'https://www.bing.com/', 'https://www.linkedin.com/', '']

/** What a generated value is made from: the row's seed and index, its type, and its contact. */
interface RowContext { readonly seed: number, readonly row: number, readonly type: ActivityType, readonly contact: ActivityContact | undefined }

/**
 * Each generated field, from hashes of the row: `mix(seed, row, salt)` is a 32-bit number fixed
 * for (seed, row, salt). Values look like Eloqua's and agree within a row (the asset named in
 * AssetName is the one in AssetId).
 */
type Generated = (r: RowContext) => string

const hash = (r: RowContext, salt: number): number => mix(r.seed, r.row, salt)
const assetId = (r: RowContext): number => 1 + hash(r, 2) % 50
const campaignId = (r: RowContext): number => 1 + hash(r, 3) % 20
const emailOf = (r: RowContext): string => r.contact?.email ?? `contact${hash(r, 1) % 100000}@example.com`
const pageOf = (r: RowContext): string => PAGES[hash(r, 8) % PAGES.length] as string
const bounce = (r: RowContext): readonly [string, string, string] => BOUNCES[hash(r, 9) % BOUNCES.length] as readonly [string, string, string]
const recipientId = (r: RowContext): string => {
  const [a, b, c, d] = [hash(r, 10), hash(r, 11), hash(r, 12), hash(r, 13)]
  return `${hex8(a)}-${hex4(b >>> 16)}-4${hex4(b).slice(1)}-${hex4(0x8000 | (c & 0x3fff))}-${hex4(c >>> 16)}${hex8(d)}`
}

const GENERATED: Readonly<Record<string, Generated>> = {
  EmailAddress: emailOf,
  EmailRecipientId: recipientId,
  AssetType: (r) => ASSET_KIND[r.type],
  AssetId: (r) => String(assetId(r)),
  AssetName: (r) => `${ASSET_KIND[r.type]} ${assetId(r)}`,
  SubjectLine: (r) => `News for you, issue ${assetId(r)}`,
  EmailWebLink: (r) => `https://s1.example.com/e/es?s=1&e=${assetId(r)}&elqTrackId=${hex8(hash(r, 10))}`,
  CampaignId: (r) => String(campaignId(r)),
  CRMCampaignId: (r) => `7015g00000${String(campaignId(r)).padStart(8, '0')}`,
  CampaignName: (r) => `Campaign ${campaignId(r)}`,
  DeploymentId: (r) => String(10000 + assetId(r) * 10 + hash(r, 4) % 10),
  EmailSendType: (r) => SEND_TYPES[hash(r, 5) % SEND_TYPES.length] as string,
  IpAddress: (r) => { const h = hash(r, 6); return `10.${h & 0xff}.${(h >>> 8) & 0xff}.${1 + ((h >>> 16) % 254)}` },
  VisitorId: (r) => String(1 + hash(r, 7) % 1000000),
  VisitorExternalId: (r) => hex8(hash(r, 7)),
  EmailClickedThruLink: pageOf,
  SmtpErrorCode: (r) => bounce(r)[0],
  SmtpStatusCode: (r) => bounce(r)[1],
  SmtpMessage: (r) => bounce(r)[2],
  RawData: (r) => `elqFormName=form${assetId(r)}&emailAddress=${encodeURIComponent(emailOf(r))}`,
  WebVisitId: (r) => String(1 + hash(r, 7) % 1000000),
  Url: pageOf,
  FirstPageViewUrl: pageOf,
  ReferrerUrl: (r) => REFERRERS[hash(r, 16) % REFERRERS.length] as string,
  IsWebTrackingOptedIn: (r) => hash(r, 17) % 5 === 0 ? 'False' : 'True',
  NumberOfPages: (r) => String(1 + hash(r, 17) % 12),
  Duration: (r) => String(hash(r, 18) % 1800)
}

/** The fields each type has, so a generated row leaves the others blank as Eloqua does. */
const FIELDS_OF: Readonly<Record<ActivityType, ReadonlySet<string>>> = Object.fromEntries(ACTIVITY_TYPES.map((type) => [
  type, new Set(ACTIVITY_FIELDS.filter((f) => f.activityTypes.includes(type)).map((f) => f.internalName))
])) as unknown as Record<ActivityType, ReadonlySet<string>>

function generatedSegment (generator: ActivityGenerator, start: number, contacts: readonly ActivityContact[]): ActivitySegment {
  const { type, count, seed, firstId, from, to } = generator
  const step = (to - from) / count
  const has = FIELDS_OF[type]
  const contactOf = (row: number): ActivityContact | undefined => contacts.length === 0 ? undefined : contacts[mix(seed, row, 0) % contacts.length]
  const contactId = (row: number): number | undefined => contactOf(row)?.id
  const createdAt = (row: number): number => from + Math.floor(row * step)
  return {
    type,
    start,
    count,
    reader: (field) => {
      // Types without a ContactId field (Subscribe, …) still belong to a contact, for Contact.Field(…).
      const common = field === 'ContactId' && !has.has(field) ? undefined : commonReader(field, (row) => firstId + row, type, createdAt, contactId)
      if (common !== undefined) return common
      const generate = has.has(field) ? GENERATED[field] : undefined
      if (generate === undefined) return blank
      return (row) => generate({ seed, row, type, contact: contactOf(row) })
    },
    contactId,
    createdAt
  }
}

/** A fixture's activity as the fixtures schema has checked it: listed, or a generator. */
export type ActivityFixture =
  | { id?: number, type: ActivityType, createdAt: string, contactId?: number, values?: Record<string, string> }
  | { generate: { type: ActivityType, count: number, seed: number, firstId?: number, from?: string, to?: string } }

/** Fields a listed activity gives by its own properties, not in `values`. */
const OWN_PROPERTIES: Readonly<Record<string, string>> = { activityid: 'id', activitytype: 'type', activitydate: 'createdAt', contactid: 'contactId' }
const FIELD_NAMES = new Map(ACTIVITY_FIELDS.map((f) => [f.internalName.toLowerCase(), f.internalName]))

/**
 * The fixtures' activities as rows and generators, ids assigned (one more than the highest so
 * far when not given), value names spelled as the activity fields are; and what is wrong with
 * them, as `[index, pointer suffix, problem]`, which stops the mock at start.
 */
export function planActivities (items: readonly ActivityFixture[]): { listed: ListedActivity[], generators: ActivityGenerator[], problems: Array<[number, string, string]> } {
  const listed: ListedActivity[] = []
  const generators: ActivityGenerator[] = []
  const problems: Array<[number, string, string]> = []
  const ranges: Array<{ first: number, end: number, index: number }> = []
  let next = 1
  const date = (index: number, suffix: string, text: string): number => {
    const ms = Date.parse(text)
    if (!Number.isFinite(ms)) problems.push([index, suffix, `"${text}" is not an ISO 8601 date-time such as 2024-05-01T10:00:00Z`])
    return ms
  }
  items.forEach((item, index) => {
    if ('generate' in item) {
      const { type, count, seed } = item.generate
      const firstId = item.generate.firstId ?? next
      const from = date(index, '/generate/from', item.generate.from ?? DEFAULT_GENERATED_FROM)
      const to = date(index, '/generate/to', item.generate.to ?? DEFAULT_GENERATED_TO)
      if (from >= to) problems.push([index, '/generate/to', 'must be later than from'])
      generators.push({ type, count, seed, firstId, from, to })
      ranges.push({ first: firstId, end: firstId + count, index })
      next = Math.max(next, firstId + count)
      return
    }
    const id = item.id ?? next
    const values: Record<string, string> = {}
    for (const [name, value] of Object.entries(item.values ?? {})) {
      const own = OWN_PROPERTIES[name.toLowerCase()]
      const spelled = FIELD_NAMES.get(name.toLowerCase())
      if (own !== undefined) problems.push([index, `/values/${name}`, `give it as the activity's "${own}", not as a value`])
      else if (spelled === undefined) problems.push([index, `/values/${name}`, `no activity field has the internal name "${name}" (see GET /activities/fields)`])
      else values[spelled] = value
    }
    listed.push({ id, type: item.type, createdAt: date(index, '/createdAt', item.createdAt), contactId: item.contactId, values })
    ranges.push({ first: id, end: id + 1, index })
    next = Math.max(next, id + 1)
  })
  ranges.sort((a, b) => a.first - b.first || a.index - b.index)
  let widest: typeof ranges[number] | undefined
  for (const range of ranges) {
    if (widest !== undefined && range.first < widest.end) {
      const later = Math.max(range.index, widest.index)
      problems.push([later, 'generate' in (items[later] as ActivityFixture) ? '/generate/firstId' : '/id', `activity id ${range.first} is used twice (by activities/${Math.min(range.index, widest.index)} and activities/${later})`])
    }
    if (widest === undefined || range.end > widest.end) widest = range
  }
  return { listed, generators, problems }
}
