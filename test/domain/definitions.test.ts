import t from 'tap'
import { parseId, readDefinitionInput as readWithRule } from '../../src/domain/definitions.js'
import { identifierRule } from '../../src/domain/kinds/sync-actions.js'
import { FieldCatalogue } from '../../src/domain/statements.js'
import { EloquaError } from '../../src/domain/errors.js'

/** The rules of a custom object's sync action definitions. */
const readDefinitionInput = (body: unknown, parentId: number): ReturnType<typeof readWithRule> => readWithRule(body, identifierRule(new FieldCatalogue('customObjects', [], parentId)))

const valid = {
  name: 'Mark complete',
  fields: { ExternalId: '{{CustomObject[9].ExternalId}}' },
  identifierFieldName: 'ExternalId',
  syncActions: [{ action: 'setStatus', destination: '{{ActionInstance(f82d50cd86a94fcab37e4ec9a98b0339).Execution[12345]}}', status: 'complete' }]
}

function failures (body: unknown, parentId = 9): unknown {
  try {
    readDefinitionInput(body, parentId)
  } catch (err) {
    if (err instanceof EloquaError) return err.body()?.failures
    throw err
  }
  return []
}

t.test('a valid body is read; isSyncTriggeredOnImport defaults to false; read-only and unknown fields are ignored', async (t) => {
  t.strictSame(readDefinitionInput({ ...valid, uri: '/x', kbUsed: 5, createdBy: 'X', color: 'red' }, 9), { ...valid, isSyncTriggeredOnImport: false })
  t.equal(readDefinitionInput({ ...valid, isSyncTriggeredOnImport: true }, 9).isSyncTriggeredOnImport, true)
  t.strictSame(readDefinitionInput({ ...valid, fields: { RecordId: '{{CustomObject[9].Id}}' }, identifierFieldName: 'RecordId', syncActions: [{ action: 'add', destination: '{{ContactList[1]}}', updateAll: true }] }, 9).syncActions, [{ action: 'add', destination: '{{ContactList[1]}}', updateAll: true }])
})

t.test('each rule has its failure, all reported at once', async (t) => {
  t.strictSame(failures([]), [{ field: 'body', value: '[]', constraint: 'Must be a JSON object.' }])
  t.strictSame(failures({}), [
    { field: 'name', constraint: 'Must be a string value, at least 1 character and at most 100 characters long.' },
    { field: 'fields', constraint: 'Must contain only one field, e.g. {"ExternalId": "{{CustomObject[9].ExternalId}}"}.' },
    { field: 'identifierFieldName', constraint: 'Must be a string value, at least 1 character and at most 100 characters long.' },
    { field: 'syncActions', constraint: 'Must contain at least 1 and at most 10 sync actions.' }
  ])
  t.strictSame(failures({ ...valid, fields: { A: '{{CustomObject[9].ExternalId}}', B: '{{CustomObject[9].Id}}' } }), [
    { field: 'fields', value: '{"A":"{{CustomObject[9].ExternalId}}","B":"{{CustomObject[9].Id}}"}', constraint: 'Must contain only one field, e.g. {"ExternalId": "{{CustomObject[9].ExternalId}}"}.' }
  ])
  t.strictSame(failures({ ...valid, fields: { ExternalId: '{{CustomObject[10].ExternalId}}' } }), [
    { field: 'fields.ExternalId', value: '{{CustomObject[10].ExternalId}}', constraint: 'Must be {{CustomObject[9].ExternalId}} or {{CustomObject[9].Id}}.' }
  ])
  t.strictSame(failures({ ...valid, fields: { ExternalId: 5 } }), [
    { field: 'fields.ExternalId', value: '5', constraint: 'Must be {{CustomObject[9].ExternalId}} or {{CustomObject[9].Id}}.' }
  ])
  t.strictSame(failures({ ...valid, identifierFieldName: 'Id' }), [{ field: 'identifierFieldName', value: 'Id', constraint: 'Must be contained within fields.' }])
  t.strictSame(failures({ ...valid, name: 'x'.repeat(101) }), [{ field: 'name', value: `${'x'.repeat(97)}...`, constraint: 'Must be a string value, at least 1 character and at most 100 characters long.' }])
  t.strictSame(failures({ ...valid, isSyncTriggeredOnImport: 'yes' }), [{ field: 'isSyncTriggeredOnImport', value: 'yes', constraint: 'Must be a boolean value.' }])
  t.equal((failures({ ...valid, syncActions: Array(11).fill(valid.syncActions[0]) }) as unknown[]).length, 1)
  t.strictSame(failures({ ...valid, syncActions: [5, { action: 'fly', destination: 'list', status: 'great', updateAll: 1 }, { action: 'setStatus', destination: '{{ContactList[1]}}' }] }), [
    { field: 'syncActions[0]', value: '5', constraint: 'Must be a JSON object.' },
    { field: 'syncActions[1].action', value: 'fly', constraint: 'Must be one of add, remove, setStatus.' },
    { field: 'syncActions[1].destination', value: 'list', constraint: 'Must be a destination statement of at most 1000 characters, such as {{ContactList[12345]}} or {{ActionInstance(<id>).Execution[<id>]}}.' },
    { field: 'syncActions[1].status', value: 'great', constraint: 'Must be one of bounced, subscribed, unsubscribed, active, complete, pending, errored, yes, no, invalid, permission.' },
    { field: 'syncActions[1].updateAll', value: '1', constraint: 'Must be a boolean value.' },
    { field: 'syncActions[2].status', constraint: 'Is required for the setStatus action.' }
  ])
})

t.test('contact and account sync action definitions name their own identifier statements', async (t) => {
  const contacts = identifierRule(new FieldCatalogue('contacts', []))
  t.strictSame(readWithRule({ ...valid, fields: { Email: '{{Contact.Field(C_EmailAddress)}}' }, identifierFieldName: 'Email' }, contacts).fields, { Email: '{{Contact.Field(C_EmailAddress)}}' })
  let caught: unknown
  try { readWithRule(valid, contacts) } catch (err) { caught = err }
  t.strictSame((caught as EloquaError).body()?.failures, [{ field: 'fields.ExternalId', value: '{{CustomObject[9].ExternalId}}', constraint: 'Must be {{Contact.Field(C_EmailAddress)}}, {{Contact.Id}} or {{Contact.Field(ContactIDExt)}}.' }])
  t.strictSame(identifierRule(new FieldCatalogue('accounts', [])).statements, ['{{Account.Id}}', '{{Account.Field(CompanyIDExt)}}'])
})

t.test('ids parse strictly', async (t) => {
  t.equal(parseId('42'), 42)
  t.equal(parseId('9'), 9)
  t.equal(parseId('100000000000009'), 100000000000009, '15 digits')
  for (const bad of ['0', '042', '-1', '1.5', 'x', '', '1234567890123456', '4x', '1/', ':1', '1:', '٣', '12 ', '+1', '1e3']) t.equal(parseId(bad), undefined, bad)
  // Every character next to the digits in the character table, first and after.
  const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code))
  t.strictSame(ascii.map((c) => parseId(`1${c}`)), ascii.map((c) => c >= '0' && c <= '9' ? Number(`1${c}`) : undefined), 'any ASCII after a digit')
  t.strictSame(ascii.map((c) => parseId(`${c}1`)), ascii.map((c) => c >= '1' && c <= '9' ? Number(`${c}1`) : undefined), 'any ASCII first')
})
