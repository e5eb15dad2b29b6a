import { describe, expect, it } from 'vitest';
import { digestOfRepository, parseImageReference, registryApiBase } from './image-reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('image references', () => {
  it('puts a name without a registry on Docker Hub, one-part names under library/', () => {
    expect(parseImageReference('postgres:16-alpine')).toMatchObject({
      registry: 'docker.io',
      repository: 'library/postgres',
      tag: '16-alpine',
    });
    expect(parseImageReference('medianest/backend')).toMatchObject({
      registry: 'docker.io',
      repository: 'medianest/backend',
      tag: 'latest',
    });
    expect(parseImageReference('index.docker.io/library/redis:7')).toMatchObject({
      registry: 'docker.io',
      repository: 'library/redis',
    });
  });

  it('reads a registry host with a port, localhost, and a digest', () => {
    expect(parseImageReference('127.0.0.1:5000/medianest/backend:v1')).toMatchObject({
      registry: '127.0.0.1:5000',
      repository: 'medianest/backend',
      tag: 'v1',
    });
    expect(parseImageReference('localhost/app')).toMatchObject({
      registry: 'localhost',
      repository: 'app',
    });
    expect(parseImageReference(`ghcr.io/org/app@${DIGEST}`)).toMatchObject({
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: undefined,
      digest: DIGEST,
    });
    expect(parseImageReference(`ghcr.io/org/app:v3@${DIGEST}`)).toMatchObject({
      tag: 'v3',
      digest: DIGEST,
    });
  });

  it('refuses what is no reference, naming it', () => {
    expect(() => parseImageReference('Medianest/Backend')).toThrow(/"Medianest\/Backend"/);
    expect(() => parseImageReference('app@sha256:short')).toThrow(/digest/);
  });

  it('asks Docker Hub at its API host, loopback over HTTP, others over HTTPS', () => {
    expect(registryApiBase('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryApiBase('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryApiBase('localhost:5000')).toBe('http://localhost:5000');
    expect(registryApiBase('ghcr.io')).toBe('https://ghcr.io');
  });

  it("finds the local image's digest for this repository among its RepoDigests", () => {
    const hub = parseImageReference('postgres:16');
    expect(digestOfRepository(hub, [`other@sha256:${'cd'.repeat(32)}`, `postgres@${DIGEST}`])).toBe(
      DIGEST,
    );
    const local = parseImageReference('127.0.0.1:5000/medianest/backend:v1');
    expect(digestOfRepository(local, [`127.0.0.1:5000/medianest/frontend@${DIGEST}`])).toBe(
      undefined,
    );
  });
});
