import { gzipSync } from 'node:zlib';
import { padding, TAR_END, tarHeader } from './tar.js';

/** A regular file held in memory (a support bundle's few small files). */
export interface TarFile {
  /** A relative path inside the archive. */
  name: string;
  data: Buffer | string;
  mode?: number;
  mtime?: Date;
}

/** A ustar archive of regular files, gzipped: what `tar -xzf` and every archive tool read. */
export function tarGz(files: readonly TarFile[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    if (file.name.startsWith('/') || file.name.split('/').includes('..')) {
      throw new Error(`tar: unusable entry name ${file.name}`);
    }
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : file.data;
    const mtime = Math.floor((file.mtime ?? new Date()).getTime() / 1000);
    const mode = file.mode ?? 0o644;
    parts.push(tarHeader({ name: file.name, type: 'file', mode, size: data.length, mtime }));
    parts.push(data, padding(data.length));
  }
  parts.push(TAR_END);
  return gzipSync(Buffer.concat(parts));
}
