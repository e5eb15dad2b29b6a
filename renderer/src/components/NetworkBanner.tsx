import { useAppStore } from '../state/app-store';

/**
 * A server started with `--insecure-plain-http` beyond loopback: said above every page, signed in
 * or not, because the password and the session cross the network in clear text.
 */
export function NetworkBanner() {
  const network = useAppStore((s) => s.network);
  if (network?.transport !== 'plain-http') return null;
  return (
    <p className="banner banner-fail" role="alert" data-banner="plain-http">
      <strong>Not encrypted.</strong> This server was started with{' '}
      <code>--insecure-plain-http</code>: the admin password and this browser&rsquo;s session, which
      can do anything Docker can on that machine, cross the network in clear text. Restart{' '}
      <code>serve</code> without that flag to use HTTPS.
    </p>
  );
}
