import { Link } from '../router';
import { useLiveStore } from '../state/live-store';

const ITEMS = [
  { href: '/', label: 'Dashboard' },
  { href: '/logs', label: 'Logs' },
  { href: '/backups', label: 'Backups' },
  { href: '/settings', label: 'Settings' },
  { href: '/alerts', label: 'Alerts' },
] as const;

export function NavBar() {
  const alerts = useLiveStore((s) => s.firing.length);
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {ITEMS.map((item) => (
          <li key={item.href}>
            <Link href={item.href}>
              {item.label}
              {item.href === '/alerts' && alerts > 0 && (
                <span className="count" aria-label={`${alerts} firing`}>
                  {alerts}
                </span>
              )}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
