// Activity exports (fixture rows and generated ones), lead scoring models, and linked account fields in contact exports.
import t from 'tap'
import { API_USER, build, bulk, defaultFixtures, state } from '../../helper.js'
import type { Fixtures } from '../../../src/schemas/fixtures.js'

type App = Awaited<ReturnType<typeof build>>

async function exportRows (app: App, path: string, body: object, query = ''): Promise<{ uri: string, sync: string, page: Record<string, unknown> }> {
  const created = await app.inject(bulk('POST', path, body))
  if (created.statusCode !== 201) throw new Error(created.body)
  const uri = created.json().uri as string
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: uri }))).json().uri as string
  app.clock.advance(1000)
  const data = await app.inject(bulk('GET', `${sync}/data${query}`))
  if (data.statusCode !== 200) throw new Error(data.body)
  return { uri, sync, page: data.json() }
}

function withActivities (activities: Fixtures['activities']): Fixtures {
  const fixtures = defaultFixtures()
  return { ...fixtures, activities: [...fixtures.activities, ...activities] }
}

const opens = {
  name: 'Email opens',
  fields: {
    ActivityId: '{{Activity.Id}}',
    ActivityType: '{{Activity.Type}}',
    ActivityDate: '{{Activity.CreatedAt}}',
    EmailAddress: '{{Activity.Field(EmailAddress)}}',
    ContactId: '{{Activity.Contact.Id}}',
    AssetName: '{{activity.asset.name}}',
    FirstName: '{{Activity.Contact.Field(C_FirstName)}}'
  },
  filter: "'{{Activity.Type}}' = 'EmailOpen'"
}

t.test('an activity export reads the fixture rows of its one type, with the contact\'s fields', async (t) => {
  const app = await build(t)
  const created = await app.inject(bulk('POST', '/activities/exports', opens))
  t.equal(created.statusCode, 201)
  t.equal(created.json().uri, '/activities/exports/17')
  t.strictSame(Object.keys(created.json()), ['name', 'fields', 'filter', 'areSystemTimestampsInUTC', 'dataRetentionDuration', 'uri', 'createdBy', 'createdAt', 'updatedBy', 'updatedAt'])
  const { page, sync } = await exportRows(app, '/activities/exports', opens)
  t.strictSame(page, {
    items: [{ ActivityId: '3', ActivityType: 'EmailOpen', ActivityDate: '2024-04-29 10:15:00.000', EmailAddress: 'ana@example.com', ContactId: '1', AssetName: 'April newsletter', FirstName: 'Ana' }],
    totalResults: 1,
    limit: 1000,
    offset: 0,
    count: 1,
    hasMore: false
  })
  const logs = (await app.inject(bulk('GET', `${sync}/logs`))).json().items as Array<{ statusCode: string, count: number }>
  t.strictSame(logs.map((l) => [l.statusCode, l.count]), [['ELQ-00102', 1], ['ELQ-00131', 0], ['ELQ-00106', 0], ['ELQ-00101', 0]])
  const listed = (await app.inject(bulk('GET', '/activities/exports'))).json()
  t.strictSame(listed.items.map((d: { uri: string }) => d.uri), ['/activities/exports/17', '/activities/exports/18'])
  t.ok(((await app.inject(bulk('GET', '/exports'))).json().items as Array<{ uri: string }>).some((d) => d.uri === '/activities/exports/18'), 'GET /exports lists activity exports')
})

