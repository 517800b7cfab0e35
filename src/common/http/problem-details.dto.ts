import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'scopes' })
  field: string;

  @ApiProperty({ type: [String], example: ['scopes must contain at least 1 elements'] })
  messages: string[];
}

/** RFC 9457 problem details, as documented in the OpenAPI spec. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'urn:integration-hub:problem:validation_failed' })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ example: 'Invalid request: scopes' })
  detail: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' })
  code: string;

  @ApiPropertyOptional({ example: '/api/apikeys' })
  instance?: string;

  @ApiPropertyOptional({ example: 'req-8f14e45f' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per field to blame: validation errors, and refusals of one field (`body`, `content-type`, `data`…)' })
  errors?: FieldErrorDto[];

  // Some of the members problems add (DomainError extensions), those a client is likeliest to act on, typed. The
  // schema does not forbid others (no additionalProperties: false), and some problems carry more.

  @ApiPropertyOptional({ type: [String], example: ['webhook:manage'], description: '403 `auth.missing_scope`: the scopes the key lacks' })
  missingScopes?: string[];

  @ApiPropertyOptional({ type: 'integer', example: 1800, description: '429 `auth.rate_limited`: seconds until the hourly budget resets (as `Retry-After`)' })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ format: 'date-time', description: '409 `datasync.too_frequent`: when a sync of this integration may start again' })
  nextAllowedAt?: string;

  @ApiPropertyOptional({ example: 'Completed', description: '409 `datasync.already_finished`: the status the job ended in' })
  jobStatus?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '503 `health.not_ready`: every check and its state' })
  checks?: Record<string, unknown>;
}
