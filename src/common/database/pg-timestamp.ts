/**
 * A `timestamptz` as the pg driver hands it over in raw queries (text: MikroORM turns the driver's date parsing
 * off) turned into the API's ISO 8601 form, `2026-11-23T18:00:31.123Z`, without building a Date. In a UTC session
 * (the server default MikroORM expects) PostgreSQL writes `2026-11-23 18:00:31.123456+00`, which only needs its
 * separator, its fraction cut to milliseconds (as Date parsing truncates) and its offset rewritten; on the list
 * endpoint parsing and re-formatting Dates cost about as much as fetching the rows. Any other shape (another
 * session time zone, years past 9999) goes through Date, so the result never depends on the fast path.
 */
const UTC_TEXT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

export function isoFromPgTimestamp(text: string): string {
  const match = UTC_TEXT.exec(text);
  if (!match) return new Date(text).toISOString();
  const fraction = match[3];
  const millis = fraction === undefined ? '000' : fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
  return `${match[1]}T${match[2]}.${millis}Z`;
}

export function isoFromPgTimestampOrNull(text: string | null): string | null {
  return text === null ? null : isoFromPgTimestamp(text);
}
