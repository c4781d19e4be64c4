import t from 'tap'
import { processImport, type ImportInput } from '../../src/domain/import-engine.js'
import { EntityTable, indexSpec, type EntityRecord } from '../../src/domain/entities.js'
import type { StagedUpload } from '../../src/domain/records.js'
import { FieldCatalogue, isValidEmailAddress, type FieldInfo, type Target } from '../../src/domain/statements.js'
import { MAX_IGNORED_FIELD_LINES, applyEffects } from '../../src/domain/sync-engine.js'

const field = (id: number, internalName: string, more: Partial<FieldInfo> = {}): FieldInfo =>
  ({ id, internalName, dataType: 'string', readOnly: false, notNull: false, unique: false, ...more })
const EMAIL = field(1, 'C_EmailAddress', { dataType: 'emailAddress', notNull: true, unique: true })
const FIRST = field(2, 'C_FirstName')
const SCORE = field(3, 'C_Score', { dataType: 'number' })
const BORN = field(4, 'C_Born', { dataType: 'date' })
const OPTED = field(5, 'C_Opted', { dataType: 'boolean' })
const CITY = field(6, 'C_City')
const asField = (f: FieldInfo): Target => ({ kind: 'field', field: f })

const json = (records: unknown): StagedUpload => ({ format: 'json', bytes: Buffer.from(JSON.stringify(records)), recordCount: Array.isArray(records) ? records.length : 1, stagedAt: 0, stagedBy: 'API.User' })

function contacts (): EntityTable {
  return new EntityTable([
    { id: 1, fieldValues: { C_EmailAddress: 'ana@example.com', C_FirstName: 'Ana', C_City: 'Rio' } },
    { id: 2, fieldValues: { C_EmailAddress: 'bo@example.com', C_City: '' } },
    { id: 5, fieldValues: { C_EmailAddress: 'twin@example.com', C_FirstName: 'One' } },
    { id: 6, fieldValues: { C_EmailAddress: 'TWIN@example.com', C_FirstName: 'Two' } }
  ])
}

function input (overrides: Partial<ImportInput>): ImportInput {
  return {
    syncId: 3,
    entity: 'contacts',
    keys: [{ key: 'email', target: asField(EMAIL) }, { key: 'first', target: asField(FIRST) }, { key: 'city', target: asField(CITY) }],
    identifierFieldName: 'email',
    updateRule: 'always',
    updateRuleByField: {},
    isUpdatingMultipleMatchedRecords: false,
    importRule: 'createAndUpdate',
    notNullFields: [EMAIL],
    link: undefined,
    syncActions: [],
    uploads: [],
    table: contacts(),
    maxRejects: 1000,
    at: 5,
    ...overrides
  }
}
const codes = (logs: Array<{ statusCode: string, count: number }>): Array<[string, number]> => logs.map((l) => [l.statusCode, l.count])
const values = (table: EntityTable): Record<number, object> => Object.fromEntries([...table.records()].map((r) => [r.id, r.fieldValues]))

t.test('update rules decide which values change', async (t) => {
  const rows = [{ email: 'ana@example.com', first: '', city: 'Lima' }, { email: 'bo@example.com', first: 'Bo', city: 'Oslo' }]
  const always = input({ uploads: [json(rows)] })
  processImport(always)
  t.match(values(always.table), { 1: { C_FirstName: '', C_City: 'Lima' }, 2: { C_FirstName: 'Bo', C_City: 'Oslo' } })
  const notNull = input({ updateRule: 'ifNewIsNotNull', uploads: [json(rows)] })
  processImport(notNull)
  t.match(values(notNull.table), { 1: { C_FirstName: 'Ana', C_City: 'Lima' } }, 'a blank value leaves the stored one')
  const existingNull = input({ updateRule: 'ifExistingIsNull', uploads: [json(rows)] })
  processImport(existingNull)
  t.match(values(existingNull.table), { 1: { C_FirstName: 'Ana', C_City: 'Rio' }, 2: { C_FirstName: 'Bo', C_City: 'Oslo' } }, 'only blank stored values are filled')
  const byField = input({ updateRule: 'ifExistingIsNull', updateRuleByField: { city: 'always' }, uploads: [json(rows)] })
  processImport(byField)
  t.match(values(byField.table), { 1: { C_FirstName: 'Ana', C_City: 'Lima' } }, 'updateRuleByField overrides per key')
})

