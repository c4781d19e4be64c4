import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_FIXTURES_PATH, FixtureError, joinFixtures, loadFixtures } from '../src/fixtures.js'
import { fixturesFileSchema } from '../src/schemas/fixtures.js'
import { configSchema } from '../src/schemas/config.js'
import { generatedValidators } from '../scripts/generated-validators.js'

const site = { id: 1, name: 'S', users: [{ id: 1, username: 'U', password: 'p' }] }
const customObject = { id: 9, name: 'CO', fields: [{ id: 1, name: 'F' }], records: [{ id: 1, externalId: 'A' }] }
const definition = { id: 6, parentId: 9, name: 'D', fields: { Id: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'Id', syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }] }

function problemsOf (load: () => unknown): string[] {
  try {
    load()
  } catch (err) {
    if (err instanceof FixtureError) return [...err.problems]
    throw err
  }
  return []
}

const problems = (documents: Array<{ file: string, content: unknown }>): string[] => problemsOf(() => joinFixtures(documents))

t.test('the bundled fixtures load and hold Oracle\'s examples', async (t) => {
  const fixtures = loadFixtures(DEFAULT_FIXTURES_PATH)
  t.match(fixtures.sites, [{ name: 'APITest', users: [{ username: 'API.User', password: 'secret' }] }])
  t.match(fixtures.syncActionDefinitions.find((d) => d.id === 6), { parentId: 9, fields: { Id: '{{CustomObject[9].ExternalId}}' }, identifierFieldName: 'Id', isSyncTriggeredOnImport: false, syncActions: [{ action: 'setStatus' }] })
  t.match(fixtures.syncActionDefinitions.find((d) => d.id === 7), { parentId: 9, isSyncTriggeredOnImport: true })
})

t.test('fixtures.schema.json is generated from the source schema (npm run schema)', async (t) => {
  t.equal(readFileSync(new URL('../fixtures.schema.json', import.meta.url), 'utf8'), `${JSON.stringify(fixturesFileSchema, null, 2)}\n`)
})

t.test('the schemas\' patterns, which the validators match client input against (POST /__mock/sites, /__mock/faults), are a reviewed set that runs in linear time', async (t) => {
  const patterns = new Set<string>()
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect)
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'pattern' && typeof value === 'string') patterns.add(value)
        else collect(value)
      }
    }
  }
  collect(fixturesFileSchema)
  collect(configSchema)
  // Each is anchored and has no nested quantifier over overlapping characters; a new one needs the same review.
  t.strictSame([...patterns].sort(), [
    '^/',
    "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$",
    '^[A-D][1-4]$',
    '^[A-Za-z0-9._-]{1,64}$',
    '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$',
    '^[A-Za-z][A-Za-z0-9_]*$',
    '^[\\t\\x20-\\x7e\\x80-\\xff]*$',
    '^[^\\\\:]+$',
    '^[^\\\\]+\\\\[^\\\\]+$'
  ].sort())
})

t.test('the compiled fixture and config validators are generated from the source schemas (npm run schema)', async (t) => {
  const modules = generatedValidators()
  t.equal(modules.length, 2)
  for (const { file, source } of modules) t.equal(readFileSync(file, 'utf8'), source, fileURLToPath(file))
})

t.test('a folder loads every *.json file and joins their lists', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ sites: [site] }))
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ customObjects: [customObject], syncActionDefinitions: [definition] }))
  writeFileSync(join(dir, 'notes.txt'), 'ignored')
  const fixtures = loadFixtures(dir)
  t.equal(fixtures.sites.length, 1)
  t.equal(fixtures.syncActionDefinitions.length, 1)
  t.strictSame(fixtures.faults, [])
  t.equal(loadFixtures(join(dir, 'a.json')).sites.length, 1, 'a single file works too')
})

t.test('unreadable paths, empty folders and bad JSON name the file and the place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  t.strictSame(problemsOf(() => loadFixtures(join(dir, 'missing.json'))), [`${join(dir, 'missing.json')}: cannot read fixtures (ENOENT)`])
  t.strictSame(problemsOf(() => loadFixtures(dir)), [`${dir}: no *.json fixture files in this folder`])
  writeFileSync(join(dir, 'broken.json'), '{\n  "sites": [\n    }\n')
  mkdirSync(join(dir, 'folder.json'))
  const error = t.throws(() => loadFixtures(dir)) as FixtureError
  t.match(error.problems[0], `${join(dir, 'broken.json')}: not valid JSON: Unexpected token`)
  t.notMatch(error.problems[0], /\n/)
  t.match(error.problems[1], `${join(dir, 'folder.json')}: not a regular file`)
  t.match(error.message, /^invalid fixtures:\n {2}/)
})

