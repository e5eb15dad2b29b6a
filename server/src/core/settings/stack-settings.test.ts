import { describe, expect, it } from 'vitest';
import { STACK_CONFIG_KEY, type SettingsRepository } from './settings-repository.js';
import {
  BACKUP_LOCATION_KEY,
  backupsFolder,
  dataFolder,
  mediaNestUrl,
  pullPolicyOf,
  stackConfigStore,
} from './stack-settings.js';

const memorySettings = (initial: Record<string, unknown> = {}): SettingsRepository => {
  const values = new Map(Object.entries(initial));
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) };
};

describe('the stored stack configuration', () => {
  it('reads nothing before an install, and says what to do when one is required', () => {
    const store = stackConfigStore(memorySettings());
    expect(store.read()).toBeUndefined();
    expect(store.installed()).toBe(false);
    expect(() => store.require('run init first')).toThrow('run init first');
  });

  it('reads what was saved', () => {
    const settings = memorySettings();
    const store = stackConfigStore(settings);
    store.save({ httpPort: 8080, pullPolicy: 'never' });
    expect(settings.get(STACK_CONFIG_KEY)).toEqual({ httpPort: 8080, pullPolicy: 'never' });
    expect(store.require('x')).toEqual({ httpPort: 8080, pullPolicy: 'never' });
    expect(store.installed()).toBe(true);
  });

  it('treats a stored value that is no object as no configuration', () => {
    expect(stackConfigStore(memorySettings({ [STACK_CONFIG_KEY]: 'oops' })).read()).toBeUndefined();
  });
});

describe('policies derived from the stack settings', () => {
  it('MediaNest answers on https at its domain with tls, else on localhost at the http port', () => {
    expect(mediaNestUrl(undefined)).toBeUndefined();
    expect(mediaNestUrl({})).toBe('http://localhost:80/');
    expect(mediaNestUrl({ httpPort: 8080, domain: 'media.example.org' })).toBe(
      'http://localhost:8080/',
    );
    expect(mediaNestUrl({ domain: 'media.example.org', profiles: ['tls'] })).toBe(
      'https://media.example.org/',
    );
  });

  it('pulls only what is missing unless configured otherwise', () => {
    expect(pullPolicyOf(undefined)).toBe('missing');
    expect(pullPolicyOf({ pullPolicy: 'always' })).toBe('always');
  });

  it('uses the configured data and backups folders, else the defaults', () => {
    expect(dataFolder(undefined, '/home/d')).toBe('/home/d');
    expect(dataFolder({ dataDir: '/srv/media' }, '/home/d')).toBe('/srv/media');
    expect(backupsFolder(memorySettings(), '/home/b')).toBe('/home/b');
    expect(backupsFolder(memorySettings({ [BACKUP_LOCATION_KEY]: '/mnt/usb' }), '/home/b')).toBe(
      '/mnt/usb',
    );
  });
});
