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
  // What still asks for the user's attention: an acknowledged alert keeps firing, but was seen.
  const alerts = useLiveStore((s) => s.firing.filter((a) => a.acknowledgedAt === null).length);
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {ITEMS.map((item) => (
          <li key={item.href}>
            <Link href={item.href}>
              {item.label}
              {item.href === '/alerts' && alerts > 0 && (
                <span className="count" aria-label={`${alerts} not acknowledged`}>
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