t.test('only regular files are read, each at most MAX_FIXTURE_BYTES long, and a byte order mark is ignored', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  const fifo = join(dir, 'fifo.json')
  execFileSync('mkfifo', [fifo])
  t.strictSame(problemsOf(() => loadFixtures(fifo)), [`${fifo}: not a regular file (fixtures must be plain .json files, not a FIFO, device or socket)`], 'a FIFO is refused, not waited on')
  const zero = join(dir, 'zero.json')
  symlinkSync('/dev/zero', zero)
  t.match(problemsOf(() => loadFixtures(zero)), [`${zero}: not a regular file`], 'a link to a device is refused, not read forever')
  const big = join(dir, 'big.json')
  writeFileSync(big, JSON.stringify({ description: 'x'.repeat(2000) }))
  t.match(problemsOf(() => loadFixtures(big, 1000)), [`${big}: 2018 bytes, more than the 1000 MAX_FIXTURE_BYTES allows`])
  const bom = join(dir, 'bom.json')
  writeFileSync(bom, `\ufeff${readFileSync(join(DEFAULT_FIXTURES_PATH, 'site.json'), 'utf8')}`)
  t.equal(loadFixtures(bom).sites[0]?.name, 'APITest')
  const folder = mkdtempSync(join(tmpdir(), 'fixtures-'))
  symlinkSync(join(folder, 'nowhere'), join(folder, 'dangling.json'))
  t.strictSame(problemsOf(() => loadFixtures(folder)), [`${join(folder, 'dangling.json')}: cannot read (ENOENT)`])
})

t.test('schema violations name the file, the JSON pointer and the rule', async (t) => {
  t.strictSame(problems([{ file: 'f.json', content: { sites: [{ ...site, id: 'one' }], extra: 1 } }]), [
    'f.json: /: unknown property "extra"',
    'f.json: /sites/0/id: must be integer'
  ])
  t.strictSame(problems([{ file: 'f.json', content: { syncActionDefinitions: [{ ...definition, syncActions: [{ action: 'setStatus' }] }] } }]), [
    'f.json: /syncActionDefinitions/0/syncActions/0: must have required property \'status\''
  ])
  t.strictSame(problems([{ file: 'f.json', content: { faults: [{ name: 'x', response: { status: 418 } }] } }]), [
    'f.json: /faults/0/response/status: must be one of [400,401,403,404,409,410,412,413,429,500,502,503,504]'
  ])
  t.match(problems([{ file: 'f.json', content: { faults: [{ name: 'x', when: 'sometimes', response: { status: 500 } }] } }]), [
    'f.json: /faults/0/when: must be "always"', 'f.json: /faults/0/when: must be object', 'f.json: /faults/0/when: must match a schema in anyOf'
  ])
  t.strictSame(problems([{ file: 'f.json', content: [] }]), ['f.json: /: must be object'])
})

