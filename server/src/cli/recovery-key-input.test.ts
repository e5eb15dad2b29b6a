import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, parseCommand } from './args.js';
import { recoveryKeyText } from './recovery-key-input.js';
import { runCaptured } from './run-cli.test-support.js';

const KEY = 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-key-input-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const piped = (text: string) => Readable.from([text]) as unknown as NodeJS.ReadStream;
const noStdin = () => {
  throw new Error('standard input must not be read');
};
const untouched = new Proxy({} as NodeJS.ReadStream, { get: noStdin });

/** A terminal: raw mode recorded, keys typed as data events once raw mode is on. */
function terminal(typed: string): { stdin: NodeJS.ReadStream; rawModes: boolean[] } {
  const stream = new PassThrough();
  const rawModes: boolean[] = [];
  Object.assign(stream, {
    isTTY: true,
    setRawMode(on: boolean) {
      rawModes.push(on);
      if (on) setImmediate(() => stream.write(typed));
      return stream;
    },
  });
  return { stdin: stream as unknown as NodeJS.ReadStream, rawModes };
}

describe('restore --recovery-key K', () => {
  it('is refused with a usage error naming what to use instead, never repeating the key', async () => {
    const home = join(dir, 'home');
    const { code, output } = await runCaptured([
      'restore',
      join(dir, 'old.mnbackup'),
      '--recovery-key',
      KEY,
      '--yes',
      '--home',
      home,
    ]);
    expect(code).toBe(2);
    expect(output).toContain('--recovery-key-file FILE');
    expect(output).toMatch(/standard input/);
    expect(output).not.toContain(KEY);
    // Nothing started: no recovery key adopted, no job lock taken, no backups folder.
    expect(readdirSync(home).filter((n) => /recovery|lock|backups/.test(n))).toEqual([]);
  });

  it('is refused in its --recovery-key=K form too', async () => {
    const { code, output } = await runCaptured([
      'restore',
      'x.mnbackup',
      `--recovery-key=${KEY}`,
      '--home',
      join(dir, 'h'),
    ]);
    expect(code).toBe(2);
    expect(output).toContain('no longer takes the key on the command line');
    expect(output).not.toContain(KEY);
  });
});

it('restore ID --recovery-key-file FILE is refused: a backup of this home opens with its own key', async () => {
  const { code, output } = await runCaptured([
    'restore',
    'abcd1234',
    '--recovery-key-file',
    join(dir, 'k'),
    '--home',
    join(dir, 'h'),
  ]);
  expect(code).toBe(2);
  expect(output).toContain('--recovery-key-file is for restoring an archive FILE');
});

describe('the recovery key of restore FILE', () => {
  const cmd = (...flags: string[]) => parseCommand(['restore', 'a.mnbackup', ...flags]);

  it("uses the home's own key when none is handed in, without reading standard input", async () => {
    expect(await recoveryKeyText(cmd(), true, untouched, noStdin)).toBeUndefined();
  });

  it('reads it from a pipe when the home has no key, showing no prompt', async () => {
    const prompts: string[] = [];
    const text = await recoveryKeyText(cmd(), false, piped(`${KEY}\nmore\n`), (t) =>
      prompts.push(t),
    );
    expect(text).toBe(KEY);
    expect(prompts).toEqual([]);
  });

  it('asks on a terminal with echo off, and restores the terminal afterwards', async () => {
    const { stdin, rawModes } = terminal(`${KEY}\r`);
    const prompts: string[] = [];
    expect(await recoveryKeyText(cmd(), false, stdin, (t) => prompts.push(t))).toBe(KEY);
    expect(prompts).toEqual(['Recovery key: ']);
    expect(rawModes).toEqual([true, false]);
  });

  it('reads the first line of --recovery-key-file FILE', async () => {
    const file = join(dir, 'key.txt');
    writeFileSync(file, `\n${KEY}  \n`, { mode: 0o600 });
    expect(await recoveryKeyText(cmd('--recovery-key-file', file), true, untouched, noStdin)).toBe(
      KEY,
    );
  });

  it('reads standard input for --recovery-key-file -, even when the home has a key', async () => {
    const text = await recoveryKeyText(cmd('--recovery-key-file', '-'), true, piped(KEY), noStdin);
    expect(text).toBe(KEY);
  });

  it('refuses an empty pipe and a missing file with a usage error naming the way in', async () => {
    await expect(recoveryKeyText(cmd(), false, piped(''), noStdin)).rejects.toThrow(
      /needs the recovery key.*--recovery-key-file FILE/,
    );
    const missing = join(dir, 'nope.txt');
    const error = await recoveryKeyText(
      cmd('--recovery-key-file', missing),
      false,
      untouched,
      noStdin,
    )
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--recovery-key-file: cannot read ${missing} (ENOENT)`);
    expect(existsSync(missing)).toBe(false);
  });
});
