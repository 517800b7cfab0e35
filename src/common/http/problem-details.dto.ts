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

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'Invalid request: scopes' })
  detail: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' })
  code: string;

  @ApiPropertyOptional({ example: '/api/apikeys' })
  instance?: string;

  @ApiPropertyOptional({ example: 'req-8f14e45f' })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per invalid field (validation errors only)' })
  errors?: FieldErrorDto[];
}