t.test('references across files are checked', async (t) => {
  const base = { file: 'base.json', content: { sites: [site], customObjects: [customObject] } }
  const cases: Array<[unknown, string[]]> = [
    [{ syncActionDefinitions: [{ ...definition, parentId: 99 }] }, ['x.json: /syncActionDefinitions/0/parentId: custom object 99 is not defined']],
    // The API's own rules and words: a fixture definition is one POST would have accepted.
    [{ syncActionDefinitions: [{ ...definition, fields: { Id: '{{CustomObject[9].Email}}' } }] }, ['x.json: /syncActionDefinitions/0/fields/Id: Must be {{CustomObject[9].ExternalId}} or {{CustomObject[9].Id}}.']],
    [{ syncActionDefinitions: [{ ...definition, identifierFieldName: 'ExternalId' }] }, ['x.json: /syncActionDefinitions/0/identifierFieldName: Must be contained within fields.']],
    [{ syncActionDefinitions: [{ ...definition, syncActions: [{ action: 'add', destination: 'ContactList 1' }] }] }, [
      'x.json: /syncActionDefinitions/0/syncActions/0/destination: Must be a destination statement of at most 1000 characters, such as {{ContactList[12345]}} or {{ActionInstance(<id>).Execution[<id>]}}.'
    ]],
    [{ contactFields: [{ id: 100001, name: 'Email Address', internalName: 'C_EmailAddress' }], contacts: [{ id: 1, fieldValues: { c_emailaddress: 'a@b.c' } }, { id: 1, fieldValues: { C_Nope: 'x', C_EMAILADDRESS: 'x', C_EmailAddress: 'y' } }], accounts: [{ fieldValues: {} }] }, [
      'x.json: /contacts/1/id: contact id 1 is used twice',
      'x.json: /contacts/1/fieldValues/C_Nope: no contact field has the internal name "C_Nope"',
      'x.json: /contacts/1/fieldValues/C_EmailAddress: the field C_EmailAddress is given twice (names are not case-sensitive)'
    ]],
    [{ customObjects: [{ id: 3, name: 'C', fields: [{ id: 1, name: 'A b' }], records: [{ id: 1, fieldValues: { a_B: 'x', A_b: 'y' } }] }] }, [
      'x.json: /customObjects/0/records/0/fieldValues/A_b: the field A_b is given twice (names are not case-sensitive)'
    ]],
    [{ syncActionDefinitions: [definition, definition] }, ['x.json: /syncActionDefinitions/1/id: sync action definition 6 is defined twice (ids are unique across custom objects)']],
    [{ customObjects: [customObject] }, ['x.json: /customObjects/0/id: custom object 9 is defined twice']],
    [{ customObjects: [{ id: 2, name: 'C', fields: [{ id: 1, name: 'a' }, { id: 1, name: 'b' }], uniqueFieldId: 5 }] }, [
      'x.json: /customObjects/0/uniqueFieldId: field 5 is not among this custom object\'s fields',
      'x.json: /customObjects/0/fields: field ids must be unique'
    ]],
    [{ customObjects: [{ id: 2, name: 'C', records: [{ id: 1, externalId: 'A' }, { id: 1, externalId: 'A' }] }] }, [
      'x.json: /customObjects/0/records/1/id: record id 1 is used twice',
      'x.json: /customObjects/0/records/1/externalId: externalId "A" is used twice'
    ]],
    [{ sites: [{ ...site, id: 2, name: 's' }] }, ['x.json: /sites/0/name: site "s" is defined twice', 'x.json: /sites/0/users/0/id: user id 1 is used twice']],
    [{ sites: [{ id: 3, name: 'T', users: [{ id: 5, username: 'a', tokens: ['t'] }, { id: 6, username: 'A', tokens: ['t'] }, { id: 7, username: 'b' }] }] }, [
      'x.json: /sites/0/users/1/username: user "A" is defined twice in site "T"',
      'x.json: /sites/0/users/1/tokens/0: token is given to more than one user',
      'x.json: /sites/0/users/2: user has neither a password nor a token, so cannot authenticate'
    ]],
    [{ faults: [{ name: 'f', response: { status: 500 } }, { name: 'f', response: { status: 503 } }] }, ['x.json: /faults/1/name: fault rule "f" is defined twice']],
    [{ faults: [{ name: 'g' }, { name: 'h', response: { status: 500 }, sync: { status: 'error' } }] }, [
      'x.json: /faults/0: a fault rule needs either "response" or "sync", not both',
      'x.json: /faults/1: a fault rule needs either "response" or "sync", not both'
    ]],
    [{ faults: [{ name: 's', match: { path: '/api/bulk/2.0/syncs' }, sync: { status: 'error' } }] }, ['x.json: /faults/0/match: a "sync" rule matches syncs by parentId, id, site and user only']]
  ]
  for (const [content, expected] of cases) {
    t.strictSame(problems([base, { file: 'x.json', content }]), expected, expected[0] ?? '')
  }
})

t.test('fixtures without any site are refused: nobody could authenticate', async (t) => {
  t.strictSame(problems([{ file: 'a.json', content: { customObjects: [customObject] } }]), [
    'fixtures define no site: add a "sites" entry with at least one user, or nobody can authenticate'
  ])
})

t.test('a fault rule body nested deeper than a request body may be is refused at start', async (t) => {
  const body = JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown
  t.strictSame(problems([{ file: 'f.json', content: { sites: [site], faults: [{ name: 'deep', response: { status: 400, body } }] } }]), [
    'f.json: /faults/0/response/body: Must not nest arrays and objects more than 32 levels deep.'
  ])
})

t.test('record values are kept under the catalogue\'s spelling of each field', async (t) => {
  const fixtures = joinFixtures([{
    file: 'x.json',
    content: {
      sites: [site],
      contactFields: [{ id: 100001, name: 'Email Address', internalName: 'C_EmailAddress' }],
      contacts: [{ fieldValues: { c_emailaddress: 'a@b.c' } }],
      customObjects: [{ id: 3, name: 'C', fields: [{ id: 1, name: 'Full Name', internalName: 'Full_Name1' }], records: [{ id: 1, fieldValues: { FULL_NAME1: 'Ana', Other: 'kept' } }] }]
    }
  }])
  t.strictSame(fixtures.contacts[0]?.fieldValues, { C_EmailAddress: 'a@b.c' })
  t.strictSame(fixtures.customObjects[0]?.records?.[0]?.fieldValues, { Full_Name1: 'Ana', Other: 'kept' })
})

