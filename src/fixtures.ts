/**
 * Reads fixture files, checks each against the fixtures schema with ajv and then across files
 * (ids unique, references resolve), and joins them. Any problem stops the start with a message
 * that names the file, the JSON pointer and what is wrong.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { isCertificateName } from './tls.js'
import * as compiled from './schemas/generated/fixture-validators.js'
import { type SiteFixture, type ContainerFixture, type ScoringModelFixture, type OAuthClientFixture, type FaultRuleFixture, type Fixtures, type FixturesFile } from './schemas/fixtures.js'
import type { EloquaError, ValidationFailure } from './domain/errors.js'
import { readDefinitionInput } from './domain/definitions.js'
import { identifierRule } from './domain/kinds/sync-actions.js'
import { FieldCatalogue, customObjectFieldName } from './domain/statements.js'
import { jsonProblem } from './domain/json-limits.js'
import { EntityTable } from './domain/entities.js'
import { MAX_PATH_WILDCARDS } from './domain/faults.js'
import { planActivities, type ActivityFixture } from './domain/activity-log.js'

/** A fault rule's response body is sent as JSON: as deep as a request body may be. */
const FIXTURE_JSON_DEPTH = 32

export { DEFAULT_FIXTURES_PATH } from './paths.js'

export class FixtureError extends Error {
  readonly problems: readonly string[]

  constructor (problems: readonly string[]) {
    super(`invalid fixtures:\n  ${problems.join('\n  ')}`)
    this.name = 'FixtureError'
    this.problems = problems
  }
}

// Compiled from the fixtures schema ahead of time (npm run schema), with every error reported.
const validateFile = compiled.validateFile as ValidateFunction<FixturesFile>
const validateFaultRule = compiled.validateFaultRule as ValidateFunction<FaultRuleFixture>
/** A site as POST /__mock/sites takes it: a fixture site whose every field may be left out. */
const validateRuntimeSite = compiled.validateRuntimeSite as ValidateFunction<Partial<SiteFixture>>

/** What is wrong with a site to add at run time, as `/pointer: message` lines; none when it is fine. */
export function runtimeSiteProblems (site: unknown): string[] {
  if (!validateRuntimeSite(site)) return (validateRuntimeSite.errors as ErrorObject[]).map(describeSchemaError)
  const problems: string[] = []
  const located = [{ item: site as SiteFixture, file: 'body', pointer: '' }]
  if (site.podHost !== undefined) checkPodHosts(located, problems)
  if (site.users !== undefined) checkUsers(located[0] as Located<SiteFixture>, new Set(), undefined, problems)
  return problems.map((problem) => problem.replace(/^body: /, ''))
}

/** What is wrong with one fault rule on its own, as `pointer: problem` lines; none when it is valid. */
export function faultRuleProblems (rule: unknown): string[] {
  if (!validateFaultRule(rule)) return (validateFaultRule.errors as ErrorObject[]).map(describeSchemaError)
  const { response, sync, match = {} } = rule
  const problems: string[] = []
  if ((response === undefined) === (sync === undefined)) problems.push('/: a fault rule needs either "response" or "sync", not both')
  if (response?.bytes !== undefined && response.connection !== 'truncate-body') problems.push('/response/bytes: only a "truncate-body" connection fault sends some bytes')
  if (match.path !== undefined && match.path.split(/[*{]/).length - 1 > MAX_PATH_WILDCARDS) {
    problems.push(`/match/path: at most ${MAX_PATH_WILDCARDS} * and {param} in one template`)
  }
  if (sync !== undefined && (match.method !== undefined || match.path !== undefined || match.headers !== undefined || match.operation !== undefined)) {
    problems.push('/match: a "sync" rule matches syncs by parentId, id, site and user only')
  }
  return problems
}

interface Located<T> { item: T, file: string, pointer: string }

/** Fixture files larger than this are refused unless the caller allows more (MAX_FIXTURE_BYTES). */
export const DEFAULT_MAX_FIXTURE_BYTES = 64 * 1024 * 1024

/**
 * Loads one fixtures file, or every `*.json` file of a folder in name order. Only regular files
 * are read (a FIFO would hang the start, a device never end), each at most `maxBytes` long; a
 * UTF-8 byte order mark at the start is ignored.
 */
export function loadFixtures (path: string, maxBytes = DEFAULT_MAX_FIXTURE_BYTES): Fixtures {
  const problems: string[] = []
  let files: string[]
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path).filter((name) => name.endsWith('.json')).sort().map((name) => join(path, name))
      : [path]
  } catch (err) {
    throw new FixtureError([`${path}: cannot read fixtures (${String((err as NodeJS.ErrnoException).code)})`])
  }
  if (files.length === 0) throw new FixtureError([`${path}: no *.json fixture files in this folder`])

  const parsed: Array<{ file: string, content: unknown }> = []
  for (const file of files) {
    const content = readFixtureFile(file, maxBytes, problems)
    if (content !== undefined) parsed.push({ file, content })
  }
  if (problems.length > 0) throw new FixtureError(problems)
  return joinFixtures(parsed)
}

