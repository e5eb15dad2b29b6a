/**
 * The cryptographic layer of the backup archive (docs/backup-format.md): the plain header, the
 * per-archive keys, and sealed chunk records. AES-256-GCM with a key derived per archive (HKDF-SHA256
 * of the recovery key and a random salt), so nonces are a plain counter that can never repeat
 * under one key. Each record's AAD binds the header, its stream, its index, its final flag and its
 * length, which is what makes truncation, reordering and splicing detectable.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  timingSafeEqual,
} from 'node:crypto';
import { AppError } from '../../app-error.js';
import { ARCHIVE_FORMAT_VERSION } from './format.js';

export const MAGIC = Buffer.from('MNBACKUP', 'ascii');
export const END_MAGIC = Buffer.from('MNBKEND\n', 'ascii');
export const HEADER_SIZE = 112;
export const RECORD_OVERHEAD = 5 + 16;
/** Plain bytes per sealed chunk the writer uses; a reader accepts 1 KiB to 16 MiB. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** The trailer: one sealed 24-byte record, then END_MAGIC. */
export const TRAILER_SIZE = RECORD_OVERHEAD + 24 + END_MAGIC.length;

export const STREAM_DATA = 0;
export const STREAM_MANIFEST = 1;
export const STREAM_TRAILER = 2;
const FLAG_FINAL = 1;
const KEY_CHECK_LABEL = Buffer.from('medianest backup key check v1', 'ascii');

export interface ArchiveKeys {
  dataKey: Buffer;
  headerDigest: Buffer;
  chunkSize: number;
}

export function corrupt(message: string, cause?: unknown): AppError {
  return new AppError('corrupt', `The backup archive is damaged: ${message}.`, undefined, {
    cause,
  });
}

function derive(recoveryKey: Uint8Array, salt: Buffer, info: string): Buffer {
  if (recoveryKey.length !== 32) {
    throw new AppError(
      'wrong_key',
      'A recovery key has 32 bytes; this one cannot open any backup.',
    );
  }
  return Buffer.from(hkdfSync('sha256', recoveryKey, salt, info, 32));
}

/** A fresh header for `salt` (random per archive) and the keys that go with it. */
export function makeHeader(
  recoveryKey: Uint8Array,
  salt: Buffer,
  chunkSize: number,
): { header: Buffer; keys: ArchiveKeys } {
  const header = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(header, 0);
  header.writeUInt16BE(ARCHIVE_FORMAT_VERSION, 8);
  header.writeUInt16BE(0, 10);
  header.writeUInt32BE(chunkSize, 12);
  salt.copy(header, 16);
  const checkKey = derive(recoveryKey, salt, 'medianest-backup v1 key check');
  createHmac('sha256', checkKey).update(KEY_CHECK_LABEL).digest().copy(header, 48);
  createHash('sha256').update(header.subarray(0, 80)).digest().copy(header, 80);
  return { header, keys: keysFor(recoveryKey, header) };
}

function keysFor(recoveryKey: Uint8Array, header: Buffer): ArchiveKeys {
  const salt = header.subarray(16, 48);
  return {
    dataKey: derive(recoveryKey, salt, 'medianest-backup v1 chunk key'),
    headerDigest: header.subarray(80, 112),
    chunkSize: header.readUInt32BE(12),
  };
}

/**
 * Checks a header in the order that tells problems apart: magic (not an archive), version (newer
 * format), the header's own digest (corrupt), then the key check (wrong key).
 */
export function openHeader(recoveryKey: Uint8Array, head: Buffer): ArchiveKeys {
  if (head.length < MAGIC.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new AppError('not_an_archive', 'This file is not a MediaNest backup archive.');
  }
  if (head.length < 10) throw corrupt('the file ends inside its header');
  const version = head.readUInt16BE(8);
  if (version > ARCHIVE_FORMAT_VERSION) {
    throw new AppError(
      'unsupported_format',
      `This backup was written in archive format ${version} by a newer version of the app; this version reads format ${ARCHIVE_FORMAT_VERSION}. Update the app to restore it.`,
      { format: version },
    );
  }
  if (head.length < HEADER_SIZE) throw corrupt('the file ends inside its header');
  const digest = createHash('sha256').update(head.subarray(0, 80)).digest();
  if (version === 0 || !timingSafeEqual(digest, head.subarray(80, 112))) {
    throw corrupt('its header does not match its checksum');
  }
  const chunkSize = head.readUInt32BE(12);
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || head.readUInt16BE(10) !== 0) {
    throw corrupt('its header holds impossible values');
  }
  const checkKey = derive(recoveryKey, head.subarray(16, 48), 'medianest-backup v1 key check');
  const check = createHmac('sha256', checkKey).update(KEY_CHECK_LABEL).digest();
  if (!timingSafeEqual(check, head.subarray(48, 80))) {
    throw new AppError(
      'wrong_key',
      'The recovery key does not open this backup (wrong key). Use the recovery key of the installation that made it.',
    );
  }
  return keysFor(recoveryKey, head.subarray(0, HEADER_SIZE));
}

