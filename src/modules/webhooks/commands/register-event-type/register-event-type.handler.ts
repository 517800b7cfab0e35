import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Tenant } from '../../../tenants/domain/tenant.entity';
import { isReservedEventName } from '../../domain/event-catalog';
import { EventTypeDefinition } from '../../domain/event-type-definition.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { RegisterEventTypeCommand } from './register-event-type.command';

@CommandHandler(RegisterEventTypeCommand)
export class RegisterEventTypeHandler implements ICommandHandler<RegisterEventTypeCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly catalog: EventTypeCatalog,
  ) {}

  async execute({ actor, name, description, schema }: RegisterEventTypeCommand): Promise<EventTypeDefinition> {
    if (isReservedEventName(name)) {
      throw WebhookError.onField(WebhookErrorCode.EventTypeReserved, 'name', [`${name} is an event of this service; choose another name`]);
    }
    if (schema) this.catalog.assertValidSchema(schema);
    // The tenant row is locked so that of two registrations of one name at once, the second counts after the first
    // committed and answers 409 naming it; unlocked, both counted nothing and the loser hit the unique index (500).
    await this.em.findOneOrFail(Tenant, actor.tenantId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (await this.em.count(EventTypeDefinition, { tenantId: actor.tenantId, name })) {
      throw WebhookError.onField(WebhookErrorCode.EventTypeExists, 'name', [`${name} is already registered`]);
    }
    const type = EventTypeDefinition.register(actor.tenantId, name, description, schema, actor.apiKeyId);
    this.em.persist(type);
    return type;
  }
}
