import { readFile } from 'node:fs/promises';
import { UsageError, type ParsedCommand } from './args.js';
import { readSecretLine } from './read-secret.js';

/** The flag that names a file holding the recovery key; `-` is standard input. */
export const KEY_FILE_FLAG = 'recovery-key-file';

/**
 * `--recovery-key K` put the key in /proc/<pid>/cmdline (readable by every user of the machine)
 * and in shell history. It is still parsed, only to be refused with the way to do it now; the
 * message never repeats the value.
 */
export function refuseKeyOnCommandLine(cmd: ParsedCommand): void {
  if (cmd.values['recovery-key'] === undefined) return;
  throw new UsageError(
    'restore: --recovery-key no longer takes the key on the command line (other users can read it in the process list, and it stays in your shell history). ' +
      'Type it when asked, pipe it on standard input (`restore FILE --yes < key.txt`), or give --recovery-key-file FILE.',
  );
}

/**
 * The recovery key text the user handed in for a restore of an archive file, or undefined when
 * they gave none and the home's own key should be used:
 * - `--recovery-key-file FILE`: its first line (`-`: standard input);
 * - no flag and no key in the home: asked for on the terminal (no echo), or read from a pipe.
 */
export async function recoveryKeyText(
  cmd: ParsedCommand,
  homeHasKey: boolean,
  stdin: NodeJS.ReadStream,
  prompt: (text: string) => void,
): Promise<string | undefined> {
  const file = cmd.values[KEY_FILE_FLAG];
  if (file !== undefined && typeof file !== 'string') {
    throw new UsageError(`--${KEY_FILE_FLAG} takes one file path`);
  }
  if (file === undefined && homeHasKey) return undefined;
  const text =
    file === undefined || file === '-'
      ? await readSecretLine(stdin, prompt, 'Recovery key: ')
      : await readKeyFile(file);
  if (text === '') {
    throw new UsageError(
      file === undefined
        ? 'restore FILE on a new machine needs the recovery key: type it when asked, pipe it on standard input, or give --recovery-key-file FILE'
        : `--${KEY_FILE_FLAG}: ${file === '-' ? 'standard input' : file} holds no recovery key`,
    );
  }
  return text;
}

async function readKeyFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--${KEY_FILE_FLAG}: cannot read ${file} (${code})`);
  }
  return (text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').trim();
}
