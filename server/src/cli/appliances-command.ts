/**
 * `appliances` (issue 21 §2-4): the appliances this desktop manages, from its terminal. The same
 * list, sealing and pinned connections as the desktop's server (app/remote.ts), on the same home.
 * The desktop app seals tokens with the OS keychain, which a terminal cannot open: its appliances
 * are listed, and reaching one says to pair it again here.
 */
import { TrayChangedSchema, type TrayState } from '../contract/tray.js';
import type { RemoteAppliances } from '../core/remote/remote-appliances.js';
import { messageOf } from '../contract/errors.js';
import type { HomePaths } from '../infra/fs/home.js';
import { createRemoteArea } from '../app/remote.js';
import { UsageError, type ParsedCommand } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { textTable } from './text-table.js';

const USAGE =
  'appliances [--json] | appliances add ADDRESS CODE [--name NAME] | appliances forget ID | appliances nearby [--json]';

/** Its tray state now, or unknown with why (one request, over the pinned certificate). */
async function stateOf(
  appliances: RemoteAppliances,
  id: string,
): Promise<{ state: TrayState; problem?: string }> {
  try {
    const answer = await appliances.forward(id, {
      method: 'GET',
      path: '/api/tray',
      headers: { accept: 'application/json' },
    });
    let text = '';
    for await (const chunk of answer.body) text += String(chunk);
    if (answer.status === 401)
      return { state: 'unknown', problem: 'refuses this device: pair it again' };
    const tray = TrayChangedSchema.safeParse(JSON.parse(text));
    return tray.success
      ? { state: tray.data.state }
      : { state: 'unknown', problem: `answered ${answer.status}` };
  } catch (error) {
    return { state: 'unknown', problem: messageOf(error) };
  }
}

export async function appliancesCommand(
  cmd: ParsedCommand,
  paths: HomePaths,
  io: CliIo,
): Promise<number> {
  const [action, first, second, ...rest] = cmd.positionals;
  const json = cmd.values.json === true;
  const name = typeof cmd.values.name === 'string' ? cmd.values.name : undefined;
  const { appliances } = createRemoteArea({ paths, publish: () => undefined, env: io.env });
  switch (action) {
    case undefined: {
      const list = appliances.list();
      const states = await Promise.all(list.map((a) => stateOf(appliances, a.id)));
      const rows = list.map((a, i) => ({ ...a, ...(states[i] ?? { state: 'unknown' as const }) }));
      if (json) io.stdout(JSON.stringify({ appliances: rows }, null, 2));
      else if (rows.length === 0)
        io.stdout(
          'No appliance is paired. `appliances add ADDRESS CODE` pairs one (`pair` on it shows the code).',
        );
      else
        io.stdout(
          textTable(
            ['ID', 'NAME', 'ADDRESS', 'STATE'],
            rows.map((r) => [
              r.id,
              r.name,
              r.address,
              r.problem ? `${r.state}: ${r.problem}` : r.state,
            ]),
          ),
        );
      return EXIT.ok;
    }
    case 'add': {
      if (!first || !second || rest.length > 0)
        throw new UsageError(`appliances add takes ADDRESS CODE; ${USAGE}`);
      const added = await appliances.add({
        address: first,
        code: second,
        ...(name ? { name } : {}),
      });
      io.stdout(
        json
          ? JSON.stringify(added)
          : [
              `paired ${added.name} (${added.address}) as ${added.id}`,
              `certificate SHA-256 ${added.fingerprint} (pinned)`,
            ].join('\n'),
      );
      return EXIT.ok;
    }
    case 'forget': {
      if (!first || second)
        throw new UsageError(`appliances forget takes the appliance id; ${USAGE}`);
      const { revoked } = await appliances.remove(first);
      io.stdout(
        revoked
          ? `forgot ${first}; this computer is revoked there`
          : `forgot ${first}; it could not be reached: revoke this computer there (devices revoke)`,
      );
      return EXIT.ok;
    }
    case 'nearby': {
      if (first) throw new UsageError(`appliances nearby takes no arguments; ${USAGE}`);
      const { nearby, interfaces, disabled } = await appliances.nearby();
      if (json) io.stdout(JSON.stringify({ nearby, interfaces, disabled }, null, 2));
      else if (nearby.length === 0)
        io.stdout(
          disabled
            ? 'LAN discovery is turned off here (MEDIANEST_MDNS=off): add the appliance by its address.'
            : interfaces === 0
              ? 'No network here can carry the question (multicast): add the appliance by its address.'
              : 'No appliance answered on this network (another subnet, or multicast blocked): add it by its address.',
        );
      else
        io.stdout(
          textTable(
            ['NAME', 'ADDRESS', 'CERTIFICATE', 'PAIRED'],
            nearby.map((n) => [
              n.name,
              n.address,
              n.fingerprintPrefix ?? '-',
              n.paired ? 'yes' : 'no',
            ]),
          ),
        );
      return EXIT.ok;
    }
    default:
      throw new UsageError(`appliances: unknown action "${action}"; ${USAGE}`);
  }
}
