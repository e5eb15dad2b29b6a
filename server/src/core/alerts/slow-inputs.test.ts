import { describe, expect, it } from 'vitest';
import type { BackupSchedule } from '../../contract/backup-routes.js';
import { STACK_CONFIG_KEY, type SettingsRepository } from '../settings/settings-repository.js';
import { stackConfigStore } from '../settings/stack-settings.js';
import { ALERTS_WATCHING_SINCE_KEY } from './alert-settings.js';
import { readSlowInputs, type SlowInputPorts } from './slow-inputs.js';

const memorySettings = (initial: Record<string, unknown> = {}): SettingsRepository => {
  const values = new Map(Object.entries(initial));
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) };
};

const schedule = (daily: boolean, weekly: boolean): BackupSchedule => ({
  daily: { enabled: daily, time: '03:00' },
  weekly: { enabled: weekly, weekday: 0, time: '04:00' },
  retention: { daily: 7, weekly: 4 },
});

const NOW = new Date('2026-05-01T12:00:00.000Z');

function ports(settings: SettingsRepository, over: Partial<SlowInputPorts> = {}): SlowInputPorts {
  return {
    settings,
    stackConfig: stackConfigStore(settings),
    defaultDataDir: '/home/data',
    secretsDir: '/home/secrets',
    disk: async (dir) => (dir === '/srv/media' ? { freeBytes: 1, totalBytes: 10 } : undefined),
    certificateNotAfter: async ({ domain }) =>
      domain === 'media.example.org' ? new Date('2026-06-01T00:00:00.000Z') : undefined,
    certbotAttempt: async () => undefined,
    lastUpdate: () => undefined,
    schedule: () => schedule(true, false),
    lastSuccessfulBackupAt: () => new Date('2026-04-30T03:00:00.000Z'),
    now: () => NOW,
    ...over,
  };
}

describe('the slow alert inputs', () => {
  it('are none before a stack is installed', async () => {
    expect(await readSlowInputs(ports(memorySettings()))).toEqual({});
  });

  it('read the configured data folder, the served certificate with tls, and the backup age', async () => {
    const settings = memorySettings({
      [STACK_CONFIG_KEY]: { dataDir: '/srv/media', domain: 'media.example.org', profiles: ['tls'] },
    });
    expect(await readSlowInputs(ports(settings))).toEqual({
      disk: { freeBytes: 1, totalBytes: 10 },
      certificateNotAfter: new Date('2026-06-01T00:00:00.000Z'),
      backup: {
        lastSuccessAt: new Date('2026-04-30T03:00:00.000Z'),
        intervalMs: 86_400_000,
        watchingSince: NOW,
      },
    });
    // Watching starts once, at the first read: later reads keep that time.
    expect(settings.get(ALERTS_WATCHING_SINCE_KEY)).toBe(NOW.toISOString());
  });

  it("read certbot's last attempt for the configured domain only, from the data folder", async () => {
    const record = (domain: string) =>
      `result=failed\nat=2026-05-01T11:00:00Z\ncommand=certonly\nexit=1\ndomain=${domain}\nretry_seconds=3600\n--\nAn unexpected error occurred:\n`;
    const read: string[] = [];
    const settings = memorySettings({
      [STACK_CONFIG_KEY]: { dataDir: '/srv/media', domain: 'media.example.org', profiles: ['tls'] },
    });
    const withRecord = (domain: string) =>
      ports(settings, {
        certbotAttempt: async (dir) => {
          read.push(dir);
          return record(domain);
        },
      });
    const slow = await readSlowInputs(withRecord('media.example.org'));
    expect(slow.letsEncrypt).toMatchObject({ result: 'failed', command: 'certonly' });
    expect(read).toEqual(['/srv/media']);
    // A record of an earlier domain says nothing about this one.
    expect((await readSlowInputs(withRecord('old.example.org'))).letsEncrypt).toBeUndefined();
    // Without the tls profile certbot does not run: its old record is not read.
    settings.set(STACK_CONFIG_KEY, { dataDir: '/srv/media', domain: 'media.example.org' });
    expect((await readSlowInputs(withRecord('media.example.org'))).letsEncrypt).toBeUndefined();
    expect(read).toHaveLength(2);
  });

  it('carry the newest record of the update history', async () => {
    const settings = memorySettings({ [STACK_CONFIG_KEY]: {} });
    const record = {
      id: 'u1',
      kind: 'update' as const,
      from: { backend: 'b:v1' },
      to: { backend: 'b:v2' },
      target: 'v2',
      startedAt: NOW.toISOString(),
      durationMs: 1,
      result: 'rolled-back' as const,
    };
    expect(
      (await readSlowInputs(ports(settings, { lastUpdate: () => record }))).lastUpdate,
    ).toEqual(record);
    expect((await readSlowInputs(ports(settings))).lastUpdate).toBeUndefined();
  });

  it('expect a backup a week apart with weekly ones only, and none without a schedule', async () => {
    const settings = memorySettings({ [STACK_CONFIG_KEY]: {} });
    const weekly = await readSlowInputs(ports(settings, { schedule: () => schedule(false, true) }));
    expect(weekly.backup?.intervalMs).toBe(7 * 86_400_000);
    const none = await readSlowInputs(ports(settings, { schedule: () => schedule(false, false) }));
    expect(none.backup).toBeUndefined();
    expect(none.certificateNotAfter).toBeUndefined();
  });
});
