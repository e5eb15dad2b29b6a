import { describe, expect, it } from 'vitest';
import { textTable } from './text-table.js';
import type { SecretStatus } from '../core/secrets/rotation-listing.js';
import { formatSecrets } from './secrets-command.js';

describe('the CLI tables', () => {
  it('line the columns up under their headers, as wide as the widest cell, with no trailing spaces', () => {
    const text = textTable(
      ['SERVICE', 'STATE', 'PORTS'],
      [
        ['postgres', 'running', '-'],
        ['nginx', 'exited (1)', ''],
      ],
    );
    expect(text.split('\n')).toEqual([
      'SERVICE   STATE       PORTS',
      'postgres  running     -',
      'nginx     exited (1)',
    ]);
  });

  it('show only the headers when there are no rows', () => {
    expect(textTable(['NAME', 'AGE'], [])).toBe('NAME  AGE');
  });

  it('show `secrets list` in the same columns as before', () => {
    const row = {
      name: 'jwt_secret',
      ageSeconds: 3 * 86_400,
      consumers: ['backend'],
      rotatable: true,
    };
    expect(formatSecrets([row as SecretStatus]).split('\n')).toEqual([
      'NAME        AGE  USED BY  NOTE',
      'jwt_secret  3d   backend  rotatable',
    ]);
  });
});
