import { z } from 'zod';
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
  /** False only for the liveness probe: everything else needs the token or a session. */
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
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
export type RouteInput<N extends RouteName> = z.input<Routes[N]['input']>;
export type RouteOutput<N extends RouteName> = z.infer<Routes[N]['output']>;
