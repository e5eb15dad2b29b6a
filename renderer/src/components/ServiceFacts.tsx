import { portsInWords, portsTooltip } from './port-words';

/**
 * Facts a service card and a service page both show, each with what it means on hover: one
 * wording for both, so the two never explain the same figure differently.
 */
export function UptimeFacts({ upFor, restarts }: { upFor: string; restarts: number | string }) {
  return (
    <>
      <dt>Up for</dt>
      <dd title="Time since the service last started.">{upFor}</dd>
      <dt>Restarts</dt>
      <dd title="How often Docker restarted it after it stopped by itself. A rising number means it keeps failing.">
        {restarts}
      </dd>
    </>
  );
}

/** Who can reach the service's published ports, in words; `—` while the engine cannot be asked. */
export function PortsFact({
  ports,
  unknown = false,
}: {
  ports: readonly string[];
  unknown?: boolean;
}) {
  return (
    <>
      <dt>Ports</dt>
      <dd title={portsTooltip(ports)} data-field="ports">
        {unknown
          ? '—'
          : ports.length
            ? portsInWords(ports).join('; ')
            : 'Not reachable from other devices'}
      </dd>
    </>
  );
}
