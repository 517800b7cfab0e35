import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Length, Validate, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import type { FieldError } from '../errors/domain-error';
import { CommonError } from '../errors/domain-error';
import { createValidationPipe, fieldErrors } from './validation';

class Order {
  @IsString()
  reference: string;

  quantity: number;
}

class RushOrder extends Order {
  @IsInt()
  priority: number;
}

class Publication {
  @IsString()
  @Length(1, 20)
  eventType: string;

  @IsObject()
  data: Record<string, unknown>;

  @IsOptional()
  @IsString()
  idempotencyKey?: string;
}

class Trimmed {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 5)
  name: string;
}

@ValidatorConstraint({ name: 'notTaken', async: true })
class NotTaken implements ValidatorConstraintInterface {
  async validate(value: unknown): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    return value !== 'taken';
  }

  defaultMessage(): string {
    return 'name is taken';
  }
}

class Registration {
  @IsString()
  @Validate(NotTaken)
  name: string;
}

const body = (metatype: new () => object): ArgumentMetadata => ({ type: 'body', metatype });

/** Nest's own pipe with the options createValidationPipe gives ours: the answers ours must match. */
const nestPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: (errors) => CommonError.validation(fieldErrors(errors)),
});

/** What a pipe answers: the value it passes on (class and own fields) or the fields of its 400. */
async function outcome(pipe: { transform(value: unknown, metadata: ArgumentMetadata): unknown }, metatype: new () => object, value: unknown) {
  try {
    const passed = (await pipe.transform(value, body(metatype))) as object;
    // As JSON: what a handler would store or send on, own keys at every depth (a `constructor` key included, which
    // toEqual would not tell apart).
    return { passed: { class: passed.constructor.name, fields: JSON.stringify(passed) } };
  } catch (error) {
    if (!(error instanceof CommonError)) throw error;
    return { refused: (error.extensions.errors as FieldError[]).map((e) => `${e.field}: ${e.messages.join('; ')}`).sort() };
  }
}

/** The fields a 400 names, or [] when the value passed. */
async function refusedFields(metatype: new () => object, value: object): Promise<string[]> {
  try {
    await createValidationPipe().transform(value, body(metatype));
    return [];
  } catch (error) {
    if (!(error instanceof CommonError)) throw error;
    return (error.extensions.errors as FieldError[]).map((e) => e.field).sort();
  }
}

describe('the validation pipe', () => {
  it('checks each class by its own rules and those it inherits, on every request alike', async () => {
    for (let request = 0; request < 3; request++) {
      expect(await refusedFields(Order, { reference: 'o-1' })).toEqual([]);
      expect(await refusedFields(Order, { reference: 7 })).toEqual(['reference']);
      expect(await refusedFields(RushOrder, { reference: 7, priority: 'high' })).toEqual(['priority', 'reference']);
    }
  });

  it('applies a rule added after the class was first validated', async () => {
    expect(await refusedFields(Order, { reference: 'o-1', quantity: 2 })).toEqual(['quantity']); // unknown field: whitelist
    IsInt()(Order.prototype, 'quantity');
    expect(await refusedFields(Order, { reference: 'o-1', quantity: 2 })).toEqual([]);
    expect(await refusedFields(Order, { reference: 'o-1', quantity: 'two' })).toEqual(['quantity']);
  });
});

