import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFileSystem } from '../../infra/fs/node-file-system.js';
import { AppError } from '../app-error.js';
import type { StackConfig } from '../stack/config.js';
import { STACK_CONFIG_KEY, type ForgettingSettingsRepository } from './settings-repository.js';
import { SettingsService } from './settings-service.js';

/** Settings kept in a map: the logic under test is what is stored and forgotten, not SQLite. */
function memorySettings(): ForgettingSettingsRepository & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    get: (key) => values.get(key),
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
}

const portTaken = new AppError(
  'conflict',
  'Port 8620 (for nginx) is already in use by python3 (pid 42). Stop that program or choose another port. Nothing was changed.',
  { service: 'nginx', port: 8620 },
);

let home: string;
let settings: ReturnType<typeof memorySettings>;
let service: SettingsService;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mn-first-'));
  settings = memorySettings();
  service = new SettingsService(
    { fs: new NodeFileSystem(), settings, now: () => new Date('2026-12-07T06:00:00Z') },
    {
      stackDir: join(home, 'stack'),
      composeFile: join(home, 'stack', 'compose.yaml'),
      secretsDir: join(home, 'stack', 'secrets'),
    },
  );
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/**
 * Installs with a reconcile that answers "port taken" (for the configs `fails` picks; all when
 * omitted) and a take-down that does what `takeDown` does: what was reconciled, how often it was
 * taken down, and the error the install answered.
 */
async function installRefused(
  input: Parameters<SettingsService['install']>[0],
  options: { fails?: (config: StackConfig) => boolean; takeDown?: () => Promise<void> } = {},
) {
  const { fails = () => true, takeDown = async () => undefined } = options;
  const reconciled: StackConfig[] = [];
  let tornDown = 0;
  const error = await service
    .install(
      input,
      async (config) => {
        reconciled.push(config);
        if (fails(config)) throw portTaken;
      },
      async () => {
        tornDown++;
        await takeDown();
      },
    )
    .catch((e: unknown) => e);
  return { reconciled, tornDown, error };
}

describe('a first install that fails', () => {
  it('reconciles once, takes down what it started, removes what it created and forgets the settings', async () => {
    const { reconciled, tornDown, error } = await installRefused({ httpPort: 8620 });
    expect(error).toBeInstanceOf(AppError);
    const message = (error as AppError).message;
    expect(message).toContain('Port 8620 (for nginx) is already in use by python3');
    expect(message).toContain('Nothing was installed');
    expect(message).not.toContain('Nothing was changed');
    expect(message).not.toContain('previous settings');
    expect((error as AppError).details).toMatchObject({ port: 8620, firstInstall: true });
    // No second reconcile with the defaults (which would pull registry images).
    expect(reconciled).toHaveLength(1);
    expect(tornDown).toBe(1);
    expect(readdirSync(home)).toEqual([]);
    expect(settings.values.has(STACK_CONFIG_KEY)).toBe(false);
    expect(await service.isFirstInstall()).toBe(true);
  });

  it('leaves a data folder the user chose, and what it held, in place', async () => {
    const dataDir = join(home, 'media-data');
    mkdirSync(join(dataDir, 'uploads'), { recursive: true });
    writeFileSync(join(dataDir, 'uploads', 'holiday.jpg'), 'a photo');
    await installRefused({ dataDir });
    expect(existsSync(join(dataDir, 'uploads', 'holiday.jpg'))).toBe(true);
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
    expect(existsSync(join(home, 'stack'))).toBe(false);
  });

  it('says so when its containers could not be taken down', async () => {
    const { error } = await installRefused(
      {},
      {
        takeDown: async () => {
          throw new Error('the engine went away');
        },
      },
    );
    expect((error as Error).message).toContain(
      'its containers could not be removed (the engine went away)',
    );
    expect((error as Error).message).not.toContain('Nothing was installed');
  });
});

describe('installing over a stack that exists', () => {
  it('keeps the rollback to the previous settings', async () => {
    await service.install(
      { httpPort: 8620 },
      async () => undefined,
      async () => undefined,
    );
    const { reconciled, tornDown, error } = await installRefused(
      { httpPort: 8621 },
      { fails: (config) => config.httpPort === 8621 },
    );
    expect((error as Error).message).toContain('the previous settings were restored');
    expect(reconciled.map((c) => c.httpPort)).toEqual([8621, 8620]);
    expect(tornDown).toBe(0);
    expect(existsSync(join(home, 'stack', 'compose.yaml'))).toBe(true);
    expect(settings.values.get(STACK_CONFIG_KEY)).toMatchObject({ httpPort: 8620 });
  });
});
