/**
 * Lead scoring models (imports-exports §4.6): read-only, from the fixtures. Each has three fields
 * contact exports may read, `{{Contact.LeadScore.Model[<id>].Rating}}`, `.ProfileScore` and
 * `.EngagementScore`, with the scores the fixtures give each contact.
 */
import { eloquaTimestamp } from './clock.js'
import type { ScoringModelFixture } from '../schemas/fixtures.js'

const MODEL_FIELDS = [['Rating', 'string'], ['ProfileScore', 'number'], ['EngagementScore', 'number']] as const

/** A model as the API returns it, in the key order of Eloqua's recorded answer. */
export function scoringModelView (model: ScoringModelFixture, loadedAt: number): object {
  const createdAt = model.createdAt === undefined ? loadedAt : Date.parse(model.createdAt)
  return {
    name: model.name,
    status: model.status ?? 'Active',
    id: model.id,
    fields: MODEL_FIELDS.map(([name, dataType]) => ({
      name,
      statement: `{{Contact.LeadScore.Model[${model.id}].${name}}}`,
      dataType,
      hasReadOnlyConstraint: true,
      hasNotNullConstraint: false,
      hasUniquenessConstraint: false
    })),
    uri: `/contacts/scoring/models/${model.id}`,
    createdBy: model.createdBy ?? 'API.User',
    updatedBy: model.updatedBy ?? model.createdBy ?? 'API.User',
    createdAt: eloquaTimestamp(createdAt),
    updatedAt: eloquaTimestamp(model.updatedAt === undefined ? createdAt : Date.parse(model.updatedAt))
  }
}
