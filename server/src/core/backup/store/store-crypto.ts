/**
 * Keys and file headers of the deduplicated store (docs/backup-format.md, "Format 2"). Every key
 * comes from the installation's recovery key through HKDF-SHA256, so one key opens everything:
 *
 * - the store's `config` holds a random store salt and a key check; from the salt come the piece-id
 *   key (a piece is named by HMAC-SHA256 of its bytes under it: equal content, equal name, and no
 *   plain hash of anything on disk) and the chunker's gear table (cut points nobody without the key
 *   can predict from a known file);
 * - every other file (pack, index, snapshot) starts with a 48-byte header with its own random salt,
 *   from which its own AES-256-GCM key comes; its records are sealed as format 1's are
 *   (archive/crypto.ts), with the SHA-256 of that header in every record's AAD.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../app-error.js';
import {
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  parseRecordPrefix,
  type ArchiveKeys,
} from '../archive/crypto.js';

/** The format this build writes; it reads format 1 archives through archive/ as before. */
export const STORE_FORMAT_VERSION = 2;
export const FILE_HEADER_SIZE = 48;
export const CONFIG_SIZE = 112;
/** Plain bytes per record of a snapshot's or an index's sealed stream. */
export const STORE_RECORD_SIZE = 1024 * 1024;

export type StoreFileKind = 'config' | 'pack' | 'index' | 'snapshot';

/**
 * A snapshot starts like a format 1 archive (`MNBACKUP`, then the version): an older app handed one
 * refuses it as "written by a newer version" before reading anything else.
 */
const MAGIC: Record<StoreFileKind, Buffer> = {
  config: Buffer.from('MNBSTORE', 'ascii'),
  pack: Buffer.from('MNBSPACK', 'ascii'),
  index: Buffer.from('MNBSINDX', 'ascii'),
  snapshot: Buffer.from('MNBACKUP', 'ascii'),
};
const KEY_CHECK_LABEL = Buffer.from('medianest backup store key check v2', 'ascii');

/** What the store derives once from the recovery key and its salt. */
export interface StoreKeys {
  recoveryKey: Buffer;
  /** Names pieces: HMAC-SHA256(idKey, bytes). */
  idKey: Buffer;
  /** 256 values for the content-defined chunker (chunker.ts). */
  gear: Uint32Array;
}

export function storeCorrupt(message: string, cause?: unknown): AppError {
  return new AppError('corrupt', `The backup store is damaged: ${message}.`, undefined, { cause });
}

function derive(key: Uint8Array, salt: Buffer, info: string, length = 32): Buffer {
  if (key.length !== 32) {
    throw new AppError(
      'wrong_key',
      'A recovery key has 32 bytes; this one cannot open any backup.',
    );
  }
  return Buffer.from(hkdfSync('sha256', key, salt, info, length));
}

function header(kind: StoreFileKind, chunkSize: number, salt: Buffer): Buffer {
  const head = Buffer.alloc(FILE_HEADER_SIZE);
  MAGIC[kind].copy(head, 0);
  head.writeUInt16BE(STORE_FORMAT_VERSION, 8);
  head.writeUInt16BE(0, 10);
  head.writeUInt32BE(chunkSize, 12);
  salt.copy(head, 16);
  return head;
}

/** A fresh header for a pack, index or snapshot: magic, version, flags, record size, salt. */
export function makeFileHeader(kind: StoreFileKind, chunkSize = STORE_RECORD_SIZE): Buffer {
  return header(kind, chunkSize, randomBytes(32));
}

/**
 * Checks a file's header in the order that tells problems apart (magic, then a newer version, then
 * impossible values); `what` names the file for the user.
 */
export function checkFileHeader(kind: StoreFileKind, head: Buffer, what: string): void {
  if (head.length < FILE_HEADER_SIZE || !head.subarray(0, 8).equals(MAGIC[kind])) {
    throw storeCorrupt(`${what} is not a ${kind} file of a backup store`);
  }
  const version = head.readUInt16BE(8);
  if (version > STORE_FORMAT_VERSION) {
    throw new AppError(
      'unsupported_format',
      `${what} was written in backup format ${version} by a newer version of the app; this version reads up to format ${STORE_FORMAT_VERSION}. Update the app to restore it.`,
      { format: version },
    );
  }
  const chunkSize = head.readUInt32BE(12);
  const sized = kind === 'pack' ? chunkSize === 0 : chunkSize >= MIN_CHUNK_SIZE;
  if (version !== STORE_FORMAT_VERSION || head.readUInt16BE(10) !== 0 || !sized) {
    throw storeCorrupt(`${what} has a header with impossible values`);
  }
  if (chunkSize > MAX_CHUNK_SIZE) throw storeCorrupt(`${what} has an impossible record size`);
}

