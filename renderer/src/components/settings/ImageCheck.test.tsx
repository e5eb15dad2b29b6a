// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient, type ImageCheckReport } from '@contract';
import { EMPTY_FORM, type SettingsFormValues } from '../../state/settings-store-form';
import type { FieldsProps } from './fields-props';
import { ImageFields } from './StorageFields';

afterEach(cleanup);

const ID = `sha256:${'ab12'.repeat(16)}`;
const fits = (what: string, has: string) => ({ what, needed: '…', has, ok: true });

/** What the server answers for a backend image made FROM alpine: no node, its own user, no migrations. */
const WRONG: ImageCheckReport = {
  willStart: false,
  services: [
    {
      service: 'migrate',
      image: 'me/backend:1',
      present: true,
      exactly: ID,
      ok: false,
      findings: [
        {
          what: 'migrations',
          needed: 'Prisma migration folders (prisma/migrations)',
          has: 'none (looked in /app/prisma/migrations)',
          ok: false,
          action: 'Without its migrations the database cannot be set up for this image.',
        },
      ],
    },
    {
      service: 'backend',
      image: 'me/backend:1',
      present: true,
      exactly: ID,
      ok: false,
      findings: [
        {
          what: 'user',
          needed: 'uid 1001 (the stack runs it as 1001:1001 and its data folders belong to it)',
          has: '1000:1000',
          ok: false,
          action: 'server words',
        },
        fits('command', 'node dist/server.js'),
        fits('working directory', '/app'),
        {
          what: 'node',
          needed: "`node` on the image's PATH",
          has: 'none',
          ok: false,
          action: 'server words',
        },
        {
          what: 'migrations',
          needed: 'Prisma migration folders (prisma/migrations)',
          has: 'none (looked in /app/prisma/migrations)',
          ok: false,
          action: 'server words',
        },
      ],
    },
    {
      service: 'frontend',
      image: 'medianest/frontend@sha256:' + 'cd34'.repeat(16),
      present: true,
      exactly: 'medianest/frontend@sha256:' + 'cd34'.repeat(16),
      ok: true,
      findings: [fits('user', '1001:1001'), fits('node', '/usr/local/bin/node')],
    },
  ],
};

function ImageStep({ client, start }: { client: ApiClient; start: SettingsFormValues }) {
  const [values, setValues] = useState(start);
  const onChange: FieldsProps['onChange'] = (field, value) =>
    setValues((v) => ({ ...v, [field]: value }));
  return <ImageFields values={values} errors={{}} onChange={onChange} client={client} />;
}

const OWN: SettingsFormValues = {
  ...EMPTY_FORM,
  imageSource: 'custom',
  images: 'backend: me/backend:1\nfrontend: medianest/frontend:2',
};

function clientAnswering(answer: () => Promise<ImageCheckReport>) {
  const asked: unknown[] = [];
  const client = {
    imagesCheck: (input: unknown) => {
      asked.push(input);
      return answer();
    },
  } as unknown as ApiClient;
  return { client, asked };
}

const checkImages = () => fireEvent.click(screen.getByRole('button', { name: 'Check images' }));
const service = (name: string) => {
  const item = document.querySelector(`[data-service="${name}"]`);
  if (!(item instanceof HTMLElement)) throw new Error(`no ${name} in the check`);
  return item;
};

