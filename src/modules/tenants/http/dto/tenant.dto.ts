import { ApiProperty } from '@nestjs/swagger';
import { IntField, StringField } from '../../../../common/http/fields';
import { PageOf } from '../../../../common/http/pagination';
import { CreatedApiKeyDto } from '../../../api-keys/http/dto/api-key.dto';
import type { Tenant } from '../../domain/tenant.entity';

const NAME = { maxLength: 200, example: 'Acme Events Ltd' };
const MAX_ACTIVE_API_KEYS = { minimum: 1, maximum: 100_000, example: 100, description: 'Active API keys this tenant may hold (default API_KEYS_MAX_ACTIVE_PER_TENANT)' };
const MAX_WEBHOOKS = { minimum: 1, maximum: 10_000, example: 50, description: 'Webhooks this tenant may have, BR-WH-07 (default WEBHOOKS_MAX_PER_TENANT)' };
const LOWERING = 'null returns to the default. A limit below what the tenant already holds is accepted: it only refuses new ones until the count drops under it.';

export class CreateTenantDto {
  @StringField(NAME)
  name: string;

  @IntField({ ...MAX_ACTIVE_API_KEYS, optional: true })
  maxActiveApiKeys?: number;

  @IntField({ ...MAX_WEBHOOKS, optional: true })
  maxWebhooks?: number;
}

/** A partial update: absent fields stay as they are; at least one must be given. */
export class UpdateTenantDto {
  @StringField({ ...NAME, optional: true, nullable: false })
  name?: string;

  @IntField({ ...MAX_ACTIVE_API_KEYS, description: `${MAX_ACTIVE_API_KEYS.description}; ${LOWERING}`, optional: true, nullable: true })
  maxActiveApiKeys?: number | null;

  @IntField({ ...MAX_WEBHOOKS, description: `${MAX_WEBHOOKS.description}; ${LOWERING}`, optional: true, nullable: true })
  maxWebhooks?: number | null;
}

export const UPDATE_TENANT_FIELDS = ['name', 'maxActiveApiKeys', 'maxWebhooks'] as const;

export class TenantDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Events Ltd' }) name: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: API_KEYS_MAX_ACTIVE_PER_TENANT applies' }) maxActiveApiKeys: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: WEBHOOKS_MAX_PER_TENANT applies' }) maxWebhooks: number | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;

  static from(tenant: Tenant): TenantDto {
    return {
      id: tenant.id,
      name: tenant.name,
      maxActiveApiKeys: tenant.maxActiveApiKeys,
      maxWebhooks: tenant.maxWebhooks,
      createdAt: tenant.createdAt.toISOString(),
    };
  }
}

export class CreatedTenantDto {
  @ApiProperty({ type: TenantDto }) tenant: TenantDto;

  @ApiProperty({ type: CreatedApiKeyDto, description: "The tenant's first admin key (every scope but platform:admin). Shown once." })
  adminKey: CreatedApiKeyDto;
}

export const TenantPageDto = PageOf(TenantDto, 'TenantPage');
