import { ArgumentMetadata, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidationPipeOptions } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
// class-transformer keeps its decorators' records here and exports no way to read them from its entry point;
// class-transformer-storage.d.ts gives the module the types the package ships for it.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, validateSync, ValidationTypes } from 'class-validator';
import type { ValidatorOptions } from 'class-validator';
import { CommonError, CommonErrorCode, FieldError } from '../errors/domain-error';

/** Flattens class-validator's tree into one entry per field, named by its dotted path. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

const IGNORES_UNKNOWN_FIELDS = Symbol('ignoresUnknownFields');

/**
 * For input a third party shapes rather than our callers, such as an OAuth provider's redirect, which adds
 * parameters of its own (Google's `authuser` and `prompt`, Microsoft's `session_state`, RFC 9207's `iss`): fields the
 * DTO does not declare are dropped instead of refused. Declared ones are checked as anywhere else.
 */
export const IgnoresUnknownFields = (): ClassDecorator => (target) => Reflect.defineMetadata(IGNORES_UNKNOWN_FIELDS, true, target);

/** The fields of `value` that `metatype` declares a rule for. */
function declaredFieldsOf(value: Record<string, unknown>, metatype: DtoClass): Record<string, unknown> {
  const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).map((rule) => rule.propertyName));
  return Object.fromEntries(Object.entries(value).filter(([field]) => declared.has(field)));
}

/**
 * A body sent to an operation that takes none (every DELETE of the API, where a revocation's reason is a query
 * parameter; `POST …/test`), refused as a body of unknown fields is elsewhere rather than ignored with what it asked
 * for lost. An empty object has nothing unknown and passes. The API-key guard calls it, so a request is
 * authenticated and authorised before its body is judged.
 */
export function assertNoBody(method: string, body: unknown): void {
  if (body === undefined || body === null) return;
  const isObject = typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body);
  const fields = isObject ? Object.keys(body) : [];
  if (isObject && !fields.length) return;
  const why = `this ${method} takes no body (send parameters in the query string)`;
  throw CommonError.validation(fields.length ? fields.map((field) => ({ field, messages: [`property ${field} should not exist: ${why}`] })) : [{ field: 'body', messages: [why] }]);
}

/** The one validation path: whitelist, refuse unknown fields, convert types; 400 problems naming fields. */
export function createValidationPipe(): ValidationPipe {
  rememberClassRules();
  return new PlainBodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => CommonError.validation(fieldErrors(errors)),
  });
}

type DtoClass = new () => object;

/**
 * Nest's ValidationPipe, with a shorter path for the common case: a JSON object (or form) for a DTO class that
 * neither class-transformer nor an asynchronous rule has anything to do with. For such a class, plainToInstance
 * comes down to copying the object's own keys onto a new instance, yet Nest's pipe also walks the whole value three
 * times (prototype keys, array gaps, binary values), class-transformer copies it deep, and class-validator's
 * asynchronous `validate` wraps every rule in promises. On POST /api/events that was 13% of the API's CPU
 * (bench/webhooks). The short path strips the prototype keys as Nest's does, then checks the same rules with
 * validateSync on a shallow copy, so a request gets the same answer and the same 400 naming its fields; anything
 * else (a @Type, @Transform, @Expose or @Exclude anywhere on the class, a nested or asynchronous rule, an array, a
 * primitive) takes Nest's path unchanged.
 */
class PlainBodyValidationPipe extends ValidationPipe {
  private readonly options: ValidatorOptions;

