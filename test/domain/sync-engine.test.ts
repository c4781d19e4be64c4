import t from 'tap'
import { MAX_IGNORED_FIELD_LINES, processSync, type RecordKey, type RejectList, type SyncInput, type SyncReject } from '../../src/domain/sync-engine.js'
import { EntityTable, indexSpec } from '../../src/domain/entities.js'
import type { StagedUpload } from '../../src/domain/records.js'

const json = (records: unknown[]): StagedUpload => ({ format: 'json', bytes: Buffer.from(JSON.stringify(records)), recordCount: records.length, stagedAt: 0, stagedBy: 'API.User' })
const csv = (text: string, recordCount: number): StagedUpload => ({ format: 'csv', bytes: Buffer.from(text), recordCount, stagedAt: 0, stagedBy: 'API.User' })
const list = (rejects: RejectList): Array<SyncReject | undefined> => Array.from({ length: rejects.length }, (_, i) => rejects.at(i))
const setComplete = { action: 'setStatus', destination: '{{ActionInstance(abc).Execution[1]}}', status: 'complete' } as const

const table = new EntityTable([{ id: 1, externalId: 'A' }, { id: 2, externalId: 'B' }, { id: 3 }])
const BY_EXTERNAL_ID: RecordKey = { find: (v) => table.find(indexSpec({ kind: 'externalId' }), v).at(-1) }
const BY_ID: RecordKey = { find: (v) => table.find(indexSpec({ kind: 'id' }), v).at(-1) }

function input (overrides: Partial<SyncInput>): SyncInput {
  return {
    syncId: 7,
    identifierFieldName: 'Id',
    key: BY_EXTERNAL_ID,
    syncActions: [setComplete],
    uploads: [],
    ...overrides
  }
}
const codes = (logs: Array<{ statusCode: string }>): string[] => logs.map((l) => l.statusCode)

t.test('every row matched: success, actions applied, logs end with ELQ-00101', async (t) => {
  const outcome = processSync(input({ uploads: [json([{ Id: 'A' }]), csv('Id\nB\n', 1)] }))
  t.equal(outcome.status, 'success')
  t.strictSame(outcome.logs, [
    { count: 2, severity: 'information', statusCode: 'ELQ-00140', message: 'Records staged for sync actions.' },
    { count: 2, severity: 'information', statusCode: 'ELQ-00001', message: 'Total records processed.' },
    { count: 2, severity: 'information', statusCode: 'ELQ-00128', message: 'Updated members status to complete in service instance {{ActionInstance(abc).Execution[1]}}.' },
    { count: 0, severity: 'information', statusCode: 'ELQ-00101', message: 'Sync processed for sync 7, resulting in Success status.' }
  ])
  t.strictSame(list(outcome.rejects), [])
  t.strictSame(outcome.effects.map((e) => [e.record.id, e.action]), [[1, setComplete], [2, setComplete]])
})

t.test('unmatched rows, missing identifiers and extra keys end in warning with rejects', async (t) => {
  const outcome = processSync(input({ uploads: [json([{ Id: 'A', note: 'x' }, { Id: 'Z' }, { Id: '' }, { note: 'y' }, { Id: null }])] }))
  t.equal(outcome.status, 'warning')
  t.strictSame(codes(outcome.logs), ['ELQ-00140', 'ELQ-00111', 'ELQ-00001', 'ELQ-00061', 'ELQ-00034', 'ELQ-00128', 'ELQ-00101'])
  t.match(outcome.logs[1], { count: 2, severity: 'warning', message: 'Field note is not part of import definition, and will be ignored.' })
  t.match(outcome.logs.at(-1), { message: 'Sync processed for sync 7, resulting in Warning status.' })
  t.strictSame(list(outcome.rejects), [
    { fieldValues: { Id: 'Z' }, message: 'Total unmatched records.', statusCode: 'ELQ-00034', recordIndex: 2, invalidFields: ['Id'] },
    { fieldValues: { Id: '' }, message: 'Rejected records (missing fields).', statusCode: 'ELQ-00061', recordIndex: 3, invalidFields: ['Id'] },
    { fieldValues: { Id: '' }, message: 'Rejected records (missing fields).', statusCode: 'ELQ-00061', recordIndex: 4, invalidFields: ['Id'] },
    { fieldValues: { Id: '' }, message: 'Rejected records (missing fields).', statusCode: 'ELQ-00061', recordIndex: 5, invalidFields: ['Id'] }
  ])
  t.strictSame(outcome.effects.map((e) => e.record.id), [1])
})

t.test('a file without the identifier column is reported with ELQ-00121', async (t) => {
  const outcome = processSync(input({ uploads: [json([{ Id: 'A' }]), csv('Other\nx\n', 1)] }))
  t.match(outcome.logs.find((l) => l.statusCode === 'ELQ-00121'), { count: 1, severity: 'warning', message: 'Field Id is part of import definition, but not included in file 2.' })
})

