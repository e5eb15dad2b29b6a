/**
 * `pair` and `devices` (issue 21 §2): the appliance's side of pairing, from its own terminal. The
 * code goes into appliance.db, where the running `serve` finds it; the fingerprint is the one that
 * `serve` wrote to serve.json (its certificate), so pairing needs `serve --host` running with HTTPS.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../core/app-error.js';
import { PairingService } from '../core/auth/pairing.js';
import type { HomePaths } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqlitePairing } from '../infra/store/sqlite-devices.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { textTable } from './text-table.js';

/** The certificate fingerprint of the `serve` running for this home, if it serves HTTPS. */
function servedFingerprint(paths: HomePaths): string | undefined {
  try {
    const served = JSON.parse(readFileSync(paths.serveFile, 'utf8')) as { fingerprint?: unknown };
    const { fingerprint } = served;
    return typeof fingerprint === 'string' && /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(fingerprint)
      ? fingerprint
      : undefined;
  } catch {
    return undefined;
  }
}

const when = (ms: number | undefined): string =>
  ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

export async function devicesCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const [action, id, ...rest] = cmd.positionals;
  if (cmd.verb === 'pair' && cmd.positionals.length > 0)
    throw new UsageError('pair takes no arguments');
  if (cmd.verb === 'devices' && (rest.length > 0 || (action !== undefined && action !== 'revoke')))
    throw new UsageError('devices: unknown arguments; devices [--json] | devices revoke ID');
  if (action === 'revoke' && !id) throw new UsageError('devices revoke takes the device id');
  const db = openDatabase(paths.db);
  try {
    const pairing = new PairingService({
      repository: new SqlitePairing(db),
      now: Date.now,
      fingerprint: () => servedFingerprint(paths),
    });
    const json = cmd.values.json === true;
    if (cmd.verb === 'pair') {
      const { code, expiresAt, fingerprint } = pairing.issueCode();
      const until = new Date(expiresAt).toISOString();
      io.stdout(
        json
          ? JSON.stringify({ code, expiresAt: until, fingerprint })
          : [
              `pairing code ${code}   (once, until ${until.slice(11, 16)} UTC)`,
              `certificate SHA-256 ${fingerprint}`,
              'On the desktop: Add an appliance, then this address and code; it checks that it sees this certificate.',
            ].join('\n'),
      );
      return EXIT.ok;
    }
    if (action === 'revoke' && id) {
      pairing.revoke(id);
      io.stdout(`revoked ${id}: its token is refused from now on`);
      return EXIT.ok;
    }
    const devices = pairing.devices();
    if (json) {
      io.stdout(JSON.stringify({ devices }, null, 2));
    } else if (devices.length === 0) {
      io.stdout('No paired devices. `pair` makes a code to pair one.');
    } else {
      io.stdout(
        textTable(
          ['ID', 'NAME', 'PAIRED', 'LAST SEEN', 'ADDRESS'],
          devices.map((d) => [
            d.id,
            d.name,
            when(d.pairedAt),
            when(d.lastSeenAt),
            d.lastAddress ?? '-',
          ]),
        ),
      );
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict' && cmd.verb === 'pair')
      throw new AppError(
        'conflict',
        `${error.message} No serve with HTTPS runs for ${paths.root}.`,
      );
    throw error;
  } finally {
    db.close();
  }
}
