import { padding, TAR_END, tarHeader, type TarEntry } from './tar.js';

/** An entry for {@link tarOf}: a file unless it says otherwise, its size taken from `content`. */
export type TestEntry = Partial<TarEntry> & { name: string; content?: string };

/** A whole tar archive in memory, as `docker save` or a test's source folder would give it. */
export function tarOf(entries: readonly TestEntry[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.content ?? '');
    const header = tarHeader({ type: 'file', mode: 0o644, mtime: 1, ...entry, size: data.length });
    parts.push(header, data, padding(data.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

/** Regular files only, from a name -> content map. */
export function tarOfFiles(files: Record<string, string>): Buffer {
  return tarOf(Object.entries(files).map(([name, content]) => ({ name, content })));
}
