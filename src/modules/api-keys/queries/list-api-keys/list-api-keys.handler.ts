import { InjectRepository } from '@mikro-orm/nestjs';
import type { FilterQuery } from '@mikro-orm/core';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { ListApiKeysQuery } from './list-api-keys.query';

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery> {
  constructor(@InjectRepository(ApiKey) private readonly keys: ApiKeyRepository) {}

  async execute({ tenantId, page, pageSize, status }: ListApiKeysQuery): Promise<Page<ApiKey>> {
    const now = new Date();
    const where: FilterQuery<ApiKey> = { tenantId };
    if (status === 'Revoked') where.isActive = false;
    if (status === 'Active') Object.assign(where, { isActive: true, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] });
    if (status === 'Expired') Object.assign(where, { isActive: true, expiresAt: { $lte: now } });
    const [items, total] = await this.keys.findAndCount(where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items, total, page, pageSize };
  }
}
