import type { AddressInfo } from 'node:net';
import type { Express, RequestHandler } from 'express';
import { AppError } from '../core/app-error.js';
import { errorMiddleware } from './error-middleware.js';

/** The sign-in check a router is given, as a test switches it: signed out, 401 as from the app. */
export class TestAuth {
  signedIn = true;
  readonly requireAuth: RequestHandler = (_req, _res, next) =>
    next(this.signedIn ? undefined : new AppError('unauthorized', 'Sign in first.'));
}

export interface Served {
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  /** Stops listening and ends the connections still open (a client's keep-alive, an upload). */
  close(): Promise<void>;
}

/**
 * Serves `app` on a free port of 127.0.0.1 with the app's error middleware added last, so what a
 * router throws reaches the client as it would from the app.
 */
export async function serveWithErrors(app: Express): Promise<Served> {
  app.use(errorMiddleware(() => undefined));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
