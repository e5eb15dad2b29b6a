/**
 * The desktop's paired appliances (issue 21 §2-3): the list with each one's state, pairing, and
 * forgetting; and the proxy that reaches each one's API and event stream (`/api/remote/<id>/api/...`)
 * so the renderer stays same-origin and never holds a token.
 */
import { Router, type RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import type { appliancesRoutes } from '../contract/appliances-routes.js';
import { REMOTE_PREFIX } from '../contract/appliances-routes.js';
import { AppError } from '../core/app-error.js';
import type { RemoteAppliances } from '../core/remote/remote-appliances.js';
import type { RemoteWatch } from '../core/remote/remote-watch.js';
import type { Caller } from './auth.js';
import type { HandlersOf } from './routes.js';

export function appliancesHandlers(deps: {
  remote: () => RemoteAppliances;
  watch: () => RemoteWatch;
}): HandlersOf<typeof appliancesRoutes> {
  return {
    appliances: async () => {
      // Pairings made meanwhile by the CLI (`appliances add`, same home) are followed from here on.
      deps.watch().sync();
      return { appliances: deps.watch().withStates(deps.remote().list()) };
    },
    nearbyAppliances: async () => deps.remote().nearby(),
    addAppliance: async (input) => {
      const added = await deps.remote().add(input);
      deps.watch().sync();
      const [withState] = deps.watch().withStates([added]);
      return withState ?? { ...added, state: 'unknown' };
    },
    removeAppliance: async ({ id }) => {
      const removed = await deps.remote().remove(id);
      deps.watch().sync();
      return removed;
    },
  };
}

const PROXIED = new RegExp(`^${REMOTE_PREFIX}/([^/?]+)(/[^?]*)?(\\?.*)?$`);

/** The proxy to paired appliances; `closeAll` ends the event streams open through it. */
export function remoteProxyRouter(deps: {
  remote: () => RemoteAppliances;
  requireAuth: RequestHandler;
}): { router: Router; closeAll: () => void } {
  const open = new Set<ServerResponse>();
  const router = Router();
  router.all(`${REMOTE_PREFIX}/{*rest}`, deps.requireAuth, async (req, res) => {
    // A paired device reaches this appliance's own stack, never onwards to another.
    if ((res.locals.caller as Caller | undefined)?.via === 'device')
      throw new AppError(
        'forbidden',
        'A paired device cannot reach other appliances through this one.',
      );
    const match = PROXIED.exec(req.originalUrl);
    if (!match?.[1] || !match[2]) throw new AppError('not_found', 'There is no such API route.');
    const id = decodeURIComponent(match[1]);
    const path = `${match[2]}${match[3] ?? ''}`;
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
    // A JSON body was read by express.json: it goes on as JSON; any other (a backup's upload) streams.
    const json = req.is('application/json') === 'application/json';
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    if (json) delete headers['content-length'];
    // The renderer may leave before the appliance answers: its answer is then dropped at once.
    let gone = false;
    res.once('close', () => (gone = true));
    const answer = await deps.remote().forward(id, {
      method: req.method,
      path,
      headers,
      ...(hasBody ? { body: json ? JSON.stringify(req.body ?? {}) : req } : {}),
    });
    if (gone) {
      answer.body.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    if (answer.headers['content-type']?.startsWith('text/event-stream') === true) {
      req.socket.setNoDelay(true);
      res.flushHeaders();
      open.add(res);
    }
    // The renderer gone: the appliance's stream is closed too.
    res.once('close', () => {
      open.delete(res);
      answer.body.destroy();
    });
    answer.body.on('error', () => res.destroy());
    answer.body.pipe(res);
  });
  return {
    router,
    closeAll: () => {
      for (const res of open) res.end();
      open.clear();
    },
  };
}
