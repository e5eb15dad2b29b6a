import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type AppServer } from '../index.js';
import { createLogger } from '../infra/log/logger.js';
import { rawRequest, type RawOptions } from './raw-request.test-support.js';

const TOKEN = 'c'.repeat(64);
let home: string;
let server: AppServer;
let url: string;
const logLines: string[] = [];

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mna-http-'));
  const rendererDir = join(home, 'ui');
  mkdirSync(rendererDir);
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><title>MediaNest Appliance</title>',
  );
  server = createServer({
    home,
    token: TOKEN,
    rendererDir,
    env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    logger: createLogger({ write: (line) => logLines.push(line), secrets: () => [TOKEN] }),
  });
  ({ url } = await server.start());
});

afterEach(async () => {
  await server.stop();
  rmSync(home, { recursive: true, force: true });
});

const raw = (path: string, options?: RawOptions) => rawRequest(url, path, options);

describe('the embedded server', () => {
  it('answers its own health without a token', async () => {
    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string };
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves the built UI for any page path, with a strict CSP', async () => {
    const res = await fetch(`${url}/dashboard`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>MediaNest Appliance</title>');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('refuses API calls without the token, or with a wrong one', async () => {
    const none = await fetch(`${url}/api/doctor`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      error: {
        code: 'unauthorized',
        message: 'Sign in first: this request has no valid token or session.',
      },
    });
    const wrong = await fetch(`${url}/api/doctor`, {
      headers: { authorization: `Bearer ${'d'.repeat(64)}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('runs the doctor with the token', async () => {
    const res = await fetch(`${url}/api/doctor?httpPort=18080&httpsPort=18443`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      ready: boolean;
      checks: { id: string; status: string }[];
    };
    expect(report.ready).toBe(false);
    expect(report.checks.find((c) => c.id === 'engine.reachable')?.status).toBe('fail');
  });

  it('names the field of a bad query', async () => {
    const res = await fetch(`${url}/api/doctor?httpPort=99999`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { fields: Record<string, string> } };
    };
    expect(body.error.code).toBe('validation_failed');
    expect(Object.keys(body.error.details.fields)).toEqual(['httpPort']);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await raw('/api/health', { headers: { host: 'evil.example:80' } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('refuses a cross-origin POST and a form-encoded POST before any handler runs', async () => {
    const cross = await raw('/api/doctor', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(cross.status).toBe(403);
    const form = await raw('/api/doctor', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'a=b',
    });
    expect(form.status).toBe(400);
    expect(JSON.parse(form.body)).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('answers unknown API routes with a JSON 404, never a stack trace', async () => {
    const res = await fetch(`${url}/api/nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found' } });
    expect(text).not.toContain(' at ');
  });

  it('serves the manager metrics as Prometheus text, behind the same auth', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE medianest_appliance_stack_status gauge');
    expect(text).toMatch(/^medianest_appliance_stack_status\{status="unknown"\} [01]$/m);
    // The alert and backup families are there, empty while nothing fires and no backup exists.
    expect(text).toContain('# TYPE medianest_appliance_backup_age_seconds gauge');
    expect(text).not.toMatch(/^medianest_appliance_backup_age_seconds /m);
    expect(text).toMatch(/# TYPE medianest_appliance_alert\w* gauge/);
  });

  it('never writes the token into its log', async () => {
    await fetch(`${url}/api/doctor`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});
