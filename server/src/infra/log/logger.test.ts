import { describe, expect, it } from 'vitest';
import { createLogger, redact } from './logger.js';

describe('the app log', () => {
  it('masks every known secret value in every line, including inside fields', () => {
    const lines: string[] = [];
    const secret = 'f00dcafe'.repeat(8);
    const logger = createLogger({ write: (l) => lines.push(l), secrets: () => [secret] });
    logger.info(`connecting with ${secret}`, {
      url: `postgresql://medianest:${secret}@postgres/medianest`,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('postgresql://medianest:[redacted]@postgres/medianest');
  });

  it('reads the secrets at every line, so a rotated value is masked at once', () => {
    const lines: string[] = [];
    let current = ['a'.repeat(32)];
    const logger = createLogger({ write: (l) => lines.push(l), secrets: () => current });
    current = ['b'.repeat(32)];
    logger.warn(`new ${'b'.repeat(32)}`);
    expect(lines[0]).toContain('new [redacted]');
  });

  it('drops lines under the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    logger.info('quiet');
    logger.error('loud');
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['loud']);
  });

  it('leaves short strings alone: they are not secrets we generated', () => {
    expect(redact('port 5432', ['5432'])).toBe('port 5432');
  });

  it('masks a secret in another case, and a 16+ character piece of one', () => {
    const lines: string[] = [];
    const secret = '9f8e7d6c5b4a39281706f5e4d3c2b1a0'.repeat(2);
    const logger = createLogger({ write: (l) => lines.push(l), secrets: () => [secret] });
    logger.error('request failed', {
      header: `Bearer ${secret.toUpperCase()}`,
      cause: new Error(`bad token ${secret.slice(7, 30)}...`),
    });
    expect(lines[0]?.toLowerCase()).not.toContain(secret.slice(7, 23));
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      header: 'Bearer [redacted]',
      cause: { message: 'bad token [redacted]...' },
    });
  });

  it('masks a value JSON would escape (a quote, a backslash)', () => {
    const lines: string[] = [];
    const secret = 'pa"ss\\word 42';
    const logger = createLogger({ write: (l) => lines.push(l), secrets: () => [secret] });
    logger.info(`typed ${secret}`);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ message: 'typed [redacted]' });
  });
});
