import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import type { FieldError } from '../errors/domain-error';
import { CommonError } from '../errors/domain-error';
import { createValidationPipe } from './validation';

class Order {
  @IsString()
  reference: string;

  quantity: number;
}

class RushOrder extends Order {
  @IsInt()
  priority: number;
}

const body = (metatype: new () => object): ArgumentMetadata => ({ type: 'body', metatype });

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
