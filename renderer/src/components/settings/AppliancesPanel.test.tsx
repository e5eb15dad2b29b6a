// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Appliance } from '@contract';
import { useAppliancesStore } from '../../state/appliances-store';
import { ApplianceSwitcher } from '../ApplianceSwitcher';
import { AppliancesPanel } from './AppliancesPanel';

const initial = useAppliancesStore.getState();
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
beforeEach(() => {
  // The store's own calls go to the server; here the panel is shown what they would have set.
  useAppliancesStore.setState({ ...initial, load: vi.fn(async () => undefined) }, true);
});

const NAS: Appliance = {
  id: 'nas-1',
  name: 'Attic NAS',
  address: 'https://192.168.1.20:7420',
  fingerprint: 'AB:CD',
  pairedAt: '2026-12-08T10:00:00Z',
  state: 'unknown',
  problem: 'The appliance at https://192.168.1.20:7420 cannot be reached (ECONNREFUSED).',
};

describe('Appliances this computer manages', () => {
  it('lists each with its state, why it is unknown, and its pinned certificate', () => {
    useAppliancesStore.setState({ appliances: [NAS] });
    render(<AppliancesPanel />);
    const row = screen.getByRole('row', { name: /Attic NAS/ });
    expect(row.textContent).toContain('Not reachable');
    expect(row.textContent).toContain('ECONNREFUSED');
    expect(within(row).getByText('AB:CD')).toBeDefined();
    expect(within(row).getByRole('button', { name: 'Open' })).toBeDefined();
  });

  it('sends the form and shows the server’s message next to the field it names', async () => {
    const add = vi.fn(async () => {
      useAppliancesStore.setState({
        fieldErrors: { code: '10 letters and digits, as the appliance shows it.' },
      });
      return undefined;
    });
    useAppliancesStore.setState({ appliances: [], add });
    render(<AppliancesPanel />);
    fireEvent.change(screen.getByLabelText('Address'), {
      target: { value: 'https://nas.local:7420' },
    });
    fireEvent.change(screen.getByLabelText('Pairing code'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add the appliance' }));
    await screen.findByText('10 letters and digits, as the appliance shows it.');
    expect(add).toHaveBeenCalledWith({ address: 'https://nas.local:7420', code: 'nope', name: '' });
    expect(screen.getByLabelText('Pairing code').getAttribute('aria-invalid')).toBe('true');
  });

  it('offers the addresses heard on the LAN, and says why when none is', () => {
    useAppliancesStore.setState({
      appliances: [],
      nearby: {
        interfaces: 1,
        found: [
          {
            name: 'MediaNest on nas',
            address: 'https://10.0.0.2:7420',
            host: 'nas.local',
            fingerprintPrefix: '0123456789ABCDEF',
            paired: false,
          },
        ],
      },
    });
    render(<AppliancesPanel />);
    expect(screen.getByText(/01:23:45:67:89:AB:CD:EF/)).toBeDefined();
    fireEvent.click(screen.getByRole('button', { name: 'Use this address' }));
    expect(screen.getByLabelText<HTMLInputElement>('Address').value).toBe('https://10.0.0.2:7420');
    cleanup();
    useAppliancesStore.setState({ nearby: { interfaces: 0, found: [] } });
    render(<AppliancesPanel />);
    expect(screen.getByText(/no network that can carry the question/)).toBeDefined();
  });
});

describe('the appliance switcher', () => {
  it('is not shown until an appliance is paired', () => {
    useAppliancesStore.setState({ appliances: [] });
    const { container } = render(<ApplianceSwitcher />);
    expect(container.textContent).toBe('');
  });

  it('offers this computer and each appliance with its state', () => {
    useAppliancesStore.setState({ appliances: [{ ...NAS, state: 'degraded' }] });
    render(<ApplianceSwitcher />);
    const select = screen.getByRole<HTMLSelectElement>('combobox', { name: 'Appliance' });
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'This computer',
      'Attic NAS (degraded)',
    ]);
    expect(select.value).toBe('');
  });
});
