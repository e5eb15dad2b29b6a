import type Docker from 'dockerode';

/**
 * Removes everything of one compose project from the engine: its containers (with their anonymous
 * volumes), networks and labelled volumes. Tests call it before (leftovers of an interrupted run)
 * and after; they each use their own project name, so they never touch another's stack.
 */
export async function removeComposeProject(docker: Docker, project: string): Promise<void> {
  const label = `com.docker.compose.project=${project}`;
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true });
  }
  for (const n of await docker.listNetworks({ filters: { label: [label] } })) {
    await docker.getNetwork(n.Id).remove();
  }
  const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
  for (const v of Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  }
}
