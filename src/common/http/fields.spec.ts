import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DateTimeField, isStorableText, parseIsoDateTime, StorableText, toStorableText } from './fields';

class WithDate {
  @DateTimeField()
  at: Date;
}

function errorsOf(at: unknown): string[] {
  return validateSync(plainToInstance(WithDate, { at })).map((error) => error.property);
}

describe('DateTimeField', () => {
  it('turns an ISO 8601 date-time with its offset into the instant it names', () => {
    expect(parseIsoDateTime('2028-02-29T23:59:59.5+02:00')?.toISOString()).toBe('2028-02-29T21:59:59.500Z');
    expect(parseIsoDateTime('2027-12-31T23:59Z')?.toISOString()).toBe('2027-12-31T23:59:00.000Z');
    expect(errorsOf('2027-01-31T12:00:00Z')).toEqual([]);
  });

  it.each([
    '2027-02-31T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2027-04-31T00:00:00Z',
    '2027-13-01T00:00:00Z',
    '2027-00-10T00:00:00Z',
    '2027-01-00T00:00:00Z',
    '2027-01-01T24:00:00Z',
    '2027-01-01T12:60:00Z',
    '2027-01-01T12:00:60Z',
    '2027-01-01T12:00:00+24:00',
    '2027-01-01T12:00:00+01:60',
    '2027-01-01',
    '2027-01-01T12:00:00',
    // Year 0, as written or through the offset: PostgreSQL refuses it as a timestamptz (a 500 before).
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+01:00',
    // Past year 9999 through the offset: the driver writes it as +010000-…, which PostgreSQL refuses too.
    '9999-12-31T23:59:59-23:59',
  ])('refuses %s rather than shifting it to another day', (value) => {
    expect(parseIsoDateTime(value)).toBeUndefined();
    expect(errorsOf(value)).toEqual(['at']);
  });
});

class WithNames {
  @StorableText({ each: true })
  names: string[];
}

describe('StorableText', () => {
  it('refuses U+0000 in each string of a list, naming the list', () => {
    expect(validateSync(plainToInstance(WithNames, { names: ['Paid', 'Foo\u0000'] })).map((error) => error.property)).toEqual(['names']);
    expect(validateSync(plainToInstance(WithNames, { names: ['Paid', 'Refunded'] }))).toEqual([]);
  });

  it('refuses an unpaired surrogate, which PostgreSQL would store as U+FFFD (two keys then stored as one), and keeps pairs', () => {
    for (const lone of ['k\ud800', 'k\udc00', '\udc00\ud800']) expect(validateSync(plainToInstance(WithNames, { names: [lone] })).map((error) => error.property)).toEqual(['names']);
    expect(validateSync(plainToInstance(WithNames, { names: ['k\ud83d\ude00', 'café'] }))).toEqual([]);
  });
});

describe('toStorableText', () => {
  it('replaces U+0000 and unpaired surrogates with U+FFFD, keeping pairs', () => {
    expect(toStorableText('a\u0000b\ud800c\udc00d😀')).toBe('a\ufffdb\ufffdc\ufffdd😀');
    expect(isStorableText(toStorableText('x\u0000\ud83d'))).toBe(true);
  });
});