t.test('importRule narrows the upsert; several matches are rejected unless isUpdatingMultipleMatchedRecords', async (t) => {
  const rows = [{ email: 'ana@example.com', first: 'A' }, { email: 'new@example.com', first: 'N' }, { email: 'twin@EXAMPLE.com', first: 'T' }]
  const updateOnly = input({ importRule: 'updateOnly', uploads: [json(rows)] })
  const outcome = processImport(updateOnly)
  t.equal([...updateOnly.table.records()].length, 4, 'nothing created')
  t.strictSame(outcome.rejects.at(0), { fieldValues: { email: 'twin@EXAMPLE.com', first: 'T', city: '' }, message: 'Multiple matches.', statusCode: 'ELQ-00026', recordIndex: 3, invalidFields: ['email'] })
  t.match(codes(outcome.logs), [['ELQ-00130', 3], ['ELQ-00137', 0], ['ELQ-00001', 3], ['ELQ-00135', 1], ['ELQ-00004', 0], ['ELQ-00022', 1]])
  const createOnly = input({ importRule: 'createOnly', isUpdatingMultipleMatchedRecords: true, uploads: [json(rows)] })
  processImport(createOnly)
  t.match(values(createOnly.table), { 1: { C_FirstName: 'Ana' }, 5: { C_FirstName: 'One' }, 7: { C_EmailAddress: 'new@example.com', C_FirstName: 'N' } })
  const multiple = input({ isUpdatingMultipleMatchedRecords: true, uploads: [json(rows)] })
  processImport(multiple)
  t.match(values(multiple.table), { 5: { C_FirstName: 'T' }, 6: { C_FirstName: 'T' } }, 'both twins updated')
})

t.test('a duplicate identifier in one sync is rejected; rows without an identifier or with bad values are rejected', async (t) => {
  const table = contacts()
  const outcome = processImport(input({
    table,
    keys: [{ key: 'email', target: asField(EMAIL) }, { key: 'score', target: asField(SCORE) }, { key: 'born', target: asField(BORN) }, { key: 'opted', target: asField(OPTED) }],
    uploads: [json([
      { email: 'x@example.com', score: 'lots', born: 'someday', opted: 'perhaps' },
      { email: 'X@example.com', score: '12.5', born: '2024-05-01 00:00:00', opted: 'True' },
      { email: 'y@example.com', score: '12.5', born: '2024-05-01 00:00:00', opted: 'True' },
      { email: null },
      { score: '1' }
    ]), json({ email: { nested: true } })]
  }))
  t.strictSame(codes(outcome.logs), [['ELQ-00130', 6], ['ELQ-00137', 0], ['ELQ-00001', 6], ['ELQ-00002', 1], ['ELQ-00061', 2], ['ELQ-00026', 1], ['ELQ-00003', 5], ['ELQ-00004', 2], ['ELQ-00022', 0], ['ELQ-00144', 1], ['ELQ-00101', 0]])
  t.strictSame(outcome.rejects.at(0), { fieldValues: { email: 'x@example.com', score: 'lots', born: 'someday', opted: 'perhaps' }, message: 'Invalid field value.', statusCode: 'ELQ-00040', recordIndex: 1, invalidFields: ['score', 'born', 'opted'] })
  t.strictSame(outcome.rejects.at(1), { fieldValues: { email: 'X@example.com', score: '12.5', born: '2024-05-01 00:00:00', opted: 'True' }, message: 'Duplicate identifier.', statusCode: 'ELQ-00026', recordIndex: 2, invalidFields: ['email'] })
  t.match(outcome.rejects.at(2), { statusCode: 'ELQ-00061', recordIndex: 4, invalidFields: ['email'] })
  t.match(outcome.rejects.at(4), { statusCode: 'ELQ-00002', recordIndex: 6, fieldValues: { email: '{"nested":true}' } })
  t.equal(outcome.rejects.at(9), undefined)
  t.strictSame(values(table)[7], { C_EmailAddress: 'x@example.com' }, 'the first row counts, without its bad values')
  t.strictSame(values(table)[8], { C_EmailAddress: 'y@example.com', C_Score: '12.5', C_Born: '2024-05-01 00:00:00', C_Opted: 'True' })
  t.equal(outcome.status, 'warning')
})

