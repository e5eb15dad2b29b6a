/**
 * Issue 17, section 3: nothing in the appliance home is readable by another user of the machine.
 * The tests run as root; the probes run as `nobody` (uid and gid 65534), a second, unprivileged
 * user, against a home made the way docs/headless.md suggests (`mkdir`, so 0755), filled by the
 * built CLI's `init` and a running `serve`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, NO_ENGINE, startServe, type RunningServe } from './serve-process.js';

const NOBODY = 65_534;
const IMAGES = process.env.MEDIANEST_IMAGES;
const parents: string[] = [];
const running: RunningServe[] = [];

beforeAll(() => {
  if (process.getuid?.() !== 0)
    throw new Error('These probes need root, to run a child as nobody.');
  if (!IMAGES) throw new Error("MEDIANEST_IMAGES is not set: export the rig's images file.");
  buildCli();
}, 180_000);
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});
afterAll(() => {
  for (const parent of parents) rmSync(parent, { recursive: true, force: true });
});

/** `mkdir <parent>/home` as a user would: 0755, inside a parent anyone may walk through. */
function sharedHome(): string {
  const parent = mkdtempSync(join(tmpdir(), 'mna-sec-modes-'));
  parents.push(parent);
  chmodSync(parent, 0o755);
  const home = join(parent, 'home');
  mkdirSync(home);
  chmodSync(home, 0o755);
  return home;
}

function init(home: string): void {
  execFileSync(process.execPath, [CLI, 'init', '--home', home, '--images', IMAGES ?? ''], {
    env: { ...process.env, ...NO_ENGINE },
    stdio: 'pipe',
    timeout: 60_000,
  });
}

/** Every path under `root`, as root sees them. */
function everyPath(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => {
    const path = join(root, e.name);
    return e.isDirectory() ? [path, ...everyPath(path)] : [path];
  });
}

/** Which of `paths` the user nobody could read (a file) or list (a folder). */
function readableByNobody(paths: string[]): string[] {
  const probe = `
    const fs = require('node:fs');
    const open = [];
    for (const p of JSON.parse(process.argv[1])) {
      try {
        if (fs.statSync(p).isDirectory()) fs.readdirSync(p); else fs.readFileSync(p);
        open.push(p);
      } catch {}
    }
    process.stdout.write(JSON.stringify(open));`;
  const result = spawnSync(process.execPath, ['-e', probe, JSON.stringify(paths)], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`the probe as nobody failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('the appliance home, probed as another user (nobody)', () => {
  it('a home made with mkdir (0755) becomes 0700: nobody can list it or read anything in it', async () => {
    const home = sharedHome();
    // The probe itself works: nobody can list the home as the user made it.
    expect(readableByNobody([home])).toEqual([home]);
    init(home);
    const s = await startServe(home);
    running.push(s);
    const paths = [home, ...everyPath(home)];
    for (const name of ['appliance.db', 'appliance.db-wal', 'appliance.db-shm', 'serve.json']) {
      expect(paths).toContain(join(home, name));
    }
    expect(readableByNobody(paths)).toEqual([]);
    expect(modeOf(home)).toBe(0o700);
  });

  it('each file that holds a secret is 0600 by itself, even if the home is opened for traversal', async () => {
    const home = sharedHome();
    init(home);
    const s = await startServe(home);
    running.push(s);
    // Someone lets others walk through the home (0711): the files must still keep their content.
    chmodSync(home, 0o711);
    const secrets = [
      'appliance.db',
      'appliance.db-wal',
      'appliance.db-shm',
      'serve.json',
      'recovery.key',
      'stack/compose.yaml',
      'stack/.env',
    ].map((name) => join(home, name));
    expect(readableByNobody(secrets)).toEqual([]);
    for (const path of secrets) expect(modeOf(path), path).toBe(0o600);
  });

  it('refuses a readable home that holds other things, with the fix, and writes nothing there', () => {
    const home = sharedHome();
    writeFileSync(join(home, 'notes.txt'), 'not the appliance');
    const result = spawnSync(process.execPath, [CLI, 'serve', '--home', home, '--port', '0'], {
      env: { ...process.env, ...NO_ENGINE },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`chmod 700 ${home}`);
    expect(readdirSync(home)).toEqual(['notes.txt']);
    expect(modeOf(home)).toBe(0o755);
  });
});
