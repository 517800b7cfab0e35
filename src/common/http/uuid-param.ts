import { Param, ParseUUIDPipe } from '@nestjs/common';
import { CommonError } from '../errors/domain-error';

/** A path parameter that must be a UUID; a bad one is a 400 problem naming the parameter. */
export const UuidParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => CommonError.validation([{ field: name, messages: [`${name} must be a UUID`] }]) }));
