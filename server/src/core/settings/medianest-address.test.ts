import { describe, expect, it } from 'vitest';
import { mediaNestAddress, type InterfaceAddress } from './medianest-address.js';

const nics: InterfaceAddress[] = [
  { address: '127.0.0.1', family: 'IPv4', internal: true },
  { address: '172.17.0.1', family: 'IPv4', internal: false },
  { address: 'fe80::1', family: 'IPv6', internal: false },
  { address: '192.168.1.20', family: 'IPv4', internal: false },
];

describe('where people open MediaNest', () => {
  it('is nowhere before an install', () => {
    expect(mediaNestAddress({}, nics)).toBeUndefined();
  });

  it('is this computer’s home-network address on the HTTP port, not a Docker bridge', () => {
    expect(mediaNestAddress({ httpPort: 8620 }, nics)).toEqual({
      url: 'http://192.168.1.20:8620/',
      others: ['http://localhost:8620/'],
    });
  });

  it('leaves out container and VM bridges on any subnet, by their names', () => {
    const bridges: InterfaceAddress[] = [
      { name: 'br-3d7a5d31e6b0', address: '10.213.1.1', family: 'IPv4', internal: false },
      { name: 'docker0', address: '10.200.0.1', family: 'IPv4', internal: false },
      { name: 'virbr0', address: '192.168.122.1', family: 'IPv4', internal: false },
      { name: 'eth0', address: '10.0.0.7', family: 'IPv4', internal: false },
    ];
    expect(mediaNestAddress({ httpPort: 8620 }, bridges)).toEqual({
      url: 'http://10.0.0.7:8620/',
      others: ['http://localhost:8620/'],
    });
  });

  it('follows a port change, and leaves out the default port', () => {
    expect(mediaNestAddress({ httpPort: 80 }, nics)?.url).toBe('http://192.168.1.20/');
  });

  it('is the domain, with HTTPS when it is used', () => {
    expect(
      mediaNestAddress({ httpPort: 8080, domain: 'media.example.org', profiles: ['tls'] }, nics)
        ?.url,
    ).toBe('https://media.example.org/');
    expect(mediaNestAddress({ httpPort: 8080, domain: 'media.example.org' }, nics)?.url).toBe(
      'http://media.example.org:8080/',
    );
  });

  it('is localhost on a computer with no network', () => {
    expect(mediaNestAddress({ httpPort: 8620 }, [nics[0]!])).toEqual({
      url: 'http://localhost:8620/',
      others: [],
    });
  });
});