/** Checks and joins fixture documents already in memory; `file` names each in messages. */
export function joinFixtures (documents: ReadonlyArray<{ file: string, content: unknown }>): Fixtures {
  const problems: string[] = []
  const sites: Array<Located<Fixtures['sites'][number]>> = []
  const customObjects: Array<Located<Fixtures['customObjects'][number]>> = []
  const definitions: Array<Located<Fixtures['syncActionDefinitions'][number]>> = []
  const faults: Array<Located<Fixtures['faults'][number]>> = []
  const contactFields: Array<Located<Fixtures['contactFields'][number]>> = []
  const accountFields: Array<Located<Fixtures['accountFields'][number]>> = []
  const contacts: Array<Located<Fixtures['contacts'][number]>> = []
  const accounts: Array<Located<Fixtures['accounts'][number]>> = []
  const containers = { contactLists: [], contactSegments: [], contactFilters: [], accountLists: [] } as Record<ContainerSection, Array<Located<ContainerFixture>>>
  const activities: Array<Located<Fixtures['activities'][number]>> = []
  const scoringModels: Array<Located<ScoringModelFixture>> = []
  const oauthClients: Array<Located<OAuthClientFixture>> = []
  for (const { file, content } of documents) {
    if (!validateFile(content)) {
      // A failed validation always leaves its errors.
      // An if/then/else adds "must match then schema" to the error inside the branch: the latter says it all.
      problems.push(...(validateFile.errors as ErrorObject[]).filter((e) => e.keyword !== 'if').map((e) => `${file}: ${describeSchemaError(e)}`))
      continue
    }
    content.sites?.forEach((item, i) => sites.push({ item, file, pointer: `/sites/${i}` }))
    content.customObjects?.forEach((item, i) => customObjects.push({ item, file, pointer: `/customObjects/${i}` }))
    content.syncActionDefinitions?.forEach((item, i) => definitions.push({ item, file, pointer: `/syncActionDefinitions/${i}` }))
    content.faults?.forEach((item, i) => faults.push({ item, file, pointer: `/faults/${i}` }))
    content.contactFields?.forEach((item, i) => contactFields.push({ item, file, pointer: `/contactFields/${i}` }))
    content.accountFields?.forEach((item, i) => accountFields.push({ item, file, pointer: `/accountFields/${i}` }))
    content.contacts?.forEach((item, i) => contacts.push({ item, file, pointer: `/contacts/${i}` }))
    content.accounts?.forEach((item, i) => accounts.push({ item, file, pointer: `/accounts/${i}` }))
    for (const section of CONTAINER_SECTIONS) content[section]?.forEach((item, i) => containers[section].push({ item, file, pointer: `/${section}/${i}` }))
    // The schema's if/then/else has no static type; ajv has checked each item against one branch.
    ;(content.activities as ActivityFixture[] | undefined)?.forEach((item, i) => activities.push({ item, file, pointer: `/activities/${i}` }))
    content.scoringModels?.forEach((item, i) => scoringModels.push({ item, file, pointer: `/scoringModels/${i}` }))
    content.oauthClients?.forEach((item, i) => oauthClients.push({ item, file, pointer: `/oauthClients/${i}` }))
  }
  if (problems.length === 0) {
    checkEntityFields(contactFields, 'contact', problems)
    checkEntityFields(accountFields, 'account', problems)
    checkEntityRecords(contacts, contactFields, 'contact', problems)
    checkEntityRecords(accounts, accountFields, 'account', problems)
    checkAccountLinks(contacts, accounts, problems)
    checkPodHosts(sites, problems)
    for (const section of CONTAINER_SECTIONS) checkContainers(containers[section], section === 'accountLists' ? accounts : contacts, section, problems)
    for (const [index, suffix, problem] of planActivities(activities.map((a) => a.item)).problems) {
      const { file, pointer } = activities[index] as Located<unknown>
      problems.push(`${file}: ${pointer}${suffix}: ${problem}`)
    }
    checkScoringModels(scoringModels, contacts, problems)
  }
  if (problems.length === 0) checkReferences(sites, customObjects, definitions, faults, problems)
  if (problems.length === 0) checkOAuthClients(oauthClients, sites, problems)
  if (problems.length > 0) throw new FixtureError(problems)
  return {
    sites: sites.map((s) => s.item),
    customObjects: customObjects.map((c) => c.item),
    syncActionDefinitions: definitions.map((d) => d.item),
    contactFields: contactFields.map((f) => f.item),
    accountFields: accountFields.map((f) => f.item),
    contacts: contacts.map((c) => c.item),
    accounts: accounts.map((a) => a.item),
    contactLists: containers.contactLists.map((c) => c.item),
    contactSegments: containers.contactSegments.map((c) => c.item),
    contactFilters: containers.contactFilters.map((c) => c.item),
    accountLists: containers.accountLists.map((c) => c.item),
    activities: activities.map((a) => a.item),
    scoringModels: scoringModels.map((m) => m.item),
    oauthClients: oauthClients.map((c) => c.item),
    faults: faults.map((f) => f.item)
  }
}

