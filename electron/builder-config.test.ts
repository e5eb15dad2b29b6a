/**
 * electron-builder.yml, checked the way electron-builder itself checks it (its JSON schema, with the
 * same ajv options), plus the security fuses and the targets the release promises.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Validator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}
interface AjvInstance {
  compile(schema: unknown): Validator;
}
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;

// ajv 8 is CommonJS with its class on `default`; createRequire keeps that plain.
const require = createRequire(import.meta.url);
const ajvModule = require('ajv') as { default: AjvClass };
const ajvVersion = (require('ajv/package.json') as { version: string }).version;

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const config = parse(read('electron-builder.yml')) as Record<string, unknown>;
const schema = JSON.parse(read('node_modules/app-builder-lib/scheme.json')) as unknown;

const section = (name: string) => config[name] as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it('uses ajv 8, the version electron-builder validates with', () => {
    expect(ajvVersion.split('.')[0]).toBe('8');
  });

  it("is valid against electron-builder's own JSON schema", () => {
    const validate = new ajvModule.default({
      allErrors: true,
      strict: false,
      coerceTypes: true,
    }).compile(schema);
    const valid = validate(config);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    expect(errors).toEqual([]);
    expect(valid).toBe(true);
  });

  it('sets the security fuses', () => {
    expect(section('electronFuses')).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('builds AppImage, deb and rpm, NSIS, and dmg with the zip electron-updater needs on macOS', () => {
    expect(section('linux').target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(section('win').target).toEqual(['nsis']);
    expect(section('mac').target).toEqual(['dmg', 'zip']);
  });

  it('points at icons that exist and packs the tray icons the app loads', () => {
    for (const platform of ['linux', 'win', 'mac']) {
      const icon = section(platform).icon as string;
      expect(() =>
        readFileSync(new URL(icon.endsWith('.png') ? icon : `${icon}/512x512.png`, root)),
      ).not.toThrow();
    }
    expect(config.files).toContain('build/tray/**');
  });

  it('packs the one-file main (the server inside) and its preload, not the compiled modules', () => {
    const files = config.files as string[];
    expect(section('extraMetadata').main).toBe('dist/electron/main/bundle.mjs');
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/electron/main/bundle.mjs',
        'dist/electron/preload/**',
        'dist/renderer/**',
        'compose-templates/**',
      ]),
    );
    expect(files.filter((f) => f.startsWith('dist/server') || f === 'dist/electron/**')).toEqual(
      [],
    );
  });

  it('publishes to GitHub releases and starts the compiled main', () => {
    expect(section('publish')).toMatchObject({ provider: 'github' });
    const pkg = JSON.parse(read('package.json')) as { main: string };
    expect(section('extraMetadata').main).toBe(pkg.main);
  });
});

interface WorkflowStep {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
const SIGNING = [
  'CSC_LINK',
  'CSC_KEY_PASSWORD',
  'WIN_CSC_LINK',
  'WIN_CSC_KEY_PASSWORD',
  'APPLE_ID',
  'APPLE_APP_SPECIFIC_PASSWORD',
  'APPLE_TEAM_ID',
];
const release = parse(read('.github/workflows/release.yml')) as {
  jobs: { installers: { steps: WorkflowStep[] } };
};
const steps = release.jobs.installers.steps;
const packaging = steps.find((step) => step.run?.includes('electron-builder --publish'));

/**
 * Runs the packaging step's script as the runner would (bash), with `npx` replaced by a stub
 * that prints the environment electron-builder would get.
 */
function packagingEnv(os: string, secrets: Record<string, string>): Record<string, string> {
  const bin = mkdtempSync(join(tmpdir(), 'mna-release-step-'));
  try {
    writeFileSync(join(bin, 'npx'), '#!/bin/sh\nenv\n');
    chmodSync(join(bin, 'npx'), 0o755);
    const given = Object.fromEntries(SIGNING.map((name) => [name, secrets[name] ?? '']));
    const out = execFileSync('bash', ['-e', '-c', packaging?.run ?? 'false'], {
      env: { PATH: `${bin}:/usr/bin:/bin`, RUNNER_OS: os, ...given },
      encoding: 'utf8',
    });
    return Object.fromEntries(
      out
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('signing and notarization in the release workflow', () => {
  it('notarizes macOS builds (electron-builder skips it when the credentials are absent)', () => {
    expect(section('mac')).toMatchObject({ notarize: true, hardenedRuntime: true });
  });

  it("feeds the repository's signing secrets to the packaging step, and to no other", () => {
    expect(packaging).toBeDefined();
    for (const name of SIGNING) expect(packaging?.env?.[name]).toBe(`\${{ secrets.${name} }}`);
    for (const step of steps.filter((s) => s !== packaging))
      expect(JSON.stringify(step)).not.toMatch(/CSC_|APPLE_/);
  });

  it('builds unsigned, not failed, when the secrets are absent', () => {
    const mac = packagingEnv('macOS', {});
    for (const name of SIGNING) expect(mac).not.toHaveProperty(name);
    expect(mac.CSC_IDENTITY_AUTO_DISCOVERY).toBe('false');
    const linux = packagingEnv('Linux', {});
    expect(linux).not.toHaveProperty('CSC_LINK');
    expect(linux).not.toHaveProperty('CSC_IDENTITY_AUTO_DISCOVERY');
  });

  it('signs and notarizes with the secrets, and never notarizes an unsigned build', () => {
    const apple = {
      APPLE_ID: 'a@b.example',
      APPLE_APP_SPECIFIC_PASSWORD: 'pw',
      APPLE_TEAM_ID: 'T',
    };
    const signed = packagingEnv('macOS', { CSC_LINK: 'cert', CSC_KEY_PASSWORD: 'k', ...apple });
    expect(signed).toMatchObject({ CSC_LINK: 'cert', CSC_KEY_PASSWORD: 'k', ...apple });
    expect(signed).not.toHaveProperty('CSC_IDENTITY_AUTO_DISCOVERY');
    const unsigned = packagingEnv('macOS', apple);
    expect(unsigned).not.toHaveProperty('APPLE_ID');
    const windows = packagingEnv('Windows', { WIN_CSC_LINK: 'pfx', WIN_CSC_KEY_PASSWORD: 'p' });
    expect(windows).toMatchObject({ WIN_CSC_LINK: 'pfx', WIN_CSC_KEY_PASSWORD: 'p' });
    expect(windows).not.toHaveProperty('CSC_IDENTITY_AUTO_DISCOVERY');
  });
});
