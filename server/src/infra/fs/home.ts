import { chmodSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { AppError } from '../../core/app-error.js';
import { messageOf } from '../../contract/errors.js';

export const APP_DIR_NAME = 'medianest-appliance';

/**
 * The OS's per-user app-data folder, the same one Electron's `userData` uses, so the desktop app
 * and `medianest-appliance serve` share one home.
 */
export function defaultHome(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.MEDIANEST_APPLIANCE_HOME) return resolve(env.MEDIANEST_APPLIANCE_HOME);
  if (platform === 'win32')
    return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_DIR_NAME);
}

/** Layout of the appliance home (DESIGN.md, "Appliance home"). */
export interface HomePaths {
  root: string;
  db: string;
  stackDir: string;
  composeFile: string;
  envFile: string;
  secretsDir: string;
  dataDir: string;
  backupsDir: string;
  serveFile: string;
  /** The certificate `serve` made for HTTPS beyond loopback, and its key. */
  tlsDir: string;
  /** The appliances this desktop is paired with (issue 21), and the key sealing their tokens. */
  appliancesFile: string;
  remoteKeyFile: string;
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    db: join(root, 'appliance.db'),
    stackDir: join(root, 'stack'),
    composeFile: join(root, 'stack', 'compose.yaml'),
    envFile: join(root, 'stack', '.env'),
    secretsDir: join(root, 'stack', 'secrets'),
    dataDir: join(root, 'data'),
    backupsDir: join(root, 'backups'),
    serveFile: join(root, 'serve.json'),
    tlsDir: join(root, 'tls'),
    appliancesFile: join(root, 'appliances.json'),
    remoteKeyFile: join(root, 'remote.key'),
  };
}

/** Who is asking: the process's user id, or undefined where modes mean nothing (Windows). */
export interface HomeOwner {
  uid: number | undefined;
}

const currentOwner = (): HomeOwner => ({ uid: process.getuid?.() });

const fieldError = (message: string): AppError =>
  new AppError('bad_request', `--home: ${message}`, { field: 'home' });

/**
 * Refuses a home that is not a folder; creates a missing one, private to this user; makes an
 * existing one private (see `makeHomePrivate`).
 */
export function ensureHome(root: string, owner: HomeOwner = currentOwner()): HomePaths {
  const path = resolve(root);
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw fieldError(`${path} cannot be read (${messageOf(error)}).`);
    }
  }
  if (stats && !stats.isDirectory()) {
    throw fieldError(`${path} is a file, not a folder. Give a folder for the appliance's data.`);
  }
  if (!stats) {
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw fieldError(`${path} cannot be created (${messageOf(error)}).`);
    }
  } else {
    makeHomePrivate(path, stats, owner);
  }
  return homePaths(path);
}

/** Group and other permission bits: none may be set on the home. */
const SHARED_BITS = 0o077;
const STICKY = 0o1000;

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * The home holds the database (webhook tokens, the admin password's hash), serve.json's token, the
 * recovery key and the secrets, so no other user may list or enter it. A folder made by `mkdir`
 * (0755, as docs/headless.md's `/srv/medianest-appliance` usually is) is tightened to 0700 when it is
 * ours to tighten: it belongs to this user and holds nothing but an appliance home (it is empty or has
 * `appliance.db`). Anything else is refused with the command that fixes it: chmod on a folder that
 * is shared on purpose (`--home ~` or `/srv`, a sticky `/tmp`) or that belongs to someone else
 * would break what else lives there.
 */
function makeHomePrivate(path: string, stats: Stats, owner: HomeOwner): void {
  if (owner.uid === undefined || (stats.mode & SHARED_BITS) === 0) return;
  const mine = stats.uid === owner.uid;
  const sticky = (stats.mode & STICKY) !== 0;
  if (mine && !sticky && holdsOnlyAnApplianceHome(path)) {
    chmodSync(path, 0o700);
    return;
  }
  const why = !mine
    ? `it belongs to another user (uid ${stats.uid})`
    : sticky
      ? 'it is a shared folder (sticky bit set)'
      : "it holds files that are not the appliance's";
  throw fieldError(
    `${path} is open to other users (mode ${octal(stats.mode)}) and ${why}, so the appliance will not tighten it. It would keep its database, tokens and keys there: give a folder of its own (a missing one is created private), or make this one private as its owner: chmod 700 ${path}`,
  );
}

function holdsOnlyAnApplianceHome(path: string): boolean {
  const names = readdirSync(path);
  return names.length === 0 || names.includes(basename(homePaths(path).db));
}
