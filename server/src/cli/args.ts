import { parseArgs } from 'node:util';
import { messageOf } from '../contract/errors.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface VerbSpec {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Whether positional arguments after the verb are allowed. */
  positionals?: boolean;
}

export const VERBS: Record<string, VerbSpec> = {
  doctor: {
    summary: 'check Docker, ports, disk and memory before installing',
    usage: 'doctor [--http-port N] [--https-port N] [--data-dir DIR]',
    options: {
      'http-port': { type: 'string' },
      'https-port': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  },
  init: {
    summary: 'validate the settings, generate every secret, render the stack into the home',
    usage:
      'init [--env prod|dev|test] [--profile P]... [--domain D] [--email ADDR] [--http-port N] [--https-port N] [--data-dir DIR] [--images FILE] [--pull-policy missing|always|never]',
    options: {
      env: { type: 'string' },
      profile: { type: 'string', multiple: true },
      domain: { type: 'string' },
      email: { type: 'string' },
      'http-port': { type: 'string' },
      'https-port': { type: 'string' },
      'data-dir': { type: 'string' },
      images: { type: 'string' },
      'pull-policy': { type: 'string' },
    },
  },
  up: {
    summary: 'create and start the stack (or the named services), in order, healthy',
    usage: 'up [SERVICE...]',
    options: {},
    positionals: true,
  },
  down: {
    summary: 'stop and remove the containers and networks (never data)',
    usage: 'down',
    options: {},
  },
  start: {
    summary: 'start existing containers, in order, healthy',
    usage: 'start [SERVICE...]',
    options: {},
    positionals: true,
  },
  stop: {
    summary: 'stop containers, dependents first',
    usage: 'stop [SERVICE...]',
    options: {},
    positionals: true,
  },
  restart: {
    summary: 'stop, then start',
    usage: 'restart [SERVICE...]',
    options: {},
    positionals: true,
  },
  status: {
    summary: 'state, health, uptime, restarts and ports per service',
    usage: 'status',
    options: {},
  },
  logs: {
    summary: 'the merged, timestamped log of the stack (or the named services), secrets masked',
    usage: 'logs [SERVICE...] [--follow] [--tail N] [--since T] [--grep RE]',
    options: {
      follow: { type: 'boolean', short: 'f' },
      tail: { type: 'string' },
      since: { type: 'string' },
      grep: { type: 'string' },
    },
    positionals: true,
  },
  'support-bundle': {
    summary: 'write a .tar.gz for a bug report (no secret values in it)',
    usage: 'support-bundle [--output FILE] [--lines N]',
    options: { output: { type: 'string' }, lines: { type: 'string' } },
  },
  secrets: {
    summary: 'list the secrets (names, ages, consumers; never values), or rotate one',
    usage: 'secrets list | secrets rotate NAME [--grace-days N]',
    options: { 'grace-days': { type: 'string' } },
    positionals: true,
  },
  serve: {
    summary: 'run the headless server and web UI until SIGTERM',
    usage:
      'serve [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--insecure-plain-http] [--set-admin-password]',
    // 7420 by default, so a NAS's address stays the same across restarts; 0 picks any free port.
    // Beyond loopback: HTTPS with a certificate made at the first start, or the given one.
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'insecure-plain-http': { type: 'boolean' },
      'set-admin-password': { type: 'boolean' },
    },
  },
  images: {
    summary:
      'build the backend and frontend images from a MediaNest source folder, load an image archive, or check the configured images before anything starts',
    usage:
      'images build DIR [--service S]... [--image S=REF]... [--build-arg K=V]... [--dockerfile F] [--builder B] | images load FILE | images check [--json]',
    options: {
      service: { type: 'string', multiple: true },
      dockerfile: { type: 'string' },
      'build-arg': { type: 'string', multiple: true },
      image: { type: 'string', multiple: true },
      builder: { type: 'string' },
    },
    positionals: true,
  },
  backup: {
    summary: 'back up the data, settings and secrets into one encrypted archive, then verify it',
    usage: 'backup',
    options: {},
  },
  backups: {
    summary: 'list the backups and their state (prune: apply the retention now)',
    usage: 'backups [prune]',
    options: {},
    positionals: true,
  },
  verify: {
    summary: 'check every checksum of a backup and its database dump',
    usage: 'verify ID [--restore-test]',
    options: { 'restore-test': { type: 'boolean' } },
    positionals: true,
  },
  restore: {
    summary: 'restore a backup (safety snapshot first; rolled back if the stack does not come up)',
    usage: 'restore ID|FILE [--recovery-key-file FILE] [--yes]',
    options: {
      // The key itself is asked for (or piped in); a flag only names a file holding it.
      'recovery-key-file': { type: 'string' },
      // Parsed only to be refused with the way to do it now (recovery-key-input.ts).
      'recovery-key': { type: 'string' },
      yes: { type: 'boolean' },
    },
    positionals: true,
  },
  updates: {
    summary:
      'newer images for the stack: a new digest on the same tag, newer version tags (--check asks the registries now); pin a service, skip a version, set the schedule',
    usage:
      'updates [--check] [--json] | updates pin|unpin SERVICE | updates skip SERVICE VERSION | updates unskip SERVICE | updates schedule on|off|HOURS',
    options: { check: { type: 'boolean' } },
    positionals: true,
  },
  update: {
    summary:
      'apply an update: preflight, a safety snapshot with the app stopped, migrations and a health-gated start; rolled back by itself on failure. `update rollback` goes back to the version before the last update',
    usage: 'update [SERVICE] --to REF|TAG [--yes] | update rollback [--yes] | update history',
    options: { to: { type: 'string' }, yes: { type: 'boolean' } },
    positionals: true,
  },
  'app-release': {
    summary:
      "whether a newer MediaNest Appliance is released (--check asks now) and how to update this copy (npm, .deb, AppImage, checkout); `auto on|off` for the server's daily check",
    usage: 'app-release [--check] [--json] | app-release auto on|off',
    options: { check: { type: 'boolean' } },
    positionals: true,
  },
  pair: {
    summary:
      'a one-time code (10 minutes, one use) to pair a desktop with this appliance, and the certificate fingerprint it must see; needs `serve --host` running with HTTPS',
    usage: 'pair [--json]',
    options: {},
  },
  devices: {
    summary: 'the paired devices (name, paired, last seen, address), or revoke one',
    usage: 'devices [--json] | devices revoke ID',
    options: {},
    positionals: true,
  },
  appliances: {
    summary:
      'the appliances this desktop manages, each with its state; pair one with the code it shows (its certificate pinned), forget one (revoked there), or list those announcing themselves on the LAN',
    usage:
      'appliances [--json] | appliances add ADDRESS CODE [--name NAME] | appliances forget ID | appliances nearby [--json]',
    options: { name: { type: 'string' } },
    positionals: true,
  },
  version: { summary: 'print the version', usage: 'version', options: {} },
  help: { summary: 'show this help', usage: 'help', options: {} },
};

