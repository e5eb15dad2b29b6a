import { z } from 'zod';

/** A Linux distribution family we know how to install Docker on. */
export const DistroFamilySchema = z.enum(['debian', 'fedora', 'rhel', 'arch']);
export type DistroFamily = z.infer<typeof DistroFamilySchema>;

/** One command of an install plan: what it does, then the exact words it runs. */
export const InstallStepSchema = z.object({
  /** What the step does, in plain language ("Install Docker Engine"). */
  title: z.string(),
  /** The program and its arguments, exactly as run (never through a shell). */
  argv: z.array(z.string()).min(1),
  /** True when it needs administrator rights (run through pkexec, or `sudo` in a terminal). */
  privileged: z.boolean(),
});
export type InstallStep = z.infer<typeof InstallStepSchema>;

/** A product that provides a Docker engine on macOS or Windows, with its official page. */
export const EngineProductSchema = z.object({
  id: z.enum(['docker-desktop', 'rancher-desktop', 'orbstack', 'colima', 'podman-desktop']),
  name: z.string(),
  url: z.string(),
  /** One line on who it suits. */
  note: z.string(),
  /** Found on this computer (installed, not necessarily running). */
  installed: z.boolean(),
});
export type EngineProduct = z.infer<typeof EngineProductSchema>;

/**
 * How this computer gets a Docker engine, shown when none is reachable. `commands`: a Linux family
 * we can install on (the steps are shown before anything runs); `products`: macOS or Windows, where
 * the user installs an app; `manual`: a system we have no plan for, with the generic instructions.
 */
export const DockerInstallPlanSchema = z.object({
  kind: z.enum(['commands', 'products', 'manual']),
  /** The system as the user knows it ("Ubuntu 24.04.1 LTS", "macOS", "Windows"). */
  system: z.string(),
  family: DistroFamilySchema.optional(),
  /** The one thing to do, in a sentence. */
  summary: z.string(),
  steps: z.array(InstallStepSchema),
  /** The same steps as lines to paste in a terminal (with `sudo` where a non-root user needs it). */
  script: z.string(),
  /** Why the docker group step is there and what membership means; absent when not needed. */
  groupNote: z.string().optional(),
  products: z.array(EngineProductSchema),
  /** Docker's own installation page for this system. */
  docsUrl: z.string(),
});
export type DockerInstallPlan = z.infer<typeof DockerInstallPlanSchema>;

/** The engine watcher saw an engine answer where none did. */
export const EngineAppearedSchema = z.object({
  type: z.literal('engine.appeared'),
  endpoint: z.string(),
  at: z.string(),
});

/** The engine that answered stopped answering (or was removed). */
export const EngineWentAwaySchema = z.object({
  type: z.literal('engine.went-away'),
  endpoint: z.string().optional(),
  at: z.string(),
});
