import { nextAllowedAt, progressOf, runsAt, syncBlocker } from './sync-rules';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const windows = { Full: DAY, Incremental: HOUR };
const at = (iso: string) => new Date(iso);

describe('nextAllowedAt (BR-DS-01/02)', () => {
  const t = at('2026-05-10T12:00:00.000Z');

  it('allows a sync with no other of its type within the window, and any type without a window', () => {
    expect(nextAllowedAt('Full', t, [], windows)).toBeNull();
    expect(nextAllowedAt('Full', t, [new Date(t.getTime() - DAY)], windows)).toBeNull(); // exactly a day apart
    expect(nextAllowedAt('Incremental', t, [new Date(t.getTime() + 2 * HOUR)], windows)).toBeNull();
    expect(nextAllowedAt('Differential', t, [t], windows)).toBeNull();
  });

  it('answers a window after the latest clashing sync, before or after the requested time', () => {
    expect(nextAllowedAt('Full', t, [new Date(t.getTime() - 2 * HOUR)], windows)).toEqual(new Date(t.getTime() + 22 * HOUR));
    expect(nextAllowedAt('Full', t, [new Date(t.getTime() + 5 * HOUR)], windows)).toEqual(new Date(t.getTime() + 29 * HOUR));
    expect(nextAllowedAt('Incremental', t, [new Date(t.getTime() - 30 * 60_000), new Date(t.getTime() + 10 * 60_000), new Date(t.getTime() - 3 * HOUR)], windows)).toEqual(
      new Date(t.getTime() + 70 * 60_000),
    );
  });
});

describe('runsAt', () => {
  it('is the scheduled time when it is ahead of the creation, and the creation when the job was scheduled in the past', () => {
    const createdAt = at('2026-05-10T12:00:00.000Z');
    expect(runsAt(at('2026-05-11T08:00:00.000Z'), createdAt)).toEqual(at('2026-05-11T08:00:00.000Z'));
    expect(runsAt(at('2026-04-11T12:00:00.000Z'), createdAt)).toEqual(createdAt);
  });
});

describe('progressOf (UC-DS-03)', () => {
  const now = at('2026-05-10T12:01:00.000Z');
  const startedAt = at('2026-05-10T12:00:00.000Z');

  it('gives percent, remaining, rate and the completion time at the current pace', () => {
    const progress = progressOf({ recordsTotal: 200, recordsProcessed: 50, recordsFailed: 10, startedAt, completedAt: null }, now);
    expect(progress).toEqual({ percent: 30, recordsRemaining: 140, recordsPerSecond: 1, estimatedCompletionAt: new Date(now.getTime() + 140_000) });
    expect(progressOf({ recordsTotal: 3, recordsProcessed: 1, recordsFailed: 0, startedAt, completedAt: null }, now).percent).toBe(33.3);
  });

  it('knows nothing of the pace before the start, nor of the percent while the total is unknown', () => {
    expect(progressOf({ recordsTotal: 100, recordsProcessed: 0, recordsFailed: 0, startedAt: null, completedAt: null }, now)).toEqual({
      percent: 0,
      recordsRemaining: 100,
      recordsPerSecond: null,
      estimatedCompletionAt: null,
    });
    expect(progressOf({ recordsTotal: 0, recordsProcessed: 0, recordsFailed: 0, startedAt, completedAt: null }, now)).toMatchObject({ percent: null, estimatedCompletionAt: null });
  });

  it('never goes past 100% when the source under-announced its total', () => {
    expect(progressOf({ recordsTotal: 10, recordsProcessed: 12, recordsFailed: 3, startedAt, completedAt: null }, now)).toMatchObject({ percent: 100, recordsRemaining: 0, estimatedCompletionAt: null });
  });

  it('reports a finished job at 100% with its average rate and its real end', () => {
    const completedAt = at('2026-05-10T12:00:20.000Z');
    expect(progressOf({ recordsTotal: 500, recordsProcessed: 490, recordsFailed: 10, startedAt, completedAt }, now)).toEqual({
      percent: 100,
      recordsRemaining: 0,
      recordsPerSecond: 25,
      estimatedCompletionAt: completedAt,
    });
    expect(progressOf({ recordsTotal: 0, recordsProcessed: 0, recordsFailed: 0, startedAt, completedAt }, now).percent).toBe(100);
  });
});

describe('syncBlocker (§7.4)', () => {
  it('lets only an Active and enabled integration be synced', () => {
    expect(syncBlocker({ status: 'Active', isEnabled: true })).toBeNull();
    expect(syncBlocker({ status: 'Active', isEnabled: false })).toBe('disabled');
    for (const status of ['Draft', 'PendingValidation', 'Suspended', 'Disconnected', 'Error']) {
      expect(syncBlocker({ status, isEnabled: true })).toBe('not-active');
    }
  });
});
