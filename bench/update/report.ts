/** What bench/update prints: every run, the medians, the ratios and the target check. */
import type { Outage, Sample } from './probe.js';
import type { Said } from './stacks.js';

export interface RunResult {
  readonly kind: string;
  readonly run: number;
  readonly outage: Outage;
  /** What the client got, request by request. */
  readonly samples: readonly Sample[];
  /** How long the update's command took (compose: pull and up -d together). */
  readonly commandMs: number;
  readonly pullMs?: number;
  /** The command exited 0. */
  readonly ok: boolean;
  /** Why it did not. */
  readonly note?: string;
  /** Records, files and keys as before the update (asked only when v2 answered). */
  readonly intact: boolean | undefined;
  /** Our update's progress lines, or what docker-compose said, with when they came. */
  readonly progress?: Said['lines'];
  /** The backend's last log line when v2 never answered. */
  readonly backendSaid?: string;
}

/** The steps of our update, named by the progress line that starts each. */
const STEPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Preflight/, 'preflight (v1 still serving; pulls v2)'],
  [/^Stopping the app/, 'stopping the app (the backend)'],
  [/^Safety snapshot/, 'safety snapshot'],
  [/^Rendering the stack/, 'rendering the new images'],
  [/^Migrations, new containers/, 'migrations, recreate, health gate'],
  [/^Checking that the new version answers/, 'answer check from nginx'],
  [/^Committing/, 'commit'],
  [/^Updated/, ''],
];

/** Milliseconds per step, from when each progress line came. */
export function stepTimes(lines: Said['lines']): Map<string, number> {
  const times = new Map<string, number>();
  let current: { name: string; at: number } | undefined;
  for (const line of lines) {
    const text = /^\[\s*\d+%\] (.*)$/.exec(line.text)?.[1];
    const step = text === undefined ? undefined : STEPS.find(([re]) => re.test(text))?.[1];
    if (step === undefined || step === current?.name) continue;
    if (current) times.set(current.name, (times.get(current.name) ?? 0) + line.at - current.at);
    current = step ? { name: step, at: line.at } : undefined;
  }
  return times;
}

/**
 * How long the migrate job ran (its first line after "Migrations, new containers" to its `ready`):
 * compose runs it while v1 still serves; ours, after the snapshot with the app stopped (section 2
 * of the issue: nothing written between the snapshot and the update).
 */
export function migrationTime(lines: Said['lines']): number | undefined {
  const migrate = lines.filter((l) => /^\s+migrate\s+\S/.test(l.text));
  const ready = migrate.find((l) => /^\s+migrate\s+ready/.test(l.text));
  return ready && migrate[0] ? ready.at - migrate[0].at : undefined;
}

const secs = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? 'never' : `${(ms / 1000).toFixed(1)} s`;

/** Median; a run where v2 never answered counts as longer than any other. */
function median(values: ReadonlyArray<number | undefined>): number | undefined {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length / 2;
  const m =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Number.isFinite(m) ? m : undefined;
}

function runLine(r: RunResult): string {
  const o = r.outage;
  const failures = o.failures.map(([status, n]) => `${status} x${n}`).join(', ');
  const parts = [
    `downtime ${secs(o.downtimeMs)}`,
    `failed ${secs(o.failedMs)} in ${o.outages} outage${o.outages === 1 ? '' : 's'}${failures ? ` (${failures})` : ''}`,
    `command ${secs(r.commandMs)}${r.pullMs !== undefined ? ` (pull ${secs(r.pullMs)})` : ''}${r.ok ? '' : ' FAILED'}`,
  ];
  if (r.kind === 'ours' && r.progress)
    parts.push(`snapshot ${secs(stepTimes(r.progress).get('safety snapshot'))}`);
  if (o.oldAfterFailure > 0)
    parts.push(`v1 answered ${o.oldAfterFailure}x after the first failure`);
  if (r.intact !== undefined) parts.push(r.intact ? 'data intact' : 'DATA CHANGED');
  let line = `  run ${r.run} ${r.kind.padEnd(16)} ${parts.join('; ')}`;
  if (r.note) line += `\n      ${r.note.split('\n').slice(-3).join('\n      ')}`;
  if (r.backendSaid) line += `\n      backend's last line: ${r.backendSaid}`;
  return line;
}

export function printSummary(results: readonly RunResult[], runs: number): void {
  const of = (kind: string): RunResult[] => results.filter((r) => r.kind === kind);
  const kinds = [...new Set(results.map((r) => r.kind))];
  console.log(
    `bench/update: backend v1 -> v2, GET /api/health through nginx every 100 ms, ${runs} run${runs === 1 ? '' : 's'} each, interleaved`,
  );
  for (const r of results) console.log(runLine(r));
  console.log('medians:');
  const downtime = new Map<string, number | undefined>();
  for (const kind of kinds) {
    const rs = of(kind);
    const d = median(rs.map((r) => r.outage.downtimeMs));
    downtime.set(kind, d);
    const never = rs.filter((r) => r.outage.downtimeMs === undefined).length;
    console.log(
      `  ${kind.padEnd(16)} downtime ${secs(d)}, failed ${secs(median(rs.map((r) => r.outage.failedMs)))}, command ${secs(median(rs.map((r) => r.commandMs)))}${never ? `; v2 never answered in ${never} of ${rs.length} runs` : ''}`,
    );
  }
  const ours = of('ours');
  if (ours.length === 0) return;
  const steps = ours.map((r) => stepTimes(r.progress ?? []));
  const snapshot = median(steps.map((s) => s.get('safety snapshot')));
  console.log(`  our safety snapshot's own time: ${secs(snapshot)}`);
  const migrations = median(ours.map((r) => migrationTime(r.progress ?? [])));
  console.log(
    `  our migrations' own time: ${secs(migrations)} (compose runs them while v1 still serves)`,
  );
  console.log('  where our update went:');
  for (const [, name] of STEPS.filter(([, n]) => n)) {
    console.log(`    ${secs(median(steps.map((s) => s.get(name) ?? 0))).padStart(8)}  ${name}`);
  }
  const mine = downtime.get('ours');
  for (const kind of kinds.filter((k) => k !== 'ours')) {
    const theirs = downtime.get(kind);
    if (theirs === undefined) {
      const served = ours.filter((r) => r.outage.downtimeMs !== undefined).length;
      console.log(
        `  ${kind}: v2 never answered in most runs (the backend's last line says why), so no ratio and no target to compare; ours ended with v2 serving in ${served} of ${ours.length} runs`,
      );
      continue;
    }
    if (mine === undefined || snapshot === undefined) {
      console.log(`  ${kind}: ours never answered v2, so no ratio`);
      continue;
    }
    const met = mine <= theirs + snapshot;
    const ratio = theirs > 0 ? `${(mine / theirs).toFixed(1)}x` : `not defined (${kind} 0 s)`;
    console.log(
      `  ratio ours/${kind}: ${ratio}; target ours <= ${kind} + snapshot: ${secs(mine)} <= ${secs(theirs)} + ${secs(snapshot)} = ${secs(theirs + snapshot)}: ${met ? 'met' : 'NOT met'}`,
    );
    if (!met && migrations !== undefined)
      console.log(
        `    with the migrations too: ${secs(mine)} <= ${secs(theirs + snapshot + migrations)}: ${mine <= theirs + snapshot + migrations ? 'met' : 'not met'}`,
      );
  }
}
