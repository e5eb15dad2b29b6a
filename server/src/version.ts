import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldersAbove } from './folders-above.js';

/** The app's own package.json: the nearest one above this module that names the app. */
const APP_PACKAGE = ((): { dir: string; version: string; repository: unknown } | undefined => {
  for (const dir of foldersAbove(fileURLToPath(new URL('.', import.meta.url)))) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
        repository?: unknown;
      };
      if (pkg.name === 'medianest-appliance' && pkg.version)
        return { dir, version: pkg.version, repository: pkg.repository };
    } catch {
      // No package.json here, or not one that parses: look further up.
    }
  }
  return undefined;
})();

/** The app's version from its package.json. */
export const APP_VERSION: string = APP_PACKAGE?.version ?? '0.0.0';

/** The folder of the app's package.json: how the app was installed shows there (app-release). */
export const APP_ROOT: string | undefined = APP_PACKAGE?.dir;

/** package.json's `repository`, as written: the GitHub repository its releases are published in. */
export const APP_REPOSITORY: unknown = APP_PACKAGE?.repository;