t.test('a unique value another record holds is refused; a full table creates nothing; read-only identifiers only update', async (t) => {
  const table = contacts()
  const ext = field(7, 'ContactIDExt', { readOnly: true })
  const byExt = processImport(input({
    table,
    keys: [{ key: 'ext', target: asField(ext) }, { key: 'email', target: asField(EMAIL) }],
    identifierFieldName: 'ext',
    uploads: [json([{ ext: 'C1', email: 'x@example.com' }])]
  }))
  t.match(byExt.rejects.at(0), { statusCode: 'ELQ-00034' }, 'no contact has that ContactIDExt, and one cannot be created by it')
  const withExt = new EntityTable([{ id: 1, fieldValues: { ContactIDExt: 'C1', C_EmailAddress: 'a@example.com' } }, { id: 2, fieldValues: { ContactIDExt: 'C2', C_EmailAddress: 'b@example.com' } }], 2)
  const clash = processImport(input({
    table: withExt,
    keys: [{ key: 'ext', target: asField(ext) }, { key: 'email', target: asField(EMAIL) }],
    identifierFieldName: 'ext',
    uploads: [json([{ ext: 'C1', email: 'B@example.com' }, { ext: 'C2', email: 'b@EXAMPLE.com' }])]
  }))
  t.strictSame(clash.rejects.at(0), { fieldValues: { ext: 'C1', email: 'B@example.com' }, message: 'Contact already exists.', statusCode: 'ELQ-00048', recordIndex: 1, invalidFields: ['email'] })
  t.equal(clash.rejects.length, 1, 'a record may keep its own address in another case')
  t.match(codes(clash.logs), [['ELQ-00130', 2], ['ELQ-00137', 0], ['ELQ-00001', 2], ['ELQ-00048', 1], ['ELQ-00004', 0], ['ELQ-00022', 1]])
  const registration = field(102, 'Registration_Id1', { unique: true })
  const records = new EntityTable([{ id: 1, externalId: 'A', fieldValues: { Registration_Id1: 'R1' } }], 2)
  const full = processImport(input({
    entity: 'customObjects',
    table: records,
    notNullFields: [],
    keys: [{ key: 'X', target: { kind: 'externalId' } }, { key: 'Reg', target: asField(registration) }],
    identifierFieldName: 'X',
    uploads: [json([{ X: 'B', Reg: 'R1' }, { X: 'C', Reg: 'R3' }, { X: 'D', Reg: 'R4' }])]
  }))
  t.match(full.rejects.at(0), { statusCode: 'ELQ-00125', message: 'Unique constraint failed.', invalidFields: ['Reg'] })
  t.match(full.rejects.at(1), { statusCode: 'ELQ-00060', recordIndex: 3 })
  t.match(codes(full.logs), [['ELQ-00130', 3], ['ELQ-00137', 0], ['ELQ-00001', 3], ['ELQ-00125', 1], ['ELQ-00060', 1], ['ELQ-00007', 1], ['ELQ-00012', 0]])
  t.equal(records.size, 2)
})

t.test('a record must keep its not-null fields; read-only ones are never written', async (t) => {
  const table = contacts()
  const outcome = processImport(input({
    table,
    keys: [{ key: 'first', target: asField(FIRST) }, { key: 'email', target: asField(EMAIL) }, { key: 'ro', target: asField(field(9, 'C_ReadOnly', { readOnly: true })) }],
    identifierFieldName: 'first',
    uploads: [json([{ first: 'Nobody' }, { first: 'Ana', email: '' }])]
  }))
  t.strictSame(outcome.rejects.at(0), { fieldValues: { first: 'Nobody', email: '', ro: '' }, message: 'Rejected records (missing fields).', statusCode: 'ELQ-00061', recordIndex: 1, invalidFields: ['email'] })
  t.match(outcome.rejects.at(1), { recordIndex: 2, invalidFields: ['email'] })
  t.equal(outcome.rejects.length, 2)
  const emptyReadOnly = processImport(input({ keys: [{ key: 'first', target: asField(FIRST) }, { key: 'ro', target: asField(field(9, 'C_ReadOnly', { readOnly: true })) }], identifierFieldName: 'first', uploads: [json([{ first: 'Ana', ro: '' }])] }))
  t.equal(emptyReadOnly.rejects.length, 0, 'an empty read-only value is no attempt to write it')
  t.match(values(table)[1], { C_EmailAddress: 'ana@example.com' })
  const unmapped = processImport(input({ keys: [{ key: 'first', target: asField(FIRST) }], identifierFieldName: 'first', uploads: [json([{ first: 'Zed' }])] }))
  t.match(unmapped.rejects.at(0), { invalidFields: ['first'] }, 'a not-null field the definition does not map is reported under the identifier key')
})

