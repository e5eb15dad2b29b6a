import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../core/app-error.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostName(hostHeader: string): string {
  // "[::1]:7420" -> "[::1]", "localhost:7420" -> "localhost"
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

/**
 * DNS rebinding defence: a page on evil.example that resolves to 127.0.0.1 still sends
 * `Host: evil.example`, so only loopback names and names the user configured are served.
 */
export function hostCheck(allowedHosts: readonly string[]): RequestHandler {
  const allowed = new Set([...LOOPBACK_HOSTS, ...allowedHosts.map((h) => h.toLowerCase())]);
  return (req, _res, next) => {
    const host = req.headers.host;
    if (!host || !allowed.has(hostName(host))) {
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

export function requireToken(token: string): RequestHandler {
  return (req, _res, next) => {
    const given = bearerToken(req.headers.authorization);
    if (given === undefined || !tokensMatch(token, given)) {
      next(
        new AppError('unauthorized', 'Sign in first: this request has no valid token or session.'),
      );
      return;
    }
    next();
  };
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
 * Cross-site request defence for state-changing requests: a browser's Origin must be the server's
 * own (a request without Origin comes from a non-browser client, which still needs the token), and
 * the body must be JSON, which a plain HTML form cannot send.
 */
export function stateChangeCheck(ownOrigins: () => readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins().includes(origin)) {
      next(new AppError('forbidden', 'Cross-origin requests are refused.'));
      return;
    }
    if (!req.is('application/json')) {
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
