import { isoFromPgTimestamp, isoFromPgTimestampOrNull } from './pg-timestamp';

describe('isoFromPgTimestamp', () => {
  it.each([
    '2026-11-23 18:00:31.123456+00',
    '2026-11-23 18:00:31.999999+00',
    '2026-11-23 18:00:31.12+00',
    '2026-11-23 18:00:31.1+00',
    '2026-11-23 18:00:31+00',
    '2026-11-23 18:00:31.123+00',
    // Another session time zone: not the fast path, same answer.
    '2026-11-23 19:00:31.5+01',
    '2026-11-23 13:30:31.5-04:30',
  ])('writes %s as Date would', (text) => {
    expect(isoFromPgTimestamp(text)).toBe(new Date(text).toISOString());
  });

  it('keeps null', () => {
    expect(isoFromPgTimestampOrNull(null)).toBeNull();
    expect(isoFromPgTimestampOrNull('2026-01-02 03:04:05+00')).toBe('2026-01-02T03:04:05.000Z');
  });
});
