/**
 * A local build from a MediaNest source folder: the consolidated multi-stage Dockerfile, one engine
 * build per target (backend-production, frontend-production), each image tagged and labelled, the
 * builder's own output streamed as progress.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, posix } from 'node:path';
import { AppError } from '../app-error.js';
import { imageReferenceRule } from '../stack/config.js';
import { collectBuildContext } from './build-context.js';
import { dockerfileStages, needsBuildKit } from './dockerfile.js';
import {
  ImageEngineError,
  type Builder,
  type BuildEvent,
  type ImageGateway,
} from './image-gateway.js';
import {
  byteReporter,
  formatBytes,
  monotonic,
  refuse,
  type ImageProgressListener,
} from './image-progress.js';
import type { SourceTree } from './source-tree.js';

/** The services a MediaNest source folder builds, and the stage of the Dockerfile each one is. */
export const BUILD_TARGETS: Readonly<Record<string, string>> = {
  backend: 'backend-production',
  frontend: 'frontend-production',
};

/** Where MediaNest keeps its Dockerfile (develop and staging), then the conventional place. */
export const DOCKERFILE_CANDIDATES = ['config/docker/Dockerfile.consolidated', 'Dockerfile'];

export const LABEL_IMAGE_SOURCE = 'org.medianest.appliance.image-source';
export const LABEL_IMAGE_SERVICE = 'org.medianest.appliance.service';
export const LABEL_IMAGE_TARGET = 'org.medianest.appliance.build-target';
export const LABEL_SOURCE_HASH = 'org.medianest.appliance.source-hash';

export interface BuildOptions {
  /** Absolute path of the MediaNest source folder (the build context). */
  sourceDir: string;
  /** Services to build (default: backend and frontend). */
  services?: readonly string[];
  /** The Dockerfile, relative to sourceDir (default: the first of DOCKERFILE_CANDIDATES). */
  dockerfile?: string;
  /** Image reference per service (default: `medianest/<service>:local-<source hash>`). */
  images?: Readonly<Record<string, string>>;
  buildArgs?: Readonly<Record<string, string>>;
  /** Extra labels on every image built. */
  labels?: Readonly<Record<string, string>>;
  /** Default `auto`: BuildKit when the engine offers it. */
  builder?: Builder | 'auto';
}

export interface BuiltImage {
  service: string;
  target: string;
  reference: string;
  imageId: string;
  steps: number;
  cachedSteps: number;
}

export interface BuildResult {
  dockerfile: string;
  builder: Builder;
  /** SHA-256 of the context sent (paths, modes, contents). */
  sourceHash: string;
  files: number;
  bytes: number;
  /** Service -> image reference: a value for the settings' `images`. */
  images: Record<string, string>;
  built: BuiltImage[];
}

export interface BuildDeps {
  gateway: ImageGateway;
  tree: SourceTree;
  maxContextBytes: number;
}

const OUTPUT_KEPT = 15;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks everything that can be checked before a build starts; throws AppError('validation_failed')
 * naming the field (sourceDir, dockerfile, services, images.<service>, buildArgs.<name>, builder).
 */
