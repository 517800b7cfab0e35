import { KeyRingVault } from '../../../common/crypto/secret-vault';
import { changedPaths, MASK, maskConfiguration, parseConfiguration, restoreMaskedSecrets } from './configuration';
import { Integration } from './integration.entity';
import type { ProbeOutcome } from './integration-types';

const vault = new KeyRingVault({ keys: new Map([['k1', Buffer.alloc(32, 1)]]), activeKeyId: 'k1' });
const rules = { unhealthyAfterFailures: 3, degradedResponseMs: 1000 };
const ok: ProbeOutcome = { ok: true, message: 'fine', responseTimeMs: 50 };
const outage: ProbeOutcome = { ok: false, failure: 'unavailable', message: 'HTTP 503', responseTimeMs: 50 };

function payments(): Integration {
  const integration = Integration.create({ tenantId: 't', name: 'Stripe', integrationType: 'PaymentGateway', provider: 'Stripe', createdBy: 'k' }, { apiKey: 'sk_test_x' }, vault);
  integration.uncommit();
  return integration;
}

function activated(): Integration {
  const integration = payments();
  integration.recordCheck(integration.startCheck('k'), ok, rules, true, 'k');
  integration.uncommit();
  return integration;
}

const eventNames = (integration: Integration) => integration.getUncommittedEvents().map((e) => e.constructor.name);

