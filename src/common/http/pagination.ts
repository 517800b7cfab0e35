import { Type as ClassType } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IntQueryField } from './fields';

/** `page` (from 1) and `pageSize` (1–100, default 20), on every list. */
export class PageQueryDto {
  @IntQueryField({ minimum: 1, maximum: 1_000_000, default: 1, optional: true, description: 'Page number, from 1' })
  page: number = 1;

  @IntQueryField({ minimum: 1, maximum: 100, default: 20, optional: true, description: 'Items per page, 1 to 100' })
  pageSize: number = 20;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** A named page class per item type, so the OpenAPI schema (and the SDK) types `items` precisely. */
export function PageOf<T>(item: ClassType<T>, name: string): ClassType<Page<T>> {
  class PageDto implements Page<T> {
    @ApiProperty({ type: item, isArray: true })
    items: T[];

    @ApiProperty({ type: 'integer', example: 1 })
    total: number;

    @ApiProperty({ type: 'integer', example: 1 })
    page: number;

    @ApiProperty({ type: 'integer', example: 20 })
    pageSize: number;
  }
  Object.defineProperty(PageDto, 'name', { value: name });
  return PageDto;
}