t.test('Id identifiers only update; ExternalId identifiers create with that ExternalId', async (t) => {
  const table = new EntityTable([{ id: 1, externalId: 'A', fieldValues: { Name: 'a' } }])
  const name = field(10, 'Name')
  const byId = processImport(input({ entity: 'customObjects', table, notNullFields: [], keys: [{ key: 'Id', target: { kind: 'id' } }, { key: 'Name', target: asField(name) }], identifierFieldName: 'Id', uploads: [json([{ Id: 1, Name: 'b' }, { Id: 99, Name: 'c' }])] }))
  t.match(codes(byId.logs), [['ELQ-00130', 2], ['ELQ-00137', 0], ['ELQ-00001', 2], ['ELQ-00034', 1], ['ELQ-00007', 0], ['ELQ-00012', 1]])
  t.match(byId.rejects.at(0), { statusCode: 'ELQ-00034', message: 'Total unmatched records.' })
  const byExternal = processImport(input({ entity: 'customObjects', table, notNullFields: [], keys: [{ key: 'X', target: { kind: 'externalId' } }, { key: 'Name', target: asField(name) }], identifierFieldName: 'X', uploads: [json([{ X: 'A', Name: 'again' }, { X: 'B', Name: 'new' }])] }))
  t.match(codes(byExternal.logs).slice(3, 5), [['ELQ-00007', 1], ['ELQ-00012', 1]])
  t.match([...table.records()], [{ id: 1, externalId: 'A', fieldValues: { Name: 'again' } }, { id: 2, externalId: 'B', fieldValues: { Name: 'new' } }])
})

t.test('mapDataCards links to accounts, case-sensitively when asked', async (t) => {
  const accounts = new EntityTable([{ id: 7, fieldValues: { M_CompanyName: 'Acme' } }, { id: 8, fieldValues: {} }])
  const companyName = field(100085, 'M_CompanyName')
  const table = new EntityTable([])
  const keys = [{ key: 'X', target: { kind: 'externalId' } as Target }, { key: 'Company', target: asField(field(10, 'Company')) }]
  const rows = json([{ X: '1', Company: 'ACME' }, { X: '2', Company: 'Acme' }, { X: '3', Company: '' }])
  const strict = processImport(input({ entity: 'customObjects', table, notNullFields: [], keys, identifierFieldName: 'X', uploads: [rows], link: { sourceKey: 'Company', entity: 'account', table: accounts, field: companyName, caseSensitive: true } }))
  t.match(codes(strict.logs).find(([code]) => code === 'ELQ-00025'), ['ELQ-00025', 1])
  t.strictSame([...table.records()].map((r) => r.accountId), [undefined, 7, undefined])
})

t.test('nothing staged, a file without the identifier, too many ignored fields, kept rejects', async (t) => {
  t.strictSame(codes(processImport(input({ uploads: [json([])] })).logs), [['ELQ-00130', 0], ['ELQ-00137', 0], ['ELQ-00124', 0], ['ELQ-00101', 0]])
  const extra = Object.fromEntries(Array.from({ length: MAX_IGNORED_FIELD_LINES + 5 }, (_, i) => [`x${i}`, i]))
  const long = 'y'.repeat(5000)
  const outcome = processImport(input({ maxRejects: 1, uploads: [json([{ first: 'no id', ...extra, [long]: 1 }, { first: 'no id' }]), json([{ email: 'ana@example.com', x0: 1 }])] }))
  const longFirst = processImport(input({ uploads: [json([{ [long]: 1, email: 'ana@example.com' }])] }))
  t.equal(longFirst.logs.find((l) => l.statusCode === 'ELQ-00111')?.message.length, 1000 + 'Field  is not part of import definition, and will be ignored.'.length)
  t.equal(outcome.logs.filter((l) => l.statusCode === 'ELQ-00111').length, MAX_IGNORED_FIELD_LINES)
  t.match(outcome.logs.find((l) => l.statusCode === 'ELQ-00111'), { count: 2, message: 'Field x0 is not part of import definition, and will be ignored.' })
  t.match(outcome.logs.find((l) => l.statusCode === 'ELQ-00121'), { count: 2, message: 'Field email is part of import definition, but not included in file 1.' })
  t.equal(outcome.rejects.length, 1, 'maxRejects kept; the logs count them all')
  t.match(outcome.logs.find((l) => l.statusCode === 'ELQ-00061'), { count: 2 })
  const heavy = processImport(input({ uploads: [json([{ first: long, email: 'bad', city: long }])] }))
  t.equal(heavy.rejects.at(0)?.fieldValues.first?.length, 1000)
  t.equal(heavy.rejects.weight, 1 + Math.floor(2003 / 256), 'long kept values count as more than one reject')
  const longKey = processImport(input({ keys: [{ key: long, target: asField(EMAIL) }], identifierFieldName: long, uploads: [json([{ [long]: 'bad' }])] }))
  t.equal(longKey.rejects.at(0)?.invalidFields[0]?.length, 1000)
})

