import { PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
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
  rememberClassRules();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => CommonError.validation(fieldErrors(errors)),
  });
}

/**
 * For a partial update (PATCH): a body that sets none of `fields` is refused with a 400 naming them, rather than
 * taken as a change of nothing, which is most often a client that misread the schema. Runs after the global
 * ValidationPipe, so unknown fields have already been refused by name.
 */
export class SomeFieldPipe<T extends object> implements PipeTransform<T, T> {
  constructor(private readonly fields: ReadonlyArray<keyof T & string>) {}

  transform(body: T): T {
    if (this.fields.some((field) => body[field] !== undefined)) return body;
    const message = `give at least one of ${this.fields.join(', ')}`;
    throw CommonError.validation(this.fields.map((field) => ({ field, messages: [message] })));
  }
}

let rulesRemembered = false;

/**
 * class-validator looks a class's rules up anew for every value it validates: it filters every rule of the class
 * and tests every class it knows for inheritance, which was a fifth of the validation of a request body. The rules
 * change only when a decorator runs, at import, so the answer is kept per class and options, and forgotten
 * whenever a rule is added. Callers only read the lists they get.
 */
function rememberClassRules(): void {
  if (rulesRemembered) return;
  rulesRemembered = true;
  const storage = getMetadataStorage();
  type Lookup = typeof storage.getTargetValidationMetadatas;
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const addRule = storage.addValidationMetadata.bind(storage);
  const remembered = new Map<Parameters<Lookup>[0], Map<string, ReturnType<Lookup>>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // Groups are rare (none here): a string of the flags is enough to tell the lookups apart.
    const options = `${schema}|${always}|${strictGroups}|${groups?.length ? JSON.stringify(groups) : ''}`;
    let forTarget = remembered.get(target);
    if (!forTarget) remembered.set(target, (forTarget = new Map()));
    let rules = forTarget.get(options);
    if (!rules) forTarget.set(options, (rules = lookUp(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.addValidationMetadata = (rule) => {
    remembered.clear();
    addRule(rule);
  };
}
