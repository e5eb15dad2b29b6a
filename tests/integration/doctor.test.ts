import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DoctorReportSchema } from '../../server/src/contract/doctor.js';
import { rigEnv } from './support/rig.js';

const home = mkdtempSync(join(tmpdir(), 'mna-doctor-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** `npm run -s cli -- doctor --json`, exactly as the README and the issue give it. */
function doctor(dockerHost: string) {
  const result = spawnSync(
    'npm',
    [
      'run',
      '-s',
      'cli',
      '--',
      'doctor',
      '--json',
      '--home',
      home,
      '--http-port',
      '18080',
      '--https-port',
      '18443',
    ],
    { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('doctor against a real engine', () => {
  it("reports the rig's engine as reachable, recent enough, Linux, amd64 or arm64", () => {
    const { dockerHost } = rigEnv();
    const r = doctor(dockerHost);
    const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      'engine.found': 'ok',
      'engine.reachable': 'ok',
      'engine.api-version': 'ok',
      'engine.os': 'ok',
      'engine.arch': 'ok',
    });
    expect(report.engine).toMatchObject({
      endpoint: dockerHost,
      source: 'DOCKER_HOST',
      reachable: true,
      os: 'linux',
    });
    expect(report.engine?.apiVersion).toMatch(/^1\.\d+$/);
    expect(r.code).toBe(report.ready ? 0 : 1);
  });

  it('fails on a socket that does not exist, says what to do, exits 1, no stack trace', () => {
    const r = doctor('unix:///nonexistent.sock');
    expect(r.code).toBe(1);
    const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
    expect(report.ready).toBe(false);
    const reachable = report.checks.find((c) => c.id === 'engine.reachable');
    expect(reachable?.status).toBe('fail');
    expect(reachable?.fix).toContain('Start the engine, or correct DOCKER_HOST');
    expect(r.stdout + r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
