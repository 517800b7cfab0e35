import { ApiProperty } from '@nestjs/swagger';
import { IntField, StringField } from '../../../../common/http/fields';
import { PageOf } from '../../../../common/http/pagination';
import { CreatedApiKeyDto } from '../../../api-keys/http/dto/api-key.dto';
import type { Tenant } from '../../domain/tenant.entity';

export class CreateTenantDto {
  @StringField({ maxLength: 200, example: 'Acme Events Ltd' })
  name: string;

  @IntField({ minimum: 1, maximum: 100_000, optional: true, example: 100, description: 'Active API keys this tenant may hold (default API_KEYS_MAX_ACTIVE_PER_TENANT)' })
  maxActiveApiKeys?: number;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Events Ltd' }) name: string;
  @ApiProperty({ type: 'integer', nullable: true }) maxActiveApiKeys: number | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;

  static from(tenant: Tenant): TenantDto {
    return { id: tenant.id, name: tenant.name, maxActiveApiKeys: tenant.maxActiveApiKeys, createdAt: tenant.createdAt.toISOString() };
  }
}

export class CreatedTenantDto {
  @ApiProperty({ type: TenantDto }) tenant: TenantDto;

  @ApiProperty({ type: CreatedApiKeyDto, description: "The tenant's first admin key (every scope but platform:admin). Shown once." })
  adminKey: CreatedApiKeyDto;
}

export const TenantPageDto = PageOf(TenantDto, 'TenantPage');
