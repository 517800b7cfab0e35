/**
 * A PostgreSQL array literal for one `?::type[]` parameter. knex expands a JS array into a list of
 * parameters, which `= ANY(?)` and `unnest(?)` cannot take. Only for values without commas, quotes,
 * braces or spaces (uuids, numbers, ISO timestamps).
 */
export function pgArray(values: ReadonlyArray<string | number>): string {
  return `{${values.join(',')}}`;
}
