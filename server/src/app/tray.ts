/** The tray area: core's tray projection on the bus, the one publisher of `tray.changed`. */
import type { AlertsService } from '../core/alerts/alerts-service.js';
import { trayProjection } from '../core/health/tray-projection.js';
import { mediaNestUrl } from '../core/settings/stack-settings.js';
import type { AppContext } from './context.js';

/** Follows the bus until the returned function is called. */
export function followTray(ctx: AppContext, alerts: Pick<AlertsService, 'firing'>): () => void {
  const project = trayProjection({
    health: ctx.health,
    mediaNestUrl: () => mediaNestUrl(ctx.stackConfig.read()),
    firing: () => alerts.firing(),
  });
  return ctx.subscribe((event) => {
    const tray = project(event);
    if (tray) ctx.publish(tray);
  });
}
