import type { JobRunner } from '../core/jobs/job-runner.js';
import type { InterfaceAddress } from '../core/settings/medianest-address.js';
import { mediaNestAddress } from '../core/settings/medianest-address.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import type { StackProgress } from '../contract/stack.js';
import type { StackConfig } from '../core/stack/config.js';
import type { RouteHandlers } from './routes.js';

export interface SettingsRouteDeps {
  settings: () => SettingsService;
  runner: JobRunner;
  /** Brings the stack to the rendered settings (the stack's up), reporting into the job. */
  reconcile: (
    config: StackConfig,
    jobId: string,
    onProgress?: (progress: StackProgress) => void,
  ) => Promise<unknown>;
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
      const preview = await service.preview(settings);
      // A first install adds every service; over an existing stack the unchanged ones count too,
      // as they report in.
      const expected = preview.services.added.length + preview.services.recreated.length;
      const { jobId } = deps.runner.start('install', async (ctx) => {
        ctx.progress('generating secrets and rendering the stack', 5);
        const ready = new Set<string>();
        const seen = new Set<string>();
        // The bar moves with the services that are up, from 20 % (pulled) to 95 %.
        const onProgress = (progress: StackProgress): void => {
          if (progress.type !== 'stack.service-progressed') return;
          seen.add(progress.service);
          if (progress.action !== 'ready' && progress.action !== 'unchanged') return;
          ready.add(progress.service);
          const total = Math.max(expected, seen.size);
          ctx.progress(
            `${ready.size} of ${total} services ready`,
            20 + Math.round((75 * ready.size) / total),
          );
        };
        await service.install(
          settings,
          (config) => {
            ctx.progress('pulling images and starting services', 20);
            return deps.reconcile(config, ctx.jobId, onProgress);
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
