import { describe, expect, it } from 'vitest';
import type { LogLine } from '@contract';
import { LogBuffer, levelFilter } from './log-buffer';

const line = (n: number, level?: LogLine['level']): LogLine => ({
  time: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000000000Z`,
  service: 'redis',
  container: 'redis-1',
  stream: 'stdout',
  ...(level ? { level } : {}),
  text: `line ${n}`,
});

describe('the log view buffer', () => {
  it('keeps memory bounded: the oldest lines go once the cap is passed, the newest stay', () => {
    const buffer = new LogBuffer(1000);
    for (let i = 0; i < 50; i += 1)
      buffer.push(Array.from({ length: 100 }, (_, j) => line(i * 100 + j)));
    expect(buffer.size).toBeLessThanOrEqual(1100);
    expect(buffer.size).toBeGreaterThanOrEqual(1000);
    expect(buffer.rows.at(-1)?.text).toBe('line 4999');
    expect(buffer.dropped + buffer.size).toBe(5000);
    expect(buffer.rows[0]?.text).toBe(`line ${buffer.dropped}`);
  });

  it('shows only lines at the chosen level or above, for lines held and lines arriving', () => {
    const buffer = new LogBuffer(100);
    buffer.push([line(1, 'debug'), line(2, 'info'), line(3, 'warn'), line(4), line(5, 'error')]);
    buffer.setFilter(levelFilter('warn'));
    expect(buffer.rows.map((l) => l.text)).toEqual(['line 3', 'line 5']);
    buffer.push([line(6, 'info'), line(7, 'error')]);
    expect(buffer.rows.map((l) => l.text)).toEqual(['line 3', 'line 5', 'line 7']);
    buffer.setFilter(levelFilter('all'));
    expect(buffer.rows).toHaveLength(7);
  });

  it('refuses a cap that is not a positive whole number', () => {
    expect(() => new LogBuffer(0)).toThrow('cap must be a positive integer');
  });
});
