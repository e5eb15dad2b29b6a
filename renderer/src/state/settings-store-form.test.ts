import { describe, expect, it } from 'vitest';
import { ApiError } from '@contract';
import {
  EMPTY_FORM,
  errorFor,
  fieldErrorsOf,
  fromSettings,
  parseImagesText,
  toChanges,
} from './settings-store-form';

describe('the settings form', () => {
  it('reads an images file as JSON or as "service: reference" lines', () => {
    expect(parseImagesText('{"backend": "reg.local:5000/mn/backend:1.2"}')).toEqual({
      backend: 'reg.local:5000/mn/backend:1.2',
    });
    expect(
      parseImagesText('# mine\nbackend: reg.local:5000/mn/backend:1.2\nfrontend=fe:2\n'),
    ).toEqual({
      backend: 'reg.local:5000/mn/backend:1.2',
      frontend: 'fe:2',
    });
    expect(parseImagesText('backend')).toBe('line 1 must read "service: image reference"');
    expect(parseImagesText('{"backend":')).toMatch(/^is not valid JSON/);
    expect(parseImagesText('  ')).toBe('must name at least one service and its image');
  });

  it('sends a local-only install without domain or the tls profile, ports as numbers', () => {
    const { changes, errors } = toChanges({
      ...EMPTY_FORM,
      profiles: ['tls', 'monitoring'],
      domain: 'media.example.org',
      httpPort: ' 8080 ',
      httpsPort: 'abc',
    });
    expect(errors).toEqual({});
    expect(changes).toMatchObject({ profiles: ['monitoring'], httpPort: 8080, httpsPort: 'abc' });
    expect(changes).not.toHaveProperty('domain');
    expect(changes).not.toHaveProperty('plex');
  });

  it('clears a stored domain and email when changed settings go back to local only', () => {
    const { changes } = toChanges(
      { ...EMPTY_FORM, access: 'local', domain: 'media.example.org', email: 'me@example.org' },
      { clear: true },
    );
    expect(changes).toMatchObject({ domain: null, email: null });
  });

  it('names the images field when its text is no map, and sends only typed limits', () => {
    const { changes, errors } = toChanges({
      ...EMPTY_FORM,
      imageSource: 'custom',
      images: 'nonsense',
      resources: { backend: { cpus: '', memory: '300m' }, redis: { cpus: '', memory: '' } },
    });
    expect(errors).toEqual({ images: 'line 1 must read "service: image reference"' });
    expect(changes.resources).toEqual({ backend: { memory: '300m' } });
  });

  it('fills the form from stored settings, Plex left empty (a secret)', () => {
    const form = fromSettings({
      environment: 'dev',
      profiles: ['tls', 'bogus'],
      domain: 'media.example.org',
      httpPort: 8080,
      images: { backend: 'be:1' },
      resources: { backend: { memory: '300m' } },
    });
    expect(form).toMatchObject({
      environment: 'dev',
      profiles: ['tls'],
      access: 'domain',
      httpPort: '8080',
      httpsPort: '443',
      imageSource: 'custom',
      images: 'backend: be:1',
      plexClientId: '',
      resources: { backend: { cpus: '', memory: '300m' } },
    });
  });

  it('maps a refused request to a message per field, nested ones under their parent', () => {
    const refused = new ApiError('validation_failed', 'x', 422, {
      fields: { 'images.backend': 'must be an image reference', httpPort: 'too big' },
    });
    const errors = fieldErrorsOf(refused) ?? {};
    expect(errorFor(errors, 'httpPort')).toBe('too big');
    expect(errorFor(errors, 'images')).toBe('backend: must be an image reference');
    const single = new ApiError('validation_failed', 'recoveryKey: mistyped', 422, {
      field: 'recoveryKey',
    });
    expect(fieldErrorsOf(single)).toEqual({ recoveryKey: 'mistyped' });
    expect(fieldErrorsOf(new ApiError('busy', 'busy', 409))).toBeUndefined();
  });
});
