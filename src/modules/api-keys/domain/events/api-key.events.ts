import { DomainEvent, EventType } from '../../../../common/events/domain-event';

@EventType('APIKeyGenerated', { resource: 'api_key' })
export class ApiKeyGeneratedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly keyName: string,
    readonly keyPrefix: string,
    readonly scopes: string[],
    readonly expiresAt: string | null,
    readonly rateLimitPerHour: number,
    readonly createdBy: string | null,
  ) {}
}

@EventType('APIKeyUpdated', { resource: 'api_key' })
export class ApiKeyUpdatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly changes: { keyName?: string; scopes?: string[]; rateLimitPerHour?: number },
    readonly modifiedBy: string | null,
  ) {}
}

@EventType('APIKeyRotated', { resource: 'api_key' })
export class ApiKeyRotatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly newApiKeyId: string,
    readonly oldKeyValidUntil: string,
    readonly rotatedBy: string | null,
  ) {}
}

@EventType('APIKeyRevoked', { resource: 'api_key' })
export class ApiKeyRevokedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly keyName: string,
    readonly revokedBy: string | null,
    readonly revokedAt: string,
    readonly reason: string,
  ) {}
}
