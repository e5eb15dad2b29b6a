import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The app's version from package.json, found from both the source tree and the built dist/ tree. */
export const APP_VERSION: string = (() => {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(
        readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8'),
      ) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'medianest-appliance' && pkg.version) return pkg.version;
    } catch {
      // Try the next layout.
    }
  }
  return '0.0.0';
})();
