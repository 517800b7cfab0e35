import { checkTargetUrl, classifyAddress } from './address-policy';

// Addresses here are inputs to pure functions only; nothing is ever sent to them.
describe('outbound address policy', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'refused'],
    ['172.16.5.4', 'refused'],
    ['192.168.1.1', 'refused'],
    ['169.254.169.254', 'refused'],
    ['100.64.0.1', 'refused'],
    ['0.0.0.0', 'refused'],
    ['224.0.0.1', 'refused'],
    ['fc00::1', 'refused'],
    ['fe80::1', 'refused'],
    ['::ffff:10.0.0.1', 'refused'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::7f00:1', 'refused'],
    ['::a00:1', 'refused'],
    ['::808:808', 'refused'],
    ['not-an-ip', 'refused'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('wants HTTPS, allowing plain HTTP only to loopback when loopback is allowed', () => {
    expect(checkTargetUrl('https://hooks.example.com/in', false)).toBeNull();
    expect(checkTargetUrl('http://hooks.example.com/in', true)).toBe('scheme');
    expect(checkTargetUrl('http://127.0.0.1:8080/in', true)).toBeNull();
    expect(checkTargetUrl('http://localhost:8080/in', true)).toBeNull();
    expect(checkTargetUrl('http://127.0.0.1:8080/in', false)).toBe('address');
    expect(checkTargetUrl('https://[::1]/in', false)).toBe('address');
    expect(checkTargetUrl('https://10.1.2.3/in', true)).toBe('address');
    expect(checkTargetUrl('https://169.254.169.254/latest/meta-data', true)).toBe('address');
    expect(checkTargetUrl('https://user:pw@hooks.example.com/', true)).toBe('credentials');
    expect(checkTargetUrl('ftp://hooks.example.com/', true)).toBe('scheme');
    expect(checkTargetUrl('not a url', true)).toBe('invalid');
  });
});
