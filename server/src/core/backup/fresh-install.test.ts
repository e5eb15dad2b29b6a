import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EntrySource } from './archive/format.js';
import { tempFolder, testKey } from './archive/fixtures.test-support.js';
import { createArchiveReader } from './archive/reader.js';
import { createArchiveWriter } from './archive/writer.js';
import { settingsFromArchive } from './fresh-install.js';
import { snapshotTree } from './restore-harness.test-support.js';

const honestConfig = { environment: 'prod', httpPort: 8080, httpsPort: 8443, dataDir: '/old/data' };

const file = (path: string, data: string | Buffer, mode = 0o600): EntrySource => ({
  kind: 'file',
  path,
  mode,
  open: () => Promise.resolve(Buffer.from(data)),
});

/** A new machine's home (no secrets yet) and an archive with the right key holding `entries`. */
async function newMachine(entries: EntrySource[]) {
  const root = await tempFolder();
  const archive = join(root, 'from-elsewhere.mnbackup');
  const key = testKey();
  await createArchiveWriter().write(archive, entries, {}, key);
  const home = join(root, 'home');
  await mkdir(home);
  const deps = {
    reader: createArchiveReader(),
    secretsDir: join(home, 'stack', 'secrets'),
    stagingDir: join(home, '.restore-install'),
    dataDir: join(home, 'data'),
  };
  return { root, deps, archive: { path: archive, key } };
}

const settings = (config: unknown): EntrySource =>
  file('config/settings.json', JSON.stringify({ 'stack.config': config }), 0o644);

describe('installing from an archive of another machine', () => {
  it('takes its validated settings, with this machine data folder, and its secrets as 0600 files', async () => {
    const { deps, archive } = await newMachine([
      settings(honestConfig),
      // A mode the archive says is readable by all: a secret is still written 0600.
      file('secrets/encryption_key', 'a'.repeat(64), 0o644),
      file('secrets/postgres_password', 'b'.repeat(64)),
    ]);
    const config = await settingsFromArchive(deps, archive);
    expect(config).toMatchObject({ httpPort: 8080, httpsPort: 8443, dataDir: deps.dataDir });
    expect(await readFile(join(deps.secretsDir, 'encryption_key'), 'utf8')).toBe('a'.repeat(64));
    expect((await stat(join(deps.secretsDir, 'encryption_key'))).mode & 0o777).toBe(0o600);
  });

  const hostile: Array<{ name: string; entries: EntrySource[]; field: string }> = [
    {
      name: 'a setting the stack schema refuses',
      entries: [settings({ ...honestConfig, httpPort: 'eighty' })],
      field: 'config/settings.json stack.config',
    },
    {
      name: 'an unknown setting',
      entries: [settings({ ...honestConfig, composeFile: '/etc/passwd' })],
      field: 'config/settings.json stack.config',
    },
    {
      name: 'settings that are not JSON',
      entries: [file('config/settings.json', '{"stack.config":')],
      field: 'config/settings.json',
    },
    {
      name: 'oversized settings',
      entries: [file('config/settings.json', `{"pad":"${'x'.repeat(1024 * 1024)}"}`)],
      field: 'config/settings.json',
    },
    {
      name: 'a secret this app does not know',
      entries: [settings(honestConfig), file('secrets/authorized_keys', 'ssh-ed25519 AAAA')],
      field: 'secrets/authorized_keys',
    },
    {
      name: 'a folder among the secrets',
      entries: [
        settings(honestConfig),
        { kind: 'dir', path: 'secrets/jwt_secret' },
        file('secrets/jwt_secret/x', 'x'),
      ],
      field: 'secrets/jwt_secret',
    },
    {
      name: 'an oversized secret',
      entries: [settings(honestConfig), file('secrets/jwt_secret', Buffer.alloc(65 * 1024, 1))],
      field: 'secrets/jwt_secret',
    },
  ];

  it.each(hostile)('refuses $name, naming it, and writes no secret', async ({ entries, field }) => {
    const { root, deps, archive } = await newMachine([
      file('secrets/encryption_key', 'a'.repeat(64)),
      ...entries,
    ]);
    const before = await snapshotTree(root);
    const failure = settingsFromArchive(deps, archive);
    await expect(failure).rejects.toMatchObject({ code: 'unsafe_entry', details: { field } });
    await expect(failure).rejects.toThrow(field);
    expect(await snapshotTree(root)).toEqual(before);
  });
});
