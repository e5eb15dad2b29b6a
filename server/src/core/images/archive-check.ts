/**
 * Recognising an image archive (what `docker save` writes, plain or gzip-compressed) before and
 * while it goes to the engine, so a wrong file is refused with a message that says what it is,
 * rather than the engine's "open .../repositories: no such file or directory".
 */
import { once } from 'node:events';
import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { BLOCK, isZeroBlock, parseTarHeader } from '../tar/tar.js';

export type ArchiveFormat = 'tar' | 'gzip';

const startsWith = (head: Uint8Array, bytes: number[]): boolean =>
  bytes.every((b, i) => head[i] === b);

const OTHER_FORMATS: Array<[number[], string]> = [
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip file'],
];

/**
 * What the first bytes of a file say it is: a tar archive (plain or gzip), or the reason it is not
 * one, in words that end "…, not an image archive".
 */
export function sniffArchive(head: Uint8Array): { format: ArchiveFormat } | { problem: string } {
  if (head.length === 0) return { problem: 'is empty' };
  let format: ArchiveFormat = 'tar';
  let tarHead = head;
  if (startsWith(head, [0x1f, 0x8b])) {
    format = 'gzip';
    try {
      // A partial inflate of the first bytes is enough to see the first tar header.
      tarHead = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return { problem: 'is a damaged gzip file' };
    }
  } else {
    const other = OTHER_FORMATS.find(([magic]) => startsWith(head, magic));
    if (other) return { problem: `is ${other[1]} (use a .tar or .tar.gz file)` };
  }
  const first = tarHead.subarray(0, BLOCK);
  if (first.length === BLOCK && isZeroBlock(first)) return { problem: 'is an empty tar file' };
  if (!parseTarHeader(first)) {
    return {
      problem: format === 'gzip' ? 'is gzip-compressed but holds no tar file' : 'is not a tar file',
    };
  }
  return { format };
}

export interface ArchiveScan {
  /** Entry names at the top of the archive (manifest.json, repositories, index.json, …). */
  topLevel: Set<string>;
  /** `RepoTags` of every image in manifest.json, when it could be read. */
  repoTags: string[];
  /** Whether the archive has what the engine's load API needs. */
  isImageArchive: boolean;
}

const MANIFEST_MAX_BYTES = 1024 * 1024;

/**
 * Reads an archive's entry headers as its bytes go by (skipping the contents), so checking it
 * costs no second pass over a multi-gigabyte file.
 */
export class ImageArchiveScanner {
  private readonly gunzip: Gunzip | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Bytes of the current entry's content still to skip (or capture), then its padding. */
  private skip = 0;
  private capture: { left: number; parts: Uint8Array[] } | undefined;
  /** The end-of-archive blocks (or a header that is not one) were seen: nothing more to read. */
  private ended = false;
  private failed = false;
  private readonly topLevel = new Set<string>();
  private manifest: Uint8Array | undefined;

  constructor(format: ArchiveFormat) {
    if (format === 'gzip') {
      this.gunzip = createGunzip();
      this.gunzip.on('data', (chunk: Buffer) => this.consume(chunk));
      // A damaged stream shows as a failed load; the scan simply stops.
      this.gunzip.on('error', () => {
        this.failed = true;
      });
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (!this.gunzip) {
      this.consume(chunk);
      return;
    }
    if (this.ended || this.failed) return;
    if (!this.gunzip.write(chunk)) await once(this.gunzip, 'drain').catch(() => undefined);
  }

  async end(): Promise<ArchiveScan> {
    if (this.gunzip && !this.failed) {
      // `once` settles on 'end', or rejects on 'error': either way the stream is done.
      const finished = once(this.gunzip, 'end').catch(() => undefined);
      this.gunzip.end();
      if (!this.ended) await finished;
      else this.gunzip.destroy();
    }
    let repoTags: string[] = [];
    if (this.manifest) {
      try {
        const parsed = JSON.parse(new TextDecoder().decode(this.manifest)) as unknown;
        if (Array.isArray(parsed)) {
          repoTags = parsed.flatMap((image: { RepoTags?: unknown }) =>
            Array.isArray(image.RepoTags)
              ? image.RepoTags.filter((t): t is string => typeof t === 'string')
              : [],
          );
        }
      } catch {
        /* an unreadable manifest leaves the tags to the engine's answer */
      }
    }
    const isImageArchive = this.topLevel.has('manifest.json') || this.topLevel.has('repositories');
    return { topLevel: this.topLevel, repoTags, isImageArchive };
  }

  private consume(data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - offset);
        if (this.capture && this.capture.left > 0) {
          const take = Math.min(n, this.capture.left);
          this.capture.parts.push(data.slice(offset, offset + take));
          this.capture.left -= take;
          if (this.capture.left === 0) this.manifest = Buffer.concat(this.capture.parts);
        }
        this.skip -= n;
        offset += n;
        continue;
      }
      const n = Math.min(BLOCK - this.pendingBytes, data.length - offset);
      this.pending.push(data.subarray(offset, offset + n));
      this.pendingBytes += n;
      offset += n;
      if (this.pendingBytes === BLOCK) {
        const block = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        this.header(block);
      }
    }
  }

  private header(block: Uint8Array): void {
    if (isZeroBlock(block)) {
      this.ended = true;
      return;
    }
    const header = parseTarHeader(block);
    if (!header) {
      this.ended = true;
      return;
    }
    const name = header.name.replace(/^\.\//, '').replace(/\/$/, '');
    if (name !== '' && !name.includes('/')) this.topLevel.add(name);
    this.capture =
      name === 'manifest.json' && header.size <= MANIFEST_MAX_BYTES
        ? { left: header.size, parts: [] }
        : undefined;
    this.skip = Math.ceil(header.size / BLOCK) * BLOCK;
  }
}
