import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldersAbove } from './folders-above.js';

/** The app's version from the nearest package.json above this module that is the app's own. */
export const APP_VERSION: string = (() => {
  for (const dir of foldersAbove(fileURLToPath(new URL('.', import.meta.url)))) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'medianest-appliance' && pkg.version) return pkg.version;
    } catch {
      // No package.json here, or not one that parses: look further up.
    }
  }
  return '0.0.0';
})();