function readFixtureFile (file: string, maxBytes: number, problems: string[]): unknown {
  let text: string
  try {
    const stats = statSync(file)
    if (!stats.isFile()) {
      problems.push(`${file}: not a regular file (fixtures must be plain .json files, not a FIFO, device or socket)`)
      return undefined
    }
    if (stats.size > maxBytes) {
      problems.push(`${file}: ${stats.size} bytes, more than the ${maxBytes} MAX_FIXTURE_BYTES allows`)
      return undefined
    }
    text = readFileSync(file, 'utf8')
    // Editors on some systems write a byte order mark; JSON.parse would call it an unexpected token.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  } catch (err) {
    problems.push(`${file}: cannot read (${String((err as NodeJS.ErrnoException).code)})`)
    return undefined
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    // V8's message quotes the text around the mistake; keep it on one line.
    problems.push(`${file}: not valid JSON: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`)
    return undefined
  }
}

function describeSchemaError (error: ErrorObject): string {
  const pointer = error.instancePath === '' ? '/' : error.instancePath
  const params = error.params as Record<string, unknown>
  let detail = String(error.message)
  if (error.keyword === 'additionalProperties') detail = `unknown property "${String(params.additionalProperty)}"`
  else if (error.keyword === 'enum') detail = `must be one of ${JSON.stringify(params.allowedValues)}`
  else if (error.keyword === 'const') detail = `must be ${JSON.stringify(params.allowedValue)}`
  return `${pointer}: ${detail}`
}

/** Field ids and internal names are unique per entity (internal names regardless of case, as Eloqua compares them). */
function checkEntityFields (fields: ReadonlyArray<Located<Fixtures['contactFields'][number]>>, entity: string, problems: string[]): void {
  const ids = new Set<number>()
  const names = new Set<string>()
  for (const { item, file, pointer } of fields) {
    if (ids.has(item.id)) problems.push(`${file}: ${pointer}/id: ${entity} field id ${item.id} is used twice`)
    if (names.has(item.internalName.toLowerCase())) problems.push(`${file}: ${pointer}/internalName: ${entity} field "${item.internalName}" is defined twice`)
    ids.add(item.id)
    names.add(item.internalName.toLowerCase())
  }
}

/**
 * Record ids are unique per entity, and every value names a field of that entity. Names are
 * spelled as the field catalogue spells them, whatever case the file used, so imports find them.
 */
