/**
 * A `SecretBox` for a desktop server without Electron's `safeStorage` (headless, or a Linux
 * desktop with no keyring): AES-256-GCM under a random key kept in a 0600 file of the home. It
 * keeps tokens out of `appliances.json` and out of backups of that file alone; whoever can read
 * the home as this user can open them, as with any key file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { AppError } from '../../core/app-error.js';
import type { ListFile, SecretBox } from '../../core/remote/appliance-list.js';
import { tightenIfShared, writeFlushed } from './private-file.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function readOrCreateKey(path: string): Buffer {
  try {
    tightenIfShared(path);
    const key = readFileSync(path);
    if (key.length !== KEY_BYTES) {
      throw new AppError(
        'corrupt',
        `${path} is not a ${KEY_BYTES}-byte key: move it aside, then pair the appliances again.`,
      );
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  // wx: two processes creating it at once both end with the one that won.
  try {
    writeFlushed(path, key, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path);
  }
  return key;
}

export function keyFileBox(path: string): SecretBox {
  let key: Buffer | undefined;
  const theKey = (): Buffer => (key ??= readOrCreateKey(path));
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', theKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const bytes = Buffer.from(sealed, 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('too short to be sealed');
      const decipher = createDecipheriv('aes-256-gcm', theKey(), bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** The list's file: read whole; written to a temporary name, flushed, then renamed over it. */
export function privateJsonFile(path: string): ListFile {
  return {
    path,
    read() {
      try {
        tightenIfShared(path);
        return readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    write(text) {
      const temp = `${path}.${process.pid}.tmp`;
      writeFlushed(temp, text, 'w');
      renameSync(temp, path);
    },
  };
}
