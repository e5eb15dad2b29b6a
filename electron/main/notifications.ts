/**
 * OS notifications for alerts (`alert.raised`) and for the "update ready" state. Clicking an alert
 * opens its page in the app's window.
 */
import type { AlertRaised } from '../../server/src/contract/tray.js';

export interface OsNotification {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}

export interface NotificationOptions {
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
}

export interface NotificationSurface {
  isSupported(): boolean;
  create(options: NotificationOptions): OsNotification;
}

export interface Notifier {
  alert(alert: AlertRaised): void;
  /** A plain notice; `onClick` runs when the user clicks it. */
  notice(title: string, body: string, onClick?: () => void): void;
}

const URGENCY: Record<AlertRaised['severity'], NotificationOptions['urgency']> = {
  info: 'low',
  warning: 'normal',
  critical: 'critical',
};

export function createNotifier(deps: {
  surface: NotificationSurface;
  openPage: (path: string) => void;
}): Notifier {
  // Electron drops a notification once nothing references it, and its click with it.
  const shown = new Set<OsNotification>();
  const show = (options: NotificationOptions, onClick?: () => void): void => {
    if (!deps.surface.isSupported()) return;
    const notification = deps.surface.create(options);
    shown.add(notification);
    notification.on('click', () => {
      shown.delete(notification);
      onClick?.();
    });
    notification.show();
    // Keep at most the last few; older ones have left the screen.
    if (shown.size > 20) shown.delete(shown.values().next().value as OsNotification);
  };
  return {
    alert(alert) {
      show({ title: alert.title, body: alert.message, urgency: URGENCY[alert.severity] }, () =>
        deps.openPage(alert.page),
      );
    },
    notice(title, body, onClick) {
      show({ title, body, urgency: 'normal' }, onClick);
    },
  };
}
