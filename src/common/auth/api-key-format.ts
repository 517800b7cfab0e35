/**
 * What every API key starts with, in the api-keys module's tokens (api-key-token.ts) and wherever a key is only
 * recognised, not verified: a log line may name the first characters of a presented key only when it is one of
 * ours, where they are the public keyPrefix; of anything else (a mistyped BOOTSTRAP_API_KEY, a password typed at
 * the queue dashboard's prompt) they are part of a secret.
 */
export const API_KEY_PREFIX = 'ihk_';

/** The spec's KeyPrefix: the first 8 characters, enough to tell keys apart in a list. */
export const KEY_PREFIX_LENGTH = 8;
