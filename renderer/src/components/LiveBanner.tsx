import { Link } from '../router';
import { useAppStore } from '../state/app-store';
import { useLiveStore } from '../state/live-store';

/**
 * What is wrong with the connection right now, and what to do, above every page: the server not
 * answering, the live stream reconnecting, the Docker engine down. Nothing when all is well.
 */
export function LiveBanner() {
  const connection = useAppStore((s) => s.connection);
  const stream = useLiveStore((s) => s.stream);
  const streamDetail = useLiveStore((s) => s.streamDetail);
  const health = useLiveStore((s) => s.health);
  const loadError = useLiveStore((s) => s.loadError);

  if (connection.state === 'lost') {
    return (
      <p className="banner banner-fail" role="status" data-banner="server">
        <strong>The appliance server is not answering.</strong> Retrying every few seconds. If it
        does not come back, start it again (reopen the app, or restart the appliance on the computer
        that runs it).
      </p>
    );
  }
  if (stream === 'reconnecting') {
    return (
      <p className="banner banner-warn" role="status" data-banner="stream">
        <strong>Live updates: reconnecting…</strong> What you see may be out of date until the
        connection is back{streamDetail ? ` (${streamDetail})` : ''}.
      </p>
    );
  }
  if (stream === 'refused') {
    return (
      <p className="banner banner-fail" role="status" data-banner="stream">
        <strong>Live updates are off.</strong> {streamDetail ?? 'Sign in again.'}
      </p>
    );
  }
  if (health?.status === 'unknown') {
    return (
      <p className="banner banner-fail" role="status" data-banner="engine">
        <strong>Docker is not running or cannot be reached.</strong> MediaNest’s services cannot be
        checked, started or stopped until it is back. This page updates by itself once it answers.{' '}
        <Link href="/setup">Set up Docker: what is wrong and how to fix it</Link>
      </p>
    );
  }
  if (loadError) {
    return (
      <p className="banner banner-warn" role="status" data-banner="load">
        <strong>Some information could not be loaded:</strong> {loadError}
      </p>
    );
  }
  return null;
}
