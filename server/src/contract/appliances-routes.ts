import { z } from 'zod';
import { route } from './route-def.js';
import { TrayStateSchema } from './tray.js';

/**
 * A paired appliance as the desktop lists it (issue 21 §3): never its token. `state` is its tray
 * state as last heard on its event stream; `unknown` while it cannot be reached.
 */
export const ApplianceSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  /** The certificate pinned at pairing (SHA-256, `AB:CD:...`). */
  fingerprint: z.string(),
  pairedAt: z.string(),
  state: TrayStateSchema,
  /** Why it is `unknown`, in words, when it cannot be reached or refused us. */
  problem: z.string().optional(),
});
export type Appliance = z.infer<typeof ApplianceSchema>;

export const AddApplianceSchema = z.object({
  /** `https://host:port` (or `host:port`), as the appliance shows it. */
  address: z
    .string()
    .trim()
    .min(1, 'address: the appliance’s address, e.g. https://nas.local:7420'),
  /** The pairing code the appliance shows (`ABCDE-FGHJK`; case and dashes do not matter). */
  code: z.string().trim().min(1, 'code: the pairing code the appliance shows'),
  /** How it is named here; its host name when omitted. */
  name: z.string().max(64, 'name: at most 64 characters').optional(),
});

/** An appliance heard on the LAN (DNS-SD over mDNS, issue 21 §4): a suggestion, not a trust. */
export const NearbyApplianceSchema = z.object({
  name: z.string(),
  /** `https://<its first address>:<port>`, ready for the Add an appliance form. */
  address: z.string(),
  host: z.string(),
  /** The first 8 bytes of its certificate's SHA-256, to compare with what it shows. */
  fingerprintPrefix: z.string().optional(),
  /** This desktop is paired with it already. */
  paired: z.boolean(),
});
export type NearbyAppliance = z.infer<typeof NearbyApplianceSchema>;

/** Where a paired appliance's API is reached through this server: `<base>/api/...`. */
export const REMOTE_PREFIX = '/api/remote';
export const remoteBase = (id: string): string => `${REMOTE_PREFIX}/${encodeURIComponent(id)}`;

export const appliancesRoutes = {
  /** The appliances this desktop is paired with, each with its state. */
  appliances: route('GET', '/api/appliances', {
    output: z.object({ appliances: z.array(ApplianceSchema) }),
  }),
  /**
   * Appliances announcing themselves on this computer's networks (a 1.5 s listen); `interfaces`:
   * how many networks were asked (0: none that can carry multicast).
   */
  nearbyAppliances: route('GET', '/api/appliances/nearby', {
    output: z.object({
      nearby: z.array(NearbyApplianceSchema),
      interfaces: z.number(),
      /** Discovery is turned off on this computer (MEDIANEST_MDNS=off): nothing was asked. */
      disabled: z.boolean().optional(),
    }),
  }),
  /** Pairs with an appliance using the code it shows; the certificate seen is pinned. */
  addAppliance: route('POST', '/api/appliances', {
    input: AddApplianceSchema,
    output: ApplianceSchema,
  }),
  /** Forgets an appliance, revoking this device there when it can be reached. */
  removeAppliance: route('POST', '/api/appliances/:id/remove', {
    input: z.object({ id: z.string().min(1) }),
    output: z.object({ removed: z.string(), revoked: z.boolean() }),
  }),
};
