import { Document, parse } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import { AppError } from '../app-error.js';
import { ComposeFileSchema, PROJECT_NAME, type ComposeFile } from './compose-model.js';
import { SERVICE_NAMES } from '../stack-names.js';
import { absolutePathRule, type StackConfig } from './config.js';
import {
  applyResourceOverride,
  finishService,
  type DataDir,
  type RenderedFile,
  type SecretCopy,
} from './render/services.js';
import {
  fillText,
  fillYaml,
  isMap,
  loadTemplates,
  mergeYaml,
  templateMap,
  templateText,
  type TemplateSet,
  type YamlMap,
} from './render/templates.js';
import { publicUrls, templateTokens } from './render/tokens.js';

export type { DataDir, RenderedFile, SecretCopy } from './render/services.js';

/**
 * Renders the stack: a pure function of the configuration (and the templates shipped with the
 * app). Same input, byte-identical output, so the reconciler's config hashes stay put. Needs no
 * secret value: services mount per-service copies of the canonical secret files, which `init`
 * (or the reconciler) makes from `secretCopies`.
 */

export interface RenderContext {
  /** Absolute: <home>/stack. Bind sources and secret copies live under it. */
  stackDir: string;
  /** Render never sees a secret value. */
  secretValues?: never;
  /** The templates; the ones shipped with the app by default. */
  templates?: TemplateSet;
}

export interface RenderedStack {
  /** The compose project; satisfies ComposeFileSchema. Absolute paths, no interpolation. */
  compose: ComposeFile;
  /** <home>/stack/.env: non-secret variables only. */
  env: Record<string, string>;
  /** Shims and configuration files, sorted by path. */
  files: RenderedFile[];
  /** The per-service secret copies the services mount, with the owner each must have. */
  secretCopies: SecretCopy[];
  /** Folders under the data folder, with the owner and mode each must have. */
  dataDirs: DataDir[];
}

/** The fragments for a configuration, in merge order, each with the origin label it gives. */
function fragmentsFor(config: StackConfig, templates: TemplateSet): Array<[string, string]> {
  const names: Array<[string, string]> = [['stack/base.yaml', 'core']];
  const env = `stack/env-${config.environment}.yaml`;
  if (templates.files.has(env)) names.push([env, 'core']);
  for (const profile of config.profiles) names.push([`stack/profile-${profile}.yaml`, profile]);
  if (config.profiles.includes('tls') && config.domain)
    names.push(['stack/profile-tls-domain.yaml', 'tls']);
  return names;
}

function refuseStackDir(stackDir: string): void {
  const problem = absolutePathRule(stackDir);
  if (problem || stackDir.endsWith('/')) {
    const rule = problem ?? 'must not end with a slash';
    throw new AppError('validation_failed', `stackDir: ${rule}`, { fields: { stackDir: rule } });
  }
}