/** The terminal width help is laid out for: fits an 80-100 column window without wrapping. */
export const HELP_WIDTH = 100;

/** `text` wrapped at word boundaries to `width` columns, each line starting with `indent`. */
export function wrapText(text: string, width: number, indent: string, first = indent): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const blank = line === first || line === indent;
    if (!blank && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = blank ? line + word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * Each verb's synopsis, then what it does indented below it, both wrapped to HELP_WIDTH: a table
 * padded to the longest synopsis made every line 176 characters wide.
 */
export function usage(): string {
  const verbs = Object.values(VERBS).flatMap((v) => [
    ...wrapText(v.usage, HELP_WIDTH, '    ', '  '),
    ...wrapText(v.summary, HELP_WIDTH, '        '),
  ]);
  return [
    'Usage: medianest-appliance <verb> [options]',
    '',
    'Verbs:',
    ...verbs,
    '',
    'Global options:',
    ...wrapText(
      'the appliance home (default: the per-user app-data folder, or MEDIANEST_APPLIANCE_HOME)',
      HELP_WIDTH,
      '               ',
      '  --home DIR   ',
    ),
    '  --json       machine-readable output on stdout, one JSON document',
    '  -h, --help   show this help',
    '',
    'DOCKER_HOST is honoured.',
  ].join('\n');
}

export interface ParsedCommand {
  verb: string;
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

/** Parses argv strictly: an unknown verb or an option the verb does not take is a UsageError. */
export function parseCommand(argv: string[]): ParsedCommand {
  const allOptions: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const spec of Object.values(VERBS)) Object.assign(allOptions, spec.options);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: allOptions, allowPositionals: true, strict: true });
  } catch (error) {
    const message = messageOf(error);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    throw new UsageError(
      unknown ? `unknown option ${unknown[1]}` : (message.split('. ')[0] ?? message),
    );
  }
  const [verb = 'help', ...positionals] = parsed.positionals;
  const spec = VERBS[verb];
  if (!spec) throw new UsageError(`unknown verb "${verb}"`);
  for (const name of Object.keys(parsed.values)) {
    if (!(name in GLOBAL_OPTIONS) && !(name in spec.options)) {
      throw new UsageError(`${verb} does not take --${name}`);
    }
  }
  if (positionals.length > 0 && !spec.positionals) {
    throw new UsageError(`${verb} takes no arguments (got "${positionals.join(' ')}")`);
  }
  return { verb, values: parsed.values, positionals };
}

/** A port flag's value as a number, or a UsageError naming the flag. */
export function portOption(
  value: unknown,
  flag: string,
  { allowAny = false } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const min = allowAny ? 0 : 1;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > 65535) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    const range = allowAny ? '0-65535, 0 for any free port' : '1-65535';
    throw new UsageError(`--${flag}: "${shown}" is not a port number (${range})`);
  }
  return n;
}