/** The AES-256-GCM key of one file and what its records' AAD binds (format 1's record layout). */
export function fileKeys(store: StoreKeys, kind: StoreFileKind, head: Buffer): ArchiveKeys {
  return {
    dataKey: derive(
      store.recoveryKey,
      head.subarray(16, 48),
      `medianest-store v${STORE_FORMAT_VERSION} ${kind} key`,
    ),
    headerDigest: createHash('sha256').update(head.subarray(0, FILE_HEADER_SIZE)).digest(),
    chunkSize: head.readUInt32BE(12),
  };
}

function keysFrom(recoveryKey: Uint8Array, salt: Buffer): StoreKeys {
  const gearBytes = derive(recoveryKey, salt, 'medianest-store v2 chunker', 1024);
  const gear = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) gear[i] = gearBytes.readUInt32BE(i * 4);
  return {
    recoveryKey: Buffer.from(recoveryKey),
    idKey: derive(recoveryKey, salt, 'medianest-store v2 piece id'),
    gear,
  };
}

function keyCheck(recoveryKey: Uint8Array, salt: Buffer): Buffer {
  const checkKey = derive(recoveryKey, salt, 'medianest-store v2 key check');
  return createHmac('sha256', checkKey).update(KEY_CHECK_LABEL).digest();
}

/** A new store's `config` (112 bytes): header (record size 0), key check, SHA-256 of both. */
export function makeConfig(recoveryKey: Uint8Array): { config: Buffer; keys: StoreKeys } {
  const salt = randomBytes(32);
  const config = Buffer.alloc(CONFIG_SIZE);
  header('config', 0, salt).copy(config, 0);
  keyCheck(recoveryKey, salt).copy(config, 48);
  createHash('sha256').update(config.subarray(0, 80)).digest().copy(config, 80);
  return { config, keys: keysFrom(recoveryKey, salt) };
}

/**
 * Opens a store's `config`: not a store, a newer format, damage, then the key (wrong_key only when
 * everything else is intact).
 */
export function openConfig(recoveryKey: Uint8Array, config: Buffer): StoreKeys {
  if (config.length < 8 || !config.subarray(0, 8).equals(MAGIC.config)) {
    throw new AppError('not_an_archive', 'This folder is not a MediaNest backup store.');
  }
  if (config.length !== CONFIG_SIZE) throw storeCorrupt('its config file has the wrong size');
  const version = config.readUInt16BE(8);
  if (version > STORE_FORMAT_VERSION) {
    throw new AppError(
      'unsupported_format',
      `The backup store was written in backup format ${version} by a newer version of the app; this version reads up to format ${STORE_FORMAT_VERSION}. Update the app to restore it.`,
      { format: version },
    );
  }
  const digest = createHash('sha256').update(config.subarray(0, 80)).digest();
  if (
    version !== STORE_FORMAT_VERSION ||
    !timingSafeEqual(digest, config.subarray(80, 112)) ||
    config.readUInt16BE(10) !== 0 ||
    config.readUInt32BE(12) !== 0
  ) {
    throw storeCorrupt('its config file does not match its checksum');
  }
  const salt = config.subarray(16, 48);
  if (!timingSafeEqual(keyCheck(recoveryKey, salt), config.subarray(48, 80))) {
    throw new AppError(
      'wrong_key',
      'The recovery key does not open this backup store (wrong key). Use the recovery key of the installation that made it.',
    );
  }
  return keysFrom(recoveryKey, Buffer.from(salt));
}

/** A piece's name: HMAC-SHA256 of its bytes under the store's id key (32 raw bytes). */
export function pieceId(keys: StoreKeys, plain: Buffer): Buffer {
  return createHmac('sha256', keys.idKey).update(plain).digest();
}

/** A record's prefix, its problems named as the store's. */
export function prefixOf(bytes: Buffer, what: string): { final: boolean; length: number } {
  try {
    return parseRecordPrefix(bytes);
  } catch (error) {
    throw storeCorrupt(`${what} has unknown flags`, error);
  }
}
