import type {
  HealthHistoryPage,
  HealthHistoryQuery,
  healthHistoryRoutes,
} from '../contract/health-history-routes.js';
import type { HandlersOf } from './routes.js';

/** What the health-history route needs (health-history-wiring.ts builds it). */
export interface HealthHistoryApi {
  page(query: HealthHistoryQuery): HealthHistoryPage;
}

export type HealthHistoryHandlers = HandlersOf<typeof healthHistoryRoutes>;

export function healthHistoryHandlers(api: HealthHistoryApi): HealthHistoryHandlers {
  return { healthHistory: async (query) => api.page(query) };
}