/** Renders the compose project, `.env`, files, secret copies and data folders for `config`. */
export function renderStack(config: StackConfig, ctx: RenderContext): RenderedStack {
  refuseStackDir(ctx.stackDir);
  const templates = ctx.templates ?? loadTemplates();

  let merged: YamlMap = {};
  const origin = new Map<string, string>();
  for (const [path, label] of fragmentsFor(config, templates)) {
    const fragment = templateMap(templates, path);
    if (isMap(fragment['services'])) {
      for (const name of Object.keys(fragment['services']))
        if (!origin.has(name)) origin.set(name, label);
    }
    merged = mergeYaml(merged, fragment);
  }
  const rawServices = isMap(merged['services']) ? merged['services'] : {};
  const names = SERVICE_NAMES.filter((name) => isMap(rawServices[name]));
  const unknown = Object.keys(rawServices).filter(
    (n) => !(SERVICE_NAMES as readonly string[]).includes(n),
  );
  if (unknown.length > 0)
    throw new AppError('internal', `The templates define unknown services: ${unknown.join(', ')}.`);

  // Tuning follows the final memory limits, so overrides go in before the tokens are filled.
  const limits: Record<string, string> = {};
  for (const name of names) {
    const memory = applyResourceOverride(rawServices[name] as YamlMap, name, config);
    if (memory) limits[name] = memory;
  }
  const tokens = templateTokens(config, ctx.stackDir, limits);
  const filled = fillYaml(merged, tokens, 'stack fragments');

  const files = renderFiles(filled['x-files'], templates, tokens);
  const defaults = isMap(filled['x-service-defaults']) ? filled['x-service-defaults'] : {};
  const services: YamlMap = {};
  const secrets: YamlMap = {};
  const secretCopies: SecretCopy[] = [];
  const dataDirs = new Map<string, DataDir>();
  for (const name of names) {
    const raw = (filled['services'] as YamlMap)[name] as YamlMap;
    const done = finishService(raw, defaults, {
      name,
      config,
      stackDir: ctx.stackDir,
      origin: origin.get(name) ?? 'core',
      files,
    });
    services[name] = done.service;
    for (const copy of done.secretCopies) {
      secrets[`${copy.service}_${copy.name}`] = { file: copy.path };
      secretCopies.push(copy);
    }
    for (const dir of done.dataDirs) addDataDir(dataDirs, dir);
  }

  const parsed = ComposeFileSchema.safeParse({
    services,
    networks: filled['networks'] ?? {},
    secrets,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'internal',
      `The rendered compose file is invalid at ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return {
    compose: parsed.data,
    env: stackEnv(config),
    files,
    secretCopies,
    dataDirs: [...dataDirs.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

function addDataDir(dirs: Map<string, DataDir>, dir: DataDir): void {
  const seen = dirs.get(dir.path);
  if (seen && (seen.uid !== dir.uid || seen.gid !== dir.gid || seen.mode !== dir.mode)) {
    throw new AppError('internal', `The templates give ${dir.path} two different owners or modes.`);
  }
  dirs.set(dir.path, dir);
}

function renderFiles(
  declared: unknown,
  templates: TemplateSet,
  tokens: Record<string, string>,
): RenderedFile[] {
  if (!isMap(declared)) return [];
  return Object.entries(declared)
    .map(([path, entry]) => {
      const from = isMap(entry) ? entry['from'] : undefined;
      if (typeof from !== 'string' || path.includes('..') || path.startsWith('/')) {
        throw new AppError('internal', `x-files.${path}: needs a relative path and a "from".`);
      }
      const source = `files/${from}`;
      const content = fillText(templateText(templates, source), tokens, source);
      return { path, content, mode: path.startsWith('shims/') ? 0o755 : 0o644 };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** `.env`: what docker compose reads from the project folder. Never a secret. */
function stackEnv(config: StackConfig): Record<string, string> {
  return {
    // docker-compose 1.29 refuses a top-level `name:`; this names the project instead.
    COMPOSE_PROJECT_NAME: PROJECT_NAME,
    MEDIANEST_ENVIRONMENT: config.environment,
    MEDIANEST_PROFILES: config.profiles.join(','),
    MEDIANEST_PUBLIC_URL: publicUrls(config).publicUrl,
    MEDIANEST_DATA_DIR: config.dataDir,
  };
}

/**
 * compose.yaml's text. Every string is double-quoted and the document is written under YAML 1.1
 * rules, so PyYAML (docker-compose 1.29) and the yaml library read the same values: unquoted,
 * "472:0" would be a base-60 number and "no" a boolean to PyYAML.
 */
export function composeToYaml(compose: ComposeFile, stackDir: string): string {
  const doc = new Document(compose, { version: '1.1' });
  doc.commentBefore = [
    ' MediaNest stack, generated by MediaNest Appliance (`medianest-appliance init`).',
    ' Do not edit: the next init overwrites it. The appliance applies it through the Docker',
    ' Engine API; plain compose sees the same project:',
    `   docker compose -p ${PROJECT_NAME} -f ${stackDir}/compose.yaml ps`,
    `   docker-compose -p ${PROJECT_NAME} -f ${stackDir}/compose.yaml config -q`,
    ' No secret values here: services read them from files under /run/secrets.',
  ].join('\n');
  const text = doc.toString({
    lineWidth: 0,
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
  });
  const plain = JSON.parse(JSON.stringify(compose)) as unknown;
  if (
    !isDeepStrictEqual(parse(text), plain) ||
    !isDeepStrictEqual(parse(text, { version: '1.1' }), plain)
  ) {
    throw new AppError('internal', 'The compose file does not read back as written.');
  }
  return text;
}

/** `.env`'s text. Values are validated plain words, paths and URLs: no quoting needed. */
export function envToText(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  return `# Generated by MediaNest Appliance: non-secret variables only. The next init overwrites it.\n${lines.join('\n')}\n`;
}
