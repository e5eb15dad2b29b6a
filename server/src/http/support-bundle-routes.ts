/**
 * The support bundle as a download (`.tar.gz`: recent logs, settings and the doctor report, every
 * secret masked), built when asked for. Not JSON, so not in the route table.
 */
import { Router, type RequestHandler } from 'express';
import { SUPPORT_BUNDLE_PATH } from '../contract/logs-routes.js';

export function supportBundleRouter(deps: {
  bundle: () => Promise<{ name: string; data: Buffer }>;
  requireAuth: RequestHandler;
}): Router {
  const router = Router();
  router.get(SUPPORT_BUNDLE_PATH, deps.requireAuth, async (_req, res) => {
    const bundle = await deps.bundle();
    res.writeHead(200, {
      'Content-Type': 'application/gzip',
      'Content-Disposition': `attachment; filename="${bundle.name}"`,
      'Cache-Control': 'no-store',
    });
    res.end(bundle.data);
  });
  return router;
}
