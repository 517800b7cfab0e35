import { readSyncSchedule } from './sync-schedule';

describe('recurring sync schedule', () => {
  it('reads a schedule, Import by default', () => {
    expect(readSyncSchedule({ sync: { schedule: { syncType: 'Incremental', everyMinutes: 60 } } })).toEqual({ schedule: { syncType: 'Incremental', direction: 'Import', everyMinutes: 60 } });
    expect(readSyncSchedule({ sync: {} })).toEqual({ schedule: null });
  });

  it('names what is wrong instead of guessing', () => {
    expect(readSyncSchedule({ sync: { schedule: { syncType: 'Hourly', everyMinutes: 60 } } }).problem).toContain('syncType');
    expect(readSyncSchedule({ sync: { schedule: { syncType: 'Full', everyMinutes: 5 } } }).problem).toContain('everyMinutes');
    expect(readSyncSchedule({ sync: { schedule: { syncType: 'Full', direction: 'Sideways', everyMinutes: 60 } } }).problem).toContain('direction');
  });

  it('reports a schedule that is not an object, and reads none from a sync that is not one', () => {
    for (const schedule of [null, 'hourly', 60, [{ syncType: 'Full', everyMinutes: 60 }]]) {
      expect(readSyncSchedule({ sync: { schedule } })).toEqual({ schedule: null, problem: expect.stringContaining('sync.schedule must be an object') });
    }
    expect(readSyncSchedule({ sync: null })).toEqual({ schedule: null });
    expect(readSyncSchedule({ sync: 'daily' })).toEqual({ schedule: null });
  });
});
