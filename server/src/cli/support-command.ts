import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HomePaths } from '../infra/fs/home.js';
import { createSupportBundle } from '../app/support.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';

/** The `support-bundle` verb's entry for VERBS in args.ts. */
export const SUPPORT_BUNDLE_VERB = {
  summary:
    'write a .tar.gz for a bug report: versions, doctor, engine, compose (secrets named, not shown), states, logs',
  usage: 'support-bundle [--output FILE] [--lines N]',
  options: { output: { type: 'string' }, lines: { type: 'string' } },
} as const;

export async function supportCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const lines = cmd.values.lines;
  if (lines !== undefined && (typeof lines !== 'string' || !/^\d{1,6}$/.test(lines)))
    throw new UsageError('--lines: give a number of lines per service');
  const bundle = await createSupportBundle(paths, io.env, {
    ...(typeof lines === 'string' ? { linesPerService: Number(lines) } : {}),
  });
  const output =
    typeof cmd.values.output === 'string' ? resolve(cmd.values.output) : resolve(bundle.name);
  // The bundle holds no secret, but it does describe this machine: keep it private.
  writeFileSync(output, bundle.data, { mode: 0o600 });
  io.stdout(
    cmd.values.json
      ? JSON.stringify({ path: output, bytes: bundle.data.length })
      : `Support bundle written to ${output} (${bundle.data.length} bytes). Secret values are not in it.`,
  );
  return EXIT.ok;
}
