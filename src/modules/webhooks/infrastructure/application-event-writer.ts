import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { insertOutboxRows, OutboxRow } from '../../../common/outbox/insert-outbox-rows';

/** Events written per statement at most, and the longest a publication waits for others to join it. */
const BATCH_ITEMS = 200;
const BATCH_WAIT_MS = 2;

/**
 * Writes published application events into the outbox, many per statement (group commit): POST /api/events is
 * the platform's hottest write, each publication needs a durable write before its 202, and one multi-row
 * statement costs about what one single-row transaction does. Each caller learns when *its* event is committed.
 */
@Injectable()
export class ApplicationEventWriter {
  private readonly batcher = new MicroBatcher<OutboxRow, void>((rows) => this.insert(rows), BATCH_ITEMS, BATCH_WAIT_MS);

  constructor(private readonly em: EntityManager) {}

  write(row: OutboxRow): Promise<void> {
    return this.batcher.add(row);
  }

  private async insert(rows: OutboxRow[]): Promise<void[]> {
    await insertOutboxRows(this.em.getConnection(), rows);
    return rows.map(() => undefined);
  }
}
