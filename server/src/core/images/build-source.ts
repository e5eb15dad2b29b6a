/**
 * What a build starts from, checked before anything is sent: the source folder, its Dockerfile
 * and the stages the services need, the names and arguments given, the builder the engine offers.
 */
import { isAbsolute, posix } from 'node:path';
import type { CheckoutFinding } from '../../contract/images-routes.js';
import { AppError } from '../app-error.js';
import { imageReferenceRule } from '../stack/config.js';
import { findCheckoutDefects } from './checkout-defects.js';
import { dockerfileStages, needsBuildKit } from './dockerfile.js';
import type { Builder, ImageGateway } from './image-gateway.js';
import { refuse } from './image-progress.js';
import type { SourceTree } from './source-tree.js';

/** The services a MediaNest source folder builds, and the stage of the Dockerfile each one is. */
export const BUILD_TARGETS: Readonly<Record<string, string>> = {
  backend: 'backend-production',
  frontend: 'frontend-production',
};

/** Where MediaNest keeps its Dockerfile (develop and staging), then the conventional place. */
export const DOCKERFILE_CANDIDATES = ['config/docker/Dockerfile.consolidated', 'Dockerfile'];

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

export interface BuildDeps {
  gateway: ImageGateway;
  tree: SourceTree;
  maxContextBytes: number;
}

const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks everything that can be checked before a build starts; throws AppError('validation_failed')
 * naming the field (sourceDir, dockerfile, services, images.<service>, buildArgs.<name>, builder),
 * and for a checkout with MediaNest's known defects, every finding (before the engine is asked).
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
  const targets = Object.fromEntries(services.map((s) => [s, BUILD_TARGETS[s] ?? '']));
  const findings = await findCheckoutDefects(deps.tree, { root: sourceDir, dockerfile, targets });
  if (findings.length > 0) throw checkoutRefusal(sourceDir, findings);

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

/**
 * One refusal for every defect found: the message names each (where, what, what to do) for the
 * CLI and the log; `details.findings` carries them for the UI and `--json`.
 */
export function checkoutRefusal(sourceDir: string, findings: readonly CheckoutFinding[]): AppError {
  const count = findings.length === 1 ? 'a known defect' : `${findings.length} known defects`;
  const rule = `${sourceDir} cannot be built as it is: MediaNest's own files have ${count} that would stop the build, so nothing was sent to Docker`;
  const lines = findings.map((f, i) =>
    [
      `  ${i + 1}. ${f.file}${f.line === undefined ? '' : `, line ${f.line}`}: ${f.problem}`,
      `     What to do: ${f.action}`,
    ].join('\n'),
  );
  return new AppError('validation_failed', [`sourceDir: ${rule}:`, ...lines].join('\n'), {
    fields: { sourceDir: rule },
    findings,
  });
}
