import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DoctorReportSchema } from '../contract/doctor.js';
import { STACK_CONFIG_KEY } from '../core/settings/settings-repository.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { runCaptured } from './run-cli.test-support.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[], env: Record<string, string> = {}) =>
  runCaptured(argv, { HOME: dir, ...env });

describe('medianest-appliance CLI', () => {
  it('prints usage and exits 2 for an unknown verb', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown verb "frobnicate"');
    expect(r.stderr).toContain('Usage: medianest-appliance <verb>');
  });

  it('prints usage and exits 2 for an unknown flag', async () => {
    const r = await run(['doctor', '--frob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --frob');
    expect(r.stderr).toContain('Usage:');
  });

  it('refuses a flag that belongs to another verb', async () => {
    const r = await run(['doctor', '--port', '80']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('doctor does not take --port');
  });

  it('refuses a port that is not a number, naming the flag', async () => {
    const r = await run(['doctor', '--home', dir, '--http-port', '80a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--http-port: "80a" is not a port number');
  });

  it('says clearly that --home must be a folder', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const r = await run(['doctor', '--home', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `medianest-appliance: --home: ${file} is a file, not a folder. Give a folder for the appliance's data.`,
    );
  });

  it('reports an unreachable engine as JSON with a fix, exit 1, and no stack trace', async () => {
    const r = await run(
      ['doctor', '--json', '--home', dir, '--http-port', '18080', '--https-port', '18443'],
      {
        DOCKER_HOST: 'unix:///nonexistent.sock',
      },
    );
    expect(r.code).toBe(1);
    const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
    expect(report.ready).toBe(false);
    const reachable = report.checks.find((c) => c.id === 'engine.reachable');
    expect(reachable?.status).toBe('fail');
    expect(reachable?.fix).toMatch(/Start the engine, or correct DOCKER_HOST/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the same report for people, with the fix', async () => {
    const r = await run(['doctor', '--home', dir], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[FAIL] Engine reachable');
    expect(r.stdout).toContain('-> Nothing listens at unix:///nonexistent.sock');
    // How to get an engine on this machine, printed for a terminal (the CLI never runs it).
    expect(r.stdout).toMatch(/How to get Docker on .+:/);
    expect(r.stdout).toContain("Docker's own instructions: https://docs.docker.com/");
    expect(r.stdout).toContain('Not ready');
  });

  it('checks the ports an earlier init configured, unless flags say otherwise', async () => {
    const db = openDatabase(join(dir, 'appliance.db'));
    new SqliteSettings(db).set(STACK_CONFIG_KEY, { httpPort: 18081, httpsPort: 18444 });
    db.close();
    const env = { DOCKER_HOST: 'unix:///nonexistent.sock' };
    const configured = DoctorReportSchema.parse(
      JSON.parse((await run(['doctor', '--json', '--home', dir], env)).stdout),
    );
    expect(configured.checks.filter((c) => c.id.startsWith('ports.')).map((c) => c.title)).toEqual([
      'Port 18081 (HTTP)',
      'Port 18444 (HTTPS)',
    ]);
    const flagged = DoctorReportSchema.parse(
      JSON.parse(
        (await run(['doctor', '--json', '--home', dir, '--http-port', '18082'], env)).stdout,
      ),
    );
    expect(flagged.checks.find((c) => c.id === 'ports.http')?.title).toBe('Port 18082 (HTTP)');
  });

  it('shows help with exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('doctor');
  });

  it('lays help out for a 100-column terminal, every flag still there', async () => {
    const r = await run(['help']);
    const lines = r.stdout.split('\n');
    const wide = lines.filter((line) => line.length > 100);
    expect(wide).toEqual([]);
    expect(lines.every((line) => line === line.trimEnd())).toBe(true);
    for (const flag of [
      '--pull-policy missing|always|never',
      '--images FILE',
      '--recovery-key-file FILE',
    ])
      expect(r.stdout).toContain(flag);
  });
});
