/** Timestamps leave the API as ISO 8601 UTC strings, or null. */
export function iso(date: Date | string | null | undefined): string | null {
  return date ? new Date(date).toISOString() : null;
}
