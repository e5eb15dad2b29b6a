import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { secretFolderValues } from './secret-folder.js';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mna-secret-folder-'));
  dir = join(root, 'secrets');
  mkdirSync(dir, { mode: 0o700 });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** As node-file-system.ts writes a secret: a temporary file renamed over the old one. */
function writeSecret(folder: string, name: string, value: string): void {
  const temp = join(folder, `.${name}.tmp`);
  writeFileSync(temp, `${value}\n`, { mode: 0o600 });
  renameSync(temp, join(folder, name));
}

describe("the stack's secret values for the app log", () => {
  it('reads every secret, but not short values nor the public Plex placeholders', () => {
    writeSecret(dir, 'jwt_secret', A);
    writeSecret(dir, 'short', '1234');
    writeSecret(dir, 'plex_client_id', 'MediaNest');
    writeSecret(dir, 'plex_client_secret', 'not-used-for-pin-auth');
    expect(secretFolderValues(dir)()).toEqual([A]);
  });

  it('knows a rotated value at the very next line, and forgets the old one', () => {
    writeSecret(dir, 'jwt_secret', A);
    // Written a minute ago: the first read is trusted, so only the rename can bring B in.
    const past = new Date(Date.now() - 60_000);
    utimesSync(dir, past, past);
    const values = secretFolderValues(dir, () => 0);
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), secrets: values });
    logger.info(`old ${A}`);
    writeSecret(dir, 'jwt_secret', B);
    logger.info(`new ${B.toUpperCase()} old ${A}`);
    expect(lines[0]).toContain('old [redacted]');
    expect(lines[1]).toContain(`new [redacted] old ${A}`);
  });

  it('follows a folder swapped by a restore, and a folder that is gone', () => {
    writeSecret(dir, 'jwt_secret', A);
    const values = secretFolderValues(dir, () => 0);
    expect(values()).toEqual([A]);
    const staged = join(root, 'staged');
    mkdirSync(staged, { mode: 0o700 });
    writeSecret(staged, 'jwt_secret', B);
    renameSync(dir, join(root, 'previous'));
    expect(values()).toEqual([]);
    renameSync(staged, dir);
    expect(values()).toEqual([B]);
  });

  it('reads a file written in place again after a few seconds', () => {
    writeSecret(dir, 'jwt_secret', A);
    let now = 0;
    const values = secretFolderValues(dir, () => now);
    expect(values()).toEqual([A]);
    writeFileSync(join(dir, 'jwt_secret'), B);
    now = 6_000;
    expect(values()).toEqual([B]);
  });
});
