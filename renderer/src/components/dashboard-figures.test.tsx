// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient, FolderUsage, ResourceHistory, ResourcePoint } from '@contract';
import { useLiveStore } from '../state/live-store';
import { BackupCard } from './BackupCard';
import { DiskCard } from './DiskCard';
import { diskTone } from './disk-tone';
import { ResourceCharts } from './ResourceCharts';
import { Sparkline } from './Sparkline';

const GB = 1024 ** 3;
const MB = 1024 ** 2;
const initial = useLiveStore.getState();

afterEach(() => {
  cleanup();
  useLiveStore.setState(initial, true);
});

const folder = (path: string, free: number, total: number): FolderUsage => ({
  path,
  exists: true,
  usedBytes: 3 * GB,
  partial: false,
  filesystemFreeBytes: free,
  filesystemTotalBytes: total,
});

describe('disk bars', () => {
  it('are coloured by the space left, not the share used', () => {
    expect(diskTone(400 * GB, 4000 * GB).tone).toBe('ok'); // 90 % used, 400 GB free
    expect(diskTone(4.8 * GB, 16 * GB).tone).toBe('warn'); // 70 % used of a small card
    expect(diskTone(1 * GB, 500 * GB).tone).toBe('fail');
  });

  it('say in words how full the disk is, with a tooltip on every figure', () => {
    useLiveStore.setState({
      disk: {
        data: folder('/srv/medianest/data', 1 * GB, 500 * GB),
        backups: folder('/mnt/usb/backups', 400 * GB, 4000 * GB),
        at: '2026-12-07T06:00:00.000Z',
      },
    });
    render(<DiskCard />);
    const data = screen.getByRole('meter', { name: 'Data disk used' });
    const backups = screen.getByRole('meter', { name: 'Backups disk used' });
    expect(data.className).toContain('disk-bar-fail');
    expect(backups.className).toContain('disk-bar-ok');
    expect(screen.getByText(/Almost full/)).toBeTruthy();
    expect(screen.getByText(/Plenty of space/)).toBeTruthy();
    for (const figure of [
      screen.getByText('1.0 GB free of 500 GB'),
      ...screen.getAllByText('3.0 GB'),
      data,
    ]) {
      expect(figure.getAttribute('title')).toMatch(/\/srv\/medianest\/data|\/mnt\/usb\/backups/);
    }
  });
});

describe('the last backup', () => {
  it('gives its size in the words the backups page uses, with a tooltip', () => {
    useLiveStore.setState({
      lastBackup: {
        id: 'b1',
        file: 'medianest-20261207-050000-manual.mnbackup',
        createdAt: '2026-12-07T05:00:00.000Z',
        kind: 'manual',
        state: 'verified',
        size: 12_897_485,
      },
    });
    render(<BackupCard />);
    expect(screen.getByText('12 MB').getAttribute('title')).toBe('Size of the backup file');
  });
});

describe('charts', () => {
  it('name the dashed line', () => {
    const { container } = render(
      <Sparkline values={[1, 2]} max={4} label="memory" limitLabel="limit: 4 MB" />,
    );
    expect(screen.getByText('limit: 4 MB')).toBeTruthy();
    expect(container.querySelector('svg')?.getAttribute('aria-label')).toContain('limit: 4 MB');
  });

  it('say what the CPU figure is a share of, and show the limit and the readings', async () => {
    const point = (minute: number, cpu: number, memory: number): ResourcePoint => ({
      at: `2026-12-07T06:${String(minute).padStart(2, '0')}:00.000Z`,
      cpuPercentAvg: cpu,
      cpuPercentMax: cpu,
      memoryBytesAvg: memory,
      memoryBytesMax: memory,
      memoryLimitBytes: 512 * MB,
      networkRxBytes: 0,
      networkTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
    });
    const history: ResourceHistory = {
      service: 'backend',
      range: 'hour',
      stepSeconds: 60,
      points: [point(0, 2.5, 100 * MB), point(1, 40, 200 * MB), point(2, 3.25, 150 * MB)],
    };
    const client = { resourcesHistory: () => Promise.resolve(history) } as unknown as ApiClient;
    useLiveStore.setState({ client });
    render(<ResourceCharts service="backend" />);
    expect(await screen.findByText(/100 % is one core fully busy/)).toBeTruthy();
    expect(screen.getAllByText(/each point is the average of 1 min/)).toHaveLength(2);
    expect(screen.getByText('limit: 512 MB')).toBeTruthy();
    expect(screen.getByText('one core fully busy (100 %)')).toBeTruthy();
    const latest = screen.getByText('Latest: 3.3 %');
    expect(latest.getAttribute('title')).toBe('Processor use, in the latest reading');
    expect(screen.getByText('Highest: 200 MB').getAttribute('title')).toContain('memory use');
  });
});
