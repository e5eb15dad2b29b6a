import { resolve } from 'node:path';
import type {
  BuildOptions,
  ImageProgress,
  ImageSourceService,
} from '../core/images/image-source-service.js';
import { createImageSourceService } from '../app/images.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** `--build-arg BASE=x` / `--image backend=ref` -> { BASE: 'x' } / { backend: 'ref' }. */
function pairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag}: "${value}" is not NAME=VALUE`);
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

function progressPrinter(io: CliIo, json: boolean): (progress: ImageProgress) => void {
  if (json) return () => undefined;
  return (progress) => {
    if (progress.kind === 'output') io.stderr(`    ${progress.step}`);
    else io.stderr(`  ${progress.step}`);
  };
}

function buildOptions(cmd: ParsedCommand, dir: string): BuildOptions {
  const v = cmd.values;
  const builder = v.builder;
  if (
    builder !== undefined &&
    builder !== 'auto' &&
    builder !== 'buildkit' &&
    builder !== 'classic'
  ) {
    throw new UsageError(`--builder: "${String(builder)}" is not auto, buildkit or classic`);
  }
  const images = pairs(strings(v.image), 'image');
  const buildArgs = pairs(strings(v['build-arg']), 'build-arg');
  return {
    sourceDir: resolve(dir),
    services: strings(v.service),
    ...(typeof v.dockerfile === 'string' ? { dockerfile: v.dockerfile } : {}),
    ...(Object.keys(images).length > 0 ? { images } : {}),
    ...(Object.keys(buildArgs).length > 0 ? { buildArgs } : {}),
    ...(builder !== undefined ? { builder } : {}),
  };
}

/** `images build DIR ...` and `images load FILE`. Returns the exit code. */
export async function imagesCommand(
  cmd: ParsedCommand,
  io: CliIo,
  images: () => ImageSourceService = () => createImageSourceService(io.env),
): Promise<number> {
  const [action, target, ...rest] = cmd.positionals;
  const json = cmd.values.json === true;
  if ((action !== 'build' && action !== 'load') || !target || rest.length > 0) {
    throw new UsageError('images takes "build DIR" or "load FILE"');
  }
  if (action === 'load' && (cmd.values.service ?? cmd.values.image ?? cmd.values['build-arg'])) {
    throw new UsageError('images load takes only the archive');
  }
  const service = images();
  if (action === 'load') {
    const result = await service.load(resolve(target), progressPrinter(io, json));
    const mapped = Object.entries(result.images);
    io.stdout(
      json
        ? JSON.stringify(result, null, 2)
        : [
            `Loaded ${[...result.references, ...result.imageIds].join(', ') || 'nothing'} from ${result.archive}.`,
            ...(mapped.length > 0
              ? [`For the settings' images: ${JSON.stringify(result.images)}`]
              : []),
          ].join('\n'),
    );
    return EXIT.ok;
  }
  const result = await service.build(buildOptions(cmd, target), progressPrinter(io, json));
  const width = Math.max(...result.built.map((b) => b.service.length));
  io.stdout(
    json
      ? JSON.stringify(result, null, 2)
      : [
          `Built from ${result.dockerfile} (${result.builder}):`,
          ...result.built.map(
            (b) =>
              `  ${b.service.padEnd(width)}  ${b.reference}  (${b.imageId.slice(7, 19)}, ${b.cachedSteps} of ${b.steps} steps cached)`,
          ),
          `To run them: put ${JSON.stringify(result.images)} in an images file and run \`medianest-appliance init --images FILE\`.`,
        ].join('\n'),
  );
  return EXIT.ok;
}
