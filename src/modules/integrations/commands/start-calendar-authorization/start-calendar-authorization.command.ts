import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';

export interface CalendarAuthorization {
  /** Send the user here to grant access (UC-IM-03 step 2). */
  authorizationUrl: string;
  state: string;
  expiresAt: Date;
}

/** UC-IM-03: starts the authorization-code flow with PKCE (S256) and a one-time state. */
export class StartCalendarAuthorizationCommand extends Command<CalendarAuthorization> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
    /** Where the provider sends the user back; INTEGRATIONS_OAUTH_REDIRECT_URL when not given. */
    readonly redirectUri: string | undefined,
  ) {
    super();
  }
}
