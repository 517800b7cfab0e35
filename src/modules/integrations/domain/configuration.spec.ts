import { changedPaths, MASK, maskConfiguration, restoreMaskedSecrets } from './configuration';

/** Secrets inside arrays are masked on read and restored on update like those in objects, element by element. */
describe('configuration secrets in arrays', () => {
  const stored = {
    baseUrl: 'https://api.example.com',
    extraAuth: [
      { name: 'primary', apiKey: 'sk_live_real', password: 'hunter2' },
      { name: 'backup', apiKey: 'sk_live_backup', url: 'https://backup.example.com' },
    ],
    scopes: ['read', 'write'],
    tokens: ['t1', 't2'],
    matrix: [[{ clientSecret: 's' }]],
  };
  const masked = maskConfiguration(stored, []);

  it('masks secrets in arrays of objects at any depth, leaving other elements and whole secret lists as they were', () => {
    expect(maskConfiguration({ extraAuth: [{ apiKey: 'sk_live_real', password: 'hunter2' }] }, [])).toEqual({ extraAuth: [{ apiKey: MASK, password: MASK }] });
    expect(masked).toEqual({
      baseUrl: 'https://api.example.com',
      extraAuth: [
        { name: 'primary', apiKey: MASK, password: MASK },
        { name: 'backup', apiKey: MASK, url: 'https://backup.example.com' },
      ],
      scopes: ['read', 'write'],
      // A list under a secret's name is one masked value, as before.
      tokens: MASK,
      matrix: [[{ clientSecret: MASK }]],
    });
    expect(JSON.stringify(masked)).not.toMatch(/sk_live|hunter2|"s"|t1/);
  });

  it('masks a field an adapter declares for every element of a list, or for one of them', () => {
    const headers = { headers: [{ name: 'X-Key', value: 'v1' }, { name: 'X-Other', value: 'v2' }] };
    expect(maskConfiguration(headers, ['headers.value'])).toEqual({ headers: [{ name: 'X-Key', value: MASK }, { name: 'X-Other', value: MASK }] });
    expect(maskConfiguration(headers, ['headers.1.value'])).toEqual({ headers: [{ name: 'X-Key', value: 'v1' }, { name: 'X-Other', value: MASK }] });
  });

  it('restores masks sent back inside arrays, by index, and only where the mask stands', () => {
    expect(restoreMaskedSecrets(masked, stored)).toEqual({ configuration: stored, errors: [] });
    const edited = {
      ...masked,
      extraAuth: [
        { name: 'primary', apiKey: 'sk_live_new', password: MASK },
        { name: 'backup', apiKey: MASK, url: 'https://backup.example.com' },
        { name: 'third', apiKey: MASK },
      ],
    };
    expect(restoreMaskedSecrets(edited, stored)).toEqual({
      configuration: {
        ...stored,
        extraAuth: [
          { name: 'primary', apiKey: 'sk_live_new', password: 'hunter2' },
          { name: 'backup', apiKey: 'sk_live_backup', url: 'https://backup.example.com' },
          // Nothing stored at that index: the mask stays as sent, it stands for no secret.
          { name: 'third', apiKey: MASK },
        ],
      },
      errors: [],
    });
  });

  it('keeps no masked secret in an array whose element moved where requests go', () => {
    const maskedAuth = masked.extraAuth as Array<Record<string, unknown>>;
    const extraAuth = [maskedAuth[0], { ...maskedAuth[1], url: 'https://attacker.example' }];
    const moved = restoreMaskedSecrets({ ...masked, extraAuth }, stored);
    expect(moved.errors.map((e) => e.field).sort()).toEqual(
      ['extraAuth.0.apiKey', 'extraAuth.0.password', 'extraAuth.1.apiKey', 'matrix.0.0.clientSecret', 'tokens'].map((path) => `configuration.${path}`),
    );
    const messageOf = (field: string) => moved.errors.find((e) => e.field === `configuration.${field}`)!.messages[0];
    expect(messageOf('extraAuth.0.apiKey')).toContain('configuration.extraAuth.1.url changed');
    expect(messageOf('extraAuth.1.apiKey')).toContain('its list entry changed');
  });

  it('leaves objects and the audit trail as they were', () => {
    const plain = { apiKey: 'k', nested: { clientSecret: 's', region: 'eu' }, auth: { tokenUrl: 'https://auth.example.com' } };
    expect(maskConfiguration(plain, [])).toEqual({ apiKey: MASK, nested: { clientSecret: MASK, region: 'eu' }, auth: { tokenUrl: MASK } });
    expect(changedPaths(stored, { ...stored, extraAuth: [stored.extraAuth[0]] })).toEqual(['extraAuth']);
  });
});

/** What sits under a secret's name is secret at every depth, and comes back in place when sent back masked. */
describe('configuration secrets under a secret-named object', () => {
  const stored = { credentials: { user: 'svc', pass: 'hunter2', extra: { pin: 1234 }, list: ['a', 'b'] }, apiKeys: { primary: 'sk_live_real' }, region: 'eu' };

  it('masks every value under it, keeping its shape', () => {
    const masked = maskConfiguration(stored, []);
    expect(masked).toEqual({ credentials: { user: MASK, pass: MASK, extra: { pin: MASK }, list: MASK }, apiKeys: { primary: MASK }, region: 'eu' });
    expect(JSON.stringify(masked)).not.toMatch(/svc|hunter2|1234|sk_live/);
  });

  it('restores each mask sent back in place', () => {
    expect(restoreMaskedSecrets(maskConfiguration(stored, []), stored)).toEqual({ configuration: stored, errors: [] });
  });
});