describe('the validation pipe on plain bodies', () => {
  const withoutPrototype = Object.assign(Object.create(null) as object, { eventType: 'Paid', data: { amount: 1 } });
  const cases: Array<[string, new () => object, unknown]> = [
    ['a valid body', Publication, { eventType: 'Paid', data: { amount: 1, lines: [{ sku: 'a' }] }, idempotencyKey: 'k-1' }],
    ['a valid body without its optional field', Publication, { eventType: 'Paid', data: {} }],
    ['wrong types', Publication, { eventType: 7, data: 'x', idempotencyKey: null }],
    ['a missing field', Publication, { data: {} }],
    ['an unknown field', Publication, { eventType: 'Paid', data: {}, extra: true }],
    ['an out-of-range value', Publication, { eventType: 'x'.repeat(21), data: {} }],
    ['a form without prototype', Publication, withoutPrototype],
    ['a prototype key', Publication, JSON.parse('{"eventType":"Paid","data":{},"__proto__":{"admin":true}}') as unknown],
    ['a constructor key', Publication, { eventType: 'Paid', data: {}, constructor: 'x' }],
    ['a transformed field', Trimmed, { name: '  abc  ' }],
    ['a transformed field out of range', Trimmed, { name: '  abcdef  ' }],
  ];

  it.each(cases)('answers %s as Nest’s ValidationPipe does', async (_, metatype, value) => {
    // Each pipe gets a copy of its own: both strip prototype keys in place, and the short path keeps nested values.
    const copy = () => (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === null ? Object.assign(Object.create(null) as object, value) : structuredClone(value));
    expect(await outcome(createValidationPipe(), metatype, copy())).toEqual(await outcome(nestPipe, metatype, copy()));
  });

  it('keeps the fields of the body and gives the handler an instance of the class', async () => {
    const data = { amount: 129.5, lines: [{ sku: 'a' }] };
    const passed = (await createValidationPipe().transform({ eventType: 'Paid', data }, body(Publication))) as Publication;
    expect(passed).toBeInstanceOf(Publication);
    expect(passed).toEqual(Object.assign(new Publication(), { eventType: 'Paid', data }));
    // The short path: the body's nested values are passed on as they came, not copied deep by class-transformer.
    expect(passed.data).toBe(data);
  });

  it('drops __proto__, constructor and prototype keys at every depth, as Nest’s path does', async () => {
    const body = () => JSON.parse('{"eventType":"Paid","data":{"constructor":"a","prototype":{"b":1},"lines":[{"__proto__":{"x":1},"sku":"s"}]}}') as unknown;
    const passed = await createValidationPipe().transform(body(), { type: 'body', metatype: Publication });
    expect(JSON.stringify(passed)).toBe('{"eventType":"Paid","data":{"lines":[{"sku":"s"}]}}');
    expect(JSON.stringify(await nestPipe.transform(body(), { type: 'body', metatype: Publication }))).toBe(JSON.stringify(passed));
  });

  it('refuses a body nested more than 100 levels deep with a 400 naming its field, where the walks after it ran out of stack', async () => {
    let deep: unknown = { amount: 1 };
    for (let level = 0; level < 50_000; level++) deep = { next: deep };
    expect(await outcome(createValidationPipe(), Publication, { eventType: 'Paid', data: deep })).toEqual({ refused: ['data: data nests objects and lists more than 100 levels deep'] });
    let list: unknown = [];
    for (let level = 0; level < 101; level++) list = [list];
    expect(await outcome(createValidationPipe(), Publication, { eventType: 'Paid', data: { list } })).toMatchObject({ refused: [expect.stringMatching(/^data: /)] });
    // A hundred levels pass.
    let fine: unknown = {};
    for (let level = 0; level < 99; level++) fine = { next: fine };
    expect(await outcome(createValidationPipe(), Publication, { eventType: 'Paid', data: fine })).toMatchObject({ passed: { class: 'Publication' } });
  });

  it('refuses a list or a lone value where the class wants an object, naming the body rather than every field', async () => {
    for (const value of [[{ eventType: 'Paid', data: {} }], 'Paid', 7, true]) {
      expect(await outcome(createValidationPipe(), Publication, value)).toEqual({ refused: ['body: must be a JSON object'] });
    }
    // Nest's pipe names a field per index and every required field as missing.
    expect(await outcome(nestPipe, Publication, [{ eventType: 'Paid', data: {} }])).toMatchObject({ refused: expect.arrayContaining([expect.stringMatching(/^0: /)]) });
  });

  it('runs asynchronous rules, which a synchronous check would skip', async () => {
    expect(await outcome(createValidationPipe(), Registration, { name: 'taken' })).toEqual({ refused: ['name: name is taken'] });
    expect(await outcome(createValidationPipe(), Registration, { name: 'free' })).toEqual({ passed: { class: 'Registration', fields: '{"name":"free"}' } });
  });
});
