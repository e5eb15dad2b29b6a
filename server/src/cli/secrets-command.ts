import type { StackProgress } from '../contract/stack.js';
import type { RotationResult, SecretStatus } from '../core/secrets/rotation-service.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { createSecretsService } from '../app/secrets.js';
import { UsageError, type ParsedCommand } from './args.js';
import type { CliIo } from './io.js';
import { withJobLock } from './job-lock.js';
import { textTable } from './text-table.js';

const USAGE = 'secrets list | secrets rotate NAME [--grace-days N]';

function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** Short forms of NOT_ROTATABLE's reasons, for the table; `--json` and a refusal give the whole one. */
const SHORT_REASON: Record<string, string> = {
  encryption_key: 'never rotated: it encrypts stored Plex tokens and API keys',
  database_url: 'follows postgres_password',
  redis_url: 'follows redis_password',
  jwt_secret_rotation: 'follows jwt_secret',
  plex_client_id: 'a setting',
  plex_client_secret: 'a setting',
  tls_self_signed: 'renewed by init',
};

function note(row: SecretStatus): string {
  if (row.unfinishedRotation) return 'rotation unfinished: rotate it again to complete it';
  if (row.graceUntil) return `previous jwt_secret, accepted until ${row.graceUntil}`;
  if (row.rotatable) return 'rotatable';
  return SHORT_REASON[row.name] ?? (row.notRotatableBecause ? 'not rotatable yet' : '');
}

/** `secrets list` as a table: names, ages, consumers; never a value. */
export function formatSecrets(rows: SecretStatus[]): string {
  const header = ['NAME', 'AGE', 'USED BY', 'NOTE'];
  const table = rows.map((r) => [
    r.name,
    age(r.ageSeconds),
    r.consumers.join(', ') || '-',
    note(r),
  ]);
  return textTable(header, table);
}

export function formatRotation(result: RotationResult): string {
  const lines = [
    `Rotated ${result.name}${result.alsoChanged.length ? ` (and ${result.alsoChanged.join(', ')})` : ''}.`,
  ];
  if (result.repaired) lines.unshift(`Finished the interrupted rotation of ${result.repaired}.`);
  if (result.recreated === null) {
    lines.push('The stack is not running: the new value applies at the next `up`.');
  } else {
    lines.push(`Recreated: ${result.recreated.join(', ') || 'nothing'}. The stack is healthy.`);
  }
  if (result.graceUntil) {
    lines.push(`Sessions signed with the previous value stay valid until ${result.graceUntil}.`);
  }
  return lines.join('\n');
}

function graceDays(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value)) {
    throw new UsageError('--grace-days: a whole number of days, such as 7 (0: none)');
  }
  return Number(value);
}

function progressPrinter(io: CliIo, json: boolean): (event: StackProgress) => void {
  return (event) => {
    if (!json && event.type === 'stack.service-progressed' && event.action !== 'failed') {
      io.stderr(`  ${event.service.padEnd(16)} ${event.action}`);
    }
  };
}

/** `secrets list` and `secrets rotate NAME [--grace-days N]`. Returns the exit code. */
export async function secretsCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const [action, name, ...extra] = cmd.positionals;
  const listing = action === 'list' && name === undefined;
  if (!listing && (action !== 'rotate' || name === undefined || extra.length > 0)) {
    throw new UsageError(`usage: ${USAGE}`);
  }
  if (listing && cmd.values['grace-days'] !== undefined) {
    throw new UsageError('--grace-days only applies to `secrets rotate jwt_secret`');
  }
  // `rotate` holds the job lock (job-lock.ts); `list` only reads.
  return withJobLock(paths, cmd, io, () => secretsVerb(cmd, paths, io, listing));
}

async function secretsVerb(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
  listing: boolean,
): Promise<number> {
  const json = cmd.values.json === true;
  const [, name] = cmd.positionals;
  const db = openDatabase(paths.db);
  try {
    const secrets = createSecretsService(
      paths,
      io.env,
      new SqliteSettings(db),
      progressPrinter(io, json),
    );
    if (listing) {
      const rows = await secrets.list();
      io.stdout(json ? JSON.stringify(rows, null, 2) : formatSecrets(rows));
      return 0;
    }
    const days = graceDays(cmd.values['grace-days']);
    const result = await secrets.rotate(
      name ?? '',
      days === undefined ? {} : { graceDays: days },
      (step, percent) => {
        if (!json && percent !== 100) io.stderr(`${step}...`);
      },
    );
    io.stdout(json ? JSON.stringify(result, null, 2) : formatRotation(result));
    return 0;
  } finally {
    db.close();
  }
}
