import { describe, expect, it } from 'vitest';
import { takenPortErrors, typedPort } from './port-checks';

const taken = (port: number) => ({
  id: 'ports.x',
  title: `Port ${port}`,
  status: 'fail' as const,
  summary: `Port ${port} is already in use by apache2 (pid 812).`,
  fix: `Stop the program that uses port ${port}, or choose another port for MediaNest.`,
});
const free = { id: 'ports.x', title: 'Port', status: 'ok' as const, summary: 'free' };

describe('ports that block Next, Install and Apply', () => {
  it('names a taken HTTP port with what to do', () => {
    expect(
      takenPortErrors(
        { checking: false, http: taken(80), https: free },
        { access: 'local', profiles: [] },
      ),
    ).toEqual({
      httpPort:
        'Port 80 is already in use by apache2 (pid 812). Stop the program that uses port 80, or choose another port for MediaNest.',
    });
  });

  it('ignores a taken HTTPS port unless a domain with HTTPS publishes it', () => {
    const ports = { checking: false, http: free, https: taken(443) };
    expect(takenPortErrors(ports, { access: 'local', profiles: [] })).toEqual({});
    expect(takenPortErrors(ports, { access: 'domain', profiles: [] })).toEqual({});
    expect(Object.keys(takenPortErrors(ports, { access: 'domain', profiles: ['tls'] }))).toEqual([
      'httpsPort',
    ]);
  });

  it('reads only whole port numbers', () => {
    expect(typedPort(' 8080 ')).toBe(8080);
    expect(typedPort('70000')).toBeUndefined();
    expect(typedPort('80a')).toBeUndefined();
  });
});
