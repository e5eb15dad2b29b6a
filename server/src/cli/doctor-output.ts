import { formatInstallPlan } from './install-plan-output.js';
import type { CheckStatus, DoctorReport } from '../contract/doctor.js';

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** The doctor report as a person reads it in a terminal. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = ['MediaNest Appliance: preflight', ''];
  for (const check of report.checks) {
    lines.push(`  [${MARK[check.status]}] ${check.title.padEnd(width)}  ${check.summary}`);
    const fix = check.cliFix ?? check.fix;
    if (fix) lines.push(`  ${' '.repeat(7 + width)}  -> ${fix}`);
  }
  lines.push('');
  if (report.installPlan) lines.push(formatInstallPlan(report.installPlan), '');
  lines.push(
    report.ready
      ? 'Ready: this computer can run MediaNest.'
      : 'Not ready: fix the failed checks above, then run `medianest-appliance doctor` again.',
  );
  return lines.join('\n');
}