function checkEntityRecords (
  records: ReadonlyArray<Located<Fixtures['contacts'][number]>>,
  fields: ReadonlyArray<Located<Fixtures['contactFields'][number]>>,
  entity: string,
  problems: string[]
): void {
  const names = new Map(fields.map((f) => [f.item.internalName.toLowerCase(), f.item.internalName]))
  const ids = new Set<number>()
  for (const { item, file, pointer } of records) {
    if (item.id !== undefined && ids.has(item.id)) problems.push(`${file}: ${pointer}/id: ${entity} id ${item.id} is used twice`)
    if (item.id !== undefined) ids.add(item.id)
    item.fieldValues = canonicalValues(item.fieldValues, names, (name, problem) => problems.push(`${file}: ${pointer}/fieldValues/${name}: ${problem}`), entity)
  }
}

/** Values keyed by the catalogue's spelling of each name; `entity` given: a name no field has is a problem. */
function canonicalValues (values: Record<string, string>, names: ReadonlyMap<string, string>, report: (name: string, problem: string) => void, entity?: string): Record<string, string> {
  const canonical: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) {
    const spelled = names.get(name.toLowerCase())
    if (spelled === undefined && entity !== undefined) report(name, `no ${entity} field has the internal name "${name}"`)
    const key = spelled ?? name
    if (Object.hasOwn(canonical, key)) report(name, `the field ${key} is given twice (names are not case-sensitive)`)
    canonical[key] = value
  }
  return canonical
}

const CONTAINER_SECTIONS = ['contactLists', 'contactSegments', 'contactFilters', 'accountLists'] as const
type ContainerSection = typeof CONTAINER_SECTIONS[number]

/** Container ids are unique per section, and members are records (with ids) of its entity. */
function checkContainers (items: ReadonlyArray<Located<ContainerFixture>>, records: ReadonlyArray<Located<Fixtures['contacts'][number]>>, section: ContainerSection, problems: string[]): void {
  const ids = new Set<number>()
  const recordIds = idsOf(records)
  for (const { item, file, pointer } of items) {
    if (ids.has(item.id)) problems.push(`${file}: ${pointer}/id: ${section} id ${item.id} is used twice`)
    ids.add(item.id)
    item.members?.forEach((member, i) => {
      if (!recordIds.has(member)) problems.push(`${file}: ${pointer}/members/${i}: no ${section === 'accountLists' ? 'account' : 'contact'} of the fixtures has the id ${member}`)
    })
  }
}

/** The ids records have in every site: those given, and for the others the ones the table assigns them. */
function idsOf (records: ReadonlyArray<Located<Fixtures['contacts'][number]>>): Set<number> {
  return new Set([...new EntityTable(records.map((r) => r.item)).records()].map((r) => r.id))
}

/** Client ids and refresh tokens are unique, and every user named is a fixture user (Site\\User, without case). */
function checkOAuthClients (clients: ReadonlyArray<Located<OAuthClientFixture>>, sites: ReadonlyArray<Located<Fixtures['sites'][number]>>, problems: string[]): void {
  const logins = new Map(sites.flatMap((s) => s.item.users.map((u) => [`${s.item.name}\\${u.username}`.toLowerCase(), u.disabled === true])))
  // A grant to a disabled user could never be used: Eloqua would refuse the user.
  const userProblem = (login: string): string | undefined => {
    const disabled = logins.get(login.toLowerCase())
    return disabled === undefined ? `no fixture user is "${login}" (Site\\User)` : disabled ? `the user "${login}" is disabled` : undefined
  }
  const ids = new Set<string>()
  const tokens = new Set<string>()
  for (const { item, file, pointer } of clients) {
    if (ids.has(item.clientId)) problems.push(`${file}: ${pointer}/clientId: client "${item.clientId}" is defined twice`)
    ids.add(item.clientId)
    const clientUser = userProblem(item.user)
    if (clientUser !== undefined) problems.push(`${file}: ${pointer}/user: ${clientUser}`)
    item.redirectUris.forEach((uri, i) => {
      if (!URL.canParse(uri)) problems.push(`${file}: ${pointer}/redirectUris/${i}: "${uri}" is not an absolute URL`)
    })
    item.refreshTokens?.forEach(({ token, user }, i) => {
      const tokenUser = userProblem(user)
      if (tokenUser !== undefined) problems.push(`${file}: ${pointer}/refreshTokens/${i}/user: ${tokenUser}`)
      if (tokens.has(token)) problems.push(`${file}: ${pointer}/refreshTokens/${i}/token: the token is given twice`)
      tokens.add(token)
    })
  }
}

