import { z } from 'zod';
import { AuthSessionSchema, LoginLinkSchema, PasswordLoginSchema } from './auth.js';
import { DoctorReportSchema } from './doctor.js';

export const HttpMethodSchema = z.enum(['GET', 'POST', 'PUT', 'DELETE']);
export type HttpMethod = z.infer<typeof HttpMethodSchema>;

/** One API route: the server registers and validates it from here; the typed client calls it from here. */
export interface RouteDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  path: `/api/${string}`;
  /** Query (GET) or JSON body (other methods). */
  input: I;
  output: O;
  /**
   * False only for the liveness probe and the ways to sign in (which answer nothing but whether
   * the caller is signed in): everything else needs the token or a session.
   */
  auth: boolean;
}

export const HealthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number(),
});
export type Health = z.infer<typeof HealthSchema>;

export const DoctorQuerySchema = z.object({
  httpPort: z.coerce.number().int().min(1).max(65535).optional(),
  httpsPort: z.coerce.number().int().min(1).max(65535).optional(),
});
export type DoctorQuery = z.infer<typeof DoctorQuerySchema>;

/** The route table. No path is written anywhere else. */
export const routes = {
  health: {
    method: 'GET',
    path: '/api/health',
    input: z.object({}),
    output: HealthSchema,
    auth: false,
  },
  doctor: {
    method: 'GET',
    path: '/api/doctor',
    input: DoctorQuerySchema,
    output: DoctorReportSchema,
    auth: true,
  },
  /** Whether this caller is signed in, and which ways to sign in the server offers. */
  authSession: {
    method: 'GET',
    path: '/api/auth/session',
    input: z.object({}),
    output: AuthSessionSchema,
    auth: false,
  },
  /** Admin password -> session cookie. Rate-limited per client address (429 with Retry-After). */
  authLogin: {
    method: 'POST',
    path: '/api/auth/login',
    input: PasswordLoginSchema,
    output: AuthSessionSchema,
    auth: false,
  },
  /** Ends this browser's session (a no-op with the token). */
  authLogout: {
    method: 'POST',
    path: '/api/auth/logout',
    input: z.object({}),
    output: AuthSessionSchema,
    auth: true,
  },
  /** A fresh one-time login link (10 minutes), e.g. for another browser or after the first expired. */
  authLoginLink: {
    method: 'POST',
    path: '/api/auth/login-link',
    input: z.object({}),
    output: LoginLinkSchema,
    auth: true,
  },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteInput<N extends RouteName> = z.input<Routes[N]['input']>;
export type RouteOutput<N extends RouteName> = z.infer<Routes[N]['output']>;
