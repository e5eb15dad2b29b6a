import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../core/app-error.js';
import { stackConfigStore } from '../core/settings/stack-settings.js';
import { parseImagesFile } from '../core/stack/config.js';
import { initStack } from '../core/stack/init-service.js';
import type { HomePaths } from '../infra/fs/home.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { recoveryKeyStore } from '../app/backup.js';
import type { ParsedCommand } from './args.js';
import type { CliIo } from './io.js';
import { withJobLock } from './job-lock.js';

/** The flags given, as raw config input; the stack's own schema validates them and names the field. */
function configFromFlags(cmd: ParsedCommand): Record<string, unknown> {
  const v = cmd.values;
  const raw: Record<string, unknown> = {};
  const port = (value: unknown): unknown =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (v.env !== undefined) raw.environment = v.env;
  if (v.profile !== undefined) raw.profiles = v.profile;
  if (v.domain !== undefined) raw.domain = v.domain;
  if (v.email !== undefined) raw.email = v.email;
  if (v['http-port'] !== undefined) raw.httpPort = port(v['http-port']);
  if (v['https-port'] !== undefined) raw.httpsPort = port(v['https-port']);
  if (typeof v['data-dir'] === 'string') raw.dataDir = resolve(v['data-dir']);
  if (v['pull-policy'] !== undefined) raw.pullPolicy = v['pull-policy'];
  if (typeof v.images === 'string') {
    let text: string;
    try {
      text = readFileSync(v.images, 'utf8');
    } catch (error) {
      throw new AppError(
        'validation_failed',
        `--images: cannot read ${v.images} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          fields: { images: 'cannot be read' },
        },
      );
    }
    raw.images = parseImagesFile(text);
  }
  return raw;
}

/**
 * `init`: the settings given now, over those of an earlier init of this home; existing secrets are
 * kept. Nothing is written when a value is refused.
 */
export function initCommand(cmd: ParsedCommand, paths: HomePaths, io: CliIo): Promise<number> {
  // It rewrites the compose project and the secrets: never beside a running job (job-lock.ts).
  return withJobLock(paths, cmd, io, () => initVerb(cmd, paths, io));
}

async function initVerb(cmd: ParsedCommand, paths: HomePaths, io: CliIo): Promise<number> {
  const db = openDatabase(paths.db);
  try {
    const stored = stackConfigStore(new SqliteSettings(db));
    const input = { ...(stored.read() ?? {}), ...configFromFlags(cmd) };
    const result = await initStack(
      { fs: new NodeFileSystem(), now: () => new Date() },
      { stackDir: paths.stackDir, secretsDir: paths.secretsDir, config: input },
    );
    // The Plex values live in the secret files only, never in the database.
    const { plex: _plex, ...storable } = result.config;
    stored.save(storable);
    // Created once per home; its text is given out this one time, to be saved for restores elsewhere.
    const { created: recoveryKey } = await recoveryKeyStore(paths).ensure();
    const summary = {
      ...(recoveryKey ? { recoveryKey } : {}),
      composeFile: paths.composeFile,
      environment: result.config.environment,
      profiles: result.config.profiles,
      services: Object.keys(result.rendered.compose.services),
      createdSecrets: result.createdSecrets,
      keptSecrets: result.keptSecrets,
      updatedSecrets: result.updatedSecrets,
    };
    io.stdout(
      cmd.values.json
        ? JSON.stringify(summary, null, 2)
        : [
            `Rendered ${paths.composeFile} (${summary.environment}${summary.profiles.length ? `, ${summary.profiles.join(', ')}` : ''}):`,
            `  services: ${summary.services.join(', ')}`,
            `  secrets: ${result.createdSecrets.length} generated, ${result.keptSecrets.length} kept`,
            ...(recoveryKey
              ? [
                  '',
                  'Recovery key (shown once: save it somewhere safe, away from this machine;',
                  'it is needed to restore a backup on another machine):',
                  `  ${recoveryKey}`,
                  '',
                ]
              : []),
            'Next: medianest-appliance up',
          ].join('\n'),
    );
    return 0;
  } finally {
    db.close();
  }
}
