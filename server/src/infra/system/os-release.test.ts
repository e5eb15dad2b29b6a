import { describe, expect, it } from 'vitest';
import { familyOf } from '../../core/doctor/install-plan.js';
import { parseOsRelease, parseOsReleaseFields } from './os-release.js';

const UBUNTU = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
`;

const ROCKY = `NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
`;

const MINT = `NAME="Linux Mint"
ID=linuxmint
ID_LIKE="ubuntu debian"
PRETTY_NAME='Linux Mint 22'
VERSION_ID="22"
`;

describe('os-release', () => {
  it('reads Ubuntu: id, ID_LIKE, version and the name a user knows', () => {
    expect(parseOsRelease(UBUNTU)).toEqual({
      id: 'ubuntu',
      idLike: ['debian'],
      versionId: '24.04',
      prettyName: 'Ubuntu 24.04.1 LTS',
    });
  });

  it('reads a quoted ID and an ID_LIKE chain in order', () => {
    const rocky = parseOsRelease(ROCKY)!;
    expect(rocky.id).toBe('rocky');
    expect(rocky.idLike).toEqual(['rhel', 'centos', 'fedora']);
    expect(familyOf(rocky)).toBe('rhel');
    const mint = parseOsRelease(MINT)!;
    expect(mint.prettyName).toBe('Linux Mint 22');
    expect(familyOf(mint)).toBe('debian');
  });

  it('defaults ID to "linux" as the spec says, and falls back to NAME', () => {
    expect(parseOsRelease('NAME=Custom\n')).toEqual({
      id: 'linux',
      idLike: [],
      prettyName: 'Custom',
    });
  });

  it('expands nothing: $(...), backticks and $VARS are dropped, never run or guessed', () => {
    const fields = parseOsReleaseFields(
      [
        'A="$(touch /tmp/pwned)"',
        'B=`id`',
        'C="$HOME"',
        'D=bare value with spaces',
        'E="ok \\"quoted\\" \\$5"',
        'F="unterminated',
        '# ID=commented',
        'lower=ignored',
      ].join('\n'),
    );
    expect([...fields.entries()]).toEqual([['E', 'ok "quoted" $5']]);
  });

  it('refuses an ID that is not an ID, and ignores odd ID_LIKE words', () => {
    expect(parseOsRelease('ID="debian; rm -rf /"\n')).toBeUndefined();
    expect(parseOsRelease('ID=arch\nID_LIKE="../x Fedora"\n')!.idLike).toEqual(['fedora']);
  });

  it('drops a value longer than 256 characters', () => {
    expect(parseOsReleaseFields(`PRETTY_NAME="${'x'.repeat(300)}"`).size).toBe(0);
  });
});
