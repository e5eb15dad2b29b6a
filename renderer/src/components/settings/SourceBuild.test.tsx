// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient, type CheckoutFinding, type Job } from '@contract';
import { useLiveStore } from '../../state/live-store';
import { EMPTY_FORM, type SettingsFormValues } from '../../state/settings-store-form';
import type { FieldsProps } from './fields-props';
import { ImageFields } from './StorageFields';

const initial = useLiveStore.getState();
afterEach(cleanup);
beforeEach(() => useLiveStore.setState(initial, true));

const DOCKERFILE = 'config/docker/Dockerfile.consolidated';
const FINDINGS: CheckoutFinding[] = [
  {
    code: 'lockfile-ignored',
    file: '.dockerignore',
    line: 83,
    problem: `\`.dockerignore\` leaves \`package-lock.json\` out of what is sent to Docker (line 83: \`package-lock.json\`), but \`${DOCKERFILE}\` runs \`npm ci\` at line 45, which refuses to install without that lockfile.`,
    action:
      'Add the line `!package-lock.json` at the end of `.dockerignore` (or delete line 83); or use images built elsewhere.',
  },
  {
    code: 'frontend-public-missing',
    file: DOCKERFILE,
    line: 289,
    problem: `\`${DOCKERFILE}\` copies \`frontend/public\` at line 289, but the checkout has no \`frontend/public\` folder: the build stops there.`,
    action: 'Create the folder in the checkout (`mkdir frontend/public`; empty is enough).',
  },
];

/** The image step over one form, as the wizard and the settings page hold it. */
function ImageStep({ client, start }: { client: ApiClient; start: SettingsFormValues }) {
  const [values, setValues] = useState(start);
  const onChange: FieldsProps['onChange'] = (field, value) =>
    setValues((v) => ({ ...v, [field]: value }));
  return (
    <>
      <ImageFields values={values} errors={{}} onChange={onChange} client={client} />
      <output data-testid="images">{values.images}</output>
    </>
  );
}

const OWN: SettingsFormValues = { ...EMPTY_FORM, imageSource: 'custom', images: 'postgres: pg:16' };

function build(folder: string) {
  fireEvent.change(screen.getByLabelText('Or build them from a MediaNest checkout'), {
    target: { value: folder },
  });
  fireEvent.click(screen.getByRole('button', { name: 'Build images' }));
}

describe('building images from a checkout in the image step', () => {
  it('lists each known defect of a refused checkout with where it is and what to do', async () => {
    const asked: unknown[] = [];
    const client = {
      imagesBuild: (input: unknown) => {
        asked.push(input);
        return Promise.reject(
          new ApiError('validation_failed', 'sourceDir: /src/medianest cannot be built', 422, {
            fields: { sourceDir: '/src/medianest cannot be built as it is' },
            findings: FINDINGS,
          }),
        );
      },
    } as unknown as ApiClient;
    render(<ImageStep client={client} start={OWN} />);
    build('/src/medianest ');

    const alert = await screen.findByRole('alert');
    expect(asked).toEqual([{ sourceDir: '/src/medianest' }]);
    expect(within(alert).getByText('This checkout cannot be built as it is.')).toBeTruthy();
    expect(alert.textContent).toContain('have 2 known defects that would stop the build');
    const items = within(alert).getAllByRole('listitem');
    expect(items.map((item) => item.getAttribute('data-defect'))).toEqual([
      'lockfile-ignored',
      'frontend-public-missing',
    ]);
    expect(items[0]?.textContent).toBe(
      '.dockerignore, line 83: .dockerignore leaves package-lock.json out of what is sent to Docker (line 83: package-lock.json), but config/docker/Dockerfile.consolidated runs npm ci at line 45, which refuses to install without that lockfile.' +
        'What to do: Add the line !package-lock.json at the end of .dockerignore (or delete line 83); or use images built elsewhere.',
    );
    expect(within(items[1]!).getByText('mkdir frontend/public').tagName).toBe('CODE');
    expect(within(items[1]!).getByText(/^What to do:/).className).toBe('fix');
    // The folder itself is fine: no message under the field.
    expect(document.querySelector('[data-field="sourceDir"]')?.className).toBe('field');
    expect(screen.getByTestId('images').textContent).toBe('postgres: pg:16');
  });

  it('says under the field when the folder itself is refused', async () => {
    const client = {
      imagesBuild: () =>
        Promise.reject(
          new ApiError('validation_failed', 'sourceDir: /nowhere does not exist', 422, {
            fields: { sourceDir: '/nowhere does not exist' },
          }),
        ),
    } as unknown as ApiClient;
    render(<ImageStep client={client} start={OWN} />);
    build('/nowhere');
    expect(await screen.findByText('/nowhere does not exist')).toBeTruthy();
    expect(screen.queryByRole('list')).toBeNull();
  });

  it('puts the images a build made into the list, keeping the other services', async () => {
    const job: Job = {
      id: 'job-1',
      kind: 'image-build',
      state: 'succeeded',
      step: 'Built backend=medianest/backend:local-1f2e3d4c5b6a frontend=medianest/frontend:local-1f2e3d4c5b6a',
      percent: 100,
      startedAt: '2026-12-01T10:00:00Z',
      finishedAt: '2026-12-01T10:04:00Z',
      error: null,
    };
    const client = {
      imagesBuild: () => Promise.resolve({ jobId: job.id, kind: job.kind }),
      job: () => Promise.resolve(job),
    } as unknown as ApiClient;
    // The last step arrived on the event stream while the job ran.
    useLiveStore.setState({
      client,
      jobs: {
        [job.id]: {
          id: job.id,
          kind: job.kind,
          step: job.step ?? '',
          percent: 100,
          outcome: 'running',
          error: undefined,
        },
      },
    });
    render(<ImageStep client={client} start={OWN} />);
    build('/src/medianest');
    expect(await screen.findByText('Built: the new images are in the list above.')).toBeTruthy();
    expect(screen.getByTestId('images').textContent).toBe(
      'postgres: pg:16\nbackend: medianest/backend:local-1f2e3d4c5b6a\nfrontend: medianest/frontend:local-1f2e3d4c5b6a',
    );
  });

  it('is not offered for the official images', () => {
    render(<ImageStep client={{} as ApiClient} start={EMPTY_FORM} />);
    expect(screen.queryByRole('button', { name: 'Build images' })).toBeNull();
  });
});
