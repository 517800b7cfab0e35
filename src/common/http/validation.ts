import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonError, FieldError } from '../errors/domain-error';

/** Flattens class-validator's tree into one entry per field, named by its dotted path. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** The one validation path: whitelist, refuse unknown fields, convert types; 400 problems naming fields. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => CommonError.validation(fieldErrors(errors)),
  });
}
