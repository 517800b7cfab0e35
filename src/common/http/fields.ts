import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
} from 'class-validator';

/**
 * Composite field decorators: each emits the class-validator rules and the OpenAPI schema together, so the
 * spec the SDK is generated from and the checks the server runs cannot disagree (one validation path).
 */
interface Common {
  description?: string;
  example?: unknown;
  optional?: boolean;
}

function doc(options: Common & Record<string, unknown>) {
  const { optional, ...rest } = options;
  return optional ? [ApiPropertyOptional(rest), IsOptional()] : [ApiProperty(rest)];
}

export function StringField(options: Common & { minLength?: number; maxLength: number }) {
  const minLength = options.minLength ?? 1;
  return applyDecorators(...doc({ ...options, type: String, minLength, maxLength: options.maxLength }), IsString(), Length(minLength, options.maxLength));
}

export function IntField(options: Common & { minimum: number; maximum: number; default?: number }) {
  return applyDecorators(
    ...doc({ ...options, type: 'integer' }),
    Type(() => Number),
    IsInt(),
    Min(options.minimum),
    Max(options.maximum),
  );
}

export function BooleanField(options: Common = {}) {
  return applyDecorators(...doc({ ...options, type: Boolean }), IsBoolean());
}

export function UuidField(options: Common = {}) {
  return applyDecorators(...doc({ ...options, type: String, format: 'uuid' }), IsUUID('all'));
}

/** An ISO 8601 date-time, turned into a Date. */
export function DateTimeField(options: Common = {}) {
  return applyDecorators(...doc({ ...options, type: String, format: 'date-time' }), Type(() => Date), IsDate());
}

export function EnumField<T extends string>(values: readonly T[], options: Common & { enumName: string }) {
  return applyDecorators(...doc({ ...options, enum: values, enumName: options.enumName }), IsIn(values as unknown as T[]));
}

/** A non-empty set of values out of a closed list, e.g. API key scopes. */
export function EnumArrayField<T extends string>(values: readonly T[], options: Common & { enumName: string; maxItems?: number }) {
  const maxItems = options.maxItems ?? values.length;
  return applyDecorators(
    ...doc({ ...options, enum: values, enumName: options.enumName, isArray: true, minItems: 1, maxItems }),
    ArrayMinSize(1),
    ArrayMaxSize(maxItems),
    ArrayUnique(),
    IsIn(values as unknown as T[], { each: true }),
  );
}
