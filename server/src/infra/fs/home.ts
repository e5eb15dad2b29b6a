import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppError } from '../../core/app-error.js';

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
  };
}

/** Refuses a home that is not a folder; creates a missing one, private to this user. */
export function ensureHome(root: string): HomePaths {
  const path = resolve(root);
  let isDir: boolean | undefined;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AppError(
        'bad_request',
        `--home: ${path} cannot be read (${(error as Error).message}).`,
        {
          field: 'home',
        },
      );
    }
  }
  if (isDir === false) {
    throw new AppError(
      'bad_request',
      `--home: ${path} is a file, not a folder. Give a folder for the appliance's data.`,
      {
        field: 'home',
      },
    );
  }
  if (isDir === undefined) {
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new AppError(
        'bad_request',
        `--home: ${path} cannot be created (${(error as Error).message}).`,
        {
          field: 'home',
        },
      );
    }
  }
  return homePaths(path);
}