/** A pod host is a host name a URL and a certificate can hold, with a port a URL can hold. */
function checkPodHosts (sites: ReadonlyArray<Located<Fixtures['sites'][number]>>, problems: string[]): void {
  for (const { item, file, pointer } of sites) {
    if (item.podHost === undefined) continue
    const [host, port] = item.podHost.split(':') as [string, string | undefined]
    const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65535)
    if (!isCertificateName(host) || !portOk) {
      problems.push(`${file}: ${pointer}/podHost: "${item.podHost}" is not a host name with an optional port from 1 to 65535`)
    }
  }
}

/** A contact's accountId names an account of the fixtures; accounts link to nothing. */
function checkAccountLinks (contacts: ReadonlyArray<Located<Fixtures['contacts'][number]>>, accounts: ReadonlyArray<Located<Fixtures['accounts'][number]>>, problems: string[]): void {
  const accountIds = idsOf(accounts)
  for (const { item, file, pointer } of contacts) {
    if (item.accountId !== undefined && !accountIds.has(item.accountId)) problems.push(`${file}: ${pointer}/accountId: no account of the fixtures has the id ${item.accountId}`)
  }
  for (const { item, file, pointer } of accounts) {
    if (item.accountId !== undefined) problems.push(`${file}: ${pointer}/accountId: only contacts link to an account`)
  }
}

/** Model ids are unique, and each model scores contacts of the fixtures, each once. */
function checkScoringModels (models: ReadonlyArray<Located<ScoringModelFixture>>, contacts: ReadonlyArray<Located<Fixtures['contacts'][number]>>, problems: string[]): void {
  const ids = new Set<number>()
  const contactIds = idsOf(contacts)
  for (const { item, file, pointer } of models) {
    if (ids.has(item.id)) problems.push(`${file}: ${pointer}/id: scoring model id ${item.id} is used twice`)
    ids.add(item.id)
    const scored = new Set<number>()
    item.scores?.forEach(({ contactId }, i) => {
      if (!contactIds.has(contactId)) problems.push(`${file}: ${pointer}/scores/${i}/contactId: no contact of the fixtures has the id ${contactId}`)
      if (scored.has(contactId)) problems.push(`${file}: ${pointer}/scores/${i}/contactId: contact ${contactId} is scored twice by this model`)
      scored.add(contactId)
    })
  }
}

/**
 * A site's users: names unique (without case), each able to authenticate, tokens not in `tokens`
 * already; user ids not in `userIds`, when given (fixtures number users across sites).
 */
function checkUsers (s: Located<Fixtures['sites'][number]>, tokens: Set<string>, userIds: Set<number> | undefined, problems: string[]): void {
  const usernames = new Set<string>()
  s.item.users.forEach((u, i) => {
    const at = (suffix: string, detail: string): void => { problems.push(`${s.file}: ${s.pointer}/users/${i}${suffix}: ${detail}`) }
    if (usernames.has(u.username.toLowerCase())) at('/username', `user "${u.username}" is defined twice in site "${s.item.name}"`)
    usernames.add(u.username.toLowerCase())
    if (userIds?.has(u.id) === true) at('/id', `user id ${u.id} is used twice`)
    userIds?.add(u.id)
    if (u.password === undefined && (u.tokens ?? []).length === 0) at('', 'user has neither a password nor a token, so cannot authenticate')
    u.tokens?.forEach((token, j) => {
      if (tokens.has(token)) at(`/tokens/${j}`, 'token is given to more than one user')
      tokens.add(token)
    })
  })
}

