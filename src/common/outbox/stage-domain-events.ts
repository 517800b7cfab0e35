import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AggregateRoot } from '@nestjs/cqrs';
import { AuditEntry } from '../audit/audit-entry.entity';
import { systemActor, type Actor } from '../cqrs/actor';
import { DomainEvent, describeEvent } from '../events/domain-event';
import { OutboxMessage } from './outbox-message.entity';

/** What the outbox and the audit trail store of an event: its wire name, its resource and its fields. */
export function outboxRecordOf(event: DomainEvent): { name: string; resource: string; payload: Record<string, unknown> } {
  const { name, resource } = describeEvent(event);
  return { name, resource, payload: { ...event } as Record<string, unknown> };
}

/** True when a key of one tenant acts on what another tenant owns: the platform operator (platform:admin). */
export function actsAcrossTenants(actor: Actor | undefined, tenantId: string | null): boolean {
  return actor !== undefined && actor.tenantId !== tenantId;
}

/**
 * Who the audit entry under `tenantId` names. A tenant never learns of another tenant's keys, addresses or
 * requests (DESIGN.md, "Tenancy and authorization"): when the platform operator acts on a tenant, that tenant's
 * trail records the platform as it records the system, with no key, IP or request id.
 */
function actorRecordedUnder(tenantId: string | null, actor: Actor | undefined): Actor | undefined {
  return actor && actsAcrossTenants(actor, tenantId) ? systemActor(tenantId ?? actor.tenantId) : actor;
}

/**
 * Moves the events that aggregates `apply()`d in this unit of work into the outbox, and writes one audit
 * entry for each, so they commit or roll back together with the change itself. An event of another tenant than
 * the acting key's (the platform operator creating or changing a tenant) gets a second audit entry, under the
 * actor's own tenant with its key, IP and request id: who did what to which tenant (`details.tenantId`).
 */
export function stageDomainEvents(em: EntityManager, actor: Actor | undefined): number {
  const uow = em.getUnitOfWork();
  const aggregates = new Set<AggregateRoot<DomainEvent>>();
  for (const entity of [...uow.getIdentityMap().values(), ...uow.getPersistStack()]) {
    if (entity instanceof AggregateRoot) aggregates.add(entity as AggregateRoot<DomainEvent>);
  }
  let staged = 0;
  const now = new Date();
  for (const aggregate of aggregates) {
    for (const event of aggregate.getUncommittedEvents()) {
      const { name, resource, payload } = outboxRecordOf(event);
      const id = randomUUID();
      em.persist(
        em.create(OutboxMessage, {
          id,
          tenantId: event.tenantId,
          eventType: name,
          aggregateId: event.aggregateId,
          payload,
          occurredAt: now,
        }),
      );
      const audit = (tenantId: string | null, by: Actor | undefined) =>
        em.persist(
          em.create(AuditEntry, {
            id: randomUUID(),
            tenantId,
            actorApiKeyId: by?.apiKeyId ?? null,
            action: name,
            resourceType: resource,
            resourceId: event.aggregateId,
            ip: by?.ip ?? null,
            requestId: by?.requestId ?? null,
            details: payload,
            createdAt: now,
          }),
        );
      audit(event.tenantId, actorRecordedUnder(event.tenantId, actor));
      if (actor && actsAcrossTenants(actor, event.tenantId) && actor.apiKeyId !== null) audit(actor.tenantId, actor);
      staged++;
    }
    aggregate.uncommit();
  }
  return staged;
}