t.test('sync actions run on every imported record', async (t) => {
  const table = contacts()
  const outcome = processImport(input({ table, syncActions: [{ action: 'add', destination: '{{ContactList[4]}}' }], uploads: [json([{ email: 'ana@example.com' }, { email: 'zed@example.com' }])] }))
  t.strictSame(outcome.effects.map((e) => e.record.id), [7, 1])
  t.match(outcome.logs.at(-2), { statusCode: 'ELQ-00119', count: 2, message: 'Added members to Contact List 4.' })
})

t.test('statements resolve against their own catalogue only; email addresses are checked without a pattern', async (t) => {
  const contactsCatalogue = new FieldCatalogue('contacts', [EMAIL])
  t.strictSame(contactsCatalogue.resolve('{{Contact.Field(c_emailaddress)}}'), asField(EMAIL))
  t.strictSame(contactsCatalogue.resolve('{{Contact.Id}}'), { kind: 'id' })
  for (const bad of ['{{Contact.Field(C_Nope)}}', '{{Contact.Name}}', '{{Account.Id}}', 'Contact.Id', '{{Contact.Field C_EmailAddress}}']) t.equal(contactsCatalogue.resolve(bad), undefined, bad)
  const co = new FieldCatalogue('customObjects', [field(101, 'Email')], 9)
  t.strictSame(co.resolve('{{CustomObject[9].Field[101]}}'), asField(field(101, 'Email')))
  t.strictSame(co.resolve('{{CustomObject[9].Id}}'), { kind: 'id' })
  for (const bad of ['{{CustomObject[9].Field[102]}}', '{{CustomObject[9].Field[0101]}}', '{{CustomObject[9].Field[x1]}}', '{{CustomObject[9].Field[]}}', '{{CustomObject[10].Id}}', '{{CustomObject[9].Name}}']) t.equal(co.resolve(bad), undefined, bad)
  t.equal(co.statementOf(field(101, 'Email')), '{{CustomObject[9].Field[101]}}')
  t.equal(new FieldCatalogue('accounts', []).statementOf(field(1, 'M_X')), '{{Account.Field(M_X)}}')
  for (const good of ['a@b.co', 'first.last+tag@sub.example.org']) t.ok(isValidEmailAddress(good), good)
  for (const bad of ['bademail', '@b.co', 'a@b', 'a@.b', 'a@b.', 'a@b..c', 'a@@b.co', 'a b@c.de', 'a@b.co,c@d.ef', `${'a'.repeat(400)}@b.co`]) t.notOk(isValidEmailAddress(bad), bad)
})

