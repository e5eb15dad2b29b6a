import { describe, expect, it } from 'vitest';
import { ownerByFolder, parseArchiveMeta } from './meta.js';

describe("an archive's meta", () => {
  it('keeps what a backup records and drops keys no restore uses', () => {
    const meta = parseArchiveMeta({
      appVersion: '1.4.0',
      postgresMajor: 15,
      rowCounts: { 'public.users': 3 },
      folders: { uploads: { uid: 1001, gid: 1001, mode: 0o750 } },
      fromTheFuture: { anything: true },
    });
    expect(meta).toEqual({
      appVersion: '1.4.0',
      postgresMajor: 15,
      rowCounts: { 'public.users': 3 },
      folders: { uploads: { uid: 1001, gid: 1001, mode: 0o750 } },
    });
  });

  it("keeps an owner NFS mapped to 4294967294, so such a folder's backup still restores", () => {
    const nfs = { uid: 4294967294, gid: 4294967294, mode: 0o755 };
    expect(parseArchiveMeta({ folders: { uploads: nfs } }).folders).toEqual({ uploads: nfs });
    // One more is chown's "leave unchanged", no owner at all.
    expect(() => parseArchiveMeta({ folders: { uploads: { ...nfs, uid: 4294967295 } } })).toThrow(
      'meta.folders.uploads.uid',
    );
  });

  it('names the known folders when it refuses another', () => {
    expect(() =>
      parseArchiveMeta({ folders: { 'etc/cron.d': { uid: 0, gid: 0, mode: 0 } } }),
    ).toThrow(
      'meta.folders["etc/cron.d"]: not a folder a backup holds (known: certbot/conf, certbot/www',
    );
  });

  it('finds the owner of a nested folder for the files inside it, and for no other path', () => {
    const owners = {
      'certbot/conf': { uid: 0, gid: 0, mode: 0o755 },
      uploads: { uid: 1001, gid: 1001, mode: 0o750 },
    };
    expect(ownerByFolder(owners, 'files/certbot/conf/live/cert.pem')).toBe(owners['certbot/conf']);
    expect(ownerByFolder(owners, 'files/uploads/a.jpg')).toBe(owners.uploads);
    expect(ownerByFolder(owners, 'files/uploads-old/a.jpg')).toBeUndefined();
    expect(ownerByFolder(owners, 'files/certbot/www/x')).toBeUndefined();
  });
});