describe('Integration', () => {
  it('seals the configuration bound to its id and opens it again', () => {
    const integration = payments();
    expect(integration.sealedConfiguration).not.toContain('sk_test_x');
    expect(integration.configuration(vault)).toEqual({ apiKey: 'sk_test_x' });
    const other = payments();
    other.sealedConfiguration = integration.sealedConfiguration;
    expect(() => other.configuration(vault)).toThrow();
  });

  it('activates only after a passing validation, with the event of its kind (BR-IM-02)', () => {
    const integration = payments();
    const check = integration.startCheck('k');
    expect(check.purpose).toBe('validation');
    expect(integration.status).toBe('PendingValidation');
    integration.recordCheck(check, ok, rules, true, 'k');
    expect(integration).toMatchObject({ status: 'Active', exclusive: true, healthStatus: 'Healthy' });
    expect(eventNames(integration)).toEqual(['PaymentGatewayConnectedEvent']);
  });

  it('applies a validation only to the configuration it tested (BR-IM-02)', () => {
    const integration = payments();
    const ofFirstKey = integration.startCheck('k');
    integration.update({ configuration: { apiKey: 'sk_test_y' } }, vault, 'k');
    const ofSecondKey = integration.startCheck('k');
    integration.recordCheck(ofFirstKey, ok, rules, true, 'k');
    expect(integration.awaits(ofFirstKey)).toBe(false);
    expect(integration.status).toBe('PendingValidation');
    integration.recordCheck(ofSecondKey, { ...outage, failure: 'configuration' }, rules, true, 'k');
    expect(integration.status).toBe('Draft');
    expect(eventNames(integration)).not.toContain('PaymentGatewayConnectedEvent');
  });

  it('does not await a health check of credentials replaced meanwhile, so its failure cannot suspend the new ones', () => {
    const integration = activated();
    const ofOldKey = integration.startHealthCheck();
    integration.update({ configuration: { apiKey: 'sk_test_y' } }, vault, 'k');
    integration.recordCheck(integration.startCheck('k'), ok, rules, true, 'k');
    expect(integration.status).toBe('Active');
    expect(integration.awaits(ofOldKey)).toBe(false);
    expect(integration.awaits(integration.startHealthCheck())).toBe(true);
    // A refusal seen outside a check (a sync the provider refused) is about the credentials in use now.
    expect(integration.awaits({ purpose: 'observed' })).toBe(true);
  });

  it('suspends on refused credentials and keeps a configuration failure in Draft (§11.1)', () => {
    const refused = payments();
    refused.recordCheck(refused.startCheck(null), { ...outage, failure: 'authentication' }, rules, true, null);
    expect(refused.status).toBe('Suspended');
    expect(eventNames(refused)).toEqual(['IntegrationSuspendedEvent']);
    const misconfigured = payments();
    misconfigured.recordCheck(misconfigured.startCheck(null), { ...outage, failure: 'configuration' }, rules, true, null);
    expect(misconfigured.status).toBe('Draft');
  });

  it('turns Unhealthy at the third consecutive failure, alerting once, and recovers (BR-IM-04)', () => {
    const integration = activated();
    const seen = [1, 2, 3, 4].map(() => {
      integration.recordCheck(integration.startHealthCheck(), outage, rules, false, null);
      return integration.healthStatus;
    });
    expect(seen).toEqual(['Degraded', 'Degraded', 'Unhealthy', 'Unhealthy']);
    expect(eventNames(integration)).toEqual(['IntegrationHealthDegradedEvent']);
    integration.recordCheck(integration.startHealthCheck(), { ...ok, responseTimeMs: 5000 }, rules, false, null);
    expect(integration.healthStatus).toBe('Degraded'); // slow but answering
    expect(eventNames(integration)).toContain('IntegrationHealthRecoveredEvent');
  });

  it('moves to Error only after the third refused health check in a row (BR-IM-04), and leaves it only through a review (BR-IM-05)', () => {
    const integration = activated();
    const refused = { ...outage, failure: 'configuration' as const };
    integration.recordCheck(integration.startHealthCheck(), refused, rules, false, null);
    integration.recordCheck(integration.startHealthCheck(), refused, rules, false, null);
    expect(integration.status).toBe('Active');
    expect(integration.healthStatus).toBe('Degraded');
    integration.recordCheck(integration.startHealthCheck(), refused, rules, false, null);
    expect(integration.status).toBe('Error');
    // Broken, and alerted as any other run of failures reaching the threshold.
    expect(integration.healthStatus).toBe('Unhealthy');
    expect(eventNames(integration)).toEqual(['IntegrationHealthDegradedEvent', 'IntegrationFailedEvent']);
    expect(() => integration.startCheck('k')).toThrow(/reviewed/);
    expect(() => integration.update({ configuration: { apiKey: 'sk_test_y' } }, vault, 'k')).toThrow(/reviewed/);
    integration.review('Checked with Stripe support', 'k');
    expect(integration.status).toBe('Draft');
    expect(integration.healthStatus).toBe('Unknown'); // nothing has checked it since
    expect(() => integration.review('again', 'k')).toThrow(/Only an integration in Error/);
  });

  it('counts only refusals in a row towards Error: outages before them do not make a refusal the third (BR-IM-04)', () => {
    const integration = activated();
    const refused = { ...outage, failure: 'configuration' as const };
    for (const outcome of [outage, outage, refused, refused]) integration.recordCheck(integration.startHealthCheck(), outcome, rules, false, null);
    expect(integration).toMatchObject({ status: 'Active', healthStatus: 'Unhealthy', consecutiveFailures: 4 });
    integration.recordCheck(integration.startHealthCheck(), outage, rules, false, null);
    integration.recordCheck(integration.startHealthCheck(), refused, rules, false, null);
    integration.recordCheck(integration.startHealthCheck(), refused, rules, false, null);
    expect(integration.status).toBe('Active');
    integration.recordCheck(integration.startHealthCheck(), refused, rules, false, null);
    expect(integration.status).toBe('Error');
  });

  it('suspends on a refusal of its credentials seen outside a check, counting no health check', () => {
    const integration = activated();
    integration.recordCheck(integration.startHealthCheck(), { ...ok, responseTimeMs: 1000 }, rules, false, null);
    const before = { healthChecks: integration.healthChecks, failedHealthChecks: integration.failedHealthChecks, lastResponseTimeMs: integration.lastResponseTimeMs, averageResponseTimeMs: integration.averageResponseTimeMs, lastHealthCheck: integration.lastHealthCheck };
    integration.recordCheck({ purpose: 'observed' }, { ...outage, failure: 'authentication', responseTimeMs: 0 }, rules, false, null);
    expect(integration.status).toBe('Suspended');
    expect(integration).toMatchObject(before);
  });

  it('disconnects for good when a user does it, and reconnectably after failed token refreshes', () => {
    const byUser = activated();
    byUser.disconnect('No longer used', 'k');
    expect(eventNames(byUser)).toEqual(['PaymentGatewayDisconnectedEvent']);
    expect(() => byUser.startCheck('k')).toThrow(/disconnected/);

    const calendar = Integration.create({ tenantId: 't', name: 'Cal', integrationType: 'CalendarSync', provider: 'GoogleCalendar', createdBy: 'k' }, {}, vault);
    calendar.storeOAuthTokens({ accessToken: 'a', refreshToken: 'r', expiresAt: new Date().toISOString(), scope: null }, vault);
    [1, 2, 3].forEach(() => calendar.recordRefreshFailure('invalid_grant', 3));
    expect(calendar.status).toBe('Disconnected');
    expect(calendar.sealedOAuthTokens).toBeNull();
    expect(eventNames(calendar)).toContain('CalendarSyncDisabledEvent');
    expect(calendar.reconnectable).toBe(true);
    calendar.startAuthorization('k');
    expect(calendar.status).toBe('PendingValidation');
  });

  it('sends changed configuration back to Draft and names only the changed fields', () => {
    const integration = activated();
    expect(integration.update({ configuration: { apiKey: 'sk_test_x', currency: 'EUR' } }, vault, 'k')).toEqual(['configuration.currency']);
    expect(integration.status).toBe('Draft');
    expect(integration.healthStatus).toBe('Unknown'); // the Healthy it was is the old configuration's
    expect(JSON.stringify(integration.getUncommittedEvents())).not.toContain('sk_test_x');
  });
});

