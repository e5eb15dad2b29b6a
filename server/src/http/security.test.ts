import { describe, expect, it } from 'vitest';
import { parseHostHeader, sameOrigin } from './security.js';

describe('parseHostHeader: a host name, then only :digits', () => {
  it.each([
    ['localhost', { name: 'localhost' }],
    ['localhost:7420', { name: 'localhost', port: 7420 }],
    ['LOCALHOST:7420', { name: 'localhost', port: 7420 }],
    ['127.0.0.1:7420', { name: '127.0.0.1', port: 7420 }],
    ['[::1]:7420', { name: '[::1]', port: 7420 }],
    ['[::1]', { name: '[::1]' }],
    ['nas.example.com:7420', { name: 'nas.example.com', port: 7420 }],
    ['my-nas.local', { name: 'my-nas.local' }],
  ])('reads %s', (header, expected) => {
    expect(parseHostHeader(header)).toEqual(expected);
  });

  it.each([
    'localhost:7420.evil.com',
    '[::1]evil.com',
    '[::1].evil.com:7420',
    'localhost:1@evil.example',
    'user@localhost:7420',
    'localhost:7420/path',
    'localhost:',
    'localhost:65536',
    'localhost:7420:7420',
    'localhost evil.com',
    'localhost\tx',
    '[evil.com]:80',
    '[::1',
    '::1',
    '-localhost',
    'local_host',
    'localhost.',
    '',
    `${'a'.repeat(400)}.example`,
  ])('refuses %j', (header) => {
    expect(parseHostHeader(header)).toBeUndefined();
  });
});

describe('sameOrigin', () => {
  it('accepts the Origin a browser sends for the Host it addressed', () => {
    expect(sameOrigin('http://localhost:7420', 'localhost:7420')).toBe(true);
    expect(sameOrigin('http://[::1]:7420', '[::1]:7420')).toBe(true);
    expect(sameOrigin('https://nas.example.com', 'nas.example.com:443')).toBe(true);
  });

  it.each([
    ['http://localhost:7420', 'localhost:7420.evil.com'],
    ['http://localhost:7420', 'localhost:1@evil.example'],
    ['http://evil.example', 'localhost:7420'],
    ['http://localhost:7421', 'localhost:7420'],
    ['http://localhost:7420/', 'localhost:7420'],
    ['http://user@localhost:7420', 'localhost:7420'],
    ['null', 'localhost:7420'],
    ['file://localhost:7420', 'localhost:7420'],
  ])('refuses Origin %s for Host %s', (origin, host) => {
    expect(sameOrigin(origin, host)).toBe(false);
  });
});
