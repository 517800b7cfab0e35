import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, Matches } from 'class-validator';
import { StringField } from '../../../../common/http/fields';
import { PageOf } from '../../../../common/http/pagination';

/** A JSON object of any shape (its own schema, if any, is checked by the event catalog). */
function JsonObjectField(options: { optional?: boolean; description: string; example: unknown }) {
  const doc = { type: 'object' as const, additionalProperties: true, description: options.description, example: options.example };
  return applyDecorators(...(options.optional ? [ApiPropertyOptional(doc), IsOptional()] : [ApiProperty(doc)]), IsObject());
}

export class PublishEventDto {
  @StringField({ maxLength: 100, example: 'BookingConfirmed', description: 'A type registered with POST /api/events/types' })
  eventType: string;

  @JsonObjectField({ description: "The event's data; must match the type's schema, if it has one. The webhook body is at most 1 MB", example: { bookingId: 'b-1042', total: 129.5 } })
  data: Record<string, unknown>;

  @StringField({ maxLength: 200, optional: true, nullable: false, example: 'booking-b-1042-confirmed', description: 'The same key within 24 h returns the first result and publishes nothing' })
  idempotencyKey?: string;
}

export class PublishedEventDto {
  @ApiProperty({ format: 'uuid', description: 'The event id: the webhook-id header of its deliveries' }) id: string;
  @ApiProperty({ example: 'BookingConfirmed' }) eventType: string;
  @ApiProperty({ type: String, format: 'date-time' }) timestamp: string;
  @ApiProperty({ description: 'True when the idempotency key was already used: this is the first publication' }) duplicate: boolean;
}

const EVENT_TYPE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]*$/;

export class RegisterEventTypeDto {
  @StringField({ maxLength: 100, pattern: EVENT_TYPE_NAME.source, example: 'BookingConfirmed', description: 'Letters, digits and _ . : - ; starts with a letter' })
  @Matches(EVENT_TYPE_NAME, { message: 'name must start with a letter and hold only letters, digits, _ . : -' })
  name: string;

  @StringField({ maxLength: 500, optional: true, example: 'A customer confirmed a booking' })
  description?: string;

  @JsonObjectField({
    optional: true,
    description:
      'A JSON schema (draft-07) that published data must match (422 otherwise). A $ref must point inside it; pattern and patternProperties run on RE2, without backreferences or lookarounds',
    example: { type: 'object', required: ['bookingId'], properties: { bookingId: { type: 'string' }, total: { type: 'number' } } },
  })
  schema?: Record<string, unknown>;
}

export const EVENT_TYPE_SOURCES = ['Domain', 'Application'] as const;

export class EventTypeDto {
  @ApiProperty({ example: 'BookingConfirmed' }) name: string;
  @ApiProperty({ enum: EVENT_TYPE_SOURCES, enumName: 'EventTypeSource', description: 'Domain: raised by this service. Application: registered by your tenant' })
  source: 'Domain' | 'Application';
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) schema: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) createdAt: string | null;
}

export const EventTypePageDto = PageOf(EventTypeDto, 'EventTypePage');
