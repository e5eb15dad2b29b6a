/**
 * The stack's current secret values for the app's own log redactor, which asks at every line and
 * cannot wait for a read. Read again only when the folder changed: every secret is written
 * through a temporary file and a rename (node-file-system.ts), by a rotation in this process or
 * by the CLI in another, which changes the folder's mtime; a restore swaps the folder itself,
 * which changes its inode. A writer in place would change neither, hence also a re-read at most
 * every few seconds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_SECRET_LENGTH } from '../../core/logs/mask.js';
import {
  PLEX_CLIENT_ID_PLACEHOLDER,
  PLEX_CLIENT_SECRET_PLACEHOLDER,
} from '../../core/secrets/catalogue.js';

const MAX_AGE_MS = 5_000;
const RACY_MS = 100;

/**
 * Stored as secrets only because MediaNest wants them there, and public: masking `MediaNest` in
 * any case would hide the app's own name in every line.
 */
const PUBLIC_VALUES: ReadonlySet<string> = new Set([
  PLEX_CLIENT_ID_PLACEHOLDER,
  PLEX_CLIENT_SECRET_PLACEHOLDER,
]);

export function secretFolderValues(
  dir: string,
  now: () => number = Date.now,
  publicValues: ReadonlySet<string> = PUBLIC_VALUES,
): () => string[] {
  let version = '';
  let readAt = -Infinity;
  let racy = true;
  let values: string[] = [];
  return () => {
    let current = 'absent';
    let changedAt = 0;
    try {
      const stat = statSync(dir, { bigint: true });
      current = `${stat.ino}:${stat.mtimeNs}`;
      changedAt = Number(stat.mtimeNs / 1_000_000n);
    } catch {
      // No secrets folder (yet): nothing to mask.
    }
    if (!racy && current === version && now() - readAt < MAX_AGE_MS) return values;
    version = current;
    readAt = now();
    // File times tick coarsely (a few ms): a change in the same tick as this read would leave the
    // mtime as it is, so a read that close to the last change is trusted only once repeated.
    racy = Date.now() - changedAt < RACY_MS;
    values = current === 'absent' ? [] : readValues(dir, publicValues);
    return values;
  };
}

function readValues(dir: string, publicValues: ReadonlySet<string>): string[] {
  const values: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return values;
  }
  for (const name of names) {
    try {
      const value = readFileSync(join(dir, name), 'utf8').trim();
      if (value.length >= MIN_SECRET_LENGTH && !publicValues.has(value)) values.push(value);
    } catch {
      // A folder, or a file removed since the listing: nothing to mask.
    }
  }
  return values;
}
