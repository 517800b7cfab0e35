import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateWebhookDto } from './webhook.dto';

describe('CreateWebhookDto', () => {
  const invalid = (eventTypes: unknown) => validateSync(plainToInstance(CreateWebhookDto, { url: 'https://example.com/h', eventTypes })).map((error) => error.property);

  it('refuses an event type holding U+0000, naming eventTypes, before the catalog looks it up (a 500 from PostgreSQL)', () => {
    expect(invalid(['BookingConfirmed', 'Foo\u0000'])).toEqual(['eventTypes']);
    expect(invalid(['BookingConfirmed'])).toEqual([]);
  });
});
