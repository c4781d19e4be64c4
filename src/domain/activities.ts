/**
 * The activity field catalogue (imports-exports §4.5): every field an activity export may name,
 * with the activity types it applies to. `GET /activities/fields?activityType=` lists them.
 * Ids and display names are the mock's own; statements and types follow Oracle's documentation.
 */
import type { FieldDataType } from './statements.js'

export const ACTIVITY_TYPES = ['EmailSend', 'EmailOpen', 'EmailClickthrough', 'Subscribe', 'Unsubscribe', 'Bounceback', 'FormSubmit', 'PageView', 'WebVisit', 'ExternalActivity', 'SmsSend', 'SmsReply', 'SmsClickthrough'] as const
export type ActivityType = typeof ACTIVITY_TYPES[number]

export interface ActivityField {
  readonly id: number
  readonly name: string
  readonly internalName: string
  readonly dataType: FieldDataType
  /** e.g. {{Activity.Field(EmailAddress)}} */
  readonly statement: string
  readonly activityTypes: readonly ActivityType[]
}

const EMAIL_SEND = ['EmailAddress', 'ContactId', 'EmailRecipientId', 'AssetType', 'AssetId', 'AssetName', 'SubjectLine', 'EmailWebLink', 'CampaignId', 'ExternalId', 'DeploymentId', 'EmailSendType']
const EMAIL_OPEN = [...EMAIL_SEND, 'IpAddress', 'VisitorId', 'VisitorExternalId', 'CampaignResponseDate', 'CampaignResponseMemberStatus']

/** The fields of each type beyond ActivityId, ActivityType and ActivityDate, which every type has. */
const FIELDS_BY_TYPE: Readonly<Record<ActivityType, readonly string[]>> = {
  EmailSend: EMAIL_SEND,
  EmailOpen: EMAIL_OPEN,
  EmailClickthrough: [...EMAIL_OPEN, 'EmailClickedThruLink'],
  Subscribe: ['AssetId', 'AssetType', 'AssetName', 'EmailAddress', 'EmailRecipientId', 'CampaignId', 'ExternalId'],
  Unsubscribe: ['AssetId', 'AssetType', 'AssetName', 'EmailAddress', 'EmailRecipientId', 'CampaignId', 'ExternalId'],
  Bounceback: ['EmailAddress', 'ContactId', 'AssetType', 'AssetId', 'AssetName', 'CampaignId', 'CRMCampaignId', 'CampaignName', 'ExternalId', 'EmailRecipientId', 'DeploymentId', 'SmtpErrorCode', 'SmtpStatusCode', 'SmtpMessage'],
  FormSubmit: ['ContactId', 'VisitorId', 'VisitorExternalId', 'AssetType', 'AssetId', 'AssetName', 'RawData', 'CampaignId', 'ExternalId'],
  PageView: ['ContactId', 'CampaignId', 'VisitorId', 'VisitorExternalId', 'WebVisitId', 'Url', 'ReferrerUrl', 'IpAddress', 'IsWebTrackingOptedIn', 'ExternalId'],
  WebVisit: ['ContactId', 'VisitorId', 'VisitorExternalId', 'ReferrerUrl', 'IpAddress', 'NumberOfPages', 'FirstPageViewUrl', 'Duration', 'ExternalId'],
  ExternalActivity: ['ContactEmailAddress', 'CampaignId', 'AssetName', 'AssetType'],
  // Oracle lists no SMS fields beyond the common ones (imports-exports §4.5).
  SmsSend: [],
  SmsReply: [],
  SmsClickthrough: []
}

