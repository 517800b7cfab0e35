import { Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { CommonError } from '../errors/domain-error';
import { isStorableText, UNSTORABLE_TEXT } from './fields';

/**
 * A path parameter that must be a UUID; a bad one is a 400 problem naming the parameter. The OpenAPI document says
 * so too (`format: uuid`), for Swagger UI and the SDK's types.
 */
export const UuidParam =
  (name = 'id'): ParameterDecorator =>
  (target, method, index) => {
    Param(name, new ParseUUIDPipe({ exceptionFactory: () => CommonError.validation([{ field: name, messages: [`${name} must be a UUID`] }]) }))(target, method, index);
    ApiParam({ name, type: String, format: 'uuid' })(target, method!, Object.getOwnPropertyDescriptor(target, method!)!);
  };

/** A text path parameter of 1 to `maxLength` characters that PostgreSQL stores as sent; otherwise a 400 problem naming it. */
export class ParseTextPipe implements PipeTransform<string, string> {
  constructor(
    private readonly name: string,
    private readonly maxLength: number,
  ) {}

  transform(value: string): string {
    if (typeof value !== 'string' || value.length < 1 || value.length > this.maxLength) {
      throw CommonError.validation([{ field: this.name, messages: [`${this.name} must be 1 to ${this.maxLength} characters`] }]);
    }
    if (!isStorableText(value)) {
      throw CommonError.validation([{ field: this.name, messages: [`${this.name} ${UNSTORABLE_TEXT}`] }]);
    }
    return value;
  }
}
