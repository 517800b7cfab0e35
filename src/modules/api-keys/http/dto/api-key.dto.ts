import { ApiProperty } from '@nestjs/swagger';
import { SCOPES } from '../../../../common/auth/scopes';
import { DateTimeField, EnumArrayField, EnumField, IntField, StringField } from '../../../../common/http/fields';
import { iso } from '../../../../common/http/iso';
import { PageOf, PageQueryDto } from '../../../../common/http/pagination';
import { API_KEY_STATUSES, ApiKey, ApiKeyStatus } from '../../domain/api-key.entity';

export class CreateApiKeyDto {
  @StringField({ maxLength: 100, example: 'Mobile App API Key', description: 'A name that says what uses the key' })
  keyName: string;

  @EnumArrayField(SCOPES, { enumName: 'Scope', example: ['integration:read'], description: 'At least one; only scopes your own key holds' })
  scopes: string[];

  @DateTimeField({ optional: true, example: '2027-12-31T23:59:59Z', description: 'When the key stops working; must be in the future' })
  expiresAt?: Date;

  @IntField({ minimum: 1, maximum: 10_000, optional: true, example: 1000, description: 'Requests per hour; defaults to API_KEYS_DEFAULT_RATE_LIMIT_PER_HOUR' })
  rateLimitPerHour?: number;
}

/** A partial update: absent fields stay as they are; null is refused, as no field can be emptied. */
export class UpdateApiKeyDto {
  @StringField({ maxLength: 100, optional: true, nullable: false, example: 'Mobile App (read only)' })
  keyName?: string;

  @EnumArrayField(SCOPES, { enumName: 'Scope', optional: true, nullable: false, example: ['integration:read'], description: 'Can only narrow the current scopes' })
  scopes?: string[];

  @IntField({ minimum: 1, maximum: 10_000, optional: true, nullable: false, example: 500 })
  rateLimitPerHour?: number;
}

export const UPDATE_API_KEY_FIELDS = ['keyName', 'scopes', 'rateLimitPerHour'] as const;

export class RevokeApiKeyQueryDto {
  @StringField({ maxLength: 500, optional: true, example: 'Leaked in a public repository', description: 'Why the key is revoked (audit trail)' })
  reason?: string;
}

export class RotateApiKeyDto {
  @IntField({
    minimum: 0,
    maximum: 30 * 24 * 3600,
    optional: true,
    example: 86400,
    description: 'Seconds the old key keeps working; 0 revokes it now. Defaults to API_KEYS_ROTATION_GRACE_SECONDS (24 h).',
  })
  gracePeriodSeconds?: number;
}

export class ListApiKeysQueryDto extends PageQueryDto {
  @EnumField(API_KEY_STATUSES, { enumName: 'ApiKeyStatus', optional: true })
  status?: ApiKeyStatus;
}

/** An API key as every read shows it: never the secret, never its hash. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ example: 'Mobile App API Key' }) keyName: string;
  @ApiProperty({ example: 'ihk_4f9Q', description: 'The first 8 characters of the key, to recognise it' }) keyPrefix: string;
  @ApiProperty({ enum: SCOPES, enumName: 'Scope', isArray: true }) scopes: string[];
  @ApiProperty({ enum: API_KEY_STATUSES, enumName: 'ApiKeyStatus' }) status: ApiKeyStatus;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: 'integer' }) usageCount: number;
  @ApiProperty({ type: 'integer', example: 1000 }) rateLimitPerHour: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API key that created it' }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) modifiedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) revokedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) revocationReason: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The key that replaced it by rotation' }) rotatedToId: string | null;

  static from(key: ApiKey, now = new Date()): ApiKeyDto {
    return {
      id: key.id,
      tenantId: key.tenantId,
      keyName: key.keyName,
      keyPrefix: key.keyPrefix,
      scopes: key.scopes,
      status: key.status(now),
      isActive: key.isActive,
      expiresAt: iso(key.expiresAt),
      lastUsedAt: iso(key.lastUsedAt),
      usageCount: Number(key.usageCount),
      rateLimitPerHour: key.rateLimitPerHour,
      createdAt: key.createdAt.toISOString(),
      createdBy: key.createdBy,
      modifiedAt: iso(key.modifiedAt),
      revokedAt: iso(key.revokedAt),
      revokedBy: key.revokedBy,
      revocationReason: key.revocationReason,
      rotatedToId: key.rotatedToId,
    };
  }
}

/** The answer to generate and rotate: the only time the secret is ever shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ example: 'ihk_4f9QeXample00000000000000000000000000000A1b2C3', description: 'The key itself. Shown once: store it now.' })
  key: string;

  static withSecret(key: ApiKey, token: string): CreatedApiKeyDto {
    return { ...ApiKeyDto.from(key), key: token };
  }
}

export class RotatedApiKeyDto {
  @ApiProperty({ type: CreatedApiKeyDto, description: 'The new key, with its secret (shown once)' })
  current: CreatedApiKeyDto;

  @ApiProperty({ type: ApiKeyDto, description: 'The old key; it works until its expiresAt (the grace period) unless revoked' })
  previous: ApiKeyDto;
}

export const ApiKeyPageDto = PageOf(ApiKeyDto, 'ApiKeyPage');