/** Each field: display name, statement (after `Activity.`) and data type. */
const FIELD_DEFINITIONS: ReadonlyArray<readonly [string, string, string, FieldDataType]> = [
  ['ActivityId', 'Activity Id', 'Id', 'number'],
  ['ActivityType', 'Activity Type', 'Type', 'string'],
  ['ActivityDate', 'Activity Date', 'CreatedAt', 'date'],
  ['EmailAddress', 'Email Address', 'Field(EmailAddress)', 'emailAddress'],
  ['ContactId', 'Contact Id', 'Contact.Id', 'number'],
  ['ContactEmailAddress', 'Contact Email Address', 'Contact.Field(C_EmailAddress)', 'emailAddress'],
  ['EmailRecipientId', 'Email Recipient Id', 'Field(EmailRecipientId)', 'string'],
  ['AssetType', 'Asset Type', 'Asset.Type', 'string'],
  ['AssetId', 'Asset Id', 'Asset.Id', 'number'],
  ['AssetName', 'Asset Name', 'Asset.Name', 'string'],
  ['SubjectLine', 'Subject Line', 'Field(SubjectLine)', 'string'],
  ['EmailWebLink', 'Email Web Link', 'Field(EmailWebLink)', 'string'],
  ['CampaignId', 'Campaign Id', 'Campaign.Id', 'number'],
  ['CRMCampaignId', 'CRM Campaign Id', 'Campaign.Field(CRMCampaignId)', 'string'],
  ['CampaignName', 'Campaign Name', 'Campaign.Field(CampaignName)', 'string'],
  ['ExternalId', 'External Id', 'ExternalId', 'string'],
  ['DeploymentId', 'Deployment Id', 'Field(EmailDeploymentId)', 'number'],
  ['EmailSendType', 'Email Send Type', 'Field(EmailSendType)', 'string'],
  ['IpAddress', 'IP Address', 'Field(IpAddress)', 'string'],
  ['VisitorId', 'Visitor Id', 'Visitor.Id', 'number'],
  ['VisitorExternalId', 'Visitor External Id', 'Visitor.ExternalId', 'string'],
  ['CampaignResponseDate', 'Campaign Response Date', 'CampaignResponse.CreatedAt', 'date'],
  ['CampaignResponseMemberStatus', 'Campaign Response Member Status', 'CampaignResponse.Field(MemberStatus)', 'string'],
  ['EmailClickedThruLink', 'Email Clicked Thru Link', 'Field(EmailClickedThruLink)', 'string'],
  ['SmtpErrorCode', 'SMTP Error Code', 'Field(SmtpErrorCode)', 'string'],
  ['SmtpStatusCode', 'SMTP Status Code', 'Field(SmtpStatusCode)', 'string'],
  ['SmtpMessage', 'SMTP Message', 'Field(SmtpMessage)', 'string'],
  ['RawData', 'Raw Data', 'Field(RawData)', 'string'],
  ['WebVisitId', 'Web Visit Id', 'Field(WebVisitId)', 'number'],
  ['Url', 'URL', 'Field(Url)', 'string'],
  ['ReferrerUrl', 'Referrer URL', 'Field(ReferrerUrl)', 'string'],
  ['IsWebTrackingOptedIn', 'Is Web Tracking Opted In', 'Field(IsWebTrackingOptedIn)', 'boolean'],
  ['NumberOfPages', 'Number Of Pages', 'Field(NumberOfPages)', 'number'],
  ['FirstPageViewUrl', 'First Page View URL', 'Field(FirstPageViewUrl)', 'string'],
  ['Duration', 'Duration', 'Field(Duration)', 'number']
]

const COMMON = ['ActivityId', 'ActivityType', 'ActivityDate']

/** Every activity field, ids from 1 in the order above, each with the types it applies to. */
export const ACTIVITY_FIELDS: readonly ActivityField[] = FIELD_DEFINITIONS.map(([internalName, name, statement, dataType], i) => ({
  id: i + 1,
  name,
  internalName,
  dataType,
  statement: `{{Activity.${statement}}}`,
  activityTypes: ACTIVITY_TYPES.filter((type) => COMMON.includes(internalName) || FIELDS_BY_TYPE[type].includes(internalName))
}))

/** An activity field as `GET /activities/fields` answers it: the field keys of §4.1, then `activityTypes`. */
export function activityFieldView (field: ActivityField): object {
  return {
    name: field.name,
    internalName: field.internalName,
    dataType: field.dataType,
    hasReadOnlyConstraint: true,
    hasNotNullConstraint: false,
    hasUniquenessConstraint: false,
    statement: field.statement,
    uri: `/activities/fields/${field.id}`,
    createdAt: '1900-01-01T05:00:00.0000000Z',
    updatedAt: '1900-01-01T05:00:00.0000000Z',
    activityTypes: field.activityTypes
  }
}
