import type { z } from 'zod';

/**
 * The filesystem as core/ sees it: a port implemented by infra/fs. Paths are absolute.
 * Writes are atomic (temp file, fsync, rename), so a crash never leaves a half-written file.
 */
export interface FileSystem {
  exists(path: string): Promise<boolean>;
  readText(path: string): Promise<string>;
  /** Atomic write with the given mode (default 0o644). */
  writeFile(path: string, data: string | Uint8Array, mode?: number): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Changes the owner; only possible as root (the reconciler asks the engine otherwise). */
  chown(path: string, uid: number, gid: number): Promise<void>;
  stat(
    path: string,
  ): Promise<{ mode: number; uid: number; gid: number; mtimeMs: number; isDirectory: boolean }>;
  listDir(path: string): Promise<string[]>;
  remove(path: string): Promise<void>;
  /** The effective user id of this process (0 for root); undefined on Windows. */
  uid(): number | undefined;
}

/**
 * A JSON file that `schema` describes: undefined when it is missing; a file that does not parse or
 * does not match throws `damaged()` (the caller says what the file is and what to do with it).
 */
export async function readJsonFile<T>(
  fs: FileSystem,
  path: string,
  schema: z.ZodType<T>,
  damaged: () => Error,
): Promise<T | undefined> {
  if (!(await fs.exists(path))) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readText(path));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw damaged();
  return parsed.data;
}
