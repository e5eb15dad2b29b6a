/**
 * A local build from a MediaNest source folder: the consolidated multi-stage Dockerfile, one engine
 * build per target (backend-production, frontend-production), each image tagged and labelled, the
 * builder's own output streamed as progress.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../app-error.js';
import { collectBuildContext } from './build-context.js';
import { checkoutRevision } from './checkout-revision.js';
import { BUILD_TARGETS, checkSource, type BuildDeps, type BuildOptions } from './build-source.js';
import { ImageEngineError, type Builder, type BuildEvent } from './image-gateway.js';
import { byteReporter, monotonic, type ImageProgressListener } from './image-progress.js';
import { formatBytes } from '../../contract/format-bytes.js';

export { BUILD_TARGETS, DOCKERFILE_CANDIDATES, type BuildOptions } from './build-source.js';

/**
 * Labels of a built image. Containers inherit their image's labels, so these are named apart from
 * the containers' own `org.medianest.appliance.service` (a migrate container runs the backend image).
 */
export const LABEL_IMAGE_SOURCE = 'org.medianest.appliance.image.source';
export const LABEL_IMAGE_SERVICE = 'org.medianest.appliance.image.service';
export const LABEL_IMAGE_TARGET = 'org.medianest.appliance.image.target';
export const LABEL_SOURCE_HASH = 'org.medianest.appliance.image.source-hash';
/**
 * A build from a git checkout: the folder, its branch and commit (OCI's own revision label). The
 * update check asks that checkout's remote for newer commits on the branch.
 */
export const LABEL_CHECKOUT = 'org.medianest.appliance.image.checkout';
export const LABEL_BRANCH = 'org.medianest.appliance.image.branch';
export const LABEL_REVISION = 'org.opencontainers.image.revision';

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

const OUTPUT_KEPT = 15;
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

  const revision = await checkoutRevision(deps.tree, sourceDir);
  if (revision) {
    phase(
      `Checkout at ${revision.branch ? `branch ${revision.branch}, ` : ''}commit ${revision.commit.slice(0, 12)}`,
      1,
    );
  }
  const checkoutLabels = revision
    ? {
        [LABEL_CHECKOUT]: sourceDir,
        [LABEL_REVISION]: revision.commit,
        ...(revision.branch ? { [LABEL_BRANCH]: revision.branch } : {}),
      }
    : {};

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
      ...checkoutLabels,
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
