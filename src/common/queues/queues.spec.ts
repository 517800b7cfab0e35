// Bull's own backoff arithmetic, so the figure below is what Bull will wait, not our reading of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const backoffs = require('bull/lib/backoffs') as { normalize(backoff: unknown): unknown; calculate(backoff: unknown, attemptsMade: number, customStrategies: object): number };
import { DURABLE_JOB } from './queues';

describe('DURABLE_JOB', () => {
  it('retries for about 18 hours in all before a job is left failed', () => {
    const backoff = backoffs.normalize(DURABLE_JOB.backoff);
    let waitedMs = 0;
    for (let attemptsMade = 1; attemptsMade < DURABLE_JOB.attempts!; attemptsMade++) waitedMs += backoffs.calculate(backoff, attemptsMade, {});
    const hours = waitedMs / 3_600_000;
    expect(hours).toBeGreaterThan(12);
    expect(hours).toBeLessThan(24);
  });
});