t.test('indexes stay current as records are created and change', async (t) => {
  const table = new EntityTable([{ id: 1, fieldValues: { C_City: 'Rio' } }, { id: 2, fieldValues: { C_City: 'rio' } }, { id: 3, fieldValues: {} }])
  const byCity = indexSpec(asField(CITY), false)
  t.strictSame(table.find(byCity, 'RIO').map((r) => r.id), [1, 2], 'without case when asked')
  t.strictSame(table.find(indexSpec(asField(CITY)), 'rio').map((r) => r.id), [2])
  const [one, two, three] = [...table.records()] as [EntityRecord, EntityRecord, EntityRecord]
  table.replaceValues(one, { C_City: 'Oslo' }, 7)
  t.strictSame(table.find(byCity, 'rio').map((r) => r.id), [2], 'moved out of a bucket of two')
  table.replaceValues(two, { C_City: 'oslo' }, 7)
  t.strictSame(table.find(byCity, 'Rio'), [], 'and out of a bucket of one')
  t.strictSame(table.find(byCity, 'OSLO').map((r) => r.id), [1, 2])
  table.replaceValues(three, { C_City: 'Oslo' }, 7)
  table.replaceValues(one, {}, 7)
  t.strictSame(table.find(byCity, 'oslo').map((r) => r.id), [2, 3], 'a blank value is in no bucket')
  table.replaceValues(two, { C_City: 'oslo', C_FirstName: 'unchanged city' }, 7)
  t.strictSame(table.find(byCity, 'oslo').map((r) => r.id), [2, 3])
  const four = table.create(9, { C_City: 'Oslo' }, undefined, (id) => ({ C_Id: `X${id}` }))
  t.strictSame(four.fieldValues, { C_City: 'Oslo', C_Id: 'X4' })
  t.strictSame([four.createdAt, four.updatedAt, one.updatedAt, one.createdAt], [9, 9, 7, 0], 'changes are dated')
  t.strictSame(table.find(byCity, 'oslo').map((r) => r.id), [2, 3, 4])
})

t.test('what sync actions did is kept by destination; the latest action on one wins', async (t) => {
  const [record] = [...new EntityTable([{ id: 1 }]).records()] as [EntityRecord]
  applyEffects([
    { record, action: { action: 'setStatus', destination: '{{ActionInstance(a).Execution[1]}}', status: 'complete' } },
    { record, action: { action: 'add', destination: '{{ActionInstance(a).Execution[1]}}' } },
    { record, action: { action: 'remove' } }
  ], '/syncs/1', 'then')
  t.strictSame(record.destinations, {
    '{{ActionInstance(a).Execution[1]}}': { status: 'complete', member: true, syncUri: '/syncs/1', updatedAt: 'then' },
    '': { member: false, syncUri: '/syncs/1', updatedAt: 'then' }
  })
  applyEffects([{ record, action: { action: 'setStatus', destination: '{{ActionInstance(a).Execution[1]}}', status: 'errored' } }], '/syncs/2', 'later')
  t.strictSame(record.destinations['{{ActionInstance(a).Execution[1]}}'], { status: 'errored', member: true, syncUri: '/syncs/2', updatedAt: 'later' })
})

t.test('ignored keys are counted whole, however long; number fields take plain decimals; links honour case when asked', async (t) => {
  const long = 'k'.repeat(1500)
  const outcome = processImport(input({ uploads: [json([{ email: 'ana@example.com', [long]: 1 }, { email: 'bo@example.com', [long]: 2 }, { email: 'zed@example.com', [long]: 3 }])] }))
  t.match(outcome.logs.find((l) => l.statusCode === 'ELQ-00111'), { count: 3 })
  const numbers = processImport(input({ keys: [{ key: 'email', target: asField(EMAIL) }, { key: 'n', target: asField(SCORE) }], uploads: [json([{ email: 'a1@example.com', n: '-12.5' }, { email: 'a2@example.com', n: '1e5' }, { email: 'a3@example.com', n: '0x1F' }, { email: 'a4@example.com', n: ' 12 ' }])] }))
  t.strictSame(numbers.rejects.length, 3)
  const people = new EntityTable([{ id: 2, fieldValues: { C_EmailAddress: 'bo@example.com' } }])
  const table = new EntityTable([])
  const link = { sourceKey: 'Email', entity: 'contact' as const, table: people, field: EMAIL, caseSensitive: true }
  processImport(input({ entity: 'customObjects', table, notNullFields: [], keys: [{ key: 'X', target: { kind: 'externalId' } }, { key: 'Email', target: asField(field(9, 'Email')) }], identifierFieldName: 'X', link, uploads: [json([{ X: '1', Email: 'BO@example.com' }, { X: '2', Email: 'bo@example.com' }])] }))
  t.strictSame([...table.records()].map((r) => r.contactId), [undefined, 2], 'mapDataCardsCaseSensitiveMatch holds for email addresses too')
})
