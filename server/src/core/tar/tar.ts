/**
 * The little of the tar format the app needs, in one place: writing a build context or a support
 * bundle (ustar, with a PAX record for a path too long for ustar's fields) and reading entry headers
 * to recognise an image archive. No dependency: the format is 512-byte blocks with octal text fields.
 */

export const BLOCK = 512;
/** Two zero blocks end an archive. */
export const TAR_END = new Uint8Array(2 * BLOCK);

export type TarEntryType = 'file' | 'dir' | 'symlink';

export interface TarEntry {
  /** Posix path inside the archive, without a trailing slash. */
  name: string;
  type: TarEntryType;
  mode: number;
  /** Bytes that follow the header (files only). */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeText(block: Uint8Array, offset: number, length: number, text: string): void {
  block.set(encoder.encode(text).subarray(0, length), offset);
}

/** An octal field: digits, zero-padded, then NUL (as GNU and BSD tar write them). */
function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeText(
    block,
    offset,
    length,
    `${Math.floor(value)
      .toString(8)
      .padStart(length - 1, '0')}\0`,
  );
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

const byteLength = (text: string): number => encoder.encode(text).length;

/** ustar splits a long path at a slash into prefix (155 bytes) + name (100 bytes). */
function splitPath(path: string): { prefix: string; name: string } | undefined {
  if (byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (byteLength(prefix) <= 155 && byteLength(name) <= 100 && name !== '')
      return { prefix, name };
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  // The length counts its own digits: "30 path=...\n".
  const body = ` ${key}=${value}\n`;
  const rest = byteLength(body);
  let length = rest + 1;
  while (String(length).length + rest !== length) length = String(length).length + rest;
  return `${length}${body}`;
}

function ustarHeader(fields: {
  name: string;
  prefix: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeText(block, 0, 100, fields.name);
  writeOctal(block, 100, 8, fields.mode & 0o7777);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  writeText(block, 156, 1, fields.typeflag);
  writeText(block, 157, 100, fields.linkname);
  writeText(block, 257, 8, 'ustar\u000000');
  writeText(block, 265, 32, 'root');
  writeText(block, 297, 32, 'root');
  writeText(block, 345, 155, fields.prefix);
  writeText(block, 148, 8, `${checksum(block).toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Zeros that pad `size` bytes of content to a whole block. */
export function padding(size: number): Uint8Array {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/**
 * The header block(s) of one entry, owned by root (as the Docker CLI sends a context). A path or
 * link target too long for ustar is carried by a PAX extended header first.
 */
export function tarHeader(entry: TarEntry): Uint8Array {
  const path = entry.type === 'dir' ? `${entry.name}/` : entry.name;
  const typeflag = entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0';
  const linkname = entry.linkname ?? '';
  const size = entry.type === 'file' ? entry.size : 0;
  const split = splitPath(path);
  const longLink = byteLength(linkname) > 100;
  const header = ustarHeader({
    name: split?.name ?? path.slice(-100),
    prefix: split?.prefix ?? '',
    mode: entry.mode,
    size,
    mtime: entry.mtime,
    typeflag,
    linkname: longLink ? '' : linkname,
  });
  if (split && !longLink) return header;
  const records = encoder.encode(
    (split ? '' : paxRecord('path', path)) + (longLink ? paxRecord('linkpath', linkname) : ''),
  );
  const pax = ustarHeader({
    name: 'PaxHeaders/entry',
    prefix: '',
    mode: 0o644,
    size: records.length,
    mtime: entry.mtime,
    typeflag: 'x',
    linkname: '',
  });
  const out = new Uint8Array(BLOCK + records.length + padding(records.length).length + BLOCK);
  out.set(pax, 0);
  out.set(records, BLOCK);
  out.set(header, out.length - BLOCK);
  return out;
}

export interface ParsedHeader {
  name: string;
  /** The raw type flag: '0' (or NUL) file, '5' folder, 'x'/'g' PAX, 'L' GNU long name, ... */
  typeflag: string;
  size: number;
}

function readText(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

function readNumber(block: Uint8Array, offset: number, length: number): number {
  // GNU base-256 for values too large for octal (layers over 8 GiB).
  if (((block[offset] ?? 0) & 0x80) !== 0) {
    let value = (block[offset] ?? 0) & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] ?? 0);
    return value;
  }
  const text = readText(block, offset, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

export function isZeroBlock(block: Uint8Array): boolean {
  return block.every((b) => b === 0);
}

/** The header in `block`, or undefined when it is not a valid tar header (bad checksum). */
export function parseTarHeader(block: Uint8Array): ParsedHeader | undefined {
  if (block.length < BLOCK) return undefined;
  const stored = readNumber(block, 148, 8);
  const unsigned = checksum(block);
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    signed += b > 127 ? b - 256 : b;
  }
  if (!Number.isFinite(stored) || (stored !== unsigned && stored !== signed)) return undefined;
  const magic = readText(block, 257, 6);
  const prefix = magic === 'ustar' ? readText(block, 345, 155) : '';
  const name = readText(block, 0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    typeflag: readText(block, 156, 1) || '0',
    size: readNumber(block, 124, 12),
  };
}

/** The `path` of a PAX extended header's records, if it has one. */
function paxPath(records: Uint8Array): string | undefined {
  let offset = 0;
  while (offset < records.length) {
    const space = records.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(decoder.decode(records.subarray(offset, space)));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = decoder.decode(records.subarray(space + 1, offset + length - 1));
    const equals = record.indexOf('=');
    if (record.slice(0, equals) === 'path') return record.slice(equals + 1);
    offset += length;
  }
  return undefined;
}

/** The limits of `readTarFiles`: a tar from an engine or a user is not trusted to be small. */
export interface TarReadLimits {
  /** Most regular files kept. */
  maxFiles: number;
  /** Most bytes of all kept files together. */
  maxBytes: number;
}

/**
 * The regular files of a whole (uncompressed) tar in memory, by path without a leading "./";
 * folders, links and other entries are skipped. A damaged header or an archive over the limits
 * throws: the caller names what it was reading.
 */
export function readTarFiles(tar: Uint8Array, limits: TarReadLimits): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let total = 0;
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (isZeroBlock(block)) break;
    const header = parseTarHeader(block);
    if (!header) throw new Error(`not a tar archive (bad header at byte ${offset})`);
    const start = offset + BLOCK;
    const body = tar.subarray(start, start + header.size);
    if (body.length < header.size) throw new Error('the tar archive ends inside an entry');
    offset = start + Math.ceil(header.size / BLOCK) * BLOCK;
    if (header.typeflag === 'x') {
      longName = paxPath(body);
      continue;
    }
    if (header.typeflag === 'L') {
      longName = decoder.decode(body).replace(/\0+$/, '');
      continue;
    }
    const name = (longName ?? header.name).replace(/^\.\//, '');
    longName = undefined;
    if (header.typeflag !== '0' && header.typeflag !== '7') continue;
    total += header.size;
    if (files.size >= limits.maxFiles || total > limits.maxBytes)
      throw new Error(
        `the tar archive is larger than expected (over ${limits.maxFiles} files or ${limits.maxBytes} bytes)`,
      );
    files.set(name, body.slice());
  }
  return files;
}
