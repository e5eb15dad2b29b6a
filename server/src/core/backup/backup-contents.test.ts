import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_FOLDERS } from './archive/meta.js';
import { statefulFolders } from './backup-contents.js';
import { archiveName } from './backup-service.js';

describe('what a backup copies as files', () => {
  it('takes the bind folders under the data folder, less the dumped databases and the logs', () => {
    const folders = statefulFolders(
      [
        '/h/data/postgres',
        '/h/data/redis',
        '/h/data/uploads',
        '/h/data/downloads',
        '/h/data/logs/backend',
        '/h/data/certbot/conf',
        '/h/stack/config/nginx',
        '/elsewhere/data',
      ],
      '/h/data',
    );
    expect(folders).toEqual(['certbot/conf', 'downloads', 'uploads']);
  });

  it('knows every folder the templates bind, so a restore accepts each one a backup records', () => {
    const templates = join(import.meta.dirname, '../../../../compose-templates/stack');
    const binds = readdirSync(templates).flatMap((name) =>
      [...readFileSync(join(templates, name), 'utf8').matchAll(/\{\{dataDir\}\}(\/[\w/-]+)/g)].map(
        (match) => `/data${match[1]}`,
      ),
    );
    expect(binds.length).toBeGreaterThan(5);
    expect(statefulFolders(binds, '/data')).toEqual([...KNOWN_FOLDERS]);
  });

  it('names archives by UTC time and kind, so names sort by time', () => {
    expect(archiveName(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), 'daily')).toBe(
      'medianest-20260102-030405-daily.mnbackup',
    );
  });
});
