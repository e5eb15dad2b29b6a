import { Router, type RequestHandler } from 'express';
import type { StackHealth } from '../contract/health.js';
import type { Job } from '../contract/stack-routes.js';
import { prometheusText } from '../core/health/metrics.js';

/** `GET /metrics`: the manager's metrics in the Prometheus text format, behind the same auth as the API. */
export function metricsRouter(deps: {
  requireAuth: RequestHandler;
  health: () => StackHealth;
  jobs: () => Job[];
}): Router {
  const router = Router();
  router.get('/metrics', deps.requireAuth, (_req, res) => {
    res
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(prometheusText(deps.health(), deps.jobs()));
  });
  return router;
}