t.test('activity exports filter by date, asset and id; fields the type lacks are blank', async (t) => {
  const app = await build(t)
  const { page } = await exportRows(app, '/activities/exports', {
    name: 'Sends on the 29th',
    fields: { Id: '{{Activity.Id}}', Subject: '{{Activity.Field(SubjectLine)}}', Link: '{{Activity.Field(EmailClickedThruLink)}}' },
    filter: "'{{Activity.Type}}'='emailsend' AND '{{Activity.CreatedAt}}' >= '2024-04-29 00:00:00' AND '{{Activity.CreatedAt}}' < '2024-04-29 09:00:01.000' AND '{{Activity.Asset.Name}}' ~ 'April%'"
  })
  t.strictSame(page.items, [{ Id: '1', Subject: 'What\'s new in April', Link: '' }], 'the type is matched without case; the date window excludes 09:00:01')
  const none = await exportRows(app, '/activities/exports', { name: 'None', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'SmsSend'" })
  t.strictSame(none.page, { totalResults: 0, limit: 1000, offset: 0, count: 0, hasMore: false }, 'no rows: no items key')
})

t.test('an activity export is refused, one failure per problem, without its type, with contact fields in the filter, or with too many contact fields', async (t) => {
  const app = await build(t)
  const before = await state(app)
  const failuresOf = async (body: object): Promise<Array<{ field: string, constraint: string }>> => {
    const res = await app.inject(bulk('POST', '/activities/exports', body))
    t.equal(res.statusCode, 400)
    return (res.json().failures as Array<{ field: string, constraint: string }>).map(({ field, constraint }) => ({ field, constraint }))
  }
  const NAME_TYPE = "Must name one activity type, as in '{{Activity.Type}}' = 'EmailOpen' AND ...; the types are EmailSend, EmailOpen, EmailClickthrough, Subscribe, Unsubscribe, Bounceback, FormSubmit, PageView, WebVisit, ExternalActivity, SmsSend, SmsReply, SmsClickthrough."
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' } }), [{ field: 'filter', constraint: NAME_TYPE }], 'no filter')
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.CreatedAt}}' > '2024-01-01'" }), [{ field: 'filter', constraint: NAME_TYPE }], 'no type')
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen' OR '{{Activity.Type}}' = 'EmailSend'" }), [{ field: 'filter', constraint: NAME_TYPE }], 'two types joined by OR')
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen' AND '{{Activity.Type}}' = 'EmailSend'" }), [{ field: 'filter', constraint: NAME_TYPE }], 'two types joined by AND')
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailRead'" }), [
    { field: 'filter', constraint: '"EmailRead" is not an activity type; the types are EmailSend, EmailOpen, EmailClickthrough, Subscribe, Unsubscribe, Bounceback, FormSubmit, PageView, WebVisit, ExternalActivity, SmsSend, SmsReply, SmsClickthrough.' }
  ])
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen' AND '{{Activity.Contact.Field(C_Country)}}' = 'Brazil'" }), [
    { field: 'filter', constraint: '{{Activity.Contact.Field(C_Country)}}: activity exports may not filter on contact fields (SMS activity exports may).' }
  ])
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen' AND EXISTS('{{ContactList[1]}}') AND STATUS('{{ActionInstance(a)}}') = 'complete'" }), [
    { field: 'filter', constraint: '{{ContactList[1]}} is not a list, segment or filter of this entity that exists.' },
    { field: 'filter', constraint: 'STATUS is not available on exports of this entity.' }
  ])
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}', Email: '{{Contact.Field(C_EmailAddress)}}', Nope: '{{Activity.Field(Nope)}}', NoContactField: '{{Activity.Contact.Field(Nope)}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen'" }).then((f) => f.map((x) => x.field)), ['Email', 'Nope', 'NoContactField'], 'statements of other entities and unknown fields')
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen' AND NOT '{{Activity.Nope}}' = 'x'" }), [
    { field: 'filter', constraint: '{{Activity.Nope}} is not a field or attribute this export can filter on.' }
  ])
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen' AND '{{Activity.CampaignResponse.CreatedAt}}' > 'soon'" }), [
    { field: 'filter', constraint: '"soon" is not a date such as \'2024-05-01 00:00:00\'.' }
  ], 'dates of other fields compare as dates')
  const eleven = Object.fromEntries(['C_EmailAddress', 'C_FirstName', 'C_LastName', 'C_Company', 'C_Country', 'C_City', 'C_Title', 'C_BusPhone', 'C_Address1', 'C_Address2', 'C_State_Prov'].map((name) => [name, `{{Activity.Contact.Field(${name})}}`]))
  t.strictSame(await failuresOf({ name: 'x', fields: eleven, filter: "'{{Activity.Type}}' = 'EmailOpen'" }), [{ field: 'fields', constraint: 'Must contain at most 10 contact fields in an activity export; it has 11.' }])
  t.strictSame(await failuresOf({ name: 'x', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen'", syncActions: [{ action: 'add', destination: '{{ContactList[1]}}' }] }), [
    { field: 'syncActions', constraint: 'Must be empty: activity exports take no sync actions.' }
  ])
  t.strictSame(await state(app), before, 'nothing was created')
  const ten = Object.fromEntries(Object.entries(eleven).slice(0, 10))
  t.notOk(Object.hasOwn((await app.inject(bulk('POST', '/activities/exports', { name: 'no actions', fields: { Id: '{{Activity.Id}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen'", syncActions: [] }))).json(), 'syncActions'), 'an empty syncActions is accepted and not echoed')
  t.equal((await app.inject(bulk('POST', '/activities/exports', { name: 'ten', fields: ten, filter: "'{{Activity.Type}}' = 'EmailOpen'" }))).statusCode, 201, 'ten contact fields are allowed')
})

t.test('contact values of activities: blank for a contact without the field or unknown to the site; text written as JSON', async (t) => {
  const app = await build(t, {
    fixtures: withActivities([
      { id: 100, type: 'PageView', createdAt: '2024-04-30T00:00:00Z', contactId: 2, values: { Url: 'https://www.example.com/caf\u00e9?q="x"' } },
      { id: 101, type: 'PageView', createdAt: '2024-04-30T00:00:01Z', contactId: 99 },
      { id: 102, type: 'PageView', createdAt: '2024-04-30T00:00:02Z' }
    ])
  })
  const { page } = await exportRows(app, '/activities/exports', {
    name: 'Views',
    fields: { Id: '{{Activity.Id}}', Url: '{{Activity.Field(Url)}}', Contact: '{{Activity.Contact.Id}}', First: '{{Activity.Contact.Field(C_FirstName)}}', Country: '{{Activity.Contact.Field(C_Country)}}' },
    filter: "'{{Activity.Type}}' = 'PageView' AND NOT '{{Activity.CampaignResponse.CreatedAt}}' > '2024-01-01'"
  })
  t.strictSame(page.items, [
    { Id: '100', Url: 'https://www.example.com/caf\u00e9?q="x"', Contact: '2', First: 'Bo', Country: '' },
    { Id: '101', Url: '', Contact: '99', First: '', Country: '' },
    { Id: '102', Url: '', Contact: '', First: '', Country: '' }
  ])
})

t.test('contact fields are read when the sync starts, not when its data is read', async (t) => {
  const app = await build(t)
  const created = await app.inject(bulk('POST', '/activities/exports', opens))
  const sync = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: created.json().uri }))).json().uri as string
  const contactImport = (await app.inject(bulk('POST', '/contacts/imports', { name: 'i', fields: { Email: '{{Contact.Field(C_EmailAddress)}}', First: '{{Contact.Field(C_FirstName)}}' }, identifierFieldName: 'Email', isSyncTriggeredOnImport: true }))).json().uri as string
  t.equal((await app.inject(bulk('POST', `${contactImport}/data`, [{ Email: 'ana@example.com', First: 'Anabel' }]))).statusCode, 201)
  app.clock.advance(5000)
  const page = (await app.inject(bulk('GET', `${sync}/data`))).json()
  t.equal(page.items[0].FirstName, 'Ana', 'the name the contact had when the export started')
  const later = (await app.inject(bulk('POST', '/syncs', { syncedInstanceUri: created.json().uri }))).json().uri as string
  app.clock.advance(1000)
  t.equal((await app.inject(bulk('GET', `${later}/data`))).json().items[0].FirstName, 'Anabel', 'a later export reads the import')
})

t.test('generated activities are the same every time, spread evenly over their dates, and page like any export', async (t) => {
  const fixtures = withActivities([{ generate: { type: 'EmailClickthrough', count: 25000, seed: 7, from: '2024-03-01T00:00:00Z', to: '2024-03-26T00:00:00Z' } }])
  const app = await build(t, { fixtures })
  const body = {
    name: 'Clicks',
    fields: { Id: '{{Activity.Id}}', Date: '{{Activity.CreatedAt}}', Email: '{{Activity.Field(EmailAddress)}}', Contact: '{{Activity.Contact.Id}}', Link: '{{Activity.Field(EmailClickedThruLink)}}', Recipient: '{{Activity.Field(EmailRecipientId)}}', Asset: '{{Activity.Asset.Name}}', AssetId: '{{Activity.Asset.Id}}', Smtp: '{{Activity.Field(SmtpMessage)}}' },
    filter: "'{{Activity.Type}}' = 'EmailClickthrough' AND '{{Activity.CreatedAt}}' >= '2024-03-02' AND '{{Activity.CreatedAt}}' < '2024-03-04'"
  }
  const { page, sync } = await exportRows(app, '/activities/exports', body, '?limit=3&offset=1996')
  t.equal(page.totalResults, 2000, 'two days of 1,000 rows each (25 days over 25,000 rows)')
  t.equal(page.hasMore, true)
  const items = page.items as Array<Record<string, string>>
  // Ids start after the fixtures' highest (7); row 2996 is 2996 × 86.4 s after the first.
  t.strictSame(items.map((row) => [row.Id, row.Date]), [['3004', '2024-03-03 23:54:14.400'], ['3005', '2024-03-03 23:55:40.800'], ['3006', '2024-03-03 23:57:07.200']])
  for (const row of items) {
    t.match(row, { Email: /^(ana@example\.com|bo@example\.com|cy@example\.org)$/, Contact: /^[123]$/, Link: /^https:\/\/www\.example\.com\//, Recipient: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, Smtp: '' })
    t.equal(row.Asset, `Email ${row.AssetId as string}`, 'a row agrees with itself')
  }
  const full = await app.inject(bulk('GET', `${sync}/data?limit=2000`))
  t.ok(full.rawPayload.length > 256 * 1024, 'a page of more than one chunk')
  t.equal(full.json().items.at(-1).Id, '3007')
  const last = (await app.inject(bulk('GET', `${sync}/data?limit=2&offset=1999`))).json()
  t.equal(last.count, 1)
  t.equal(last.hasMore, false)
  const again = await build(t, { fixtures })
  t.strictSame((await exportRows(again, '/activities/exports', body, '?limit=3&offset=1996')).page, page, 'the same seed gives the same rows')
  const other = await build(t, { fixtures: withActivities([{ generate: { type: 'EmailClickthrough', count: 25000, seed: 8, from: '2024-03-01T00:00:00Z', to: '2024-03-26T00:00:00Z' } }]) })
  t.not((await exportRows(other, '/activities/exports', body, '?limit=3&offset=1996')).page.items, page.items, 'another seed gives other values')
})

t.test('generated rows: ids follow the fixtures\', every type has its fields, maxRecords caps the rows', async (t) => {
  const app = await build(t, { fixtures: withActivities(['Bounceback', 'FormSubmit', 'WebVisit', 'PageView', 'ExternalActivity', 'Subscribe'].map((type, i) => ({ generate: { type: type as 'WebVisit', count: 10, seed: i } }))) })
  const read = async (type: string, fields: Record<string, string>): Promise<Array<Record<string, string>>> =>
    (await exportRows(app, '/activities/exports', { name: type, fields, filter: `'{{Activity.Type}}' = '${type}' AND '{{Activity.Id}}' > '7'`, maxRecords: 4 })).page.items as Array<Record<string, string>>
  const bounces = await read('Bounceback', { Id: '{{Activity.Id}}', Code: '{{Activity.Field(SmtpErrorCode)}}', Status: '{{Activity.Field(SmtpStatusCode)}}', Message: '{{Activity.Field(SmtpMessage)}}', Campaign: '{{Activity.Campaign.Field(CampaignName)}}', Crm: '{{Activity.Campaign.Field(CRMCampaignId)}}' })
  t.equal(bounces.length, 4, 'maxRecords')
  t.strictSame(bounces.map((row) => row.Id), ['8', '9', '10', '11'], 'the first generated id is one more than the fixtures\' highest (7); the filter leaves out the listed bounceback')
  for (const row of bounces) t.match(row, { Code: /^[45]\.\d\.\d$/, Status: /^\d{3}$/, Message: /^(User unknown|Mailbox full|Message rejected as spam)$/, Campaign: /^Campaign \d+$/, Crm: /^7015g00000\d{8}$/ })
  for (const row of await read('FormSubmit', { Type: '{{Activity.Asset.Type}}', Raw: '{{Activity.Field(RawData)}}', Visitor: '{{Activity.Visitor.Id}}' })) t.match(row, { Type: 'Form', Raw: /^elqFormName=form\d+&emailAddress=\S+%40example\.(com|org)$/, Visitor: /^\d+$/ })
  for (const row of await read('WebVisit', { Pages: '{{Activity.Field(NumberOfPages)}}', Duration: '{{Activity.Field(Duration)}}', First: '{{Activity.Field(FirstPageViewUrl)}}', Referrer: '{{Activity.Field(ReferrerUrl)}}', Ip: '{{Activity.Field(IpAddress)}}', Contact: '{{Activity.Contact.Id}}' })) {
    t.match(row, { Pages: /^\d+$/, Duration: /^\d+$/, First: /^https:/, Referrer: /^(https:\/\/.*|)$/, Ip: /^10\.\d+\.\d+\.\d+$/, Contact: /^[123]$/ })
  }
  for (const row of await read('PageView', { Url: '{{Activity.Field(Url)}}', Visit: '{{Activity.Field(WebVisitId)}}', OptedIn: '{{Activity.Field(IsWebTrackingOptedIn)}}', VisitorExt: '{{Activity.Visitor.ExternalId}}' })) t.match(row, { Url: /^https:/, Visit: /^\d+$/, OptedIn: /^(True|False)$/, VisitorExt: /^[0-9a-f]{8}$/ })
  for (const row of await read('ExternalActivity', { Ext: '{{Activity.ExternalId}}', Id: '{{Activity.Id}}', Type: '{{Activity.Asset.Type}}', Email: '{{Activity.Contact.Field(C_EmailAddress)}}' })) t.match(row, { Ext: '', Type: 'Webinar', Email: /@example\./ })
  for (const row of await read('Subscribe', { Contact: '{{Activity.Contact.Id}}', Email: '{{Activity.Field(EmailAddress)}}', Send: '{{Activity.Field(EmailSendType)}}', Deployment: '{{Activity.Field(EmailDeploymentId)}}' })) {
    t.match(row, { Contact: '', Email: /@example\./, Send: '', Deployment: '' }, 'Subscribe has no ContactId, EmailSendType or EmailDeploymentId fields')
  }
})

t.test('generated rows without fixture contacts get made-up addresses; activity exports stop at 5,000,000 rows', async (t) => {
  const fixtures = { ...defaultFixtures(), contacts: [], contactLists: [], contactSegments: [], contactFilters: [], scoringModels: [], activities: [{ generate: { type: 'EmailSend' as const, count: 5_000_001, seed: 1 } }] }
  // With no rows written ahead (EXPORT_CACHE_BYTES 0) the sync ends on time, and pages write their rows.
  const app = await build(t, { fixtures, config: { MAX_RETAINED_EXPORT_ROWS: 5_000_000, EXPORT_CACHE_BYTES: 0 } })
  const { page, sync } = await exportRows(app, '/activities/exports', { name: 'all', fields: { Email: '{{Activity.Field(EmailAddress)}}', Contact: '{{Activity.Contact.Id}}', Send: '{{Activity.Field(EmailSendType)}}', First: '{{Activity.Contact.Field(C_FirstName)}}', Subject: '{{Activity.Field(SubjectLine)}}', Link: '{{Activity.Field(EmailWebLink)}}', Campaign: '{{Activity.Campaign.Id}}', Deployment: '{{Activity.Field(EmailDeploymentId)}}' }, filter: "'{{Activity.Type}}' = 'EmailSend'" }, '?limit=2&offset=4999998')
  t.equal(page.totalResults, 5_000_000)
  t.equal(page.hasMore, false)
  for (const row of page.items as Array<Record<string, string>>) {
    t.match(row, { Email: /^contact\d+@example\.com$/, Contact: '', Send: /^(Campaign|Quicksend|Program)$/, First: '', Subject: /^News for you, issue \d+$/, Link: /^https:\/\/s1\.example\.com\/e\/es\?s=1&e=\d+&elqTrackId=[0-9a-f]{8}$/, Campaign: /^\d+$/, Deployment: /^\d{5,}$/ })
  }
  const logs = (await app.inject(bulk('GET', `${sync}/logs`))).json().items as Array<{ statusCode: string, count: number, message: string }>
  t.equal(logs[0]?.count, 5_000_000)
  t.match(logs[2]?.message, /^Successfully converted csv file to sqlite, taking \d+ kb\.$/)
})

t.test('generated rows belong to contacts with the ids the site gives them, with or without an address', async (t) => {
  const fixtures = { ...defaultFixtures(), contacts: [{ fieldValues: { C_FirstName: 'Nameless' } }], contactLists: [], contactSegments: [], contactFilters: [], scoringModels: [], activities: [{ generate: { type: 'EmailOpen' as const, count: 3, seed: 1 } }] }
  const app = await build(t, { fixtures })
  const { page } = await exportRows(app, '/activities/exports', { name: 'x', fields: { Email: '{{Activity.Field(EmailAddress)}}', Contact: '{{Activity.Contact.Id}}', First: '{{Activity.Contact.Field(C_FirstName)}}' }, filter: "'{{Activity.Type}}' = 'EmailOpen'" })
  t.strictSame(page.items, Array(3).fill({ Email: '', Contact: '1', First: 'Nameless' }))
})

t.test('lead scoring models are listed, and contact exports read and filter on their scores', async (t) => {
  const fixtures = defaultFixtures()
  fixtures.scoringModels.push({ id: 2, name: 'Draft model', status: 'Draft', createdAt: '2024-01-02T03:04:05Z', createdBy: 'Ana.Admin', updatedAt: '2024-02-03T04:05:06Z' }, { id: 3, name: 'Third', createdAt: '2024-01-02T03:04:05Z', createdBy: 'Bo.Admin', updatedBy: 'Cy.Admin' })
  const app = await build(t, { fixtures })
  t.match((await app.inject(bulk('GET', '/contacts/scoring/models/2'))).json(), { name: 'Draft model', status: 'Draft', id: 2, uri: '/contacts/scoring/models/2', createdBy: 'Ana.Admin', updatedBy: 'Ana.Admin', createdAt: '2024-01-02T03:04:05.0000000Z', updatedAt: '2024-02-03T04:05:06.0000000Z' })
  t.match((await app.inject(bulk('GET', '/contacts/scoring/models/3'))).json(), { status: 'Active', createdBy: 'Bo.Admin', updatedBy: 'Cy.Admin', updatedAt: '2024-01-02T03:04:05.0000000Z' })
  t.strictSame((await exportRows(app, '/contacts/exports', { name: 'unscored', fields: { R: '{{Contact.LeadScore.Model[2].Rating}}' } })).page.items, Array(3).fill({ R: '' }), 'a model without scores exports blanks')
  const list = await app.inject(bulk('GET', '/contacts/scoring/models?q=name=Default*'))
  t.equal((await app.inject(bulk('GET', '/contacts/scoring/models'))).json().totalResults, 3)
  t.equal(list.statusCode, 200)
  t.equal(list.json().totalResults, 1)
  const model = await app.inject(bulk('GET', '/contacts/scoring/models/1'))
  t.equal(model.statusCode, 200)
  t.strictSame(Object.keys(model.json()), ['name', 'status', 'id', 'fields', 'uri', 'createdBy', 'updatedBy', 'createdAt', 'updatedAt'])
  t.strictSame((model.json().fields as Array<{ statement: string }>).map((f) => f.statement), ['{{Contact.LeadScore.Model[1].Rating}}', '{{Contact.LeadScore.Model[1].ProfileScore}}', '{{Contact.LeadScore.Model[1].EngagementScore}}'])
  t.equal((await app.inject(bulk('GET', '/contacts/scoring/models/4'))).statusCode, 404)
  t.equal((await app.inject(bulk('GET', '/contacts/scoring/models/x'))).statusCode, 404)
  const { page } = await exportRows(app, '/contacts/exports', {
    name: 'Scores',
    fields: { Id: '{{Contact.Id}}', Rating: '{{Contact.LeadScore.Model[1].Rating}}', Profile: '{{contact.leadscore.model[1].profilescore}}', Engagement: '{{Contact.LeadScore.Model[1].EngagementScore}}' },
    filter: "'{{Contact.LeadScore.Model[1].ProfileScore}}' > '50' OR '{{Contact.LeadScore.Model[1].Rating}}' = ''"
  })
  t.strictSame(page.items, [
    { Id: '1', Rating: 'A1', Profile: '90', Engagement: '85' },
    { Id: '2', Rating: 'B3', Profile: '60', Engagement: '30' },
    { Id: '3', Rating: '', Profile: '', Engagement: '' }
  ])
  const bad = await app.inject(bulk('POST', '/contacts/exports', { name: 'x', fields: { R: '{{Contact.LeadScore.Model[4].Rating}}' } }))
  t.equal(bad.statusCode, 400, 'a model that does not exist')
  t.equal((await app.inject(bulk('POST', '/accounts/exports', { name: 'x', fields: { R: '{{Contact.LeadScore.Model[1].Rating}}' } }))).statusCode, 400, 'only on contacts')
})

t.test('contact exports read the linked account\'s fields', async (t) => {
  const fixtures = defaultFixtures()
  fixtures.contacts = fixtures.contacts.map((c) => c.id === 1 ? { ...c, accountId: 2 } : c)
  const app = await build(t, { fixtures })
  const { page } = await exportRows(app, '/contacts/exports', {
    name: 'With accounts',
    fields: { Id: '{{Contact.Id}}', Company: '{{Contact.Account.Field(M_CompanyName)}}' },
    filter: "'{{Contact.Account.Field(M_Country)}}' = 'Canada' OR '{{Contact.Id}}' = '2'"
  })
  t.strictSame(page.items, [{ Id: '1', Company: 'Example Org' }, { Id: '2', Company: '' }])
  t.equal((await app.inject(bulk('POST', '/contacts/exports', { name: 'x', fields: { C: '{{Contact.Account.Field(Nope)}}' } }))).statusCode, 400)
})

t.test('an activity export sync of another user is refused as any export is', async (t) => {
  const app = await build(t)
  const { sync } = await exportRows(app, '/activities/exports', opens)
  const other = await app.inject({ ...bulk('GET', `${sync}/data`), headers: { authorization: 'Basic ' + Buffer.from('APITest\\Marketing.User:secret').toString('base64') } })
  t.not(other.statusCode, 200)
  t.equal((await app.inject(bulk('GET', `${sync}/data`, undefined, API_USER))).statusCode, 200)
})

t.test('pages are the same bytes whether the sync wrote its rows ahead, some of them, or none', async (t) => {
  const fixtures = withActivities([
    { id: 100, type: 'PageView', createdAt: '2024-04-30T00:00:00Z', contactId: 2, values: { Url: 'https://www.example.com/caf\u00e9?q="x"' } },
    { generate: { type: 'PageView', count: 6000, seed: 5 } }
  ])
  const body = { name: 'Views', fields: { Id: '{{Activity.Id}}', Date: '{{Activity.CreatedAt}}', Url: '{{Activity.Field(Url)}}', First: '{{Activity.Contact.Field(C_FirstName)}}' }, filter: "'{{Activity.Type}}' = 'PageView'" }
  const pages = async (config: { EXPORT_CACHE_BYTES: number }): Promise<string[]> => {
    const app = await build(t, { fixtures, config })
    const { sync } = await exportRows(app, '/activities/exports', body)
    const read: string[] = []
    for (const query of ['?limit=50000', '?limit=2500&offset=0', '?limit=2500&offset=2500', '?limit=2500&offset=5000', '?limit=1&offset=6000', '?limit=3&offset=6001', '?limit=10&totalResults=false']) {
      const res = await app.inject(bulk('GET', `${sync}/data${query}`))
      t.equal(res.statusCode, 200)
      read.push(res.body)
    }
    const state = (await app.inject('/__mock/state')).json() as { usage: { exportCacheBytes: number, maxExportCacheBytes: number } }
    t.ok(state.usage.exportCacheBytes <= config.EXPORT_CACHE_BYTES + 1000, 'the budget holds, give or take a row')
    return read
  }
  const all = await pages({ EXPORT_CACHE_BYTES: 1024 * 1024 * 1024 })
  t.equal(JSON.parse(all[0] as string).items.length, 6001)
  t.equal(JSON.parse(all[0] as string).items[0].Url, 'https://www.example.com/caf\u00e9?q="x"')
  t.strictSame(await pages({ EXPORT_CACHE_BYTES: 200_000 }), all, 'the first rows written ahead, the rest written for the page')
  t.strictSame(await pages({ EXPORT_CACHE_BYTES: 0 }), all, 'none written ahead')
})

t.test('SMS activity exports may filter on contact fields (24C), read as they are when the sync starts', async (t) => {
  const app = await build(t, {
    fixtures: withActivities([
      { id: 200, type: 'SmsSend', createdAt: '2024-04-30T00:00:00Z', contactId: 1 },
      { id: 201, type: 'SmsSend', createdAt: '2024-04-30T00:00:01Z', contactId: 2 },
      { id: 202, type: 'SmsSend', createdAt: '2024-04-30T00:00:02Z' },
      { generate: { type: 'SmsSend', count: 5, seed: 1 } }
    ])
  })
  const { page } = await exportRows(app, '/activities/exports', {
    name: 'Texts to Brazil',
    fields: { Id: '{{Activity.Id}}', Country: '{{Activity.Contact.Field(C_Country)}}' },
    filter: "'{{Activity.Type}}' = 'SmsSend' AND '{{Activity.Contact.Field(C_Country)}}' = 'Brazil' AND '{{Activity.Id}}' < '203'"
  })
  t.strictSame(page.items, [{ Id: '200', Country: 'Brazil' }])
  const blanks = await exportRows(app, '/activities/exports', {
    name: 'No country',
    fields: { Id: '{{Activity.Id}}' },
    filter: "'{{Activity.Type}}' = 'SmsSend' AND '{{Activity.Contact.Field(C_Country)}}' = '' AND '{{Activity.Id}}' < '203'"
  })
  t.strictSame(blanks.page.items, [{ Id: '201' }, { Id: '202' }], 'a contact without the field, and an activity without a contact, are blank')
})
