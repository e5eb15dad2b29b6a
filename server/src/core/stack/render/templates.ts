import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { AppError } from '../../app-error.js';

/**
 * The compose templates, read from the compose-templates/ folder shipped beside the code. They are
 * part of the program, like a module, not user state: they are read synchronously, once, so that
 * rendering stays a synchronous, deterministic function of the configuration. (User files go
 * through the FileSystem port.)
 */
export interface TemplateSet {
  readonly dir: string;
  /** Every file under the folder, by POSIX path relative to it ("stack/base.yaml"). */
  readonly files: ReadonlyMap<string, string>;
}

/** A parsed YAML value. */
export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

const MARKER = join('compose-templates', 'stack', 'base.yaml');

/**
 * The compose-templates folder: the nearest one above this module. That is the repository root
 * from server/src and from dist/server/src, and the app's root inside the packaged asar.
 */
export function findTemplatesDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, MARKER))) return join(dir, 'compose-templates');
    if (dirname(dir) === dir) {
      throw new AppError(
        'internal',
        `The compose templates are missing: no ${MARKER} above ${start}.`,
      );
    }
  }
}

function readTree(root: string, relative = ''): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) entries.push(...readTree(root, path));
    else if (entry.isFile()) entries.push([path, readFileSync(join(root, path), 'utf8')]);
  }
  return entries;
}

const cache = new Map<string, TemplateSet>();

/** Loads (once per folder) every template file. */
export function loadTemplates(dir: string = findTemplatesDir()): TemplateSet {
  let set = cache.get(dir);
  if (!set) {
    set = { dir, files: new Map(readTree(dir).sort(([a], [b]) => (a < b ? -1 : 1))) };
    cache.set(dir, set);
  }
  return set;
}

/** A template file's text; a missing one is a packaging bug. */
export function templateText(templates: TemplateSet, path: string): string {
  const text = templates.files.get(path);
  if (text === undefined) {
    throw new AppError(
      'internal',
      `The compose template ${path} is missing from ${templates.dir}.`,
    );
  }
  return text;
}

/** A YAML fragment as a map; anything else is a template bug. */
export function templateMap(templates: TemplateSet, path: string): YamlMap {
  const value: unknown = parse(templateText(templates, path));
  if (!isMap(value))
    throw new AppError('internal', `The compose template ${path} is not a YAML map.`);
  return value;
}

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Lays `overlay` over `base`, the way the templates are written: maps merge key by key, lists
 * append, a null removes the key, anything else replaces. Neither input is modified.
 */
export function mergeYaml(base: YamlMap, overlay: YamlMap): YamlMap {
  const merged: YamlMap = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key];
    if (value === null) delete merged[key];
    else if (isMap(current) && isMap(value)) merged[key] = mergeYaml(current, value);
    else if (Array.isArray(current) && Array.isArray(value)) merged[key] = [...current, ...value];
    else merged[key] = structuredClone(value);
  }
  return merged;
}

const TOKEN = /\{\{\s*([A-Za-z][\w.-]*)\s*\}\}/g;

/** Replaces every {{token}} in `text`; an unknown token is a template bug, never left in place. */
export function fillText(
  text: string,
  tokens: Readonly<Record<string, string>>,
  where: string,
): string {
  return text.replace(TOKEN, (_match, name: string) => {
    const value = tokens[name];
    if (value === undefined) {
      throw new AppError(
        'internal',
        `The compose template ${where} uses an unknown token {{${name}}}.`,
      );
    }
    return value;
  });
}

/** fillText over every string (keys included) of a parsed fragment. */
export function fillYaml<T extends YamlValue>(
  value: T,
  tokens: Readonly<Record<string, string>>,
  where: string,
): T {
  if (typeof value === 'string') return fillText(value, tokens, where) as T;
  if (Array.isArray(value)) return value.map((item) => fillYaml(item, tokens, where)) as T;
  if (isMap(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        fillText(k, tokens, where),
        fillYaml(v, tokens, where),
      ]),
    ) as T;
  }
  return value;
}
