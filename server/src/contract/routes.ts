import { z } from 'zod';
import { alertsRoutes } from './alerts-routes.js';
import { appReleaseRoutes } from './app-release-routes.js';
import { appliancesRoutes } from './appliances-routes.js';
import { trayRoutes } from './tray.js';
import { backupRoutes } from './backup-routes.js';
import { devicesRoutes } from './devices-routes.js';
import { AuthSessionSchema, LoginLinkSchema, PasswordLoginSchema } from './auth.js';
import { DoctorReportSchema } from './doctor.js';
import { healthHistoryRoutes } from './health-history-routes.js';
import { route, type RouteDef } from './route-def.js';
import { secretsRoutes } from './secrets-routes.js';
import { imagesRoutes } from './images-routes.js';
import { logsRoutes } from './logs-routes.js';
import { resourcesRoutes } from './resources-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { stackRoutes } from './stack-routes.js';
import { updateApplyRoutes } from './update-apply-routes.js';
import { updatesRoutes } from './updates-routes.js';

export { HttpMethodSchema, type HttpMethod, type RouteDef } from './route-def.js';

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

/** Routes of the server itself: health, doctor, sign-in. */
const coreRoutes = {
  health: route('GET', '/api/health', { output: HealthSchema, auth: false }),
  doctor: route('GET', '/api/doctor', { input: DoctorQuerySchema, output: DoctorReportSchema }),
  /** Whether this caller is signed in, and which ways to sign in the server offers. */
  authSession: route('GET', '/api/auth/session', { output: AuthSessionSchema, auth: false }),
  /** Admin password -> session cookie. Rate-limited per client address (429 with Retry-After). */
  authLogin: route('POST', '/api/auth/login', {
    input: PasswordLoginSchema,
    output: AuthSessionSchema,
    auth: false,
  }),
  /** Ends this browser's session (a no-op with the token). */
  authLogout: route('POST', '/api/auth/logout', { output: AuthSessionSchema }),
  /** A fresh one-time login link (10 minutes), e.g. for another browser or after the first expired. */
  authLoginLink: route('POST', '/api/auth/login-link', { output: LoginLinkSchema }),
} as const satisfies Record<string, RouteDef>;

/**
 * The route table: one object per resource, each in its own file. No path is written anywhere else.
 * A path may name parameters (`/api/jobs/:id`): the client fills them from the input, the server
 * adds them to it.
 */
export const routes = {
  ...coreRoutes,
  ...stackRoutes,
  ...settingsRoutes,
  ...secretsRoutes,
  ...logsRoutes,
  ...imagesRoutes,
  ...alertsRoutes,
  ...resourcesRoutes,
  ...backupRoutes,
  ...healthHistoryRoutes,
  ...updatesRoutes,
  ...updateApplyRoutes,
  ...appReleaseRoutes,
  ...devicesRoutes,
  ...appliancesRoutes,
  ...trayRoutes,
} as const;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteInput<N extends RouteName> = z.input<Routes[N]['input']>;
export type RouteOutput<N extends RouteName> = z.infer<Routes[N]['output']>;