describe('checking the chosen images in the image step', () => {
  it('lists per service what is wrong in plain words, with what to do, under a verdict', async () => {
    const { client, asked } = clientAnswering(() => Promise.resolve(WRONG));
    render(<ImageStep client={client} start={OWN} />);
    checkImages();

    const verdict = await screen.findByRole('status');
    expect(verdict.textContent).toBe(
      'It would not start: me/backend:1 runs as 1000:1000 instead of uid 1001, has no node on its PATH and has no database migrations.',
    );
    expect(verdict.className).toContain('verdict-fail');
    // The images as typed on the form, not the saved ones.
    expect(asked).toEqual([
      {
        changes: {
          environment: 'prod',
          images: { backend: 'me/backend:1', frontend: 'medianest/frontend:2' },
        },
      },
    ]);

    const backend = service('backend');
    expect(within(backend).getByText('The backend image')).toBeTruthy();
    expect(backend.textContent).toContain('(id ab12ab12ab12)');
    const node = backend.querySelector('[data-finding="node"]');
    expect(node?.textContent).toContain('Problem');
    expect(node?.textContent).toContain(
      "Has no node on its PATH: MediaNest's images run with node",
    );
    expect(node?.textContent).toContain(
      "What to do: Choose an image built from MediaNest's Dockerfile",
    );
    expect(backend.querySelector('[data-finding="user"]')?.textContent).toContain(
      'Runs as 1000:1000, but the stack runs it as uid 1001',
    );
    // Problems first, then what fits.
    expect(
      [...backend.querySelectorAll('[data-finding]')].map((f) => f.getAttribute('data-finding')),
    ).toEqual(['user', 'node', 'migrations', 'command', 'working directory']);
    expect(backend.querySelector('[data-finding="command"]')?.textContent).toBe(
      'OKStarts with node dist/server.js.',
    );

    expect(
      within(service('migrate')).getByText('The image the database migrations come from'),
    ).toBeTruthy();
    const frontend = service('frontend');
    expect(frontend.getAttribute('data-fits')).toBe('true');
    expect(frontend.textContent).toContain('(digest sha256:cd34cd34cd34)');
    expect(frontend.textContent).not.toContain('What to do');
  });

  it('says the stack will start when every image fits, and asks again after the images change', async () => {
    const report: ImageCheckReport = {
      willStart: true,
      services: WRONG.services.filter((s) => s.service === 'frontend'),
    };
    const { client } = clientAnswering(() => Promise.resolve(report));
    render(<ImageStep client={client} start={OWN} />);
    checkImages();
    const verdict = await screen.findByRole('status');
    expect(verdict.textContent).toBe('The stack will start with these images.');
    expect(verdict.className).toContain('verdict-ok');
    expect(screen.queryByText(/changed since this check/)).toBeNull();

    fireEvent.change(screen.getByLabelText('Image per service'), {
      target: { value: 'backend: other/backend:2' },
    });
    expect(screen.getByText(/changed since this check: check again/)).toBeTruthy();
  });

  it('waits rather than fails for images not downloaded yet, when downloads are allowed', async () => {
    const absent: ImageCheckReport = {
      willStart: false,
      services: [
        {
          service: 'backend',
          image: 'medianest/backend:latest',
          present: false,
          ok: false,
          findings: [
            {
              what: 'image',
              needed: 'on this machine',
              has: 'not on this machine',
              ok: false,
              action: 'Pull it (allow pulling), load its archive, or build it.',
            },
          ],
        },
      ],
    };
    const { client } = clientAnswering(() => Promise.resolve(absent));
    render(<ImageStep client={client} start={EMPTY_FORM} />);
    checkImages();
    const verdict = await screen.findByRole('status');
    expect(verdict.className).toContain('verdict-warn');
    expect(verdict.textContent).toContain(
      'not on this computer yet: they are downloaded when the stack starts',
    );
    expect(service('backend').textContent).toContain('Not here yet');

    // With downloads off the same image stops the stack.
    fireEvent.change(screen.getByLabelText('Download images'), { target: { value: 'never' } });
    checkImages();
    await screen.findByText(
      /^It would not start: medianest\/backend:latest is not on this computer/,
    );
    expect(service('backend').textContent).toContain(
      'What to do: Downloads are off ("Never" below)',
    );
  });

  it('says why the check could not run: no Docker, or an images text that is no map', async () => {
    const { client, asked } = clientAnswering(() =>
      Promise.reject(
        new ApiError(
          'engine_unavailable',
          'The Docker engine cannot be reached (ECONNREFUSED).',
          503,
        ),
      ),
    );
    render(<ImageStep client={client} start={OWN} />);
    checkImages();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'The images could not be checked: The Docker engine cannot be reached (ECONNREFUSED).',
    );
    expect(screen.queryByRole('status')).toBeNull();

    fireEvent.change(screen.getByLabelText('Image per service'), { target: { value: 'nonsense' } });
    checkImages();
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Image per service: line 1 must read "service: image reference"',
    );
    expect(asked).toHaveLength(1);
  });
});
