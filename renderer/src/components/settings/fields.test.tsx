// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EMPTY_FORM,
  type FieldErrors,
  type SettingsFormValues,
} from '../../state/settings-store-form';
import { AddressFields } from './AddressFields';
import { EnvironmentFields } from './EnvironmentFields';
import type { FieldsProps } from './fields-props';
import { PlexFields } from './PlexFields';
import { PortFields } from './PortFields';
import { DataFields, ImageFields } from './StorageFields';

afterEach(cleanup);

const GROUPS = [EnvironmentFields, AddressFields, PortFields, DataFields, ImageFields, PlexFields];

/** The settings groups over one form, as the wizard and the settings page hold it. */
function Form({ start, errors = {} }: { start: SettingsFormValues; errors?: FieldErrors }) {
  const [values, setValues] = useState(start);
  const onChange: FieldsProps['onChange'] = (field, value) =>
    setValues((v) => ({ ...v, [field]: value }));
  const props = { values, errors, onChange };
  return (
    <>
      {GROUPS.map((Group, i) => (
        <Group key={i} {...props} />
      ))}
      <output data-testid="chosen">{`${values.environment} ${values.imageSource}`}</output>
      <output data-testid="profiles">{values.profiles.join(',')}</output>
    </>
  );
}

const input = (label: string | RegExp) => screen.getByLabelText<HTMLInputElement>(label);
const type = (label: string | RegExp, text: string) =>
  fireEvent.change(input(label), { target: { value: text } });

describe('the settings fields', () => {
  it('keep what the user types, each in its own labelled field', () => {
    render(<Form start={EMPTY_FORM} />);
    type('HTTP port', '8080');
    type('Data folder', '/srv/medianest');
    type('Plex client ID', 'abc123');
    type('Plex client secret', 'hidden');
    expect(input('HTTP port').value).toBe('8080');
    // Local only: nothing is published on HTTPS, so there is no port to ask for.
    expect(screen.queryByLabelText('HTTPS port')).toBeNull();
    expect(input('Data folder').value).toBe('/srv/medianest');
    expect(input('Plex client ID').value).toBe('abc123');
    expect(input('Plex client secret').type).toBe('password');
    expect(input('HTTP port').inputMode).toBe('numeric');
  });

  it('ask for a domain only when the user picks one, and switch the email wording with HTTPS', () => {
    render(<Form start={EMPTY_FORM} />);
    expect(screen.queryByLabelText('Domain name')).toBeNull();
    fireEvent.click(screen.getByLabelText(/With my own domain name/));
    type('Domain name', 'media.example.org');
    expect(input('Domain name').value).toBe('media.example.org');
    expect(input('Email (optional)').type).toBe('email');
    expect(screen.queryByLabelText('HTTPS port')).toBeNull();
    fireEvent.click(screen.getByLabelText(/HTTPS with a free Let's Encrypt certificate/));
    expect(screen.getByTestId('profiles').textContent).toBe('tls');
    expect(input('HTTPS port').value).toBe('443');
    expect(input("Email for Let's Encrypt").type).toBe('email');
    expect(screen.queryByLabelText('Email (optional)')).toBeNull();
    fireEvent.click(screen.getByLabelText(/Monitoring/));
    expect(screen.getByTestId('profiles').textContent).toBe('tls,monitoring');
    fireEvent.click(screen.getByLabelText(/HTTPS with a free Let's Encrypt certificate/));
    expect(screen.getByTestId('profiles').textContent).toBe('monitoring');
    expect(input('Email (optional)').type).toBe('email');
    expect(screen.queryByLabelText("Email for Let's Encrypt")).toBeNull();
  });

  it('speak in the UI’s own terms: no command-line flag or command in any hint', () => {
    render(
      <Form
        start={{ ...EMPTY_FORM, access: 'domain', profiles: ['tls'], imageSource: 'custom' }}
      />,
    );
    const text = document.body.textContent ?? '';
    expect(text).not.toMatch(/--[a-z]/);
    expect(text).not.toMatch(/\binit\b|medianest-appliance/);
  });

  it('never put a value-like example in an empty box', () => {
    render(<Form start={{ ...EMPTY_FORM, imageSource: 'custom' }} />);
    const placeholders = [...document.querySelectorAll('input, textarea')]
      .map((el) => el.getAttribute('placeholder'))
      .filter((p): p is string => p !== null && p !== '');
    for (const placeholder of placeholders) expect(placeholder).not.toMatch(/[/:0-9]/);
  });

  it('choose one environment and one image source', () => {
    render(<Form start={EMPTY_FORM} />);
    expect(input(/Home server/).checked).toBe(true);
    fireEvent.click(screen.getByLabelText(/Development/));
    fireEvent.click(screen.getByLabelText(/My own images/));
    expect(screen.getByTestId('chosen').textContent).toBe('dev custom');
    expect(input(/Home server/).checked).toBe(false);
    expect(screen.getByLabelText('Image per service').tagName).toBe('TEXTAREA');
  });

  it("show the server's message under the field it names, linked for screen readers", () => {
    render(
      <Form
        start={{ ...EMPTY_FORM, access: 'domain', profiles: ['tls'] }}
        errors={{
          httpPort: 'must be 1-65535',
          'plex.clientId': 'too short',
          email: 'not an email',
          environment: 'must be prod, dev or test',
        }}
      />,
    );
    for (const [label, message] of [
      ['HTTP port', 'must be 1-65535'],
      ['Plex client ID', 'too short'],
      ["Email for Let's Encrypt", 'not an email'],
    ] as const) {
      const field = input(label);
      expect(field.getAttribute('aria-invalid'), label).toBe('true');
      const described = (field.getAttribute('aria-describedby') ?? '').split(' ');
      const texts = described.map((id) => document.getElementById(id)?.textContent);
      expect(texts, label).toContain(message);
    }
    expect(input('HTTPS port').getAttribute('aria-invalid')).toBe('false');
    const environment = screen.getByRole('group', { name: 'What is this MediaNest for?' });
    const id = environment.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(id)?.textContent).toBe('must be prod, dev or test');
  });
});
