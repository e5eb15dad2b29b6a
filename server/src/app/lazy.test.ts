import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { imagesRoutes } from '../contract/images-routes.js';
import type { RouteHandlers } from '../http/routes.js';
import { lazyHandlers, lazyRouter } from './lazy.js';

type ImagesHandlers = Pick<RouteHandlers, keyof typeof imagesRoutes>;

describe('areas loaded on first use', () => {
  it('loads handlers on the first call only, once, and answers from the loaded ones', async () => {
    let loads = 0;
    const names = Object.keys(imagesRoutes) as Array<keyof typeof imagesRoutes>;
    const handlers = lazyHandlers(imagesRoutes, async () => {
      loads += 1;
      return Object.fromEntries(
        names.map((name) => [name, async () => ({ answeredBy: name })]),
      ) as unknown as ImagesHandlers;
    });
    expect(Object.keys(handlers).sort()).toEqual([...names].sort());
    expect(loads).toBe(0);
    const [first, second] = names;
    const call = (name: keyof typeof imagesRoutes) =>
      (handlers[name] as unknown as () => Promise<unknown>)();
    expect(await call(first!)).toEqual({ answeredBy: first });
    expect(await call(second ?? first!)).toEqual({ answeredBy: second ?? first });
    expect(loads).toBe(1);
  });

  it('builds a router only for a request under its prefix, and passes a load failure on', async () => {
    let loads = 0;
    const router = lazyRouter('/api/backups/', async () => {
      loads += 1;
      throw new Error('cannot load');
    });
    const run = (path: string) =>
      new Promise<unknown>((resolve) =>
        router(
          { path } as Request,
          {} as Response,
          ((error?: unknown) => resolve(error)) as NextFunction,
        ),
      );
    expect(await run('/api/health')).toBeUndefined();
    expect(loads).toBe(0);
    expect(await run('/api/backups/upload')).toEqual(new Error('cannot load'));
    expect(loads).toBe(1);
  });
});
