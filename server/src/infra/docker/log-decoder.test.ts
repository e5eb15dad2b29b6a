import { describe, expect, it } from 'vitest';
import { LogDecoder } from './log-decoder.js';

const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('LogDecoder', () => {
  it('splits frames in any chunking, normalises times and joins partial messages', () => {
    const bytes = Buffer.concat([
      frame(1, '2025-01-01T00:00:01.5Z hello\n'),
      frame(2, '2025-01-01T00:00:02.000000001Z part one '),
      frame(2, '2025-01-01T00:00:02.000000002Z part two\n'),
      frame(1, '2025-01-01T00:00:03Z héllo\n'),
    ]);
    const decoder = new LogDecoder();
    const lines = [];
    for (let i = 0; i < bytes.length; i += 5) lines.push(...decoder.push(bytes.subarray(i, i + 5)));
    lines.push(...decoder.end());
    expect(lines).toEqual([
      { time: '2025-01-01T00:00:01.500000000Z', stream: 'stdout', text: 'hello' },
      { time: '2025-01-01T00:00:02.000000001Z', stream: 'stderr', text: 'part one part two' },
      { time: '2025-01-01T00:00:03.000000000Z', stream: 'stdout', text: 'héllo' },
    ]);
  });

  it('reads a TTY container raw stream', () => {
    const decoder = new LogDecoder();
    const lines = [
      ...decoder.push(Buffer.from('2025-01-01T00:00:01Z a\n2025-01-01T00:00:02Z b')),
      ...decoder.end(),
    ];
    expect(lines.map((l) => l.text)).toEqual(['a', 'b']);
  });
});
