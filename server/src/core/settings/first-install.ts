import { posix } from 'node:path';
import { AppError } from '../app-error.js';
import type { FileSystem } from '../file-system.js';
import type { StackConfig } from '../stack/config.js';
import { renderStack } from '../stack/render.js';
import type { StackLocation } from '../stack/stack-files.js';
import { messageOf } from '../../contract/errors.js';

/**
 * What a first install may create on disk: the stack folder (with the secrets it generates), the
 * data folder and every data sub-folder the stack mounts, with their parents up to the data folder.
 * Only the ones missing before the install are its own: a data folder the user pointed at, with
 * whatever it held, is never part of it.
 */
export async function pathsAnInstallWouldCreate(
  fs: FileSystem,
  location: StackLocation,
  config: StackConfig,
): Promise<string[]> {
  const candidates = new Set<string>([location.stackDir, location.secretsDir, config.dataDir]);
  for (const dir of renderStack(config, { stackDir: location.stackDir }).dataDirs) {
    for (let path = dir.path; path.startsWith(`${config.dataDir}/`); path = posix.dirname(path))
      candidates.add(path);
  }
  const missing: string[] = [];
  for (const path of candidates) if (!(await fs.exists(path))) missing.push(path);
  // Outermost first; a path inside one already listed goes with it.
  return missing
    .sort((a, b) => a.length - b.length)
    .filter((path, i, all) => !all.slice(0, i).some((outer) => path.startsWith(`${outer}/`)));
}

/** Removes what a failed first install created, outermost folders first. Returns what it could not remove. */
export async function removeCreated(fs: FileSystem, paths: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const path of paths) {
    try {
      await fs.remove(path);
    } catch {
      left.push(path);
    }
  }
  return left;
}

/** "Nothing was changed." is the reconciler's word for a refused change; an install says its own. */
function withoutNothingChanged(reason: string): string {
  return reason.replace(/\s*Nothing was changed\.?/g, '').trim();
}

/**
 * The one short message of a failed first install: what failed (with the reconciler's advice,
 * e.g. which port is taken and by whom) and that nothing is left behind, or what is.
 */
export function firstInstallFailed(
  error: unknown,
  leftovers: { paths: string[]; containers?: string },
): AppError {
  const reason = withoutNothingChanged(messageOf(error));
  const details = error instanceof AppError ? (error.details ?? {}) : {};
  const left = [
    ...(leftovers.containers
      ? [`its containers could not be removed (${leftovers.containers})`]
      : []),
    ...(leftovers.paths.length > 0
      ? [`these folders are left: ${leftovers.paths.join(', ')}`]
      : []),
  ];
  const tail =
    left.length === 0
      ? 'Nothing was installed; change that and install again.'
      : `The install was stopped, but ${left.join(' and ')}.`;
  return new AppError('conflict', `${reason} ${tail}`, { ...details, firstInstall: true });
}
