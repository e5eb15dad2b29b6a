import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { REMOTE_PREFIX } from '../contract/appliances-routes.js';
import { SESSION_COOKIE } from '../contract/auth.js';
import { AppError } from '../core/app-error.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** A Host header's parts: the name (an IPv6 address keeps its brackets) and the port, if any. */
export interface HostHeader {
  name: string;
  port?: number;
}

// A DNS name (labels of letters, digits and inner hyphens; this covers IPv4 addresses too) or a
// bracketed IPv6 address, then at most `:digits`. Nothing else: no user info, no path, no second
// colon, no trailing text after the port or the bracket.
const HOST_HEADER =
  /^(?:(\[[0-9a-f:.]+\])|([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*))(?::(\d{1,5}))?$/i;
const MAX_HOST_HEADER = 300;

/**
 * Parses a Host header strictly (RFC 9110 `uri-host [ ":" port ]`, without the forms a browser never
 * sends), so `localhost:7420.evil.com`, `[::1]evil.com` or `localhost:1@evil.example` are not read as
 * a loopback name. Undefined for anything that is not exactly a host and an optional port.
 */
export function parseHostHeader(value: string): HostHeader | undefined {
  if (value.length > MAX_HOST_HEADER) return undefined;
  const match = HOST_HEADER.exec(value);
  if (!match) return undefined;
  const [, bracketed, name, port] = match;
  if (bracketed !== undefined && isIP(bracketed.slice(1, -1)) !== 6) return undefined;
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && portNumber > 65_535) return undefined;
  return {
    name: (bracketed ?? name ?? '').toLowerCase(),
    ...(portNumber !== undefined ? { port: portNumber } : {}),
  };
}

/** True for the names and addresses that never leave this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}

export interface HostPolicy {
  /** Names the user configured (beyond loopback names). */
  allowedHosts: readonly string[];
  /**
   * Accept any IP address as Host (LAN mode). Safe against DNS rebinding: that attack needs a name
   * the attacker controls, and a page loaded from an IP address is same-origin only with that address.
   */
  anyIpAddress?: boolean;
}

/**
 * DNS rebinding defence: a page on evil.example that resolves to 127.0.0.1 still sends
 * `Host: evil.example`, so only loopback names and names the user configured are served.
 */
export function hostCheck(policy: HostPolicy): RequestHandler {
  const allowed = new Set([...LOOPBACK_HOSTS, ...policy.allowedHosts.map((h) => h.toLowerCase())]);
  const accepts = (name: string): boolean =>
    allowed.has(name) || (policy.anyIpAddress === true && isIP(name.replace(/^\[|\]$/g, '')) !== 0);
  return (req, _res, next) => {
    const host = parseHostHeader(req.headers.host ?? '');
    if (!host || !accepts(host.name)) {
      next(new AppError('forbidden', 'This server only answers to its own host names.'));
      return;
    }
    next();
  };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares in constant time; hashing first makes the lengths equal. */
export function tokensMatch(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  return match?.[1];
}

/** Headers for every response: the UI's content security policy and no sniffing or framing. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

/**
 * True when a browser's Origin is this server as the request addressed it (Host was checked): the
 * Origin must be exactly `scheme://host[:port]`, as browsers send it, naming the same host and port
 * (a default port written out or left off is the same port).
 */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host || parseHostHeader(host) === undefined) return false;
  try {
    const parsed = new URL(origin);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    if (parsed.origin !== origin.toLowerCase()) return false;
    return parsed.host === new URL(`${parsed.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

const SESSION_COOKIE_PRESENT = new RegExp(`(?:^|;)\\s*${SESSION_COOKIE}=`);

/** A path as the appliance it is for reads it: a paired appliance's, through this server's proxy, without the prefix. */
const ownPath = (path: string): string =>
  path.replace(new RegExp(`^${REMOTE_PREFIX}/[^/]+(?=/api/)`), '');

/** A route whose body is a file's raw bytes rather than JSON (see `stateChangeCheck`). */
export interface RawBodyRoute {
  method: 'PUT';
  /** The full path, `/api/...`. */
  path: string;
}

/**
 * Cross-site request defence for state-changing requests: a browser's Origin must be the server's
 * own, and the body must be JSON, which a plain HTML form cannot send. A request without Origin comes
 * from a non-browser client, which is fine with the token; with a session cookie it is refused,
 * since every browser sends Origin on such requests.
 *
 * The one exception, `rawBodyRoutes` (a backup file's upload): `application/octet-stream` with
 * `PUT` on exactly those paths. It opens no cross-site door: the Origin rules above still apply
 * first, a form can send neither PUT nor that content type, and a cross-site script sending them
 * needs a CORS preflight this server never grants.
 */
export function stateChangeCheck(rawBodyRoutes: readonly RawBodyRoute[] = []): RequestHandler {
  const rawBody = (req: Parameters<RequestHandler>[0]): boolean =>
    rawBodyRoutes.some(
      (r) => r.method === req.method && r.path === ownPath(req.baseUrl + req.path),
    ) && req.is('application/octet-stream') === 'application/octet-stream';
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      next(new AppError('forbidden', 'Cross-origin requests are refused.'));
      return;
    }
    const cookieOnly =
      bearerToken(req.headers.authorization) === undefined &&
      SESSION_COOKIE_PRESENT.test(req.headers.cookie ?? '');
    if (origin === undefined && cookieOnly) {
      next(new AppError('forbidden', 'A browser session needs an Origin header on this request.'));
      return;
    }
    if (!req.is('application/json') && !rawBody(req)) {
      next(
        new AppError(
          'bad_request',
          'Send the request body as JSON (Content-Type: application/json).',
        ),
      );
      return;
    }
    next();
  };
}
