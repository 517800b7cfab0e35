import ipaddr from 'ipaddr.js';

/**
 * Which addresses a user-given URL may reach. Only public unicast addresses, plus loopback when the operator
 * allows it (ALLOW_LOOPBACK_TARGETS, for tests and local development). Private, link-local (cloud metadata at
 * 169.254.169.254 included), carrier-grade NAT, multicast, reserved and unspecified ranges are refused, and so
 * are IPv6 forms that embed an IPv4 address.
 */
export type AddressClass = 'public' | 'loopback' | 'refused';

export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'refused';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === 'loopback') return 'loopback';
  // ::/96, the deprecated IPv4-compatible form (::7f00:1 is 127.0.0.1): ipaddr.js calls it unicast, and no public
  // service lives there, so it is refused rather than read as the IPv4 address it embeds.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return 'refused';
  return range === 'unicast' ? 'public' : 'refused';
}

export function isAllowedAddress(address: string, allowLoopback: boolean): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (kind === 'loopback' && allowLoopback);
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain']);

/** True for `localhost`, 127.0.0.0/8 and ::1 as written in a URL. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(host) || host.endsWith('.localhost') || (ipaddr.isValid(host) && classifyAddress(host) === 'loopback');
}

/**
 * Where an OAuth authorization code may be sent back (§7.1, RFC 9700 §2.1, RFC 8252 §7.3): an https URL, or plain
 * http to the user's own machine (a development setup). Any host may be named: the user's browser goes there, not
 * this service, and the provider accepts only redirect URIs registered with the client.
 */
export function isAllowedRedirectUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

export type UrlProblem = 'invalid' | 'scheme' | 'credentials' | 'address';

/**
 * The checks that can be made on the URL alone (BR-WH-01): a valid absolute URL, HTTPS (plain HTTP only to
 * loopback, and only when loopback is allowed), no embedded credentials, and no literal address that is
 * refused. Host names are checked again when the connection is made.
 */
export function checkTargetUrl(raw: string, allowLoopback: boolean): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.username || url.password) return 'credentials';
  const loopback = isLoopbackHost(url.hostname);
  if (loopback && !allowLoopback) return 'address';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'scheme';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host) && !isAllowedAddress(host, allowLoopback)) return 'address';
  return null;
}
