import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { LOGIN_LINK_PATH } from '../contract/auth.js';
import { BACKUP_UPLOAD_PATH } from '../contract/backup-routes.js';
import { EVENTS_PATH } from '../contract/events.js';
import { AppError } from '../core/app-error.js';
import type { Authenticator, Caller } from './auth.js';
import { errorMiddleware, type ErrorLogger } from './error-middleware.js';
import type { EventStreamHub } from './event-stream.js';
import { registerRoutes, type RouteHandlers } from './routes.js';
import { hostCheck, securityHeaders, stateChangeCheck, type HostPolicy } from './security.js';

export interface HttpAppOptions {
  /** Extra routers mounted after the route table (each guards its own routes). */
  routers?: RequestHandler[];
  handlers: RouteHandlers;
  authenticator: Authenticator;
  /** `GET /auth/login?code=...`: the one-time login link. */
  loginLink: RequestHandler;
  events: EventStreamHub;
  /** Folder of the built renderer (index.html and assets), or undefined when it is not built. */
  rendererDir: string | undefined;
  hosts: HostPolicy;
  logError: ErrorLogger;
}

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MediaNest Appliance</title></head>
<body><h1>MediaNest Appliance</h1><p>The user interface has not been built. Run <code>npm run build:renderer</code>, then reload.</p></body></html>`;

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(hostCheck(options.hosts));
  // A backup file's upload streams raw bytes: the one body that is not JSON.
  app.use('/api', stateChangeCheck([{ method: 'PUT', path: BACKUP_UPLOAD_PATH }]));
  app.use('/api', express.json({ limit: '1mb' }));
  app.get(EVENTS_PATH, options.authenticator.require, (req, res) => {
    const caller = res.locals.caller as Caller | undefined;
    options.events.handle(req, res, caller?.via === 'device' ? caller.deviceId : undefined);
  });
  registerRoutes(app, options.handlers, options.authenticator.require);
  // Streaming and non-JSON answers (log follow, downloads, the support bundle) the table cannot express.
  for (const router of options.routers ?? []) app.use(router);
  app.use('/api', () => {
    throw new AppError('not_found', 'There is no such API route.');
  });
  app.get(LOGIN_LINK_PATH, options.loginLink);

  const dir = options.rendererDir;
  if (dir) {
    app.use(express.static(dir, { index: false, maxAge: '1h', immutable: false }));
  }
  // Every other GET is a page of the single-page UI.
  app.get('/{*path}', (_req, res) => {
    if (dir) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dir, 'index.html'));
    } else {
      res.status(503).type('html').send(NOT_BUILT_PAGE);
    }
  });
  app.use(errorMiddleware(options.logError));
  return app;
}

/** The first candidate folder that holds a built renderer. */
export function findRendererDir(candidates: readonly string[]): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}
