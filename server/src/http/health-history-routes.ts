import type { Request, Response } from 'express';
import type { z } from 'zod';
import type {
  HealthHistoryPage,
  HealthHistoryQuery,
  healthHistoryRoutes,
} from '../contract/health-history-routes.js';
import type { RouteDef } from '../contract/route-def.js';

/** What the health-history route needs (health-history-wiring.ts builds it). */
export interface HealthHistoryApi {
  page(query: HealthHistoryQuery): HealthHistoryPage;
}

type Handler<R extends RouteDef> = (
  input: z.infer<R['input']>,
  req: Request,
  res: Response,
) => Promise<z.infer<R['output']>>;

/** The same shape as RouteHandlers' entries for these routes, so it spreads into the table's handlers. */
export type HealthHistoryHandlers = {
  [N in keyof typeof healthHistoryRoutes]: Handler<(typeof healthHistoryRoutes)[N]>;
};

export function healthHistoryHandlers(api: HealthHistoryApi): HealthHistoryHandlers {
  return { healthHistory: async (query) => api.page(query) };
}
