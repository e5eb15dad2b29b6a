/**
 * The remote area (issue 21 §2-3): the appliances this desktop is paired with, kept in the home
 * with their tokens sealed (Electron's safeStorage when the shell gives one, else a key file),
 * reached over HTTPS pinned to the certificate seen at pairing, and watched for their state.
 */
import { hostname } from 'node:os';
import type { DomainEvent } from '../contract/events.js';
import type { AlertRaised } from '../contract/tray.js';
import { ApplianceList, type SecretBox } from '../core/remote/appliance-list.js';
import {
  RemoteAppliances,
  type FindNearby,
  type RemoteTransport,
} from '../core/remote/remote-appliances.js';
import { RemoteWatch, type RemoteState } from '../core/remote/remote-watch.js';
import type { HomePaths } from '../infra/fs/home.js';
import { keyFileBox, privateJsonFile } from '../infra/fs/key-file-box.js';
import { announce, browseNearby } from '../infra/net/mdns.js';
import type { Logger } from '../infra/log/logger.js';
import { pinnedPairingNet, pinnedStream } from '../infra/net/pinned-https.js';

/** Idle time after which a request to an appliance is given up (its streams beat every 15 s). */
const IDLE_MS = 60_000;

const pinnedTransport: RemoteTransport = {
  async open(target, request) {
    const res = await pinnedStream(`${target.address}${request.path}`, {
      pinned: target.fingerprint,
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      timeoutMs: IDLE_MS,
    });
    return {
      status: res.statusCode ?? 502,
      headers: res.headers as Record<string, string>,
      body: res,
    };
  },
};

export interface RemoteArea {
  appliances: RemoteAppliances;
  watch: RemoteWatch;
  states: () => RemoteState[];
}

export function createRemoteArea(deps: {
  paths: HomePaths;
  /** Electron's safeStorage; a key file in the home without it. */
  secretBox?: SecretBox;
  transport?: RemoteTransport;
  findNearby?: FindNearby;
  /** The server's env: MEDIANEST_MDNS=off keeps LAN discovery quiet. */
  env?: Record<string, string | undefined>;
  publish: (event: DomainEvent) => void;
  retryMs?: { first: number; max: number };
}): RemoteArea {
  const list = new ApplianceList({
    file: privateJsonFile(deps.paths.appliancesFile),
    box: deps.secretBox ?? keyFileBox(deps.paths.remoteKeyFile),
    now: () => new Date(),
  });
  const appliances = new RemoteAppliances({
    list,
    net: pinnedPairingNet,
    transport: deps.transport ?? pinnedTransport,
    // MEDIANEST_MDNS=off: nothing is sent on the LAN, not even a question (the tests set it).
    findNearby:
      deps.findNearby ??
      (() =>
        mdnsOff(deps.env ?? {})
          ? Promise.resolve({ found: [], interfaces: 0, disabled: true })
          : browseNearby()),
    deviceName: () => hostname().slice(0, 64) || 'desktop',
  });
  const watch = new RemoteWatch({
    appliances: () => appliances.list(),
    forward: (id, request) => appliances.forward(id, request),
    onChange: ({ id, name, state, problem }) =>
      deps.publish({ type: 'appliance.changed', id, name, state, ...(problem ? { problem } : {}) }),
    // Its alerts as this desktop's notifications, named with it; a click opens it here.
    onAlert: (appliance, alert: AlertRaised) =>
      deps.publish({
        ...alert,
        alertId: `${appliance.id}:${alert.alertId}`,
        title: `${appliance.name}: ${alert.title}`,
        page: `${alert.page}${alert.page.includes('?') ? '&' : '?'}appliance=${encodeURIComponent(appliance.id)}`,
      }),
    ...(deps.retryMs ? { retryMs: deps.retryMs } : {}),
  });
  return { appliances, watch, states: () => watch.states() };
}

/**
 * Whether to announce on the LAN: `announce` when given, else unless MEDIANEST_MDNS=off in the
 * server's env or the process's (the test runners set it, so no test reaches a real network).
 */
export function announcing(
  options: { announce?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  return options.announce ?? !mdnsOff(env);
}

/** MEDIANEST_MDNS=off in the server's env or the process's. */
const mdnsOff = (env: Record<string, string | undefined>): boolean =>
  env.MEDIANEST_MDNS === 'off' || process.env.MEDIANEST_MDNS === 'off';

/**
 * Answers DNS-SD queries for this appliance (issue 21 §4) until stopped; undefined (and a warning)
 * when the mDNS port cannot be had: desktops then add it by its address.
 */
export async function announceOnLan(
  port: number,
  fingerprint: string,
  logger: Pick<Logger, 'warn'>,
): Promise<{ stop: () => Promise<void> } | undefined> {
  try {
    return await announce(
      { instance: `MediaNest on ${hostname()}`, host: hostname(), port, fingerprint },
      (error) => logger.warn('LAN announcement (mDNS): a send failed', { error }),
    );
  } catch (error) {
    logger.warn(
      'not announced on the LAN (mDNS port 5353 taken?): desktops add this appliance by its address',
      { error },
    );
    return undefined;
  }
}
