/**
 * JSON's escapes for the characters PostgreSQL's jsonb cannot hold, only where their backslash is not itself escaped
 * (`\\u0000` is a backslash and "u0000"): U+0000, and a UTF-16 surrogate without its pair. JSON.stringify writes a
 * paired surrogate as the character itself and escapes only a lone one, so every `\ud800`–`\udfff` it writes is
 * unpaired.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(0000|d[89a-f][0-9a-f]{2})/g;

function mayHoldUnstorable(json: string): boolean {
  return json.includes('\\u0000') || json.includes('\\ud');
}

/**
 * The first character of this JSON text (as JSON.stringify writes it) that PostgreSQL's jsonb cannot store, named
 * for an error message ("U+0000", "the unpaired surrogate U+D800"); undefined when there is none.
 */
export function unstorableCharacterIn(json: string): string | undefined {
  if (!mayHoldUnstorable(json)) return undefined;
  const found = new RegExp(UNSTORABLE_ESCAPE.source).exec(json);
  if (!found) return undefined;
  const code = found[2].toUpperCase();
  return code === '0000' ? 'U+0000' : `the unpaired surrogate U+${code}`;
}

/**
 * JSON text for a `?::jsonb` parameter. PostgreSQL's jsonb cannot hold the character U+0000 or a UTF-16 surrogate
 * without its pair (it refuses the escapes `\u0000` and a lone `\ud800`; text refuses the NUL byte), and one such
 * character from outside (a receiver's answer, a provider's callback or record, a header cut in the middle of an
 * emoji) would fail the whole multi-row statement it rides in, other tenants' rows included. Each is written as
 * U+FFFD, the replacement character, which says that something unrepresentable stood there. The scan for the
 * escapes is all it costs when there is none.
 */
export function postgresJson(value: unknown): string {
  const json = JSON.stringify(value);
  return mayHoldUnstorable(json) ? json.replace(UNSTORABLE_ESCAPE, '$1\\ufffd') : json;
}
