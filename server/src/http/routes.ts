import type { Express, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { RouteDef } from '../contract/route-def.js';
import { routes, type RouteName, type Routes } from '../contract/routes.js';
import { AppError } from '../core/app-error.js';

/** One route's handler: its validated input in, its output out (`req`/`res` for the few that need them). */
export type Handler<R extends RouteDef> = (
  input: z.infer<R['input']>,
  req: Request,
  res: Response,
) => Promise<z.infer<R['output']>>;

/** The handlers of one resource's routes: the same shape as RouteHandlers' entries, so they spread into it. */
export type HandlersOf<T extends Record<string, RouteDef>> = { [N in keyof T]: Handler<T[N]> };

export type RouteHandlers = HandlersOf<Routes>;

/** Field name -> message, for the UI to show each message next to its field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.join('.') || '(input)';
    fields[field] ??= issue.message;
  }
  return fields;
}

/**
 * Registers every route of the contract's table, validating input before a handler sees it;
 * `requireAuth` guards every route the table marks `auth`.
 */
export function registerRoutes(
  app: Express,
  handlers: RouteHandlers,
  requireAuth: RequestHandler,
): void {
  for (const name of Object.keys(routes) as RouteName[]) {
    const route: Routes[RouteName] = routes[name];
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    const handler = handlers[name] as (
      input: unknown,
      req: Request,
      res: Response,
    ) => Promise<unknown>;
    const chain = route.auth ? [requireAuth] : [];
    app[method](route.path, ...chain, async (req, res) => {
      const raw: unknown = route.method === 'GET' ? req.query : req.body;
      // Path parameters join the input, so one schema validates all of it.
      const parsed = route.input.safeParse({ ...(raw ?? {}), ...req.params });
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error);
        const first = Object.entries(fields)[0];
        throw new AppError(
          'validation_failed',
          first ? `${first[0]}: ${first[1]}` : 'Invalid input.',
          { fields },
        );
      }
      const output = await handler(parsed.data, req, res);
      res.json(output);
    });
  }
}
