import type { JobRunner } from '../core/jobs/job-runner.js';
import type { InterfaceAddress } from '../core/settings/medianest-address.js';
import { mediaNestAddress } from '../core/settings/medianest-address.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import type { StackConfig } from '../core/stack/config.js';
import type { RouteHandlers } from './routes.js';

export interface SettingsRouteDeps {
  settings: () => SettingsService;
  runner: JobRunner;
  /** Brings the stack to the rendered settings (the stack's up), reporting into the job. */
  reconcile: (config: StackConfig, jobId: string) => Promise<unknown>;
  /** Takes down what a failed first install started (containers, networks; never data). */
  teardown: (jobId: string) => Promise<unknown>;
  /** This computer's network addresses, read on each call (a laptop changes networks). */
  interfaces: () => InterfaceAddress[];
}

type SettingsHandlers = Pick<
  RouteHandlers,
  'settings' | 'mediaNestAddress' | 'settingsPreview' | 'settingsApply' | 'install'
>;

export function settingsHandlers(deps: SettingsRouteDeps): SettingsHandlers {
  return {
    settings: async () => deps.settings().current(),
    mediaNestAddress: async () => ({
      address: mediaNestAddress(deps.settings().current(), deps.interfaces()) ?? null,
    }),
    settingsPreview: async ({ changes }) => deps.settings().preview(changes),
    settingsApply: async ({ changes }) => {
      const service = deps.settings();
      // Refused input answers 422 now, per field, before a job starts.
      await service.preview(changes);
      const { jobId } = deps.runner.start('settings', async (ctx) => {
        ctx.progress('rendering the new settings');
        await service.apply(changes, (config) => {
          ctx.progress('applying them to the stack');
          return deps.reconcile(config, ctx.jobId);
        });
        ctx.progress('done', 100);
      });
      return { jobId, kind: 'settings' };
    },
    install: async ({ settings }) => {
      const service = deps.settings();
      await service.preview(settings);
      const { jobId } = deps.runner.start('install', async (ctx) => {
        ctx.progress('generating secrets and rendering the stack', 5);
        await service.install(
          settings,
          (config) => {
            ctx.progress('pulling images and starting services', 20);
            return deps.reconcile(config, ctx.jobId);
          },
          () => {
            ctx.progress('removing what this install created');
            return deps.teardown(ctx.jobId);
          },
        );
        ctx.progress('MediaNest is running', 100);
      });
      return { jobId, kind: 'install' };
    },
  };
}
