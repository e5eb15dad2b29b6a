// Draws the app icon and the tray icons as PNGs with node:zlib only: `node build/generate-icons.mjs`.
// The outputs are committed (build/icons/, build/tray/); rerun this after changing a colour or size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));

/** A PNG of RGBA pixels: signature, IHDR, one IDAT, IEND (each chunk with its CRC-32). */
function encodePng(size, pixel) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const start = y * (size * 4 + 1); // each row starts with its filter type: 0, none
    for (let x = 0; x < size; x++) rows.set(pixel(x, y), start + 1 + x * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** How much of the pixel at (x, y) lies within `radius` of the centre: a cheap anti-aliased edge. */
function coverage(size, x, y, radius) {
  const distance = Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2);
  return Math.max(0, Math.min(1, radius - distance + 0.5));
}

function disc(size, [r, g, b]) {
  return (x, y) => [r, g, b, Math.round(255 * coverage(size, x, y, size / 2 - size / 16))];
}

/** The app icon: a deep blue disc with a white "play" triangle, MediaNest's media at a glance. */
function appIcon(size) {
  const outer = disc(size, [0x1f, 0x4e, 0x8c]);
  return (x, y) => {
    const base = outer(x, y);
    const u = (x + 0.5) / size;
    const v = (y + 0.5) / size;
    const inTriangle = u > 0.4 && u < 0.7 && Math.abs(v - 0.5) < (0.7 - u) * 0.9;
    return inTriangle && base[3] > 0 ? [255, 255, 255, base[3]] : base;
  };
}

const TRAY = {
  healthy: [0x2e, 0xa0, 0x43],
  degraded: [0xd9, 0x9a, 0x06],
  down: [0xcf, 0x22, 0x2e],
  unknown: [0x8c, 0x95, 0x9f],
};

const write = (path, data) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
};

for (const size of [16, 32, 48, 64, 128, 256, 512]) {
  write(join(root, 'icons', `${size}x${size}.png`), encodePng(size, appIcon(size)));
}
for (const [state, colour] of Object.entries(TRAY)) {
  write(join(root, 'tray', `${state}.png`), encodePng(16, disc(16, colour)));
  write(join(root, 'tray', `${state}@2x.png`), encodePng(32, disc(32, colour)));
}