t.test('containers have unique ids and members that are records of their entity', async (t) => {
  const base = { file: 'base.json', content: { sites: [site], contacts: [{ id: 1, fieldValues: {} }], accounts: [{ id: 5, fieldValues: {} }] } }
  const problems = (content: object): string[] => {
    try {
      joinFixtures([base, { file: 'x.json', content }])
      return []
    } catch (err) {
      return [...(err as FixtureError).problems]
    }
  }
  t.strictSame(problems({ contactLists: [{ id: 1, name: 'A', members: [1, 2] }, { id: 1, name: 'B' }], accountLists: [{ id: 1, name: 'C', members: [1, 5] }] }), [
    'x.json: /contactLists/0/members/1: no contact of the fixtures has the id 2',
    'x.json: /contactLists/1/id: contactLists id 1 is used twice',
    'x.json: /accountLists/0/members/0: no account of the fixtures has the id 1'
  ])
  t.strictSame(problems({ contactSegments: [{ id: 1, name: 'S', members: [1] }], contactFilters: [{ id: 2, name: 'F' }] }), [])
})

t.test('activities, generators, scoring models and account links are checked at start, each problem named by file and pointer', async (t) => {
  const base = { file: 'base.json', content: { sites: [site], contacts: [{ id: 1, fieldValues: {} }], accounts: [{ id: 5, fieldValues: {} }] } }
  const of = (content: object): string[] => problems([base, { file: 'x.json', content }])
  t.strictSame(of({
    activities: [
      { id: 3, type: 'EmailOpen', createdAt: '2024-05-01T10:00:00Z', values: { emailaddress: 'a@example.com', ActivityDate: 'x', Nope: 'y' } },
      { type: 'EmailOpen', createdAt: 'yesterday' },
      { generate: { type: 'WebVisit', count: 10, seed: 1, firstId: 2 } },
      { generate: { type: 'WebVisit', count: 10, seed: 1, from: '2024-02-01T00:00:00Z', to: '2024-01-01T00:00:00Z' } },
      { id: 30, type: 'EmailSend', createdAt: '2024-05-01T10:00:00Z' }
    ]
  }), [
    'x.json: /activities/0/values/ActivityDate: give it as the activity\'s "createdAt", not as a value',
    'x.json: /activities/0/values/Nope: no activity field has the internal name "Nope" (see GET /activities/fields)',
    'x.json: /activities/1/createdAt: "yesterday" is not an ISO 8601 date-time such as 2024-05-01T10:00:00Z',
    'x.json: /activities/3/generate/to: must be later than from',
    'x.json: /activities/2/generate/firstId: activity id 3 is used twice (by activities/0 and activities/2)',
    'x.json: /activities/2/generate/firstId: activity id 4 is used twice (by activities/1 and activities/2)'
  ])
  t.strictSame(of({ activities: [{ id: 4, type: 'EmailOpen', createdAt: '2024-05-01T10:00:00Z' }, { generate: { type: 'WebVisit', count: 2, seed: 1, firstId: 4 } }, { id: 4, type: 'EmailSend', createdAt: '2024-05-01T10:00:00Z' }] }), [
    'x.json: /activities/1/generate/firstId: activity id 4 is used twice (by activities/0 and activities/1)',
    'x.json: /activities/2/id: activity id 4 is used twice (by activities/1 and activities/2)'
  ])
  t.match(of({ activities: [{ type: 'EmailRead', createdAt: '2024-05-01T10:00:00Z' }, { generate: { type: 'EmailOpen', count: 10000001, seed: -1 } }] }), [
    /^x\.json: \/activities\/0\/type: must be one of/,
    /^x\.json: \/activities\/1\/generate\/count: must be <= 10000000/,
    /^x\.json: \/activities\/1\/generate\/seed: must be >= 0/
  ], 'the branch a listed activity or a generator fails, not the if/then/else around it')
  t.equal(of({ activities: [{ type: 'EmailRead', createdAt: '2024-05-01T10:00:00Z' }] }).length, 1)
  t.strictSame(of({
    scoringModels: [
      { id: 1, name: 'M', scores: [{ contactId: 1, rating: 'A1', profileScore: 1, engagementScore: 2 }, { contactId: 1, rating: 'B2', profileScore: 1, engagementScore: 2 }, { contactId: 9, rating: 'C3', profileScore: 0, engagementScore: 100 }] },
      { id: 1, name: 'N' }
    ],
    contacts: [{ id: 2, accountId: 6, fieldValues: {} }],
    accounts: [{ id: 7, accountId: 5, fieldValues: {} }]
  }), [
    'x.json: /contacts/0/accountId: no account of the fixtures has the id 6',
    'x.json: /accounts/0/accountId: only contacts link to an account',
    'x.json: /scoringModels/0/scores/1/contactId: contact 1 is scored twice by this model',
    'x.json: /scoringModels/0/scores/2/contactId: no contact of the fixtures has the id 9',
    'x.json: /scoringModels/1/id: scoring model id 1 is used twice'
  ])
  t.match(of({ scoringModels: [{ id: 1, name: 'M', scores: [{ contactId: 1, rating: 'E5', profileScore: 101, engagementScore: 2 }] }] }), [/rating: must match pattern/, /profileScore: must be <= 100/])
  const fixtures = joinFixtures([base, { file: 'x.json', content: { activities: [{ type: 'EmailOpen', createdAt: '2024-05-01T10:00:00Z', values: { emailaddress: 'a@example.com' } }] } }])
  t.strictSame(fixtures.activities, [{ type: 'EmailOpen', createdAt: '2024-05-01T10:00:00Z', values: { emailaddress: 'a@example.com' } }], 'kept as given; names are spelled as the fields are when the log is built')
})

