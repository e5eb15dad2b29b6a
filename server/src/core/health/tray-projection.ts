import type { DomainEvent } from '../../contract/events.js';
import type { StackHealth } from '../../contract/health.js';
import type { TrayChanged } from '../../contract/tray.js';
import { trayFromHealth, trayWithAlerts } from './tray-state.js';

export interface TrayInputs {
  /** The health monitor's snapshot. */
  health: () => StackHealth;
  /** Where MediaNest answers (from the settings), for the tray's "open in browser". */
  mediaNestUrl: () => string | undefined;
  /** The alerts firing now (acknowledged ones included: trayWithAlerts leaves those out). */
  firing: () => ReadonlyArray<{ title: string; acknowledgedAt: string | null }>;
}

/**
 * The one author of `tray.changed`: the stack's status (with its services' health) and the firing
 * alerts, folded into what the tray shows. Fed every domain event; returns the tray to publish
 * when the event changes it: a new overall status, or an alert fired, resolved or acknowledged
 * once a status is known.
 */
export function trayProjection(
  inputs: TrayInputs,
): (event: DomainEvent) => TrayChanged | undefined {
  let base: TrayChanged | undefined;
  return (event) => {
    if (event.type === 'stack.status-changed') {
      base = trayFromHealth(inputs.health(), inputs.mediaNestUrl());
    } else if (event.type !== 'alert.changed' || !base) {
      return undefined;
    }
    return trayWithAlerts(base, inputs.firing());
  };
}
