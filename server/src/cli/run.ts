import { resolve } from 'node:path';
import { AppError } from '../core/app-error.js';
import { runDoctor } from '../core/doctor/doctor-service.js';
import { createDockerGateway } from '../infra/docker/dockerode-gateway.js';
import { configuredTargets } from '../core/settings/settings-repository.js';
import { ensureHome } from '../infra/fs/home.js';
import { openDatabase } from '../infra/store/database.js';
import { SqliteSettings } from '../infra/store/sqlite-settings.js';
import { NodeHostProbe } from '../infra/system/node-host-probe.js';
import { APP_VERSION } from '../version.js';
import { discoveryContext } from '../app/engine.js';
import { publishedPorts } from '../app/stack.js';
import { EXIT, resolveHome, type CliIo } from './io.js';
import { parseCommand, portOption, usage, UsageError, type ParsedCommand } from './args.js';
import { formatDoctorReport } from './doctor-output.js';
import { nodeHostOs } from '../infra/system/host-os.js';
import { messageOf } from '../contract/errors.js';

async function doctor(cmd: ParsedCommand, io: CliIo): Promise<number> {
  const paths = ensureHome(resolveHome(cmd, io));
  // Flags win; then what `init` configured; then the defaults.
  const db = openDatabase(paths.db);
  const configured = configuredTargets(new SqliteSettings(db));
  db.close();
  const httpPort = portOption(cmd.values['http-port'], 'http-port') ?? configured.httpPort ?? 80;
  const httpsPort =
    portOption(cmd.values['https-port'], 'https-port') ?? configured.httpsPort ?? 443;
  const dataDir =
    typeof cmd.values['data-dir'] === 'string'
      ? resolve(cmd.values['data-dir'])
      : (configured.dataDir ?? paths.dataDir);
  const probe = new NodeHostProbe();
  const report = await runDoctor(
    {
      discovery: discoveryContext(io.env, probe),
      probe,
      connect: createDockerGateway,
      now: () => new Date(),
      describeHost: () => nodeHostOs(io.env),
    },
    { dataDir, httpPort, httpsPort, ownPorts: await publishedPorts(io.env) },
  );
  io.stdout(cmd.values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return report.ready ? EXIT.ok : EXIT.failed;
}

/** Runs one CLI command and returns its exit code. Never exits the process itself. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let cmd: ParsedCommand;
  try {
    cmd = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`medianest-appliance: ${error.message}\n\n${usage()}`);
    return EXIT.usage;
  }
  if (cmd.values.help || cmd.verb === 'help') {
    io.stdout(usage());
    return EXIT.ok;
  }
  const home = () => ensureHome(resolveHome(cmd, io));
  try {
    // Each verb's module is loaded when that verb runs: `serve` starts without the backup,
    // images, secrets and support code (issue 22: start fast).
    switch (cmd.verb) {
      case 'doctor':
        return await doctor(cmd, io);
      case 'serve':
        return await (await import('./serve.js')).serve(cmd, io);
      case 'images':
        // `images check` reads the stack of a home; build and load need none.
        if (cmd.positionals[0] === 'check')
          return await (
            await import('./images-check-command.js')
          ).imagesCheckCommand(cmd, home(), io);
        return await (await import('./images-command.js')).imagesCommand(cmd, io);
      case 'logs':
        return await (await import('./logs-command.js')).logsCommand(cmd, home(), io);
      case 'support-bundle':
        return await (await import('./support-command.js')).supportCommand(cmd, home(), io);
      case 'init':
        return await (await import('./init-command.js')).initCommand(cmd, home(), io);
      case 'up':
      case 'down':
      case 'start':
      case 'stop':
      case 'restart':
      case 'status':
        return await (await import('./stack-commands.js')).stackCommand(cmd, home(), io);
      case 'secrets':
        return await (await import('./secrets-command.js')).secretsCommand(cmd, home(), io);
      case 'backup':
      case 'backups':
      case 'verify':
      case 'restore':
        return await (await import('./backup-command.js')).backupCommand(cmd, home(), io);
      case 'updates':
        return await (await import('./updates-command.js')).updatesCommand(cmd, home(), io);
      case 'update':
        return await (await import('./update-command.js')).updateCommand(cmd, home(), io);
      case 'app-release':
        return await (await import('./app-release-command.js')).appReleaseCommand(cmd, home(), io);
      case 'pair':
      case 'devices':
        return await (await import('./devices-command.js')).devicesCommand(cmd, home(), io);
      case 'appliances':
        return await (await import('./appliances-command.js')).appliancesCommand(cmd, home(), io);
      case 'version':
        io.stdout(cmd.values.json ? JSON.stringify({ version: APP_VERSION }) : APP_VERSION);
        return EXIT.ok;
      default:
        io.stderr(usage());
        return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`medianest-appliance: ${error.message}\n\n${usage()}`);
      return EXIT.usage;
    }
    if (error instanceof AppError) {
      // The API's error body: what a script reads from `--json` is what a client reads.
      if (cmd.values.json) {
        const { code, message, details } = error;
        io.stdout(JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }));
      }
      io.stderr(`medianest-appliance: ${error.message}`);
      return error.code === 'bad_request' || error.code === 'validation_failed'
        ? EXIT.usage
        : EXIT.failed;
    }
    const message = messageOf(error);
    io.stderr(`medianest-appliance: unexpected failure: ${message}`);
    return EXIT.failed;
  }
}