  constructor(options: ValidationPipeOptions) {
    super(options);
    // As Nest's pipe validates: the target object is left out of each error; so is the value, which is the
    // caller's data and has no place in an error that gets logged.
    this.options = { ...options, validationError: { target: false, value: false } };
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const tooDeep = fieldNestedTooDeep(value);
    if (tooDeep !== undefined) throw CommonError.validation([{ field: tooDeep, messages: [`${tooDeep} nests objects and lists more than ${MAX_NESTING} levels deep`] }]);
    const metatype = metadata.metatype as DtoClass | undefined;
    // A list or a lone value where a DTO wants an object: class-validator would answer "property 0 should not
    // exist" and every required field missing, naming everything but what is wrong. A JSON null goes on as no
    // body, as Nest's pipe takes it: an optional body (a rotation's) may be sent as null.
    if (metadata.type === 'body' && value != null && metatype && this.toValidate(metadata) && (typeof value !== 'object' || Array.isArray(value))) {
      throw CommonError.onField(CommonErrorCode.ValidationFailed, 'body', 'must be a JSON object');
    }
    // Not isPlainObject: Fastify's parsed query string has a prototype of its own (itself without one).
    if (metatype && typeof value === 'object' && value !== null && !Array.isArray(value) && Reflect.getMetadata(IGNORES_UNKNOWN_FIELDS, metatype)) {
      value = declaredFieldsOf(value as Record<string, unknown>, metatype);
    }
    if (!metatype || !isPlainObject(value) || !this.toValidate(metadata) || !takesShortPath(metatype)) return super.transform(value, metadata);
    // As Nest's path does first: `__proto__`, `constructor` and `prototype` keys go, at every depth. Copied onto the
    // instance, a `__proto__` key would replace its prototype; nested, they would reach the handler's data.
    this.stripProtoKeys(value);
    const entity = Object.assign(new metatype(), value);
    const errors = validateSync(entity, this.options);
    if (errors.length) throw this.exceptionFactory(errors);
    return entity;
  }
}

/**
 * How deep a body or query may nest objects and lists. Every walk of it after this one (stripping prototype keys,
 * validating, serialising an event for its webhooks) recurses, and ran out of stack at some thousands of levels: a
 * 48 KB body answered 500. No event, schema or configuration needs a hundred.
 */
export const MAX_NESTING = 100;

/** The top-level field under which `value` nests deeper than MAX_NESTING, or undefined; without recursion. */
export function fieldNestedTooDeep(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const pending: Array<{ node: object; depth: number; field: string }> = [];
  for (const [key, child] of Object.entries(value)) if (typeof child === 'object' && child !== null) pending.push({ node: child, depth: 1, field: key });
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > MAX_NESTING) return next.field;
    for (const child of Object.values(next.node)) if (typeof child === 'object' && child !== null) pending.push({ node: child as object, depth: next.depth + 1, field: next.field });
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Per class: whether the short path gives the answer Nest's path would. Forgotten when a rule is added. */
const shortPathByClass = new WeakMap<DtoClass, boolean>();

function takesShortPath(metatype: DtoClass): boolean {
  let takes = shortPathByClass.get(metatype);
  if (takes === undefined) shortPathByClass.set(metatype, (takes = computeTakesShortPath(metatype)));
  return takes;
}

function computeTakesShortPath(metatype: DtoClass): boolean {
  const storage = getMetadataStorage();
  const rules = storage.getTargetValidationMetadatas(metatype, '', true, false);
  if (rules.length === 0) return false;
  const synchronous = rules.every(
    (rule) =>
      rule.type !== ValidationTypes.NESTED_VALIDATION &&
      rule.type !== ValidationTypes.PROMISE_VALIDATION &&
      (rule.type !== ValidationTypes.CUSTOM_VALIDATION || storage.getTargetValidatorConstraints(rule.constraintCls).every((constraint) => !constraint.async)),
  );
  if (!synchronous) return false;
  if (defaultMetadataStorage.getExposedMetadatas(metatype).length || defaultMetadataStorage.getExcludedMetadatas(metatype).length) return false;
  const properties = new Set(rules.map((rule) => rule.propertyName));
  for (const property of properties) {
    if (defaultMetadataStorage.findTypeMetadata(metatype, property)) return false;
    if (defaultMetadataStorage.findTransformMetadatas(metatype, property, TransformationType.PLAIN_TO_CLASS).length) return false;
  }
  return true;
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
    shortPathByClass.delete(rule.target as DtoClass);
    addRule(rule);
  };
}
