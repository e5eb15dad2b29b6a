import { describe, expect, it } from 'vitest';
import { parseStackConfig } from '../stack/config.js';
import { withChanges } from './settings-service.js';

describe('changes laid over the stored settings', () => {
  const stored = {
    environment: 'prod',
    profiles: ['tls'],
    domain: 'media.example.org',
    email: 'me@example.org',
    httpPort: 8080,
  };

  it('replaces the fields given and keeps the others', () => {
    expect(withChanges(stored, { httpPort: 8081 })).toEqual({ ...stored, httpPort: 8081 });
  });

  it('clears a field given as null, so a domain can go back to local only', () => {
    const next = withChanges(stored, { domain: null, email: null, profiles: [] });
    expect(next).not.toHaveProperty('domain');
    expect(next).not.toHaveProperty('email');
    const config = parseStackConfig(next, { dataDir: '/srv/medianest/data' });
    expect(config.domain).toBeUndefined();
    expect(config.httpPort).toBe(8080);
  });

  it('leaves the stored settings untouched', () => {
    const before = structuredClone(stored);
    withChanges(stored, { domain: null });
    expect(stored).toEqual(before);
  });
});
