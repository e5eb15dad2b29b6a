/**
 * The tray area: core's tray projection on the bus, the one publisher of `tray.changed` (this
 * computer) and `tray.overall` (with each paired appliance's state, for the desktop's icon).
 */
import type { TrayChanged } from '../contract/tray.js';
import type { AlertsService } from '../core/alerts/alerts-service.js';
import { trayProjection } from '../core/health/tray-projection.js';
import { trayFromHealth, trayWithAlerts } from '../core/health/tray-state.js';
import { overallTray } from '../core/remote/overall-tray.js';
import type { RemoteState } from '../core/remote/remote-watch.js';
import { mediaNestUrl } from '../core/settings/stack-settings.js';
import type { AppContext } from './context.js';

type Firing = Pick<AlertsService, 'firing'>;

/** The tray as it is now (for `GET /api/tray`): the health snapshot with the firing alerts. */
export function currentTray(ctx: AppContext, alerts: Firing): TrayChanged {
  return trayWithAlerts(
    trayFromHealth(ctx.health(), mediaNestUrl(ctx.stackConfig.read())),
    alerts.firing(),
  );
}

/** Follows the bus until the returned function is called. */
export function followTray(
  ctx: AppContext,
  alerts: Firing,
  remotes: () => RemoteState[] = () => [],
): () => void {
  const project = trayProjection({
    health: ctx.health,
    mediaNestUrl: () => mediaNestUrl(ctx.stackConfig.read()),
    firing: () => alerts.firing(),
  });
  let local: TrayChanged | undefined;
  return ctx.subscribe((event) => {
    const tray = project(event);
    if (tray) {
      local = tray;
      ctx.publish(tray);
    }
    if (tray || event.type === 'appliance.changed') {
      ctx.publish(overallTray(local ?? currentTray(ctx, alerts), remotes()));
    }
  });
}
