/**
 * Areas loaded when first used (issue 22: start fast): their modules are imported on the first
 * call, not when the server starts, so `serve` answers its first request sooner.
 */
import type { RequestHandler } from 'express';
import type { RouteHandlers } from '../http/routes.js';

/** `load` run once; every caller gets the same promise. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

type Handler = (...args: unknown[]) => Promise<unknown>;

/** The route handlers named by `routes` (a contract's route table), loaded on their first call. */
export function lazyHandlers<K extends keyof RouteHandlers>(
  routes: Record<K, unknown>,
  load: () => Promise<Pick<RouteHandlers, K>>,
): Pick<RouteHandlers, K> {
  const loaded = once(load);
  const handlers: Partial<Record<K, Handler>> = {};
  for (const name of Object.keys(routes) as K[]) {
    handlers[name] = async (...args) => ((await loaded())[name] as unknown as Handler)(...args);
  }
  return handlers as unknown as Pick<RouteHandlers, K>;
}

/** A router for the paths under `prefix`, built on the first request there. */
export function lazyRouter(prefix: string, load: () => Promise<RequestHandler>): RequestHandler {
  const loaded = once(load);
  return (req, res, next) => {
    if (!req.path.startsWith(prefix)) {
      next();
      return;
    }
    loaded().then(
      (router) => router(req, res, next),
      (error: unknown) => next(error),
    );
  };
}
