import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../index.js';
import type { CliIo } from './io.js';
import { serve } from './serve.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mna-serve-cli-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function io(out: string[]): CliIo {
  return {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    env: {},
    untilShutdown: () => Promise.resolve(),
  };
}

const piped = (text: string) => Readable.from([text]) as unknown as NodeJS.ReadStream;

describe('serve --set-admin-password', () => {
  it('reads the password from a pipe, stores its hash and exits without serving', async () => {
    const out: string[] = [];
    const cmd = { verb: 'serve', values: { home, 'set-admin-password': true }, positionals: [] };
    expect(await serve(cmd, io(out), piped('a piped admin password\n'))).toBe(0);
    expect(out).toEqual(['admin password set']);
    expect(out.join('\n')).not.toContain('a piped admin password');
    const server = createServer({ home });
    expect(server.hasAdminPassword()).toBe(true);
    expect(await server.setAdminPassword('a piped admin password')).toBe('unchanged');
    await server.stop();
  });

  it('refuses a password that is too short, naming the rule', async () => {
    const cmd = { verb: 'serve', values: { home, 'set-admin-password': true }, positionals: [] };
    await expect(serve(cmd, io([]), piped('short\n'))).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'The admin password needs at least 12 characters.',
    });
  });
});
