import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { API_KEY_SECURITY, AuthenticatedRequest } from '../../../common/auth/auth.decorators';
import { SCOPES } from '../../../common/auth/scopes';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';

export class CallerDto {
  @ApiProperty({ format: 'uuid' }) apiKeyId: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ enum: SCOPES, enumName: 'Scope', isArray: true }) scopes: string[];
}

/**
 * Who am I: lets a client check its key and see its scopes, without needing any scope. Answered from memory.
 * It takes the request (@Req) rather than @CurrentActor(): Nest passes a custom parameter through every global pipe
 * (the ValidationPipe, which skips it) in a chain of a dozen promises, a third of this route's promises; a plain
 * @Req() is not piped. Routes with a body or query to validate pay for the pipes anyway.
 */
@ApiTags('API keys')
@ApiSecurity(API_KEY_SECURITY)
@Controller('api/me')
export class CallerController {
  @Get()
  @ApiOperation({ operationId: 'getCurrentCaller', summary: 'The API key making this call: its id, tenant and scopes' })
  @ApiOkResponse({ type: CallerDto })
  @ApiUnauthorizedResponse({ description: 'Missing, unknown, revoked or expired API key', type: ProblemDetailsDto })
  getCurrentCaller(@Req() request: AuthenticatedRequest): CallerDto {
    // Not @Public(), so the API key guard has put the caller on the request.
    const actor = request.actor!;
    return { apiKeyId: actor.apiKeyId!, tenantId: actor.tenantId, scopes: [...actor.scopes] };
  }
}