function nonceAndAad(
  keys: ArchiveKeys,
  stream: number,
  index: number,
  flags: number,
  length: number,
): { nonce: Buffer; aad: Buffer } {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(stream, 0);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  const aad = Buffer.alloc(32 + 12 + 5);
  keys.headerDigest.copy(aad, 0);
  nonce.copy(aad, 32);
  aad.writeUInt8(flags, 44);
  aad.writeUInt32BE(length, 45);
  return { nonce, aad };
}

/**
 * One record: flags (1) | plain length (4, BE) | ciphertext | GCM tag (16), as its parts, for a
 * gathered write (no copy of the ciphertext). `plain` is read before this returns, so the caller
 * may reuse it at once.
 */
export function sealRecordParts(
  keys: ArchiveKeys,
  stream: number,
  index: number,
  final: boolean,
  plain: Buffer,
): Buffer[] {
  const flags = final ? FLAG_FINAL : 0;
  const { nonce, aad } = nonceAndAad(keys, stream, index, flags, plain.length);
  const cipher = createCipheriv('aes-256-gcm', keys.dataKey, nonce);
  cipher.setAAD(aad);
  const prefix = Buffer.allocUnsafe(5);
  prefix.writeUInt8(flags, 0);
  prefix.writeUInt32BE(plain.length, 1);
  const ciphertext = cipher.update(plain);
  const rest = cipher.final(); // empty for GCM, kept for the letter of the API
  return rest.length > 0
    ? [prefix, ciphertext, rest, cipher.getAuthTag()]
    : [prefix, ciphertext, cipher.getAuthTag()];
}

/** One record as a single buffer (see sealRecordParts). */
export function sealRecord(
  keys: ArchiveKeys,
  stream: number,
  index: number,
  final: boolean,
  plain: Buffer,
): Buffer {
  return Buffer.concat(sealRecordParts(keys, stream, index, final, plain));
}

/** The 5-byte prefix of a record: whether it claims to be final, and its plain length. */
export function parseRecordPrefix(prefix: Buffer): { final: boolean; length: number } {
  const flags = prefix.readUInt8(0);
  if ((flags & ~FLAG_FINAL) !== 0) throw corrupt('a chunk has unknown flags');
  return { final: flags === FLAG_FINAL, length: prefix.readUInt32BE(1) };
}

/** Decrypts the body (ciphertext + tag) of a record whose prefix was already parsed. */
export function openRecord(
  keys: ArchiveKeys,
  stream: number,
  index: number,
  prefix: { final: boolean; length: number },
  body: Buffer,
): Buffer {
  const flags = prefix.final ? FLAG_FINAL : 0;
  const { nonce, aad } = nonceAndAad(keys, stream, index, flags, prefix.length);
  const decipher = createDecipheriv('aes-256-gcm', keys.dataKey, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(prefix.length));
  try {
    // GCM gives all the plain text from update(); final() only checks the tag (and gives nothing).
    const plain = decipher.update(body.subarray(0, prefix.length));
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch (error) {
    throw corrupt(`chunk ${index} of part ${stream} fails its authentication tag`, error);
  }
}

export interface Trailer {
  manifestOffset: number;
  manifestLength: number;
  dataChunks: number;
}

export function sealTrailer(keys: ArchiveKeys, trailer: Trailer): Buffer {
  const plain = Buffer.alloc(24);
  plain.writeBigUInt64BE(BigInt(trailer.manifestOffset), 0);
  plain.writeBigUInt64BE(BigInt(trailer.manifestLength), 8);
  plain.writeBigUInt64BE(BigInt(trailer.dataChunks), 16);
  return Buffer.concat([sealRecord(keys, STREAM_TRAILER, 0, true, plain), END_MAGIC]);
}

export function openTrailer(keys: ArchiveKeys, bytes: Buffer): Trailer {
  if (bytes.length !== TRAILER_SIZE || !bytes.subarray(TRAILER_SIZE - 8).equals(END_MAGIC)) {
    throw corrupt('its end is missing (the file is truncated)');
  }
  const prefix = parseRecordPrefix(bytes.subarray(0, 5));
  if (!prefix.final || prefix.length !== 24) throw corrupt('its trailer is malformed');
  const plain = openRecord(keys, STREAM_TRAILER, 0, prefix, bytes.subarray(5, TRAILER_SIZE - 8));
  return {
    manifestOffset: Number(plain.readBigUInt64BE(0)),
    manifestLength: Number(plain.readBigUInt64BE(8)),
    dataChunks: Number(plain.readBigUInt64BE(16)),
  };
}
