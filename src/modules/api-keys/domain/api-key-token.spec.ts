import { API_KEY_LENGTH, generateApiKeyToken, hashApiKey, keyPrefixOf, passesChecksum } from './api-key-token';

describe('API key token', () => {
  it('is ihk_ + 46 base62 characters, random each time', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateApiKeyToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^ihk_[0-9A-Za-z]{46}$/);
      expect(token.length).toBe(API_KEY_LENGTH);
    }
  });

  it('carries a checksum that catches a changed, dropped or swapped character', () => {
    const token = generateApiKeyToken();
    expect(passesChecksum(token)).toBe(true);
    const at = 10;
    const changed = token.slice(0, at) + (token[at] === 'x' ? 'y' : 'x') + token.slice(at + 1);
    expect(passesChecksum(changed)).toBe(false);
    expect(passesChecksum(token.slice(0, -1))).toBe(false);
    // Swap two neighbours of the random part that differ, so the swap always changes the token.
    let from = at;
    while (from < token.length - 7 && token[from] === token[from + 1]) from++;
    expect(token[from]).not.toBe(token[from + 1]);
    const swapped = token.slice(0, from) + token[from + 1] + token[from] + token.slice(from + 2);
    expect(swapped).not.toBe(token);
    expect(passesChecksum(swapped)).toBe(false);
  });

  it('refuses keys in a foreign format (the verifier knows the one the operator chose)', () => {
    expect(passesChecksum('an-operator-chosen-bootstrap-key-of-40-chars')).toBe(false);
  });

  it('hashes with SHA-256 hex and takes the first 8 characters as prefix', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(keyPrefixOf('ihk_ABCDEFGH')).toBe('ihk_ABCD');
  });
});
