import type { Request, RequestHandler, Response } from 'express';
import { SESSION_COOKIE } from '../contract/auth.js';
import { AppError } from '../core/app-error.js';
import type { AuthService } from '../core/auth/auth-service.js';
import { bearerToken, tokensMatch } from './security.js';

/**
 * Who a request is: the per-launch token's holder, a browser with a session cookie, or a paired
 * device with its own token (issue 21 §2).
 */
export type Caller =
  { via: 'token' } | { via: 'session'; session: string } | { via: 'device'; deviceId: string };

/** A paired device's token -> its id (and its last use recorded); undefined when unknown. */
export type DeviceTokens = (token: string, address: string) => { id: string } | undefined;

/** The `Cookie` header as name -> value (the first of each name wins, as browsers send it). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export const sessionCookieOf = (req: Request): string | undefined =>
  parseCookies(req.headers.cookie).get(SESSION_COOKIE);

/** The session cookie: httpOnly and SameSite=Strict always; Secure when served over https. */
export function sessionCookie(value: string, expiresAt: number, now: number, secure: boolean) {
  const maxAge = Math.max(0, Math.round((expiresAt - now) / 1000));
  return [
    `${SESSION_COOKIE}=${value}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAge}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export const clearedSessionCookie = (secure: boolean): string => sessionCookie('', 0, 0, secure);

export interface Authenticator {
  /** The caller, or undefined; renews a session cookie in use (sliding expiry). */
  identify(req: Request, res: Response): Caller | undefined;
  require: RequestHandler;
}

export function createAuthenticator(
  token: string,
  auth: AuthService,
  now: () => number,
  devices: DeviceTokens = () => undefined,
): Authenticator {
  const identify = (req: Request, res: Response): Caller | undefined => {
    const bearer = bearerToken(req.headers.authorization);
    // A wrong token is a refusal, never a fall-back to the cookie.
    if (bearer !== undefined) {
      if (tokensMatch(token, bearer)) return { via: 'token' };
      const device = devices(bearer, req.socket.remoteAddress ?? 'unknown');
      return device ? { via: 'device', deviceId: device.id } : undefined;
    }
    const session = sessionCookieOf(req);
    if (!session) return undefined;
    const check = auth.checkSession(session);
    if (!check.valid) return undefined;
    if (check.renewed && !res.headersSent) {
      res.append('Set-Cookie', sessionCookie(session, check.expiresAt, now(), req.secure));
    }
    return { via: 'session', session };
  };
  return {
    identify,
    require: (req, res, next) => {
      const caller = identify(req, res);
      if (!caller) {
        next(
          new AppError(
            'unauthorized',
            'Sign in first: this request has no valid token or session.',
          ),
        );
        return;
      }
      res.locals.caller = caller;
      next();
    },
  };
}
