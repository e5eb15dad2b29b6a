import { describe, expect, it, vi } from 'vitest';
import type { AlertRaised } from '../../server/src/contract/tray.js';
import { FakeEmitter } from './fakes.test-support.js';
import { createNotifier, type NotificationOptions } from './notifications.js';

class FakeNotification extends FakeEmitter {
  shown = false;
  constructor(readonly options: NotificationOptions) {
    super();
  }
  show(): void {
    this.shown = true;
  }
}

const alert: AlertRaised = {
  type: 'alert.raised',
  alertId: 'a1',
  severity: 'critical',
  title: 'PostgreSQL is down',
  message: 'The database stopped answering its health check.',
  page: '/services/postgres',
};

function setup(supported = true) {
  const created: FakeNotification[] = [];
  const openPage = vi.fn();
  const notifier = createNotifier({
    surface: {
      isSupported: () => supported,
      create: (options) => {
        const notification = new FakeNotification(options);
        created.push(notification);
        return notification;
      },
    },
    openPage,
  });
  return { notifier, created, openPage };
}

describe('notifications', () => {
  it('shows an alert as an OS notification with its urgency', () => {
    const { notifier, created } = setup();
    notifier.alert(alert);
    expect(created[0]?.options).toEqual({
      title: 'PostgreSQL is down',
      body: 'The database stopped answering its health check.',
      urgency: 'critical',
    });
    expect(created[0]?.shown).toBe(true);
  });

  it("opens the alert's page when clicked", () => {
    const { notifier, created, openPage } = setup();
    notifier.alert(alert);
    expect(openPage).not.toHaveBeenCalled();
    created[0]?.emit('click');
    expect(openPage).toHaveBeenCalledWith('/services/postgres');
  });

  it('shows nothing where the OS has no notifications', () => {
    const { notifier, created } = setup(false);
    notifier.alert(alert);
    notifier.notice('Update ready', 'Version 0.2.0');
    expect(created).toHaveLength(0);
  });
});
