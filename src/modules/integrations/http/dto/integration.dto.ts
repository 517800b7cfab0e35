import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsDefined, IsIn } from 'class-validator';
import { BooleanField, EnumField, fieldDoc, StringField } from '../../../../common/http/fields';
import { iso } from '../../../../common/http/iso';
import { PageOf, PageQueryDto } from '../../../../common/http/pagination';
import { IgnoresUnknownFields } from '../../../../common/http/validation';
import type { Integration } from '../../domain/integration.entity';
import type { IntegrationLog } from '../../domain/integration-log.entity';
import type { IntegrationSettings } from '../../domain/integration-settings.entity';
import {
  HEALTH_STATUSES,
  HealthStatus,
  INTEGRATION_STATUSES,
  INTEGRATION_TYPES,
  IntegrationStatus,
  IntegrationType,
  LOG_LEVELS,
  LogLevel,
  PROBE_FAILURES,
  ProbeFailure,
  ProbeOutcome,
} from '../../domain/integration-types';

const CONFIGURATION_DESCRIPTION =
  'Provider settings and credentials as a JSON object (or a string holding one), at most 10 KB. Stored encrypted; ' +
  'reads show secret fields as "********", and sending "********" back keeps the stored secret. Fields per provider: ' +
  'Stripe {apiKey, webhookSecret?, currency?}; PayPal {clientId, clientSecret, currency?}; SendGrid {apiKey, fromEmail, testRecipient?}; ' +
  'Twilio {accountSid, authToken, fromNumber, testToNumber?}; HubSpot {accessToken}; GoogleCalendar {clientId, clientSecret, calendarId?, scopes?}; ' +
  'MicrosoftOutlook {clientId, clientSecret, directoryTenant?, scopes?}; Custom {baseUrl, healthPath?, testPath?, auth?: {type: none|header|bearer|basic|oauth2_client_credentials, …}}.';

/** The configuration is free-form per provider: documented as an object, checked by the provider's adapter. */
function ConfigurationField(optional: boolean) {
  const options = { description: CONFIGURATION_DESCRIPTION, type: 'object', additionalProperties: true, example: { apiKey: 'sk_test_…', currency: 'USD' } } as const;
  return applyDecorators(...fieldDoc({ ...options, optional, nullable: false }), IsDefined({ message: optional ? 'configuration must not be null' : 'configuration is required' }));
}

export class CreateIntegrationDto {
  @StringField({ maxLength: 200, example: 'Stripe Payment Gateway' })
  name: string;

  @EnumField(INTEGRATION_TYPES, { enumName: 'IntegrationType', example: 'PaymentGateway' })
  integrationType: IntegrationType;

  @StringField({ maxLength: 100, example: 'Stripe', description: 'Stripe, PayPal, SendGrid, Twilio, GoogleCalendar, MicrosoftOutlook, HubSpot, or Custom (any type)' })
  provider: string;

  @ConfigurationField(false)
  configuration: Record<string, unknown> | string;
}

/** A partial update: absent fields stay as they are; null is refused, as none of them can be emptied. */
export class UpdateIntegrationDto {
  @StringField({ maxLength: 200, optional: true, nullable: false })
  name?: string;

  @BooleanField({ optional: true, nullable: false, description: 'A disabled integration keeps its status but is not health-checked' })
  isEnabled?: boolean;

  @ConfigurationField(true)
  configuration?: Record<string, unknown> | string;
}

export const UPDATE_INTEGRATION_FIELDS = ['name', 'isEnabled', 'configuration'] as const;

export class DisconnectIntegrationQueryDto {
  @StringField({ maxLength: 500, optional: true, example: 'Moving to another provider', description: 'Why (audit trail, events)' })
  reason?: string;
}

export class ReviewIntegrationDto {
  @StringField({ maxLength: 1000, example: 'Provider account re-enabled; credentials checked', description: 'What the review found (BR-IM-05)' })
  note: string;
}

