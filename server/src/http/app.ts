import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { AppError } from '../core/app-error.js';
import { errorMiddleware, type ErrorLogger } from './error-middleware.js';
import { registerRoutes, type RouteHandlers } from './routes.js';
import { hostCheck, securityHeaders, stateChangeCheck } from './security.js';

export interface HttpAppOptions {
  token: string;
  handlers: RouteHandlers;
  /** Folder of the built renderer (index.html and assets), or undefined when it is not built. */
  rendererDir: string | undefined;
  allowedHosts: readonly string[];
  ownOrigins: () => readonly string[];
  logError: ErrorLogger;
}

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MediaNest Appliance</title></head>
<body><h1>MediaNest Appliance</h1><p>The user interface has not been built. Run <code>npm run build:renderer</code>, then reload.</p></body></html>`;

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(hostCheck(options.allowedHosts));
  app.use('/api', stateChangeCheck(options.ownOrigins));
  app.use('/api', express.json({ limit: '1mb' }));
  registerRoutes(app, options.handlers, options.token);
  app.use('/api', () => {
    throw new AppError('not_found', 'There is no such API route.');
  });

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
