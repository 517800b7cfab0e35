import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
  ValidateIf,
} from 'class-validator';

/**
 * Composite field decorators: each emits the class-validator rules and the OpenAPI schema together, so the
 * spec the SDK is generated from and the checks the server runs cannot disagree (one validation path).
 */
interface Common {
  description?: string;
  example?: unknown;
  optional?: boolean;
  /**
   * With `optional`, what a JSON null means. Unset: class-validator's IsOptional, which lets null through
   * unchecked. `true`: null is a value of its own (e.g. "back to the configured default"), documented as such.
   * `false`: null is refused like any wrong type, for partial updates where it would otherwise reach a
   * required column.
   */
  nullable?: boolean;
}

/** The OpenAPI schema and the optional/nullable rules of a field; for composite fields outside this file too. */
export function fieldDoc(options: Common & Record<string, unknown>) {
  const { optional, nullable, ...rest } = options;
  if (!optional) return [ApiProperty(rest)];
  if (nullable === false) return [ApiPropertyOptional(rest), ValidateIf((_: object, value: unknown) => value !== undefined)];
  return [ApiPropertyOptional(nullable ? { ...rest, nullable: true } : rest), IsOptional()];
}

/** Half of a UTF-16 surrogate pair without the other half (String.prototype.isWellFormed is not in our ES2022 lib). */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether PostgreSQL stores the text as sent: its text cannot hold U+0000 (the insert or a look-up fails: a 500), and
 * an unpaired surrogate reaches it as U+FFFD, so two different values (two idempotency keys, two names) would be
 * stored as one.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !UNPAIRED_SURROGATE.test(value);
}

/** What a refusal of text isStorableText rejects says after the field's name. */
export const UNSTORABLE_TEXT = 'must not hold the character U+0000 or an unpaired UTF-16 surrogate';

/** `value` with each character isStorableText refuses replaced by U+FFFD: for text from outside, kept, not refused. */
export function toStorableText(value: string): string {
  return value.replace(new RegExp(`\u0000|${UNPAIRED_SURROGATE.source}`, 'g'), '\uFFFD');
}

/** Text that is not storable as sent (isStorableText) is refused, naming the field. `{ each: true }` for a list of strings. */
export const StorableText = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'storableText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
        defaultMessage: (args) => `${args?.property ?? 'the value'} ${UNSTORABLE_TEXT}`,
      },
    },
    options,
  );

export function StringField(options: Common & { minLength?: number; maxLength: number; pattern?: string; format?: string }) {
  const minLength = options.minLength ?? 1;
  return applyDecorators(
    ...fieldDoc({ ...options, type: String, minLength, maxLength: options.maxLength }),
    IsString(),
    Length(minLength, options.maxLength),
    StorableText(),
  );
}

/** An integer in a JSON body: a string such as "5" is a wrong type, not a number. */
export function IntField(options: Common & { minimum: number; maximum: number; default?: number }) {
  return applyDecorators(...fieldDoc({ ...options, type: 'integer' }), IsInt(), Min(options.minimum), Max(options.maximum));
}

/** An integer in the query string, where every value arrives as text. */
export function IntQueryField(options: Common & { minimum: number; maximum: number; default?: number }) {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value)),
    IntField(options),
  );
}

export function BooleanField(options: Common = {}) {
  return applyDecorators(...fieldDoc({ ...options, type: Boolean }), IsBoolean());
}

export function UuidField(options: Common = {}) {
  return applyDecorators(...fieldDoc({ ...options, type: String, format: 'uuid' }), IsUUID('all'));
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The Date an ISO 8601 date-time with its offset names, or undefined when it names none. Date's own parser
 * rolls impossible parts over (2027-02-31 becomes 3 March, T24:00 the next day), which would quietly act on a
 * day the caller never asked for, so each part is checked against the calendar first.
 */
export function parseIsoDateTime(value: string): Date | undefined {
  const parts = ISO_DATE_TIME.exec(value);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = parts.slice(1).map((part) => Number(part ?? 0));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Year 0 (1 BC) and before, or past 9999, directly or through an offset, is a date PostgreSQL's timestamptz refuses
  // as the driver writes it (-000001-…, +010000-…).
  const date = new Date(value);
  const utcYear = date.getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? date : undefined;
}

/** An ISO 8601 date-time with its offset, turned into a Date; anything else, impossible dates included, is refused, not guessed at. */
export function DateTimeField(options: Common = {}) {
  return applyDecorators(
    ...fieldDoc({ ...options, type: String, format: 'date-time' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (parseIsoDateTime(value) ?? value) : value)),
    IsDate({ message: '$property must be an ISO 8601 date-time such as 2027-01-31T12:00:00Z' }),
  );
}

export function EnumField<T extends string>(values: readonly T[], options: Common & { enumName: string }) {
  return applyDecorators(...fieldDoc({ ...options, enum: values, enumName: options.enumName }), IsIn(values as unknown as T[]));
}

/** A non-empty set of values out of a closed list, e.g. API key scopes. */
export function EnumArrayField<T extends string>(values: readonly T[], options: Common & { enumName: string; maxItems?: number }) {
  const maxItems = options.maxItems ?? values.length;
  return applyDecorators(
    ...fieldDoc({ ...options, enum: values, enumName: options.enumName, isArray: true, minItems: 1, maxItems, uniqueItems: true }),
    ArrayMinSize(1),
    ArrayMaxSize(maxItems),
    ArrayUnique(),
    IsIn(values as unknown as T[], { each: true }),
  );
}