t.test('OAuth clients: unique ids and refresh tokens, fixture users, absolute redirect URIs', async (t) => {
  const base = { file: 'base.json', content: { sites: [site] } }
  const of = (content: object): string[] => problems([base, { file: 'x.json', content }])
  const client = { clientId: 'c', clientSecret: 's', redirectUris: ['https://localhost/cb'], user: 's\\u' }
  t.strictSame(of({ oauthClients: [client] }), [], 'users are matched without case')
  t.strictSame(of({
    oauthClients: [
      { ...client, refreshTokens: [{ token: 'token-one', user: 'S\\U' }] },
      { ...client, user: 'S\\Nobody', redirectUris: ['not a url'], refreshTokens: [{ token: 'token-one', user: 'Other\\U' }] }
    ]
  }), [
    'x.json: /oauthClients/1/clientId: client "c" is defined twice',
    'x.json: /oauthClients/1/user: no fixture user is "S\\Nobody" (Site\\User)',
    'x.json: /oauthClients/1/redirectUris/0: "not a url" is not an absolute URL',
    'x.json: /oauthClients/1/refreshTokens/0/user: no fixture user is "Other\\U" (Site\\User)',
    'x.json: /oauthClients/1/refreshTokens/0/token: the token is given twice'
  ])
  t.match(of({ oauthClients: [{ ...client, user: 'no-backslash' }] }), [/\/oauthClients\/0\/user: must match pattern/])
  const withDisabled = { file: 'base.json', content: { sites: [{ ...site, users: [...site.users, { id: 2, username: 'Off', password: 'p', disabled: true }] }] } }
  t.strictSame(problems([withDisabled, { file: 'x.json', content: { oauthClients: [{ ...client, user: 'S\\Off', refreshTokens: [{ token: 'token-off', user: 'S\\off' }] }] } }]), [
    'x.json: /oauthClients/0/user: the user "S\\Off" is disabled',
    'x.json: /oauthClients/0/refreshTokens/0/user: the user "S\\off" is disabled'
  ], 'a grant to a disabled user could never be used')
})

t.test('a site\'s podHost is a host name with an optional port', async (t) => {
  for (const podHost of ['secure.p01.eloqua.com', 'localhost:9443', 'a', '10.0.0.5:1', 'x.test:65535']) t.strictSame(problems([{ file: 'x.json', content: { sites: [{ ...site, podHost }] } }]), [], podHost)
  for (const podHost of ['a..b', 'x.test:0', 'x.test:65536', 'x.test:99999', `${'a'.repeat(64)}.test`]) {
    t.strictSame(problems([{ file: 'x.json', content: { sites: [{ ...site, podHost }] } }]), [`x.json: /sites/0/podHost: "${podHost}" is not a host name with an optional port from 1 to 65535`], podHost)
  }
  for (const podHost of ['https://secure.p01.eloqua.com', 'a b', '-a', 'host:', 'host/path', '']) {
    t.match(problems([{ file: 'x.json', content: { sites: [{ ...site, podHost }] } }]), [/^x\.json: \/sites\/0\/podHost: must match pattern/], podHost)
  }
})
