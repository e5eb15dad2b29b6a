import { createServer, type AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import type { ApiClient } from '../../../server/src/contract/index.js';
import { freeStackPorts } from '../../integration/support/ports.js';

/** `/setup`: the doctor report, the two doors, the wizard's steps, the install and its ending. */
export class FirstRunPage {
  readonly doctorCard: Locator;
  readonly newInstall: Locator;
  readonly restoreDoor: Locator;
  readonly wizard: Locator;
  readonly stepTitle: Locator;
  readonly next: Locator;
  readonly back: Locator;
  readonly install: Locator;
  readonly installCard: Locator;
  readonly installStep: Locator;
  readonly openMediaNest: Locator;
  readonly checkImages: Locator;
  /** The image check's overall verdict ("The stack will start with these images."). */
  readonly imageVerdict: Locator;

  constructor(private readonly page: Page) {
    this.doctorCard = page.getByRole('region', { name: 'Is this computer ready?' });
    this.newInstall = page.getByRole('button', { name: /Set up a new MediaNest/ });
    this.restoreDoor = page.getByRole('button', { name: /Restore from a backup/ });
    this.wizard = page.getByRole('region', { name: 'Set up MediaNest' });
    this.stepTitle = this.wizard.locator('#step-title');
    this.next = this.wizard.getByRole('button', { name: 'Next' });
    this.back = this.wizard.getByRole('button', { name: 'Back' });
    this.install = this.wizard.getByRole('button', { name: 'Install MediaNest' });
    this.installCard = page.getByRole('region', {
      name: /Installing MediaNest|MediaNest is ready/,
    });
    this.installStep = this.installCard.locator('.install-step');
    this.openMediaNest = page.getByRole('link', { name: 'Open MediaNest' });
    this.checkImages = this.wizard.getByRole('button', { name: 'Check images' });
    this.imageVerdict = this.wizard
      .getByRole('region', { name: 'Image check' })
      .locator('.verdict');
  }

  /** One service's image in the image check: its findings, each with what to do. */
  imageCheckOf(service: string): Locator {
    return this.wizard
      .getByRole('region', { name: 'Image check' })
      .locator(`[data-service="${service}"]`);
  }

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(new URL('/setup', baseUrl).toString());
  }

  /** The field's box (label, input, hint, live status, error) by the setting's name. */
  field(name: string): Locator {
    return this.wizard.locator(`[data-field="${name}"]`);
  }

  errorOf(name: string): Locator {
    return this.field(name).locator('.field-error');
  }

  statusOf(name: string): Locator {
    return this.field(name).locator('.field-status');
  }

  async fill(name: string, value: string): Promise<void> {
    await this.field(name).locator('input, textarea').fill(value);
  }

  async choose(label: string | RegExp): Promise<void> {
    await this.wizard.getByRole('radio', { name: label }).check();
  }

  async nextTo(title: string): Promise<void> {
    await this.next.click();
    await this.stepTitle.filter({ hasText: title }).waitFor();
  }

  service(name: string): Locator {
    return this.installCard.locator(`[data-service="${name}"]`);
  }
}

/** Ports nothing listens on right now, below the ephemeral range (see support/ports.ts). */
export function freePorts(count: number): Promise<number[]> {
  return freeStackPorts(count);
}

/** Holds a port (any free one, or `port`) the way another program would, until `close()`. */
export async function occupyPort(port = 0): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Waits for a job the test started through the API (the UI's own following is what specs check). */
export async function jobEnd(client: ApiClient, jobId: string): Promise<string> {
  for (;;) {
    const job = await client.job({ id: jobId });
    if (job.state !== 'running') return `${job.state}${job.error ? `: ${job.error.message}` : ''}`;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Installs the stack through the API with the rig's images on two free ports; the HTTP port. */
export async function installThroughApi(
  client: ApiClient,
  images: Readonly<Record<string, string>>,
): Promise<number> {
  const [httpPort, httpsPort] = await freePorts(2);
  const { jobId } = await client.install({
    settings: { images, httpPort, httpsPort, pullPolicy: 'never' },
  });
  const state = await jobEnd(client, jobId);
  if (state !== 'succeeded') throw new Error(`The install ended ${state}`);
  return httpPort ?? 0;
}
