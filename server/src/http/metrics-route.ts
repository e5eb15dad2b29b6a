import { Router, type RequestHandler } from 'express';
import type { StackHealth } from '../contract/health.js';
import type { Job } from '../contract/stack-routes.js';
import { prometheusText, type MetricsExtras } from '../core/health/metrics.js';

/** `GET /metrics`: the manager's metrics in the Prometheus text format, behind the same auth as the API. */
export function metricsRouter(deps: {
  requireAuth: RequestHandler;
  health: () => StackHealth;
  jobs: () => Job[];
  /** Resources, alert states, backup age: whatever the server has to add. */
  extras?: () => MetricsExtras;
}): Router {
  const router = Router();
  router.get('/metrics', deps.requireAuth, (_req, res) => {
    res
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(prometheusText(deps.health(), deps.jobs(), deps.extras?.()));
  });
  return router;
}
