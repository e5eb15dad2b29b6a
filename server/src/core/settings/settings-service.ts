import { posix } from 'node:path';
import { parse } from 'yaml';
import { AppError } from '../app-error.js';
import type { FileSystem } from '../file-system.js';
import type { ComposeFile } from '../stack/compose-model.js';
import { parseStackConfig, type StackConfig } from '../stack/config.js';
import { initStack } from '../stack/init-service.js';
import { composeToYaml, renderStack } from '../stack/render.js';
import type { StackLocation } from '../stack/stack-files.js';
import { firstInstallFailed, pathsAnInstallWouldCreate, removeCreated } from './first-install.js';
import { lineDiff, type DiffLine } from './line-diff.js';
import { STACK_CONFIG_KEY, type ForgettingSettingsRepository } from './settings-repository.js';
import { stackConfigStore } from './stack-settings.js';
import { messageOf } from '../../contract/errors.js';

export interface SettingsPreview {
  config: Omit<StackConfig, 'plex'>;
  /** What changes in the rendered compose file. */
  diff: DiffLine[];
  services: { recreated: string[]; added: string[]; removed: string[] };
}

export interface SettingsDeps {
  fs: FileSystem;
  settings: ForgettingSettingsRepository;
  now: () => Date;
}

type Changes = Record<string, unknown>;

/** The Plex values are secrets: kept in the secret files, never in the database. */
function storable(config: StackConfig): Omit<StackConfig, 'plex'> {
  const { plex: _plex, ...rest } = config;
  return rest;
}

/**
 * Settings of the stack: previewed (what the compose file and which services change) before they
 * are applied, applied by re-rendering and reconciling only what changed, and rolled back to the
 * previous rendered project when the change does not come up healthy.
 */
/**
 * The stored settings with `changes` laid over them; a field given as `null` is cleared (back to its
 * default), e.g. `{ domain: null }` to go back to local only. JSON has no `undefined`.
 */
export function withChanges(current: Changes, changes: Changes): Changes {
  const next: Changes = { ...current };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next;
}

export class SettingsService {
  constructor(
    private readonly deps: SettingsDeps,
    private readonly location: StackLocation,
  ) {}

  current(): Changes {
    return stackConfigStore(this.deps.settings).read() ?? {};
  }

  /** The settings that `changes` would give, validated (every bad field named) without writing anything. */
  proposed(changes: Changes): StackConfig {
    return parseStackConfig(withChanges(this.current(), changes), {
      dataDir: posix.join(posix.dirname(this.location.stackDir), 'data'),
    });
  }

  async preview(changes: Changes): Promise<SettingsPreview> {
    const config = this.proposed(changes);
    const next = composeToYaml(
      renderStack(config, { stackDir: this.location.stackDir }).compose,
      this.location.stackDir,
    );
    const before = (await this.deps.fs.exists(this.location.composeFile))
      ? await this.deps.fs.readText(this.location.composeFile)
      : '';
    const services = (text: string): Record<string, unknown> =>
      text ? ((parse(text) as ComposeFile | null)?.services ?? {}) : {};
    const old = services(before);
    const now = services(next);
    return {
      config: storable(config),
      diff: lineDiff(before, next),
      services: {
        recreated: Object.keys(now).filter(
          (s) => s in old && JSON.stringify(old[s]) !== JSON.stringify(now[s]),
        ),
        added: Object.keys(now).filter((s) => !(s in old)),
        removed: Object.keys(old).filter((s) => !(s in now)),
      },
    };
  }

  private async render(config: Changes): Promise<StackConfig> {
    const result = await initStack(
      { fs: this.deps.fs, now: this.deps.now },
      { stackDir: this.location.stackDir, secretsDir: this.location.secretsDir, config },
    );
    stackConfigStore(this.deps.settings).save(storable(result.config));
    return result.config;
  }

  /** Nothing configured and nothing rendered yet: an install from scratch. */
  async isFirstInstall(): Promise<boolean> {
    return (
      Object.keys(this.current()).length === 0 &&
      !(await this.deps.fs.exists(this.location.composeFile))
    );
  }

  /**
   * Installs with `settings`. On a stack that exists this is `apply` (with its rollback). A first
   * install that fails has no previous settings to go back to (the defaults would name registry
   * images, and pull them): it takes down what it started (`teardown`), removes the folders it
   * created and forgets the settings, so the home is as it was, and says what failed in one line.
   */
  async install(
    settings: Changes,
    reconcile: (config: StackConfig) => Promise<unknown>,
    teardown: () => Promise<unknown>,
  ): Promise<StackConfig> {
    if (!(await this.isFirstInstall())) return this.apply(settings, reconcile);
    const wanted = this.proposed(settings);
    const created = await pathsAnInstallWouldCreate(this.deps.fs, this.location, wanted);
    try {
      const config = await this.render(settings);
      await reconcile(config);
      return config;
    } catch (error) {
      let containers: string | undefined;
      if (await this.deps.fs.exists(this.location.composeFile)) {
        await teardown().catch((e: unknown) => {
          containers = messageOf(e);
        });
      }
      const paths = await removeCreated(this.deps.fs, created);
      this.deps.settings.delete(STACK_CONFIG_KEY);
      throw firstInstallFailed(error, { paths, ...(containers ? { containers } : {}) });
    }
  }

  /**
   * Applies `changes`: re-render, then `reconcile` (the stack's up). When that fails, the previous
   * settings are rendered and reconciled again and the error says so.
   */
  async apply(
    changes: Changes,
    reconcile: (config: StackConfig) => Promise<unknown>,
  ): Promise<StackConfig> {
    this.proposed(changes);
    const previous = this.current();
    const config = await this.render(withChanges(previous, changes));
    try {
      await reconcile(config);
      return config;
    } catch (error) {
      const reason = messageOf(error);
      try {
        const restored = await this.render(previous);
        await reconcile(restored);
      } catch (rollbackError) {
        throw new AppError(
          'conflict',
          `The change failed (${reason}) and restoring the previous settings failed too (${messageOf(rollbackError)}).`,
        );
      }
      throw new AppError(
        'conflict',
        `The change failed and the previous settings were restored: ${reason}`,
      );
    }
  }
}
