import { randomBytes } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { request } from '../../integration/support/http.js';

/** `/backups`: back up now, the list with states, restore with its safety steps, the schedule. */
export class BackupsPage {
  readonly backUpNow: Locator;
  readonly backedUp: Locator;
  readonly storage: Locator;
  readonly list: Locator;
  readonly restorePanel: Locator;
  readonly restoreNow: Locator;
  readonly restored: Locator;
  readonly schedule: Locator;

  constructor(private readonly page: Page) {
    const now = page.getByRole('region', { name: 'Back up' });
    this.backUpNow = now.getByRole('button', { name: /Back up now|Backing up/ });
    this.backedUp = now.getByText('Backed up and verified.');
    this.storage = now.locator('.storage');
    this.list = page.getByRole('region', { name: 'Your backups' });
    this.restorePanel = page.getByRole('region', { name: /^Restore / });
    this.restoreNow = this.restorePanel.getByRole('button', { name: 'Restore now' });
    this.restored = this.restorePanel.getByText('Restored: MediaNest is running');
    this.schedule = page.getByRole('region', { name: 'Schedule and how many to keep' });
  }

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(new URL('/backups', baseUrl).toString());
  }

  rows(): Locator {
    return this.list.locator('tbody tr');
  }

  scheduleField(name: string): Locator {
    return this.schedule.locator(`[data-field="${name}"]`);
  }
}

/** What the stand-in backend holds (records, files, keys), with each value's SHA-256. */
export interface MediaData {
  records: string[];
  files: Array<{ name: string; sha256: string }>;
  kv: Array<{ key: string; sha256: string }>;
}

/** The stand-in MediaNest backend behind nginx on `httpPort`, as a user's data. */
export class MediaApi {
  constructor(private readonly httpPort: number) {}

  private async send(path: string, method = 'GET', body?: Buffer | string): Promise<Buffer> {
    for (;;) {
      const res = await request(`http://127.0.0.1:${this.httpPort}/api/v1${path}`, {
        method,
        ...(body === undefined ? {} : { body }),
        headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {},
      });
      // nginx rate-limits the API per client: wait our turn.
      if (res.status === 429) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
      return res.body;
    }
  }

  /** Records, one file of random bytes and a few keys, all named after `tag`. */
  async seed(tag: string): Promise<void> {
    for (let i = 0; i < 5; i += 1) {
      await this.send('/records', 'POST', JSON.stringify({ title: `${tag} ${i}`, body: { i } }));
    }
    await this.send(`/files/${tag}.bin`, 'PUT', randomBytes(200_000));
    for (let i = 0; i < 3; i += 1) await this.send(`/kv/${tag}:${i}`, 'PUT', randomBytes(32));
  }

  async snapshot(): Promise<MediaData> {
    const json = async <T>(path: string) => JSON.parse((await this.send(path)).toString()) as T;
    const records = await json<{ records: Array<{ title: string }> }>('/records');
    const files = await json<{ files: Array<{ name: string; sha256: string }> }>('/files');
    const kv = await json<{ items: Array<{ key: string; sha256: string }> }>('/kv');
    return {
      records: records.records.map((r) => r.title).sort(),
      files: files.files.map(({ name, sha256 }) => ({ name, sha256 })),
      kv: kv.items.map(({ key, sha256 }) => ({ key, sha256 })),
    };
  }
}
