import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
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
    // Two concurrent registrations of one name: the unique index (tenant_id, name) lets only one commit.
    if (await this.em.count(EventTypeDefinition, { tenantId: actor.tenantId, name })) {
      throw WebhookError.onField(WebhookErrorCode.EventTypeExists, 'name', [`${name} is already registered`]);
    }
    const type = EventTypeDefinition.register(actor.tenantId, name, description, schema, actor.apiKeyId);
    this.em.persist(type);
    return type;
  }
}
