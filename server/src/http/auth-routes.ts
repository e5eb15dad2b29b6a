import type { RequestHandler } from 'express';
import { LOGIN_LINK_PATH, type AuthSession } from '../contract/auth.js';
import type { AuthService } from '../core/auth/auth-service.js';
import {
  clearedSessionCookie,
  sessionCookie,
  sessionCookieOf,
  type Authenticator,
  type Caller,
} from './auth.js';
import type { RouteHandlers } from './routes.js';

export type ServerMode = AuthSession['mode'];

export interface AuthRoutesDeps {
  auth: AuthService;
  authenticator: Authenticator;
  mode: ServerMode;
  now: () => number;
  /**
   * The server's own URL (`http://127.0.0.1:7420`), the base of every login link: a link built
   * from the request's Host would point wherever the request said it was going.
   */
  serverUrl: () => string;
  /** Beyond loopback: HTTPS with this certificate fingerprint, or plain HTTP (undefined: loopback). */
  network: () => AuthSession['network'];
}

/** `<origin>/auth/login?code=...`: the one-time link that `serve` prints. */
export const loginUrl = (origin: string, code: string): string =>
  `${origin}${LOGIN_LINK_PATH}?code=${encodeURIComponent(code)}`;

type AuthRouteNames = 'authSession' | 'authLogin' | 'authLogout' | 'authLoginLink';

export function authHandlers(deps: AuthRoutesDeps): Pick<RouteHandlers, AuthRouteNames> {
  const state = (caller: Caller | undefined): AuthSession => ({
    signedIn: caller !== undefined,
    ...(caller ? { via: caller.via } : {}),
    mode: deps.mode,
    passwordLogin: deps.auth.hasAdminPassword(),
    ...(deps.network() ? { network: deps.network() } : {}),
  });
  return {
    authSession: async (_input, req, res) => state(deps.authenticator.identify(req, res)),
    authLogin: async ({ password }, req, res) => {
      // The socket's own address: behind a proxy every client shares it, which only limits more.
      const client = req.socket.remoteAddress ?? 'unknown';
      const session = await deps.auth.loginWithPassword(password, client);
      res.append(
        'Set-Cookie',
        sessionCookie(session.value, session.expiresAt, deps.now(), req.secure),
      );
      return state({ via: 'session', session: session.value });
    },
    authLogout: async (_input, req, res) => {
      const session = sessionCookieOf(req);
      if (session) deps.auth.endSession(session);
      res.append('Set-Cookie', clearedSessionCookie(req.secure));
      const caller = res.locals.caller as Caller | undefined;
      return state(caller?.via === 'token' ? caller : undefined);
    },
    authLoginLink: async () => {
      const { code, expiresAt } = deps.auth.issueLoginCode();
      return {
        loginUrl: loginUrl(deps.serverUrl(), code),
        expiresAt: new Date(expiresAt).toISOString(),
      };
    },
  };
}

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · MediaNest Appliance</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

const SPENT_PAGE = (signedIn: boolean): string =>
  page(
    'This sign-in link no longer works',
    `<p>Each link that <code>medianest-appliance serve</code> prints works once, within 10 minutes. This one has been used already or has expired.</p>
<p>To sign in: restart <code>medianest-appliance serve</code> and open the new link it prints, or, if an admin password is set, sign in with it on <a href="/">the app's front page</a>.</p>
${signedIn ? '<p>This browser is already signed in: <a href="/">open the app</a>.</p>' : ''}`,
  );

const MISSING_PAGE = page(
  'This sign-in link is incomplete',
  '<p>Copy the whole link that <code>medianest-appliance serve</code> printed, including everything after <code>?code=</code>.</p>',
);

/**
 * `GET /auth/login?code=...`: exchanges a one-time code for a session cookie, then redirects (303)
 * to `/`, so the code leaves the address bar. A used, expired or unknown code gets a plain page.
 */
export function loginLinkHandler(deps: AuthRoutesDeps): RequestHandler {
  return (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    if (!code) {
      res.status(400).type('html').send(MISSING_PAGE);
      return;
    }
    const session = deps.auth.redeemLoginCode(code);
    if (session) {
      res.append(
        'Set-Cookie',
        sessionCookie(session.value, session.expiresAt, deps.now(), req.secure),
      );
      res.redirect(303, '/');
      return;
    }
    const signedIn = deps.authenticator.identify(req, res)?.via === 'session';
    res.status(403).type('html').send(SPENT_PAGE(signedIn));
  };
}