export class StartAuthorizationDto {
  @StringField({
    maxLength: 2000,
    optional: true,
    example: 'https://hub.example.com/api/integrations/oauth/callback',
    description: 'Where the provider sends the user back: https (plain http only to localhost), registered with the OAuth client. Defaults to INTEGRATIONS_OAUTH_REDIRECT_URL.',
  })
  redirectUri?: string;
}

/** The provider's redirect: its own extra parameters (authuser, prompt, hd, session_state, iss…) are dropped. */
@IgnoresUnknownFields()
export class OAuthCallbackQueryDto {
  @StringField({ maxLength: 200 })
  state: string;

  @StringField({ maxLength: 4000, optional: true })
  code?: string;

  @StringField({ maxLength: 200, optional: true })
  error?: string;

  @StringField({ maxLength: 2000, optional: true })
  error_description?: string;

  @StringField({ maxLength: 2000, optional: true })
  scope?: string;
}

export class ListIntegrationsQueryDto extends PageQueryDto {
  @EnumField(INTEGRATION_TYPES, { enumName: 'IntegrationType', optional: true })
  type?: IntegrationType;

  @EnumField(INTEGRATION_STATUSES, { enumName: 'IntegrationStatus', optional: true })
  status?: IntegrationStatus;

  @StringField({ maxLength: 100, optional: true, description: 'Provider name, any case' })
  provider?: string;
}

export class ListIntegrationLogsQueryDto extends PageQueryDto {
  @EnumField(LOG_LEVELS, { enumName: 'IntegrationLogLevel', optional: true })
  logLevel?: LogLevel;
}

export class UpdateIntegrationSettingsDto {
  @ApiProperty({
    enum: INTEGRATION_TYPES,
    enumName: 'IntegrationType',
    isArray: true,
    uniqueItems: true,
    description: 'Kinds of which the tenant may have only one Active integration (BR-IM-01); empty lets every kind have several',
  })
  @IsArray()
  @ArrayUnique()
  @IsIn(INTEGRATION_TYPES as unknown as string[], { each: true })
  singleProviderTypes: IntegrationType[];
}

/** An integration in a list: everything but its configuration. */
export class IntegrationSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Stripe Payment Gateway' }) name: string;
  @ApiProperty({ enum: INTEGRATION_TYPES, enumName: 'IntegrationType' }) integrationType: IntegrationType;
  @ApiProperty({ example: 'Stripe' }) provider: string;
  @ApiProperty({ enum: INTEGRATION_STATUSES, enumName: 'IntegrationStatus' }) status: IntegrationStatus;
  @ApiProperty({ type: String, nullable: true, description: 'Why it is in this status' }) statusReason: string | null;
  @ApiProperty() isEnabled: boolean;
  @ApiProperty({ enum: HEALTH_STATUSES, enumName: 'HealthStatus' }) healthStatus: HealthStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastHealthCheck: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSyncTime: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API key that created it' }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) modifiedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) modifiedBy: string | null;

  static from(integration: Integration): IntegrationSummaryDto {
    return {
      id: integration.id,
      name: integration.name,
      integrationType: integration.integrationType,
      provider: integration.provider,
      status: integration.status,
      statusReason: integration.statusReason,
      isEnabled: integration.isEnabled,
      healthStatus: integration.healthStatus,
      lastHealthCheck: iso(integration.lastHealthCheck),
      lastSyncTime: iso(integration.lastSyncTime),
      createdAt: integration.createdAt.toISOString(),
      createdBy: integration.createdBy,
      modifiedAt: iso(integration.modifiedAt),
      modifiedBy: integration.modifiedBy,
    };
  }
}

/** One integration, with its configuration masked and, for OAuth providers, whether it holds tokens. */
export class IntegrationDto extends IntegrationSummaryDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The configuration with every secret shown as "********"' })
  configuration: Record<string, unknown>;

  @ApiProperty({ description: 'OAuth providers: whether access was granted and tokens are stored' }) authorized: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) accessTokenExpiresAt: string | null;

  static withConfiguration(integration: Integration, maskedConfiguration: Record<string, unknown>): IntegrationDto {
    return {
      ...IntegrationSummaryDto.from(integration),
      configuration: maskedConfiguration,
      authorized: integration.sealedOAuthTokens !== null,
      accessTokenExpiresAt: iso(integration.oauthTokenExpiresAt),
    };
  }
}