function checkReferences (
  sites: Array<Located<Fixtures['sites'][number]>>,
  customObjects: Array<Located<Fixtures['customObjects'][number]>>,
  definitions: Array<Located<Fixtures['syncActionDefinitions'][number]>>,
  faults: Array<Located<Fixtures['faults'][number]>>,
  problems: string[]
): void {
  const at = (l: { file: string, pointer: string }, suffix: string, detail: string): void => {
    problems.push(`${l.file}: ${l.pointer}${suffix}: ${detail}`)
  }
  if (sites.length === 0) problems.push('fixtures define no site: add a "sites" entry with at least one user, or nobody can authenticate')

  const siteNames = new Map<string, Located<unknown>>()
  const tokens = new Set<string>()
  const userIds = new Set<number>()
  for (const s of sites) {
    unique(siteNames, s.item.name.toLowerCase(), s, '/name', `site "${s.item.name}" is defined twice`)
    checkUsers(s, tokens, userIds, problems)
  }

  const objects = new Map<number, Located<Fixtures['customObjects'][number]>>()
  for (const c of customObjects) {
    if (objects.has(c.item.id)) at(c, '/id', `custom object ${c.item.id} is defined twice`)
    objects.set(c.item.id, c)
    const fieldIds = new Set((c.item.fields ?? []).map((f) => f.id))
    for (const key of ['displayNameFieldId', 'emailAddressFieldId', 'uniqueFieldId'] as const) {
      const fieldId = c.item[key]
      if (fieldId !== undefined && !fieldIds.has(fieldId)) at(c, `/${key}`, `field ${fieldId} is not among this custom object's fields`)
    }
    if (fieldIds.size !== (c.item.fields ?? []).length) at(c, '/fields', 'field ids must be unique')
    const recordIds = new Set<number>()
    const externalIds = new Set<string>()
    const fieldNames = new Map((c.item.fields ?? []).map((f) => [customObjectFieldName(f).toLowerCase(), customObjectFieldName(f)]))
    c.item.records?.forEach((r, i) => {
      if (r.fieldValues !== undefined) r.fieldValues = canonicalValues(r.fieldValues, fieldNames, (name, problem) => at(c, `/records/${i}/fieldValues/${name}`, problem))
      if (recordIds.has(r.id)) at(c, `/records/${i}/id`, `record id ${r.id} is used twice`)
      recordIds.add(r.id)
      if (r.externalId !== undefined) {
        if (externalIds.has(r.externalId)) at(c, `/records/${i}/externalId`, `externalId "${r.externalId}" is used twice`)
        externalIds.add(r.externalId)
      }
    })
  }

  const definitionIds = new Map<number, Located<unknown>>()
  for (const d of definitions) {
    unique(definitionIds, d.item.id, d, '/id', `sync action definition ${d.item.id} is defined twice (ids are unique across custom objects)`)
    const parent = objects.get(d.item.parentId)
    if (parent === undefined) {
      at(d, '/parentId', `custom object ${d.item.parentId} is not defined`)
      continue
    }
    // The rules of the API itself, so a fixture definition is one the API would have accepted.
    for (const failure of definitionFailures(d.item, parent.item)) at(d, pointerOf(failure.field), failure.constraint)
  }

  const faultNames = new Map<string, Located<unknown>>()
  for (const f of faults) {
    unique(faultNames, f.item.name, f, '/name', `fault rule "${f.item.name}" is defined twice`)
    const bodyProblem = jsonProblem(f.item.response?.body, FIXTURE_JSON_DEPTH)
    if (bodyProblem !== undefined) at(f, '/response/body', bodyProblem)
    for (const problem of faultRuleProblems(f.item)) problems.push(`${f.file}: ${f.pointer}${problem.startsWith('/:') ? problem.slice(1) : problem}`)
  }

  function unique<K> (seen: Map<K, Located<unknown>>, key: K, where: Located<unknown>, suffix: string, detail: string): void {
    if (seen.has(key)) at(where, suffix, detail)
    else seen.set(key, where)
  }
}

/** What POST would say of a fixture sync action definition: the API's own checks, as `failures`. */
function definitionFailures (definition: Fixtures['syncActionDefinitions'][number], customObject: Fixtures['customObjects'][number]): readonly ValidationFailure[] {
  try {
    readDefinitionInput(definition, identifierRule(FieldCatalogue.ofCustomObject(customObject)))
    return []
  } catch (err) {
    // readDefinitionInput throws only validation errors.
    return (err as EloquaError).failures as readonly ValidationFailure[]
  }
}

/** A failure's field (`syncActions[0].status`, `fields.Id`) as a JSON pointer (`/syncActions/0/status`, `/fields/Id`). */
function pointerOf (field: string): string {
  return `/${field.replaceAll('[', '.').replaceAll(']', '').replaceAll('.', '/')}`
}
