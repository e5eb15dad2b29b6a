import type { devicesRoutes } from '../contract/devices-routes.js';
import type { PairingService } from '../core/auth/pairing.js';
import type { HandlersOf } from './routes.js';

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** Pairing and the paired devices (issue 21 §2), over core's pairing service. */
export function devicesHandlers(pairing: () => PairingService): HandlersOf<typeof devicesRoutes> {
  return {
    // The socket's own address: a wrong code counts against it.
    pair: async (input, req) => pairing().pair(input, req.socket.remoteAddress ?? 'unknown'),
    pairingCode: async () => {
      const { code, expiresAt, fingerprint } = pairing().issueCode();
      return { code, expiresAt: new Date(expiresAt).toISOString(), fingerprint };
    },
    devices: async () => ({
      devices: pairing()
        .devices()
        .map((d) => {
          const lastSeenAt = iso(d.lastSeenAt);
          return {
            id: d.id,
            name: d.name,
            pairedAt: new Date(d.pairedAt).toISOString(),
            ...(lastSeenAt ? { lastSeenAt } : {}),
            ...(d.lastAddress ? { lastAddress: d.lastAddress } : {}),
          };
        }),
    }),
    revokeDevice: async ({ id }) => {
      pairing().revoke(id);
      return { revoked: id };
    },
  };
}