t.test('nothing staged: success with ELQ-00124', async (t) => {
  const outcome = processSync(input({ uploads: [json([])] }))
  t.equal(outcome.status, 'success')
  t.strictSame(codes(outcome.logs), ['ELQ-00140', 'ELQ-00124', 'ELQ-00101'])
})

t.test('{{CustomObject[n].Id}} definitions match the record id; numbers match as text', async (t) => {
  const outcome = processSync(input({ identifierFieldName: 'RecordId', key: BY_ID, uploads: [json([{ RecordId: 3 }, { RecordId: '1' }, { RecordId: 'A' }])] }))
  t.strictSame(outcome.effects.map((e) => e.record.id), [3, 1])
  t.equal(outcome.rejects.length, 1)
})

t.test('each kind of destination gets its ELQ action log', async (t) => {
  const actionLog = (action: SyncInput['syncActions'][number]): unknown => processSync(input({ syncActions: [action], uploads: [json([{ Id: 'A' }])] })).logs.at(-2)
  t.match(actionLog({ action: 'add', destination: '{{ContactList[12]}}' }), { statusCode: 'ELQ-00119', message: 'Added members to Contact List 12.' })
  t.match(actionLog({ action: 'remove', destination: '{{ContactList[12]}}' }), { statusCode: 'ELQ-00118', message: 'Removed members from Contact List 12.' })
  t.match(actionLog({ action: 'add', destination: '{{AccountList[5]}}' }), { statusCode: 'ELQ-00114', message: 'Added members to Account List 5.' })
  t.match(actionLog({ action: 'remove', destination: '{{AccountList[5]}}' }), { statusCode: 'ELQ-00117', message: 'Removed members from Account List 5.' })
  t.match(actionLog({ action: 'setStatus', destination: '{{EmailGroup[3]}}', status: 'subscribed' }), { statusCode: 'ELQ-00115', message: 'Subscribed members to Email Group 3.' })
  t.match(actionLog({ action: 'setStatus', destination: '{{EmailGroup[3]}}', status: 'unsubscribed' }), { statusCode: 'ELQ-00116', message: 'Unsubscribed members from Email Group 3.' })
  t.match(actionLog({ action: 'setStatus', destination: '{{GlobalSubscribe}}', status: 'unsubscribed' }), { statusCode: 'ELQ-00017', message: 'Contacts email marked as unsubscribed.' })
  t.match(actionLog({ action: 'setStatus', destination: '{{GlobalSubscribe}}', status: 'subscribed' }), { statusCode: 'ELQ-00138', message: 'Contacts email marked as subscribed.' })
  t.match(actionLog({ action: 'setStatus', destination: '{{GlobalSubscribe}}', status: 'bounced' }), { statusCode: 'ELQ-00128' })
  t.match(actionLog({ action: 'add' }), { statusCode: 'ELQ-00119', message: 'Added members to Contact List .' })
  t.match(actionLog({ action: 'setStatus' }), { statusCode: 'ELQ-00128', message: 'Updated members status to  in service instance .' })
})

t.test('rejects are kept up to maxRejects; the logs still count every one', async (t) => {
  const outcome = processSync(input({ uploads: [json([{ Id: 'x1' }, { Id: 'x2' }, {}, { Id: 'x4' }])], maxRejects: 2 }))
  t.equal(outcome.rejects.length, 2)
  t.strictSame(list(outcome.rejects).map((r) => r?.recordIndex), [1, 2])
  t.equal(outcome.rejects.at(2), undefined)
  t.match(outcome.logs, [{ statusCode: 'ELQ-00140', count: 4 }, { statusCode: 'ELQ-00001', count: 4 }, { statusCode: 'ELQ-00061', count: 1 }, { statusCode: 'ELQ-00034', count: 3 }])
})

t.test('a record naming thousands of fields writes at most MAX_IGNORED_FIELD_LINES ELQ-00111 lines', async (t) => {
  const record: Record<string, string> = { Id: 'x' }
  for (let i = 0; i < 5000; i++) record[`F${i}`] = 'v'
  const outcome = processSync(input({ uploads: [json([record, record])] }))
  const ignored = outcome.logs.filter((l) => l.statusCode === 'ELQ-00111')
  t.equal(ignored.length, MAX_IGNORED_FIELD_LINES)
  t.equal(ignored[0]?.count, 2, 'each line still counts every record that named the field')
})

t.test('an identifier that is an array or object is described briefly, never stringified in full', async (t) => {
  let nested: unknown = 'deep'
  for (let i = 0; i < 20; i++) nested = [nested]
  const outcome = processSync(input({ uploads: [json([{ Id: nested }, { Id: { a: 1 } }])] }))
  t.strictSame(list(outcome.rejects).map((r) => r?.fieldValues.Id), ['[[[[...]]]]', '{"a":1}'])
})
