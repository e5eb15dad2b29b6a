/**
 * electron-builder.yml, checked the way electron-builder itself checks it (its JSON schema, with the
 * same ajv options), plus the security fuses and the targets the release promises.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    });
    expect(config.asar).toBe(true);
  });

  it('builds AppImage, deb and rpm, NSIS and dmg', () => {
    expect(section('linux').target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(section('win').target).toEqual(['nsis']);
    expect(section('mac').target).toEqual(['dmg']);
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

  it('publishes to GitHub releases and starts the compiled main', () => {
    expect(section('publish')).toMatchObject({ provider: 'github' });
    const pkg = JSON.parse(read('package.json')) as { main: string };
    expect(section('extraMetadata').main).toBe(pkg.main);
  });
});
