import type { ImageCheckReport } from '../core/stack/image-check.js';
import type { HomePaths } from '../infra/fs/home.js';
import { createStackService } from '../app/stack.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';

/** "sha256:0123456789abcdef..." (an image id) -> "id 0123456789ab"; a digest as it is. */
const shortId = (exactly: string): string =>
  exactly.replace(/^sha256:([0-9a-f]{12})[0-9a-f]*$/, 'id $1');

/** The report in words: per service its image, then each need with what the image has. */
export function formatImageCheck(report: ImageCheckReport): string {
  const width = Math.max(
    0,
    ...report.services.flatMap((s) => s.findings.map((f) => f.what.length)),
  );
  const lines = report.services.flatMap((s) => [
    `${s.service}  ${s.image}${s.exactly ? ` (${shortId(s.exactly)})` : ''}  ${s.ok ? 'fit' : 'NOT FIT'}`,
    ...s.findings.map(
      (f) =>
        `  ${f.ok ? 'ok  ' : 'FAIL'}  ${f.what.padEnd(width)}  has ${f.has}; needs ${f.needed}${f.action ? `\n        ${f.action}` : ''}`,
    ),
  ]);
  lines.push(
    report.willStart
      ? 'The stack will start with these images.'
      : 'The stack would not start with these images.',
  );
  return lines.join('\n');
}

/** `images check [--json]`: exit 0 when the stack will start with its images, 1 when not. */
export async function imagesCheckCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  if (cmd.positionals.length > 1) throw new UsageError('images check takes no other argument');
  const report = await createStackService(paths, io.env, () => undefined).checkImages();
  io.stdout(cmd.values.json === true ? JSON.stringify(report, null, 2) : formatImageCheck(report));
  return report.willStart ? EXIT.ok : EXIT.failed;
}