export async function checkSource(deps: BuildDeps, options: BuildOptions) {
  const sourceDir = options.sourceDir.replace(/[\\/]+$/, '') || options.sourceDir;
  if (!sourceDir || !isAbsolute(sourceDir)) refuse('sourceDir', 'must be an absolute path');
  const stat = await deps.tree.stat(sourceDir);
  if (!stat) refuse('sourceDir', `${sourceDir} does not exist`);
  if (stat.kind !== 'dir') refuse('sourceDir', `${sourceDir} is not a folder`);

  let dockerfile: string | undefined;
  if (options.dockerfile !== undefined) {
    const given = posix.normalize(options.dockerfile.replaceAll('\\', '/'));
    if (isAbsolute(given) || given.startsWith('..')) {
      refuse('dockerfile', 'must be a path inside the source folder');
    }
    if ((await deps.tree.stat(`${sourceDir}/${given}`))?.kind !== 'file') {
      refuse('dockerfile', `${given} is not a file in ${sourceDir}`);
    }
    dockerfile = given;
  } else {
    for (const candidate of DOCKERFILE_CANDIDATES) {
      if ((await deps.tree.stat(`${sourceDir}/${candidate}`))?.kind === 'file') {
        dockerfile = candidate;
        break;
      }
    }
    if (!dockerfile) {
      refuse(
        'sourceDir',
        `${sourceDir} has no ${DOCKERFILE_CANDIDATES.join(' or ')}: is it a MediaNest source folder?`,
      );
    }
  }

  const services = [
    ...new Set(options.services?.length ? options.services : ['backend', 'frontend']),
  ];
  const unknown = services.filter((s) => !(s in BUILD_TARGETS));
  if (unknown.length > 0) {
    refuse(
      'services',
      `${unknown.join(', ')} cannot be built from a MediaNest source folder (buildable: ${Object.keys(BUILD_TARGETS).join(', ')})`,
    );
  }
  const text = await deps.tree.readText(`${sourceDir}/${dockerfile}`);
  const stages = dockerfileStages(text);
  for (const service of services) {
    const target = BUILD_TARGETS[service] ?? '';
    if (!stages.includes(target)) {
      refuse(
        'services',
        `${dockerfile} has no stage "${target}" for ${service} (its stages: ${stages.join(', ') || 'none'})`,
      );
    }
  }
  for (const [service, reference] of Object.entries(options.images ?? {})) {
    const rule =
      imageReferenceRule(reference) ??
      (reference.includes('@') ? 'must be a name and tag, not a digest' : undefined);
    if (rule) refuse(`images.${service}`, rule);
  }
  for (const name of Object.keys(options.buildArgs ?? {})) {
    if (!BUILD_ARG.test(name)) refuse(`buildArgs.${name}`, 'must be a build argument name');
  }

  const offered = await deps.gateway.builders();
  const wanted = options.builder ?? 'auto';
  const builder = wanted === 'auto' ? (offered[0] ?? 'classic') : wanted;
  if (!offered.includes(builder)) {
    refuse('builder', `this engine offers ${offered.join(' and ')}, not ${builder}`);
  }
  if (builder === 'classic' && needsBuildKit(text)) {
    refuse(
      'dockerfile',
      `${dockerfile} uses BuildKit features (such as RUN --mount), which the classic builder${wanted === 'auto' ? ', the only one this engine offers,' : ''} cannot build`,
    );
  }
  return { sourceDir, dockerfile, services, builder };
}

/** `repo:tag` as the tag API wants it; a reference without a tag means `latest`. */
export function splitReference(reference: string): { repo: string; tag: string } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash
    ? { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) }
    : { repo: reference, tag: 'latest' };
}

