/**
 * Archive throughput: our writer (AES-256-GCM chunks, SHA-256 of every entry, fsync) and our
 * verify, against the raw tools on the same files in the same run: `tar czf`, `tar cf - | gzip -1`,
 * `tar cf - | openssl enc -aes-256-ctr` (encryption without authentication) and `tar cf` (a plain
 * copy). Prints seconds, MB/s, ratios ours/baseline, and peak RSS of each.
 * The source is generated: half incompressible (uploads), half text (a database dump), in a few
 * large files and many small ones. The page cache is warmed first, so every run reads from memory.
 * Usage: npx tsx bench/archive/run.ts [MB]   (default 1024)
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { once } from 'node:events';
import type { EntrySource } from '../../server/src/core/backup/archive/format.js';
import { createArchiveReader } from '../../server/src/core/backup/archive/reader.js';
import { createArchiveWriter } from '../../server/src/core/backup/archive/writer.js';

const MB = 1024 * 1024;
const total = Number(process.argv[2] ?? 1024) * MB;
const work = mkdtempSync(join(tmpdir(), 'mn-archive-bench-'));
const src = join(work, 'src');

async function writeGenerated(path: string, size: number, text: boolean): Promise<void> {
  const out = createWriteStream(path);
  const cipher = createCipheriv(
    'aes-256-ctr',
    createHash('sha256').update(path).digest(),
    Buffer.alloc(16),
  );
  const line = Buffer.from(
    "INSERT INTO records VALUES (12345, 'a medianest row of text', now());\n",
  );
  const textBlock = Buffer.alloc(MB);
  for (let at = 0; at < MB; at += line.length) line.copy(textBlock, at);
  for (let left = size; left > 0; left -= MB) {
    const n = Math.min(MB, left);
    const block = text ? textBlock.subarray(0, n) : cipher.update(Buffer.alloc(n));
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function seed(): Promise<string[]> {
  mkdirSync(join(src, 'uploads/small'), { recursive: true });
  mkdirSync(join(src, 'db'), { recursive: true });
  await writeGenerated(join(src, 'db/medianest.sql'), total / 2, true);
  const large = Math.floor((total / 2) * 0.8);
  await writeGenerated(join(src, 'uploads/video.bin'), large, false);
  const smallSize = 64 * 1024;
  for (let i = 0; i * smallSize < total / 2 - large; i += 1) {
    await writeGenerated(join(src, `uploads/small/p${i}.jpg`), smallSize, false);
  }
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(src, join(e.parentPath, e.name)))
    .sort();
}

interface Result {
  name: string;
  seconds: number;
  rssMB: number;
  outMB: number;
}

/** A shell pipeline under /usr/bin/time, for its elapsed time and the largest RSS of its processes. */
function shell(name: string, command: string, out: string): Result {
  const started = process.hrtime.bigint();
  const run = spawnSync(
    'bash',
    ['-c', `/usr/bin/time -f '%M' bash -c ${JSON.stringify(command)} 2>${out}.time`],
    { stdio: 'inherit' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${name} failed`);
  const rssKB = Number(
    spawnSync('tail', ['-1', `${out}.time`])
      .stdout.toString()
      .trim(),
  );
  const outMB = statSync(out).size / MB;
  rmSync(out);
  return { name, seconds, rssMB: rssKB / 1024, outMB };
}

async function ours(files: string[]): Promise<Result[]> {
  const key = new Uint8Array(randomBytes(32));
  const target = join(work, 'ours.mnbackup');
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const baseRss = process.memoryUsage().rss;
  const entries: EntrySource[] = files.map((path) => ({
    kind: 'file',
    path,
    open: async () => createReadStream(join(src, path)),
  }));
  let started = process.hrtime.bigint();
  const { bytes } = await createArchiveWriter().write(target, entries, {}, key);
  const write = Number(process.hrtime.bigint() - started) / 1e9;
  const writePeak = Math.max(peak, process.memoryUsage().rss);
  peak = 0;
  started = process.hrtime.bigint();
  await createArchiveReader().verify(target, key);
  const verify = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sample);
  const verifyPeak = Math.max(peak, process.memoryUsage().rss);
  rmSync(target);
  console.log(`(our process RSS before the write: ${(baseRss / MB).toFixed(0)} MB)`);
  return [
    { name: 'ours: write', seconds: write, rssMB: writePeak / MB, outMB: bytes / MB },
    { name: 'ours: verify', seconds: verify, rssMB: verifyPeak / MB, outMB: 0 },
  ];
}

async function main(): Promise<void> {
  console.log(`seeding ${total / MB} MB in ${src} …`);
  const files = await seed();
  spawnSync('bash', ['-c', `cat $(find ${src} -type f) > /dev/null`]);
  const results = await ours(files);
  const key = randomBytes(32).toString('hex');
  results.push(shell('tar czf', `tar czf ${work}/a.tgz -C ${src} .`, `${work}/a.tgz`));
  results.push(
    shell('tar cf - | gzip -1', `tar cf - -C ${src} . | gzip -1 > ${work}/b.tgz`, `${work}/b.tgz`),
  );
  results.push(
    shell(
      'tar cf - | openssl aes-256-ctr',
      `tar cf - -C ${src} . | openssl enc -aes-256-ctr -pbkdf2 -pass pass:${key} > ${work}/c.enc`,
      `${work}/c.enc`,
    ),
  );
  results.push(
    shell(
      'tar cf (plain copy)',
      `tar cf ${work}/d.tar -C ${src} . && sync ${work}/d.tar`,
      `${work}/d.tar`,
    ),
  );
  const [write] = results;
  console.log(`\n${total / MB} MB in ${files.length} files`);
  console.log(
    'run                               seconds    MB/s   peak RSS MB   output MB   ours(write)/this',
  );
  for (const r of results) {
    const ratio = write ? (write.seconds / r.seconds).toFixed(2) : '';
    console.log(
      `${r.name.padEnd(32)} ${r.seconds.toFixed(2).padStart(8)} ${(total / MB / r.seconds).toFixed(0).padStart(7)} ${r.rssMB.toFixed(0).padStart(13)} ${r.outMB.toFixed(0).padStart(11)} ${ratio.padStart(18)}`,
    );
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
