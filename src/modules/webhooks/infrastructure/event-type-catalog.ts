import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import Ajv, { ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { contextOrFork } from '../../../common/database/context-or-fork';
import { EventTypeDefinition } from '../domain/event-type-definition.entity';
import { isReservedEventName, subscribableDomainEventNames } from '../domain/event-catalog';
import { WebhookError, WebhookErrorCode } from '../domain/webhook.errors';

/**
 * The event types a tenant's webhooks can subscribe to (this service's domain events and the tenant's
 * registered application types) and the JSON-schema check of published data. A registered type never changes
 * and is never deleted, so found types and their compiled schemas are kept in memory: publishing, the hottest
 * write, reads no catalog row. Reads go through the caller's context when it has one (see contextOrFork).
 */
@Injectable()
export class EventTypeCatalog {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new LRUCache<string, ValidateFunction>({ max: 5000 });
  private readonly registered = new LRUCache<string, EventTypeDefinition>({ max: 10_000 });

  constructor(private readonly em: EntityManager) {}

  /** 422 naming `eventTypes` when one is neither a built-in domain event nor registered by the tenant. */
  async assertSubscribable(tenantId: string, eventTypes: readonly string[]): Promise<void> {
    const builtIn = new Set(subscribableDomainEventNames());
    const others = eventTypes.filter((type) => !builtIn.has(type));
    if (!others.length) return;
    const registered = await contextOrFork(this.em).find(EventTypeDefinition, { tenantId, name: { $in: others } });
    const known = new Set(registered.map((type) => type.name));
    const unknown = others.filter((type) => !known.has(type));
    if (unknown.length) {
      throw WebhookError.onField(WebhookErrorCode.UnknownEventType, 'eventTypes', [
        `unknown event type(s): ${unknown.join(', ')}; see GET /api/events/types, or register an application type with POST /api/events/types`,
      ]);
    }
  }

  /** The registered type `name` of the tenant, for publishing; 422 naming `eventType` otherwise. */
  async publishableType(tenantId: string, name: string): Promise<EventTypeDefinition> {
    if (isReservedEventName(name)) {
      throw WebhookError.onField(WebhookErrorCode.EventTypeReserved, 'eventType', [`${name} is an event of this service and cannot be published through the API`]);
    }
    const cacheKey = `${tenantId}/${name}`;
    const type = this.registered.get(cacheKey) ?? (await contextOrFork(this.em).findOne(EventTypeDefinition, { tenantId, name }));
    if (type) this.registered.set(cacheKey, type);
    if (!type) {
      throw WebhookError.onField(WebhookErrorCode.UnknownEventType, 'eventType', [`${name} is not a registered event type; register it with POST /api/events/types`]);
    }
    return type;
  }

  /** 422 naming the fields of `data` that break the type's schema. */
  assertMatchesSchema(type: EventTypeDefinition, data: unknown): void {
    if (!type.schema) return;
    const validate = this.validatorFor(type);
    if (validate(data)) return;
    const errors = (validate.errors ?? []).map((error) => ({
      field: `data${error.instancePath.replace(/\//g, '.')}`,
      messages: [error.message ?? 'does not match the schema'],
    }));
    throw new WebhookError(WebhookErrorCode.DataDoesNotMatchSchema, `data does not match the schema of ${type.name}`, { errors });
  }

  /** 422 naming `schema` when ajv cannot compile it. */
  assertValidSchema(schema: Record<string, unknown>): void {
    try {
      this.ajv.compile(schema);
    } catch (error) {
      throw WebhookError.onField(WebhookErrorCode.InvalidSchema, 'schema', [`not a valid JSON schema: ${(error as Error).message}`]);
    }
  }

  private validatorFor(type: EventTypeDefinition): ValidateFunction {
    let validate = this.validators.get(type.id);
    if (!validate) {
      validate = this.ajv.compile(type.schema!);
      this.validators.set(type.id, validate);
    }
    return validate;
  }
}
