import type { DockerInstallPlan } from '../contract/docker-setup.js';

/**
 * The install plan for a terminal. The CLI and the headless server never run privileged commands:
 * they print them for the user to paste.
 */
export function formatInstallPlan(plan: DockerInstallPlan): string {
  const lines = [`How to get Docker on ${plan.system}:`];
  if (plan.kind === 'commands') {
    lines.push('  Run these in a terminal (they need administrator rights):', '');
    for (const line of plan.script.split('\n')) lines.push(`    ${line}`);
    lines.push('');
    if (plan.groupNote) lines.push(`  About the docker group: ${plan.groupNote}`);
  } else if (plan.kind === 'products') {
    lines.push(`  ${plan.summary}`);
    for (const product of plan.products) {
      const mark = product.installed ? ' (installed)' : '';
      lines.push(`    - ${product.name}${mark}: ${product.url}`);
      lines.push(`      ${product.note}`);
    }
  } else {
    lines.push(`  ${plan.summary}`);
  }
  lines.push(`  Docker's own instructions: ${plan.docsUrl}`);
  return lines.join('\n');
}
