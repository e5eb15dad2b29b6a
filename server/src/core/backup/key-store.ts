/**
 * The local copy of the recovery key: `<home>/recovery.key`, 0600, written once at install (or at
 * the first backup of a home that predates backups). It opens every archive this machine writes;
 * another machine needs the same key typed in, which is why `init` shows it once to be saved.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { AppError } from '../app-error.js';

/** How keys are made, shown and read back (recovery-key.ts). */
export interface RecoveryKeyCodec {
  generate(): Uint8Array;
  format(bytes: Uint8Array): string;
  /** Throws an AppError naming the problem for text that is not a recovery key. */
  parse(text: string): Uint8Array;
}

export class RecoveryKeyStore {
  constructor(
    private readonly path: string,
    private readonly codec: RecoveryKeyCodec,
  ) {}

  /** The stored key; `undefined` when this home has none yet. */
  async read(): Promise<Uint8Array | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return this.codec.parse(text.trim());
  }

  /** The stored key, or a new one written now: `created` is the only time its text is given out. */
  async ensure(): Promise<{ key: Uint8Array; created?: string }> {
    const existing = await this.read();
    if (existing) return { key: existing };
    const key = this.codec.generate();
    const text = this.codec.format(key);
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, `${text}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
    return { key, created: text };
  }

  /** Makes a key typed by the user this home's key, unless it has one (restore on a new machine). */
  async adopt(key: Uint8Array): Promise<void> {
    if (await this.read()) return;
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, `${this.codec.format(key)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }

  /** The key as the user sees it (groups with a checksum), for showing it again until confirmed. */
  format(key: Uint8Array): string {
    return this.codec.format(key);
  }

  /** A key typed by the user (restore on a new machine). */
  parse(text: string): Uint8Array {
    try {
      return this.codec.parse(text.trim());
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('validation_failed', 'recoveryKey: this is not a recovery key.');
    }
  }
}