export async function buildImages(
  deps: BuildDeps,
  options: BuildOptions,
  onProgress: ImageProgressListener,
): Promise<BuildResult> {
  const percent = monotonic();
  const phase = (step: string, at: number): void =>
    onProgress({ kind: 'phase', step, percent: percent(at) });
  phase(`Checking ${options.sourceDir}`, 0);
  const { sourceDir, dockerfile, services, builder } = await checkSource(deps, options);
  const context = await collectBuildContext(deps.tree, sourceDir, {
    keep: [dockerfile],
    maxBytes: deps.maxContextBytes,
  });
  phase(
    `Build context: ${context.files} files, ${formatBytes(context.bytes)} (${context.defaultIgnore ? 'no .dockerignore: .git and node_modules left out' : '.dockerignore applied'}); ${dockerfile} with ${builder === 'buildkit' ? 'BuildKit' : 'the classic builder'}`,
    1,
  );

  const buildArgs = { ...options.buildArgs };
  const sourceHash = await context.hash();
  const tagSuffix = shortHash(sourceHash, dockerfile, buildArgs);
  const built: BuiltImage[] = [];
  for (const [index, service] of services.entries()) {
    const target = BUILD_TARGETS[service] ?? '';
    const share = 99 / services.length;
    const base = 1 + index * share;
    const label = `${service} (${index + 1}/${services.length})`;
    const reportBytes = byteReporter(context.bytes, (done, fraction) =>
      onProgress({
        kind: 'context',
        step: `${label}: sending the build context, ${formatBytes(done)} of ${formatBytes(context.bytes)}`,
        service,
        percent: percent(base + fraction * share * 0.05),
        bytes: { done, total: context.bytes },
      }),
    );
    reportBytes(0);
    let current = { step: 0, total: 0, name: '' };
    let cachedSteps = 0;
    const output: string[] = [];
    const onEvent = (event: BuildEvent): void => {
      if (event.kind === 'output') {
        output.push(event.line);
        if (output.length > OUTPUT_KEPT) output.shift();
        onProgress({
          kind: 'output',
          step: `${service} | ${event.line}`,
          service,
          line: event.line,
          percent: percent(0),
        });
        return;
      }
      current = { step: event.current, total: event.total, name: event.name };
      if (event.cached) cachedSteps++;
      onProgress({
        kind: 'step',
        step: `${label}: step ${event.current}/${event.total} ${event.name}${event.cached ? ' (cached)' : ''}`,
        service,
        current: event.current,
        total: event.total,
        cached: event.cached,
        percent: percent(base + share * (0.05 + 0.95 * (event.current / Math.max(event.total, 1)))),
      });
    };
    const labels = {
      ...options.labels,
      [LABEL_IMAGE_SOURCE]: 'build',
      [LABEL_IMAGE_SERVICE]: service,
      [LABEL_IMAGE_TARGET]: target,
      [LABEL_SOURCE_HASH]: sourceHash,
    };
    const { repo, tag } = splitReference(
      options.images?.[service] ?? `medianest/${service}:local-${tagSuffix}`,
    );
    const reference = `${repo}:${tag}`;
    let imageId: string;
    try {
      ({ imageId } = await deps.gateway.build(
        {
          context: context.stream(reportBytes),
          dockerfile,
          target,
          reference,
          buildArgs,
          labels,
          builder,
        },
        onEvent,
      ));
    } catch (error) {
      throw buildFailure(error, { service, target, current, output });
    }
    built.push({ service, target, reference, imageId, steps: current.total, cachedSteps });
    phase(`${label}: built ${reference}`, base + share);
  }

  const images = Object.fromEntries(built.map((b) => [b.service, b.reference]));
  phase(`Built ${built.map((b) => `${b.service}=${b.reference}`).join(' ')}`, 100);
  return {
    dockerfile,
    builder,
    sourceHash,
    files: context.files,
    bytes: context.bytes,
    images,
    built,
  };
}

function shortHash(contextHash: string, dockerfile: string, buildArgs: Record<string, string>) {
  const args = Object.entries(buildArgs).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([contextHash, dockerfile, args]))
    .digest('hex')
    .slice(0, 12);
}

function buildFailure(
  error: unknown,
  at: {
    service: string;
    target: string;
    current: { step: number; total: number; name: string };
    output: string[];
  },
): unknown {
  if (!(error instanceof ImageEngineError)) return error;
  const where = at.current.step
    ? ` at step ${at.current.step}/${at.current.total} (${at.current.name})`
    : '';
  const hint = /requires BuildKit/i.test(error.message)
    ? ' This engine builds without BuildKit; use an engine that offers it (Docker 18.09 or later on Linux).'
    : '';
  return new AppError(
    'conflict',
    `${at.service}: building ${at.target} failed${where}: ${error.message}${hint}`,
    {
      service: at.service,
      target: at.target,
      step: at.current.step || undefined,
      output: [...(error.output.length > 0 ? error.output : at.output)],
    },
    { cause: error },
  );
}
