/** JSON's escape for U+0000, only where its backslash is not itself escaped (`\\u0000` is a backslash and "u0000"). */
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** Whether this JSON text holds the character U+0000, which PostgreSQL's text and jsonb cannot store. */
export function jsonHoldsNul(json: string): boolean {
  return json.includes('\\u0000') && new RegExp(ESCAPED_NUL.source).test(json);
}

/**
 * JSON text for a `?::jsonb` parameter. PostgreSQL's text and jsonb cannot hold the character U+0000 (jsonb refuses
 * the escape `\u0000`, text the byte), and one such character from outside (a receiver's answer, a provider's
 * callback or record) would fail the whole multi-row statement it rides in, other tenants' rows included. Each is
 * written as U+FFFD, the replacement character, which says that something unrepresentable stood there. The scan
 * for the escape is all it costs when there is none.
 */
export function postgresJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? json.replace(ESCAPED_NUL, '$1\\ufffd') : json;
}
