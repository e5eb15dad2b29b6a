import { describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { DEFAULT_IMAGES, parseImagesFile, parseStackConfig, type StackConfig } from './config.js';

const DATA = { dataDir: '/home/ann/.medianest/data' };

/** The AppError thrown for `input`, with its fields. */
function refusal(
  input: unknown,
  defaults: { dataDir?: string } = DATA,
): { message: string; fields: Record<string, string> } {
  try {
    parseStackConfig(input, defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('validation_failed');
    return {
      message: appError.message,
      fields: appError.details?.['fields'] as Record<string, string>,
    };
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

const accept = (input: Record<string, unknown>): StackConfig => parseStackConfig(input, DATA);

describe('parseStackConfig', () => {
  it('fills every default from an empty input', () => {
    const config = accept({});
    expect(config).toEqual({
      environment: 'prod',
      profiles: [],
      httpPort: 80,
      httpsPort: 443,
      dataDir: DATA.dataDir,
      pullPolicy: 'missing',
      resources: {},
      images: { ...DEFAULT_IMAGES, migrate: 'medianest/backend:latest' },
    });
    expect(config.images.postgres).toBe('postgres:16-alpine');
    expect(config.images.redis).toBe('redis:7-alpine');
    expect(config.images.nginx).toBe('nginx:1.25-alpine');
  });

  it('accepts a full, valid configuration', () => {
    const config = accept({
      environment: 'dev',
      profiles: ['devtools', 'tls'],
      domain: 'media.example.org',
      email: 'Admin.Person+nas@example.org',
      httpPort: '8080',
      httpsPort: 8443,
      dataDir: '/srv/medianest/data/',
      images: {
        backend: 'registry.local:5000/medianest/backend:1.2.3',
        postgres: 'postgres@sha256:' + 'a'.repeat(64),
      },
      pullPolicy: 'never',
      resources: { redis: { memory: '1g', cpus: '0.333' }, backend: { cpus: 2 } },
      plex: { clientId: 'my-client', clientSecret: 'shh it is long' },
    });
    expect(config.profiles).toEqual(['tls', 'devtools']);
    expect(config.httpPort).toBe(8080);
    expect(config.dataDir).toBe('/srv/medianest/data');
    expect(config.images.migrate).toBe('registry.local:5000/medianest/backend:1.2.3');
    expect(config.resources).toEqual({
      redis: { memory: '1g', cpus: '0.33' },
      backend: { cpus: '2' },
    });
    expect(config.plex).toEqual({ clientId: 'my-client', clientSecret: 'shh it is long' });
  });

  it('lets migrate have its own image', () => {
    expect(accept({ images: { migrate: 'mn/migrate:1' } }).images.migrate).toBe('mn/migrate:1');
  });

  it('names every invalid field at once, in the message and in details.fields', () => {
    const { message, fields } = refusal({
      environment: 'staging',
      profiles: ['tls', 'tls'],
      domain: 'Media.Example.org',
      httpPort: 0,
      httpsPort: 'https',
      dataDir: 'relative/path',
      images: { nosuch: 'a:1', backend: 'Bad Ref' },
      pullPolicy: 'sometimes',
      resources: { redis: { memory: '1', cpus: 0, swap: '1g' } },
      plex: { clientId: '' },
      colour: 'blue',
    });
    expect(Object.keys(fields).sort()).toEqual(
      [
        'environment',
        'profiles',
        'domain',
        // tls (named twice), a domain and no e-mail: Let's Encrypt would need one.
        'email',
        'httpPort',
        'httpsPort',
        'dataDir',
        'images.nosuch',
        'images.backend',
        'pullPolicy',
        'resources.redis.memory',
        'resources.redis.cpus',
        'resources.redis.swap',
        'plex.clientId',
        'colour',
      ].sort(),
    );
    for (const [field, rule] of Object.entries(fields))
      expect(message).toContain(`${field}: ${rule}`);
    expect(fields['environment']).toBe('must be one of prod, dev, test');
    expect(fields['images.nosuch']).toMatch(/^unknown service \(known: postgres, redis/);
    expect(fields['colour']).toBe('unknown field');
  });

  it.each([
    ['environment', 'production', 'must be one of prod, dev, test'],
    ['profiles', 'tls', 'must be a list of tls, monitoring, devtools'],
    ['profiles', ['backup'], 'must be one of tls, monitoring, devtools'],
    ['httpPort', 65536, 'must be a whole number from 1 to 65535'],
    ['httpPort', 80.5, 'must be a whole number from 1 to 65535'],
    ['httpPort', '8o', 'must be a whole number from 1 to 65535'],
    ['pullPolicy', 'daily', 'must be one of missing, always, never'],
  ])('refuses %s = %j', (field, value, rule) => {
    const { fields } = refusal({ [field]: value });
    expect(Object.values(fields)).toContain(rule);
  });

  it('refuses the same port twice', () => {
    expect(refusal({ httpPort: 8080, httpsPort: '8080' }).fields).toEqual({
      httpsPort: 'must differ from httpPort',
    });
  });

  it("requires an e-mail for Let's Encrypt only with tls and a domain", () => {
    expect(refusal({ profiles: ['tls'], domain: 'media.example.org' }).fields).toEqual({
      email: "is required with the tls profile and a domain (Let's Encrypt needs it)",
    });
    expect(accept({ profiles: ['tls'] }).email).toBeUndefined();
    expect(accept({ domain: 'media.example.org' }).domain).toBe('media.example.org');
  });

  describe('domain', () => {
    it.each(['media.example.org', 'a.io', 'nas-1.home.example.co.uk', 'xn--bcher-kva.example'])(
      'accepts %s',
      (domain) => {
        expect(accept({ domain }).domain).toBe(domain);
      },
    );

    it.each([
      ['media.example.org\nevil', 'must not contain newlines or other control characters'],
      ['$(reboot).example.org', 'must not contain "$"'],
      ['`reboot`.example.org', 'must not contain "`"'],
      ['"media.example.org"', 'must not contain "\\""'],
      ["'media.example.org'", 'must not contain "\'"'],
      ['media.example.org;reboot', 'must not contain ";"'],
      ['media example.org', 'must not contain spaces'],
      ['https://media.example.org', 'must be a bare hostname, without a scheme such as https://'],
      ['media.example.org/path', 'must be a bare hostname, without a path'],
      ['media.example.org:8443', 'must be a bare hostname, without a port'],
      ['Media.Example.org', 'must be lowercase'],
      ['localhost', 'must be a fully qualified name such as media.example.org'],
      [
        '-media.example.org',
        'each dot-separated part must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen',
      ],
      [
        'media..example.org',
        'each dot-separated part must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen',
      ],
      [
        'media.example.org.',
        'each dot-separated part must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen',
      ],
      ['192.168.1.10', 'must be a hostname, not an IP address'],
      [
        `${'a'.repeat(64)}.example.org`,
        'each dot-separated part must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen',
      ],
      ['', 'must not be empty'],
    ])('refuses %j', (domain, rule) => {
      expect(refusal({ domain }).fields).toEqual({ domain: rule });
    });

    it('refuses a domain that is not a string', () => {
      expect(refusal({ domain: 42 }).fields).toEqual({ domain: 'must be a string' });
    });
  });

  describe('email', () => {
    it.each(['admin@example.org', 'first.last+tag@mail.example.co.uk', 'A_B-c@Example.org'])(
      'accepts %s',
      (email) => {
        expect(accept({ email }).email).toBe(email);
      },
    );

    it.each([
      ['admin@example.org\nBcc: x@y.org', 'must not contain newlines or other control characters'],
      ['$(reboot)@example.org', 'must not contain "$"'],
      ['`id`@example.org', 'must not contain "`"'],
      ['"admin"@example.org', 'must not contain "\\""'],
      ["admin'@example.org", 'must not contain "\'"'],
      ['admin;reboot@example.org', 'must not contain ";"'],
      ['admin @example.org', 'must not contain spaces'],
      ['admin.example.org', 'must be one address such as admin@example.org'],
      ['a@b@example.org', 'must be one address such as admin@example.org'],
      [
        '.admin@example.org',
        'the part before @ must be 1-64 characters with no leading, trailing or double dot',
      ],
      [
        'admin@localhost',
        'the part after @ must be a fully qualified name such as media.example.org',
      ],
    ])('refuses %j', (email, rule) => {
      expect(refusal({ email }).fields).toEqual({ email: rule });
    });
  });

  describe('dataDir', () => {
    it('comes from the caller when not given', () => {
      expect(accept({}).dataDir).toBe(DATA.dataDir);
      expect(refusal({}, {}).fields).toEqual({ dataDir: 'is required' });
    });

    it.each([
      ['data', 'must be an absolute path starting with /'],
      ['/srv/$HOME/data', 'must not contain "$"'],
      ['/srv/data\n', 'must not contain newlines or other control characters'],
      ['/srv/a:b', 'must not contain ":"'],
      ['/srv/a,b', 'must not contain ","'],
      ['/srv/"data"', 'must not contain "\\""'],
      ['/srv/../etc', 'must be a normalised path (no "..", "." or repeated slashes)'],
      ['/srv//data', 'must be a normalised path (no "..", "." or repeated slashes)'],
      ['/', 'must not be the root folder'],
    ])('refuses %j', (dataDir, rule) => {
      expect(refusal({ dataDir }).fields).toEqual({ dataDir: rule });
    });

    it('accepts spaces and drops trailing slashes', () => {
      expect(accept({ dataDir: '/Users/Ann Lee/MediaNest data//' }).dataDir).toBe(
        '/Users/Ann Lee/MediaNest data',
      );
    });
  });

  describe('resources', () => {
    it.each([
      [{ memory: '512k' }, 'resources.x.memory', 'must be at least 6m (Docker refuses less)'],
      [
        { memory: '2T' },
        'resources.x.memory',
        'must be a whole number with an optional unit k, m or g, such as 512m',
      ],
      [{ memory: '2048g' }, 'resources.x.memory', 'must be at most 1024g'],
      [{ cpus: -1 }, 'resources.x.cpus', 'must be a number of CPUs from 0.01 to 1024'],
      [{ cpus: 'lots' }, 'resources.x.cpus', 'must be a number of CPUs from 0.01 to 1024'],
    ])('refuses %j', (value, field, rule) => {
      expect(refusal({ resources: { postgres: value } }).fields).toEqual({
        [field.replace('x', 'postgres')]: rule,
      });
    });
  });

  describe('plex', () => {
    it.each([
      [{ clientId: '  ' }, 'plex.clientId', 'must not be empty'],
      [
        { clientSecret: 'a\nb' },
        'plex.clientSecret',
        'must not contain newlines or other control characters',
      ],
      [{ clientSecret: ' padded' }, 'plex.clientSecret', 'must not start or end with spaces'],
      [{ token: 'x' }, 'plex.token', 'unknown field'],
    ])('refuses %j', (plex, field, rule) => {
      expect(refusal({ plex }).fields).toEqual({ [field]: rule });
    });
  });

  it('refuses input that is not a map', () => {
    expect(refusal('prod').fields).toEqual({ '(config)': 'must be a map of settings' });
    expect(accept({}).environment).toBe('prod');
    expect(parseStackConfig(undefined, DATA).environment).toBe('prod');
  });
});

describe('image references', () => {
  it.each([
    'postgres:16-alpine',
    'medianest/backend',
    'registry.local:5000/team/medianest/backend:1.2',
    'localhost/medianest-rig/postgres:3582d09f306c',
    `ghcr.io/owner/app@sha256:${'0'.repeat(64)}`,
    'nginx:1.25.3-alpine',
  ])('accepts %s', (ref) => {
    expect(accept({ images: { nginx: ref } }).images.nginx).toBe(ref);
  });

  it.each([
    [
      'Nginx:1.25',
      'must be an image reference such as postgres:16-alpine or registry.local:5000/team/app:1.0',
    ],
    [
      'nginx:',
      'must be an image reference such as postgres:16-alpine or registry.local:5000/team/app:1.0',
    ],
    ['nginx:latest; rm -rf /', 'must not contain ";"'],
    ['nginx:$(id)', 'must not contain "$"'],
    ['nginx:1\n', 'must not contain newlines or other control characters'],
    ['', 'must not be empty'],
  ])('refuses %j', (ref, rule) => {
    expect(refusal({ images: { nginx: ref } }).fields).toEqual({ 'images.nginx': rule });
  });
});

describe('parseImagesFile', () => {
  it('reads JSON and YAML maps', () => {
    expect(
      parseImagesFile('{"postgres": "medianest-rig/postgres:abc", "redis-commander": "rc:1"}'),
    ).toEqual({
      postgres: 'medianest-rig/postgres:abc',
      'redis-commander': 'rc:1',
    });
    expect(
      parseImagesFile('backend: medianest-rig/backend:abc\nmigrate: medianest-rig/backend:abc\n'),
    ).toEqual({
      backend: 'medianest-rig/backend:abc',
      migrate: 'medianest-rig/backend:abc',
    });
    expect(parseImagesFile('')).toEqual({});
  });

  it('names each bad entry', () => {
    expect(() => parseImagesFile('postgres: "x y"\nvault: vault:1\n')).toThrowError(
      /images\.postgres: must not contain spaces; images\.vault: unknown service/,
    );
  });

  it('refuses text that is not a map', () => {
    expect(() => parseImagesFile('- postgres:16')).toThrowError(
      /^images: must be a map from service name to image reference/,
    );
    expect(() => parseImagesFile('{"postgres": ')).toThrowError(
      /^images: the file must be a JSON or YAML map/,
    );
    expect(() => parseImagesFile('a: 1\na: 2')).toThrowError(
      /^images: the file must be a JSON or YAML map/,
    );
  });
});
