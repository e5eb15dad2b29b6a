import { z } from 'zod';

/** Where `serve`'s one-time login link points: exchanged once for a session cookie, then invalid. */
export const LOGIN_LINK_PATH = '/auth/login';

/** The session cookie: httpOnly, SameSite=Strict; the browser never sees the token. */
export const SESSION_COOKIE = 'mna_session';

/** Shortest admin password accepted: it guards an API that is root on the host. */
export const ADMIN_PASSWORD_MIN_LENGTH = 12;

/**
 * How this browser stands with the server. `mode` is `lan` when the server listens beyond
 * loopback; `passwordLogin` is true when an admin password is set, so the sign-in form can be shown.
 */
export const AuthSessionSchema = z.object({
  signedIn: z.boolean(),
  /** How the request was authenticated, when it was. */
  via: z.enum(['token', 'session', 'device']).optional(),
  mode: z.enum(['loopback', 'lan']),
  passwordLogin: z.boolean(),
  /**
   * How the server speaks beyond loopback: `https` with its certificate's SHA-256 fingerprint (to
   * compare with the one `serve` printed), or `plain-http` when it was started with
   * `--insecure-plain-http` (the UI shows a warning). Absent in loopback mode.
   */
  network: z
    .discriminatedUnion('transport', [
      z.object({ transport: z.literal('https'), fingerprint: z.string() }),
      z.object({ transport: z.literal('plain-http') }),
    ])
    .optional(),
});
export type AuthSession = z.infer<typeof AuthSessionSchema>;

export const PasswordLoginSchema = z.object({
  password: z.string().min(1, 'Enter the admin password.').max(1024),
});
export type PasswordLogin = z.infer<typeof PasswordLoginSchema>;

export const LoginLinkSchema = z.object({
  loginUrl: z.string(),
  expiresAt: z.string(),
});
export type LoginLink = z.infer<typeof LoginLinkSchema>;
