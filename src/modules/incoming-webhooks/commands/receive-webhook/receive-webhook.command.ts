import { Command } from '@nestjs/cqrs';
import { WithoutUnitOfWork } from '../../../../common/cqrs/command-pipeline';

export interface ReceivedWebhook {
  id: string;
  duplicate: boolean;
}

/**
 * A provider's callback, exactly as it arrived: the signature is checked over these bytes. Stored by one
 * statement (InboundEventWriter), so it needs no transaction around it.
 */
@WithoutUnitOfWork()
export class ReceiveWebhookCommand extends Command<ReceivedWebhook> {
  constructor(
    readonly integrationId: string,
    readonly rawBody: Buffer,
    readonly headers: Record<string, string | string[] | undefined>,
    readonly sourceIp: string,
    readonly requestId: string,
  ) {
    super();
  }
}