describe('configuration', () => {
  it('is a JSON object (or a string holding one) of at most the size limit', () => {
    expect(parseConfiguration('{"a":1}', 100).configuration).toEqual({ a: 1 });
    expect(parseConfiguration('{"a":', 100).errors[0].messages[0]).toContain('valid JSON');
    expect(parseConfiguration([1], 100).errors[0].messages[0]).toContain('JSON object');
    expect(parseConfiguration({ a: 'x'.repeat(200) }, 100).errors[0].messages[0]).toContain('at most 100 bytes');
  });

  it('refuses, naming where, keys PostgreSQL cannot store, __proto__ from a string, and a string nesting too deep', () => {
    expect(parseConfiguration({ auth: { 'a\u0000': 1 } }, 10_000).errors).toEqual([{ field: 'configuration.auth', messages: [expect.stringContaining('U+0000')] }]);
    expect(parseConfiguration({ '\ud800': 1 }, 10_000).errors).toEqual([{ field: 'configuration', messages: [expect.stringContaining('surrogate')] }]);
    expect(parseConfiguration('{"__proto__":{"baseUrl":"http://127.0.0.1"}}', 10_000).errors).toEqual([{ field: 'configuration.__proto__', messages: [expect.any(String)] }]);
    const deep = `{"x":${'['.repeat(2000)}${']'.repeat(2000)}}`;
    expect(parseConfiguration(deep, 100_000).errors).toEqual([{ field: 'configuration.x', messages: [expect.stringContaining('100 levels')] }]);
  });

  it('masks declared and secret-looking fields at any depth, and restores masks on update', () => {
    const stored = { apiKey: 'k', headerValue: 'v', nested: { clientSecret: 's', region: 'eu' }, currency: 'USD' };
    const masked = maskConfiguration(stored, ['headerValue']);
    expect(masked).toEqual({ apiKey: MASK, headerValue: MASK, nested: { clientSecret: MASK, region: 'eu' }, currency: 'USD' });
    expect(restoreMaskedSecrets({ ...masked, currency: 'EUR' }, stored)).toEqual({ configuration: { ...stored, currency: 'EUR' }, errors: [] });
    expect(changedPaths(stored, { ...stored, nested: { clientSecret: 't', region: 'eu' } })).toEqual(['nested.clientSecret']);
  });

  it('keeps no masked secret through an update that moves where requests go', () => {
    const stored = { baseUrl: 'https://api.example.com', auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientSecret: 's' }, token: 't' };
    const masked = maskConfiguration(stored, []);
    // Same destinations: the secrets are kept.
    expect(restoreMaskedSecrets({ ...masked, timeoutSeconds: 5 }, stored).errors).toEqual([]);
    // A new token URL: every masked secret must be sent again, each named.
    const moved = restoreMaskedSecrets({ ...masked, auth: { ...masked.auth as object, tokenUrl: 'https://attacker.example/token' } }, stored);
    expect(moved.errors.map((e) => e.field).sort()).toEqual(['configuration.auth.clientSecret', 'configuration.token']);
    expect(moved.errors[0].messages[0]).toContain('configuration.auth.tokenUrl changed');
    // Sent again, the secrets go with the new address.
    expect(restoreMaskedSecrets({ ...stored, baseUrl: 'https://api2.example.com' }, stored).errors).toEqual([]);
  });
});
