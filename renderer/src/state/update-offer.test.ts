import { describe, expect, it } from 'vitest';
import {
  ago,
  availableWords,
  changeWords,
  newestOffer,
  offlineWords,
  recordVersions,
  rowBadge,
  updateRows,
  versionOf,
} from './update-offer';
import {
  DIGEST_B,
  NOW,
  REPO,
  serviceUpdate,
  updatesReport as report,
} from './updates.test-support';

describe('what the card offers', () => {
  it('is the newest newer tag, named as a tag the server puts on the same image', () => {
    const update = serviceUpdate({
      newerVersions: [
        { tag: 'v2', step: 'major' },
        { tag: 'v3', step: 'major' },
      ],
      newDigest: DIGEST_B,
      updateAvailable: true,
    });
    expect(newestOffer(update)).toEqual({
      kind: 'version',
      version: 'v3',
      step: 'major',
      skip: 'v3',
      to: 'v3',
    });
    expect(availableWords(update)).toBe(
      'a new image on v1 (sha256:bbbbbbbbbbbb), v2 (major), v3 (major)',
    );
  });

  it('is the new digest of the same tag when no newer tag exists, keeping the tag', () => {
    const update = serviceUpdate({ newDigest: DIGEST_B, updateAvailable: true });
    expect(newestOffer(update)).toEqual({
      kind: 'digest',
      version: 'sha256:bbbbbbbbbbbb',
      skip: DIGEST_B,
      to: `${REPO}:v1@${DIGEST_B}`,
    });
  });

  it('is a newer commit of the checkout a local build came from: skipped, not applied here', () => {
    const newest = 'c'.repeat(40);
    const checkout = {
      dir: '/src/medianest',
      branch: 'main',
      commit: 'd'.repeat(40),
      behind: 3,
      newest,
      subject: 'Fix the upload size',
    };
    const update = serviceUpdate({ localBuild: true, checkout, updateAvailable: true });
    expect(newestOffer(update)).toEqual({ kind: 'commit', version: 'ccccccc', skip: newest });
    expect(availableWords(update)).toBe(
      'Built here from main at ddddddd; 3 newer commits on it (newest ccccccc: Fix the upload size). Rebuild it under Settings > Images.',
    );
    expect(newestOffer({ ...update, skipped: newest })).toBeUndefined();
  });

  it('is nothing while pinned, though what the check found is still said', () => {
    const update = serviceUpdate({
      newerVersions: [{ tag: 'v2', step: 'major' }],
      pinned: true,
      updateAvailable: false,
    });
    expect(newestOffer(update)).toBeUndefined();
    expect(rowBadge(update)).toEqual({ label: 'pinned', tone: 'unknown' });
    expect(availableWords(update)).toBe('v2 (major)');
  });

  it('says a local build is asked of no registry, and an unchecked image is not known yet', () => {
    expect(availableWords(serviceUpdate({ localBuild: true }))).toMatch(/no registry is asked/);
    expect(rowBadge(serviceUpdate({ localBuild: true })).label).toBe('built here');
    const never = serviceUpdate({ checkedAt: undefined });
    expect(availableWords(never)).toBe('Not known yet: check now.');
    expect(rowBadge(never).label).toBe('not checked yet');
    expect(rowBadge(serviceUpdate()).label).toBe('up to date');
  });
});

describe('a registry that did not answer', () => {
  it('is said with its time, and the age of the answer still shown', () => {
    const update = serviceUpdate({
      checkedAt: '2026-12-07T09:00:00Z',
      error: {
        message: 'registry 127.0.0.1:5000 not reachable: connection refused',
        at: '2026-12-07T11:59:40Z',
      },
    });
    expect(offlineWords(update, NOW)).toBe(
      'Offline, or the registry did not answer (just now): registry 127.0.0.1:5000 not reachable: connection refused. What is shown is its answer from 3 h ago.',
    );
  });

  it('that never answered says so', () => {
    const update = serviceUpdate({
      checkedAt: undefined,
      error: { message: 'timed out.', at: '2026-12-07T11:50:00Z' },
    });
    expect(offlineWords(update, NOW)).toBe(
      'Offline, or the registry did not answer (10 min ago): timed out. It has not answered yet.',
    );
    expect(offlineWords(serviceUpdate(), NOW)).toBeUndefined();
  });
});

describe('the rows', () => {
  it('show backend and migrate (one image) once, under backend, which updates apply to', () => {
    const rows = updateRows(
      report([
        serviceUpdate({ service: 'migrate' }),
        serviceUpdate({ service: 'postgres', image: 'postgres:16', tag: '16', localBuild: true }),
        serviceUpdate({ service: 'backend' }),
      ]),
    );
    expect(rows.map((r) => [r.service, r.services, r.updatable])).toEqual([
      ['backend', ['backend', 'migrate'], true],
      ['postgres', ['postgres'], false],
    ]);
  });
});

describe('words for versions and history', () => {
  it('name a version by its tag, else by its digest', () => {
    expect(versionOf(`${REPO}:v2`)).toBe('v2');
    expect(versionOf(`${REPO}@${DIGEST_B}`)).toBe('sha256:bbbbbbbbbbbb');
    expect(versionOf('postgres')).toBe('latest');
  });

  it('group the services an update changed alike', () => {
    const record = {
      from: { migrate: `${REPO}:v1`, backend: `${REPO}:v1` },
      to: { migrate: `${REPO}:v2`, backend: `${REPO}:v2` },
    };
    expect(changeWords(record)).toBe('backend and migrate: v1 → v2');
    expect(recordVersions(record)).toEqual({ service: 'backend', from: 'v1', to: 'v2' });
  });

  it('give an age a person reads', () => {
    expect(ago('2026-12-07T11:59:30Z', NOW)).toBe('just now');
    expect(ago('2026-12-07T11:55:00Z', NOW)).toBe('5 min ago');
    expect(ago('2026-12-06T10:00:00Z', NOW)).toBe('26 h ago');
    expect(ago('2026-12-01T12:00:00Z', NOW)).toBe('6 d ago');
  });
});
