/**
 * certbot's last attempt, as the certbot service records it (compose-templates/files/shims/
 * certbot-loop.sh: `key=value` lines, `--`, then the tail of certbot's output), and what a failed
 * one means in plain words. Pure: the file is read by the caller.
 */

export interface CertbotAttempt {
  result: 'ok' | 'failed';
  at: Date;
  /** `certonly` (no certificate yet) or `renew`. */
  command: 'certonly' | 'renew';
  exitCode: number;
  domain: string;
  /** When certbot tries again after a failure (seconds). */
  retrySeconds: number;
  /** The last lines certbot printed. */
  output: string[];
}

/** Why an attempt failed, for the user: the cause, and certbot's own line that shows it. */
export interface CertbotFailure {
  cause: 'offline' | 'refused' | 'rate-limited' | 'other';
  /** certbot's line naming the error (shortened), or undefined when it printed none. */
  said: string | undefined;
}

/** Parses a record; undefined when it is not one (absent, half-written by an older loop, foreign). */
export function parseCertbotAttempt(text: string): CertbotAttempt | undefined {
  const [head = '', ...rest] = text.split(/\n--\n/);
  const fields = new Map<string, string>();
  for (const line of head.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const result = fields.get('result');
  const command = fields.get('command');
  const at = new Date(fields.get('at') ?? '');
  const exitCode = Number(fields.get('exit'));
  const retrySeconds = Number(fields.get('retry_seconds') ?? '3600');
  const domain = fields.get('domain') ?? '';
  if (result !== 'ok' && result !== 'failed') return undefined;
  if (command !== 'certonly' && command !== 'renew') return undefined;
  if (Number.isNaN(at.getTime()) || !Number.isInteger(exitCode) || domain === '') return undefined;
  return {
    result,
    at,
    command,
    exitCode,
    domain,
    retrySeconds: Number.isFinite(retrySeconds) && retrySeconds > 0 ? retrySeconds : 3600,
    output: rest
      .join('\n--\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== ''),
  };
}

// What requests/urllib3 print when no connection to Let's Encrypt could be made at all.
const OFFLINE =
  /Name or service not known|Temporary failure in name resolution|No address associated with hostname|Failed to establish a new connection|Network is unreachable|No route to host|Connection refused|Connection timed out|Read timed out|ConnectTimeout|Max retries exceeded/i;
const RATE_LIMITED = /rateLimited|too many (certificates|failed authorizations|requests)/i;
const REFUSED =
  /unauthorized|Invalid response from|Timeout during connect \(likely firewall problem\)|DNS problem|NXDOMAIN looking up|rejectedIdentifier|Challenge failed|Some challenges have failed/i;

/** The line of certbot's output that carries the error: the last that names one. */
function errorLine(output: string[]): string | undefined {
  const lines = output.filter((l) => !/^(Ask for help|Saving debug log|- - -)/.test(l.trim()));
  // The line with the error itself beats certbot's summaries ("All renewals failed.").
  const errors = lines.filter((l) => /error|refused|unauthorized|exceeded|not known/i.test(l));
  const failures = lines.filter((l) => /failed|problem/i.test(l));
  // Let's Encrypt's own explanation of a refusal comes as "Detail: ...".
  const detail = lines.filter((l) => /^\s*Detail:/.test(l));
  const line = (detail.at(-1) ?? errors.at(-1) ?? failures.at(-1) ?? lines.at(-1))?.trim();
  if (!line) return undefined;
  // urllib3's object addresses say nothing to a user and change every time.
  const clean = line.replace(/<[^>]*object at 0x[0-9a-f]+>: ?/g, '');
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

/** Why a failed attempt failed. Rate limits and refusals are told apart from being offline. */
export function explainCertbotFailure(attempt: CertbotAttempt): CertbotFailure {
  const text = attempt.output.join('\n');
  const said = errorLine(attempt.output);
  // Let's Encrypt answered (so the machine is online) but refused: its words win over the
  // connection errors urllib3 may also print while certbot tidies up.
  if (RATE_LIMITED.test(text)) return { cause: 'rate-limited', said };
  if (REFUSED.test(text)) return { cause: 'refused', said };
  if (OFFLINE.test(text)) return { cause: 'offline', said };
  return { cause: 'other', said };
}
