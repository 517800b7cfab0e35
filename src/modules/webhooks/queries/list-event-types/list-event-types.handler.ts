import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { subscribableDomainEventNames } from '../../domain/event-catalog';
import { EventTypeDefinition } from '../../domain/event-type-definition.entity';
import { CatalogEntry, ListEventTypesQuery } from './list-event-types.query';

/** The catalog: this service's domain event types first (by name), then the tenant's registered ones (by name). */
@QueryHandler(ListEventTypesQuery)
export class ListEventTypesHandler implements IQueryHandler<ListEventTypesQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, page, pageSize }: ListEventTypesQuery): Promise<Page<CatalogEntry>> {
    const builtIn: CatalogEntry[] = subscribableDomainEventNames().map((name) => ({ name, source: 'Domain', description: null, schema: null, createdAt: null }));
    const offset = (page - 1) * pageSize;
    const fromBuiltIn = builtIn.slice(offset, offset + pageSize);
    const registeredOffset = Math.max(0, offset - builtIn.length);
    const [registered, registeredTotal] = await this.em.findAndCount(
      EventTypeDefinition,
      { tenantId },
      { orderBy: { name: 'asc' }, offset: registeredOffset, limit: Math.max(1, pageSize - fromBuiltIn.length) },
    );
    const items = [
      ...fromBuiltIn,
      ...(fromBuiltIn.length < pageSize
        ? registered.map((type): CatalogEntry => ({ name: type.name, source: 'Application', description: type.description, schema: type.schema, createdAt: type.createdAt }))
        : []),
    ];
    return { items, total: builtIn.length + registeredTotal, page, pageSize };
  }
}