export class IntegrationHealthDto {
  @ApiProperty({ format: 'uuid' }) integrationId: string;
  @ApiProperty({ enum: INTEGRATION_STATUSES, enumName: 'IntegrationStatus' }) status: IntegrationStatus;
  @ApiProperty({ enum: HEALTH_STATUSES, enumName: 'HealthStatus' }) healthStatus: HealthStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastHealthCheck: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastResponseTimeMs: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Running average (EWMA) of response times' }) averageResponseTimeMs: number | null;
  @ApiProperty({ type: 'integer' }) consecutiveFailures: number;
  @ApiProperty({ type: 'integer' }) healthChecks: number;
  @ApiProperty({ type: 'integer' }) failedHealthChecks: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Share of health checks that passed, 0 to 1' }) successRate: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;

  static from(integration: Integration): IntegrationHealthDto {
    return {
      integrationId: integration.id,
      status: integration.status,
      healthStatus: integration.healthStatus,
      lastHealthCheck: iso(integration.lastHealthCheck),
      lastResponseTimeMs: integration.lastResponseTimeMs,
      averageResponseTimeMs: integration.averageResponseTimeMs === null ? null : Math.round(integration.averageResponseTimeMs),
      consecutiveFailures: integration.consecutiveFailures,
      healthChecks: integration.healthChecks,
      failedHealthChecks: integration.failedHealthChecks,
      successRate: integration.healthChecks ? (integration.healthChecks - integration.failedHealthChecks) / integration.healthChecks : null,
      lastError: integration.lastError,
    };
  }
}

export class IntegrationTestResultDto {
  @ApiProperty() success: boolean;
  @ApiPropertyOptional({ enum: PROBE_FAILURES, enumName: 'IntegrationFailureKind', description: 'authentication suspends; configuration keeps it from activating; unavailable is transient' })
  failure?: ProbeFailure;
  @ApiProperty({ example: 'Credentials validated and test passed' }) message: string;
  @ApiProperty({ type: 'integer' }) responseTimeMs: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the provider said (ids of test objects), never credentials' }) details: Record<string, unknown>;
  @ApiProperty({ type: IntegrationSummaryDto, description: 'The integration after the test' }) integration: IntegrationSummaryDto;

  static from(outcome: ProbeOutcome, integration: Integration): IntegrationTestResultDto {
    return {
      success: outcome.ok,
      failure: outcome.failure,
      message: outcome.message,
      responseTimeMs: Math.round(outcome.responseTimeMs),
      details: outcome.details ?? {},
      integration: IntegrationSummaryDto.from(integration),
    };
  }
}

export class AuthorizationStartedDto {
  @ApiProperty({ description: 'Send the user here to grant access' }) authorizationUrl: string;
  @ApiProperty({ description: 'One-time value the provider echoes to the callback' }) state: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt: string;
}

export class IntegrationLogDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) integrationId: string;
  @ApiProperty({ enum: LOG_LEVELS, enumName: 'IntegrationLogLevel' }) logLevel: LogLevel;
  @ApiProperty() message: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) details: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) exception: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The request or job that caused it' }) requestId: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;

  static from(log: IntegrationLog): IntegrationLogDto {
    return {
      id: log.id,
      integrationId: log.integrationId,
      logLevel: log.logLevel,
      message: log.message,
      details: log.details,
      exception: log.exception,
      requestId: log.requestId,
      createdAt: log.createdAt.toISOString(),
    };
  }
}

export class IntegrationSettingsViewDto {
  @ApiProperty({ enum: INTEGRATION_TYPES, enumName: 'IntegrationType', isArray: true }) singleProviderTypes: IntegrationType[];

  static from(settings: IntegrationSettings): IntegrationSettingsViewDto {
    return { singleProviderTypes: settings.singleProviderTypes };
  }
}

export const IntegrationPageDto = PageOf(IntegrationSummaryDto, 'IntegrationPage');
export const IntegrationLogPageDto = PageOf(IntegrationLogDto, 'IntegrationLogPage');
