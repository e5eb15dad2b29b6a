/**
 * The desktop's paired appliances (issue 21 §2-3): pairing one with the code it shows, forgetting
 * one (and revoking this device there), and forwarding a request of the renderer to one with this
 * device's token. The renderer talks only to its own server: the token is added here, on the way
 * out, and nothing of the appliance's answer but its status, body and a few plain headers comes
 * back (no cookie, nothing that could carry a credential).
 */
import type { Readable } from 'node:stream';
import type { NearbyAppliance } from '../../contract/appliances-routes.js';
import { AppError } from '../app-error.js';
import type { ApplianceList, ApplianceView } from './appliance-list.js';
import { pairWith, type PairingNet } from './pair-with.js';

export interface ForwardRequest {
  method: string;
  /** The appliance's own path and query: `/api/...`. */
  path: string;
  headers: Record<string, string>;
  body?: string | Readable;
}

export interface ForwardAnswer {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

/** HTTPS to an appliance, only over the certificate pinned at pairing. */
export interface RemoteTransport {
  open(
    target: { address: string; fingerprint: string },
    request: ForwardRequest,
  ): Promise<ForwardAnswer>;
}

/** What the renderer may send on to an appliance: never its cookie, Origin or authorization. */
const REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'last-event-id'];
/** What may come back: never Set-Cookie or anything else of the appliance's. */
const ANSWER_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'retry-after',
];

/** Keeps only `names` of `headers` (lower-case names, single values). */
export function pickHeaders(
  headers: Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

/** An appliance's API path: `/api/` and then no way out of it (no `..`, no backslash). */
function checkedPath(path: string): string {
  const [pathname = ''] = path.split('?', 1);
  if (
    !pathname.startsWith('/api/') ||
    /(^|\/)\.\.?(\/|$)|\\|%2e%2e|%2f|%5c/i.test(pathname) ||
    pathname.startsWith('/api/remote/')
  ) {
    throw new AppError('not_found', 'Only an appliance’s own API is reached through this server.');
  }
  return path;
}

/** What the LAN says (infra/net/mdns.ts): services heard, and how many networks were asked. */
export type FindNearby = () => Promise<{
  found: Array<{
    name: string;
    host: string;
    addresses: string[];
    port: number;
    fingerprintPrefix?: string;
  }>;
  interfaces: number;
  /** LAN discovery is turned off here (MEDIANEST_MDNS=off). */
  disabled?: boolean;
}>;

export class RemoteAppliances {
  constructor(
    private readonly deps: {
      list: ApplianceList;
      net: PairingNet;
      transport: RemoteTransport;
      findNearby: FindNearby;
      /** How this computer is named on the appliance's list of devices. */
      deviceName: () => string;
    },
  ) {}

  list(): ApplianceView[] {
    return this.deps.list.list();
  }

  /** Appliances announcing themselves on the LAN, each marked when this desktop is paired with it. */
  async nearby(): Promise<{ nearby: NearbyAppliance[]; interfaces: number; disabled?: boolean }> {
    const { found, interfaces, disabled } = await this.deps.findNearby();
    const paired = new Set(this.list().map((a) => a.address));
    return {
      interfaces,
      ...(disabled ? { disabled } : {}),
      nearby: found.map((service) => {
        const origins = service.addresses.map((a) => `https://${a}:${service.port}`);
        return {
          name: service.name,
          address: origins[0] ?? '',
          host: service.host,
          ...(service.fingerprintPrefix ? { fingerprintPrefix: service.fingerprintPrefix } : {}),
          paired: origins.some((o) => paired.has(o)),
        };
      }),
    };
  }

  /** Pairs with the appliance at `address` using the code it shows; `name` defaults to its host. */
  async add(input: { address: string; code: string; name?: string }): Promise<ApplianceView> {
    const paired = await pairWith(this.deps.net, {
      address: input.address,
      code: input.code,
      deviceName: this.deps.deviceName(),
    });
    const name = input.name?.trim() || new URL(paired.address).hostname;
    return this.deps.list.add(paired, name);
  }

  /**
   * Forgets an appliance here; first asks it to revoke this device's token. `revoked` says whether
   * it did (an appliance that cannot be reached keeps the device on its list until revoked there).
   */
  async remove(id: string): Promise<{ removed: string; revoked: boolean }> {
    let revoked = false;
    try {
      const { deviceId } = this.deps.list.connection(id);
      const answer = await this.send(id, {
        method: 'POST',
        path: `/api/devices/${encodeURIComponent(deviceId)}/revoke`,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
      });
      answer.body.resume();
      revoked = answer.status === 200;
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') throw error;
      // Unreachable, another certificate, a token sealed elsewhere: forgotten here all the same.
    }
    this.deps.list.remove(id);
    return { removed: id, revoked };
  }

  /** The renderer's request, sent to appliance `id` with this device's token. */
  async forward(id: string, request: ForwardRequest): Promise<ForwardAnswer> {
    return this.send(id, { ...request, headers: pickHeaders(request.headers, REQUEST_HEADERS) });
  }

  private async send(id: string, request: ForwardRequest): Promise<ForwardAnswer> {
    const path = checkedPath(request.path);
    const { address, fingerprint, token } = this.deps.list.connection(id);
    const answer = await this.deps.transport.open(
      { address, fingerprint },
      { ...request, path, headers: { ...request.headers, authorization: `Bearer ${token}` } },
    );
    return { ...answer, headers: pickHeaders(answer.headers, ANSWER_HEADERS) };
  }
}
