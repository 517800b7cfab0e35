import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { API_KEY_SECURITY, CurrentActor } from '../../../common/auth/auth.decorators';
import { SCOPES } from '../../../common/auth/scopes';
import type { Actor } from '../../../common/cqrs/actor';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';

export class CallerDto {
  @ApiProperty({ format: 'uuid' }) apiKeyId: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ enum: SCOPES, enumName: 'Scope', isArray: true }) scopes: string[];
}

/** Who am I: lets a client check its key and see its scopes, without needing any scope. Answered from memory. */
@ApiTags('API keys')
@ApiSecurity(API_KEY_SECURITY)
@Controller('api/me')
export class CallerController {
  @Get()
  @ApiOperation({ operationId: 'getCurrentCaller', summary: 'The API key making this call: its id, tenant and scopes' })
  @ApiOkResponse({ type: CallerDto })
  @ApiUnauthorizedResponse({ description: 'Missing, unknown, revoked or expired API key', type: ProblemDetailsDto })
  getCurrentCaller(@CurrentActor() actor: Actor): CallerDto {
    return { apiKeyId: actor.apiKeyId!, tenantId: actor.tenantId, scopes: [...actor.scopes] };
  }
}
