/**
 * The engine multiplexes stdout and stderr of a container without a TTY into frames:
 * [stream (1 = stdout, 2 = stderr), 0, 0, 0, size (uint32 big-endian)] then `size` bytes.
 */
export interface Frame {
  stream: 'stdout' | 'stderr';
  text: string;
}

export function demuxFrames(buffer: Buffer): Frame[] {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const end = Math.min(offset + 8 + size, buffer.length);
    frames.push({
      stream: type === 2 ? 'stderr' : 'stdout',
      text: buffer.toString('utf8', offset + 8, end),
    });
    offset = end;
  }
  return frames;
}
