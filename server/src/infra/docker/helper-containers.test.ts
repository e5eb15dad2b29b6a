import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { helperLabels, makerGone, removeAbandonedHelpers } from './helper-containers.js';

/** A process that has run and ended: its pid names nobody now. */
const deadPid = (): number => {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  if (!pid) throw new Error('no child');
  return pid;
};

/** An engine holding these helpers; records what is removed. */
function engine(helpers: Array<Partial<Docker.ContainerInfo>>): {
  docker: Docker;
  removed: string[];
} {
  const removed: string[] = [];
  const docker = {
    listContainers: async (options: { filters: { label: string[] } }) =>
      helpers.filter((c) =>
        options.filters.label.every((l) => {
          const [key, value] = l.split('=');
          return c.Labels?.[key ?? ''] === value;
        }),
      ),
    getContainer: (id: string) => ({ remove: async () => void removed.push(id) }),
  } as unknown as Docker;
  return { docker, removed };
}

const now = Math.floor(Date.now() / 1000);
const reader = (
  id: string,
  owner: string,
  extra: Partial<Docker.ContainerInfo> = {},
): Partial<Docker.ContainerInfo> => ({
  Id: id,
  State: 'created',
  Created: now,
  Labels: { ...helperLabels('image-reader'), 'org.medianest.appliance.owner': owner },
  ...extra,
});

describe('helper containers a killed process left', () => {
  it('knows a gone process of this machine from a running one, and trusts other machines', () => {
    expect(makerGone(`${hostname()}:${deadPid()}`)).toBe(true);
    expect(makerGone(`${hostname()}:${process.pid}`)).toBe(false);
    expect(makerGone(`another-host:${deadPid()}`)).toBe(false);
    expect(makerGone(undefined)).toBe(false);
    expect(makerGone('no-pid')).toBe(false);
  });

  it("removes a gone maker's readers at once, another machine's only once they are old", async () => {
    const { docker, removed } = engine([
      reader('killed', `${hostname()}:${deadPid()}`),
      reader('in-use-here', `${hostname()}:${process.pid}`),
      reader('in-use-elsewhere', `another-host:${deadPid()}`),
      reader('old-elsewhere', `another-host:1`, { Created: now - 3600 }),
    ]);
    await removeAbandonedHelpers(docker, 'image-reader');
    expect(removed).toEqual(['killed', 'old-elsewhere']);
  });

  it('removes an ownership fixer only when its maker is gone, however old', async () => {
    const fixer = (id: string, owner: string): Partial<Docker.ContainerInfo> => ({
      Id: id,
      State: 'running',
      Created: now - 3600,
      Labels: { ...helperLabels('ownership-helper'), 'org.medianest.appliance.owner': owner },
    });
    const { docker, removed } = engine([
      fixer('killed', `${hostname()}:${deadPid()}`),
      fixer('long-chown', `${hostname()}:${process.pid}`),
      fixer('remote', 'another-host:1'),
    ]);
    await removeAbandonedHelpers(docker, 'ownership-helper');
    expect(removed).toEqual(['killed']);
  });
});
