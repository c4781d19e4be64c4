/**
 * Contact lists, segments and filters, and account lists (imports-exports §4.6): read-only
 * containers from the fixtures. A record is a member as the fixtures say, unless a sync action
 * added it to the container or removed it since (its `destinations`).
 */
import { eloquaTimestamp } from './clock.js'
import type { EntityRecord } from './entities.js'
import type { ContainerFixture, Fixtures } from '../schemas/fixtures.js'

export const CONTAINER_KINDS = {
  ContactList: { section: 'contactLists', entity: 'contacts', path: '/contacts/lists' },
  ContactSegment: { section: 'contactSegments', entity: 'contacts', path: '/contacts/segments' },
  ContactFilter: { section: 'contactFilters', entity: 'contacts', path: '/contacts/filters' },
  AccountList: { section: 'accountLists', entity: 'accounts', path: '/accounts/lists' }
} as const satisfies Record<string, { section: keyof Fixtures, entity: 'contacts' | 'accounts', path: string }>

export type ContainerKind = keyof typeof CONTAINER_KINDS

const CONTAINER_STATEMENT = /^\{\{(ContactList|ContactSegment|ContactFilter|AccountList)\[([1-9]\d{0,14})\]\}\}$/i
const KIND_BY_NAME = new Map(Object.keys(CONTAINER_KINDS).map((kind) => [kind.toLowerCase(), kind as ContainerKind]))

/** `{{ContactList[12]}}` (any case) as its kind and id; any other text names no container. */
export function parseContainer (statement: string): { kind: ContainerKind, id: number } | undefined {
  const match = CONTAINER_STATEMENT.exec(statement)
  return match === null ? undefined : { kind: KIND_BY_NAME.get((match[1] as string).toLowerCase()) as ContainerKind, id: Number(match[2]) }
}

export function containerStatement (kind: ContainerKind, id: number): string {
  return `{{${kind}[${id}]}}`
}

/** Whether a record is in the container now. */
export function memberOf (kind: ContainerKind, container: ContainerFixture): (record: EntityRecord) => boolean {
  const members = new Set(container.members ?? [])
  const key = containerStatement(kind, container.id)
  return (record) => record.destinations[key]?.member ?? members.has(record.id)
}

/** A container as the API returns it, in Eloqua's key order; segments and filters add `executedAt`. */
export function containerView (kind: ContainerKind, container: ContainerFixture, count: number, loadedAt: number): object {
  const createdAt = container.createdAt === undefined ? loadedAt : Date.parse(container.createdAt)
  const executed = kind === 'ContactSegment' || kind === 'ContactFilter'
  return {
    name: container.name,
    count,
    statement: containerStatement(kind, container.id),
    uri: `${CONTAINER_KINDS[kind].path}/${container.id}`,
    createdAt: eloquaTimestamp(createdAt),
    createdBy: container.createdBy ?? 'API.User',
    updatedAt: eloquaTimestamp(container.updatedAt === undefined ? createdAt : Date.parse(container.updatedAt)),
    updatedBy: container.updatedBy ?? container.createdBy ?? 'API.User',
    ...(executed ? { executedAt: eloquaTimestamp(container.executedAt === undefined ? createdAt : Date.parse(container.executedAt)) } : {})
  }
}
