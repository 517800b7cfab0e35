import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../common/events/domain-event';
import { EventTypeRegisteredEvent } from './events/webhook.events';

/**
 * An application event type a tenant registered, so its services can publish it (POST /api/events) and its
 * webhooks can subscribe to it. An optional JSON schema (draft-07, checked by ajv) binds `data`.
 */
@Entity({ tableName: 'event_type_definition' })
export class EventTypeDefinition extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'string', length: 100 })
  name: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description: string | null = null;

  @Property({ type: 'json', nullable: true })
  schema: Record<string, unknown> | null = null;

  @Property({ type: 'Date' })
  createdAt: Date;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  static register(tenantId: string, name: string, description: string | null, schema: Record<string, unknown> | null, by: string | null, now = new Date()): EventTypeDefinition {
    const type = new EventTypeDefinition();
    type.id = randomUUID();
    type.tenantId = tenantId;
    type.name = name;
    type.description = description;
    type.schema = schema;
    type.createdAt = now;
    type.createdBy = by;
    type.apply(new EventTypeRegisteredEvent(tenantId, type.id, name, description, schema !== null, by));
    return type;
  }
}
