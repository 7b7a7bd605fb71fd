import { useCallback, useEffect, useState } from 'react';
import type { DeviceInfo } from '../../shared/contract';
import { useApp, useEvent } from './app-context';

/**
 * The terminal's devices and their state: read once, then kept current from
 * `device.changed`. Shared by the cashier's status bar and the simulator panel.
 */
export function useDevices(): { devices: DeviceInfo[]; error: unknown } {
  const { api } = useApp();
  const [devices, setDevices] = useState<DeviceInfo[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    api.call('sim.devices', {}).then(
      (result) => {
        if (!live) return;
        // An event may have arrived first; it is newer than the listing.
        setDevices((seen) => result.devices.map((d) => seen.find((s) => s.id === d.id) ?? d));
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const onChange = useCallback((device: DeviceInfo) => {
    setDevices((list) => (list.some((d) => d.id === device.id) ? list.map((d) => (d.id === device.id ? device : d)) : [...list, device]));
  }, []);
  useEvent('device.changed', onChange);

  return { devices, error };
}

export function deviceKindLabel(t: (key: string) => string, device: DeviceInfo): string {
  return t(`sim.device.kind.${device.kind}`);
}

export function deviceStateLabel(t: (key: string) => string, device: DeviceInfo): string {
  return t(`sim.device.state.${device.state}`);
}

/** What the status bar says: the condition when the device reports one (« plus de papier »), else its state. */
export function deviceStatusLabel(t: (key: string) => string, device: DeviceInfo): string {
  if (device.condition === null || device.state === 'closed') return deviceStateLabel(t, device);
  return t(`sim.device.condition.${device.condition}`);
}

/** ok, warn or error: the colour of the device's dot and border. */
export function deviceSeverity(device: DeviceInfo): 'ok' | 'warn' | 'error' {
  if (device.state === 'error') return 'error';
  switch (device.condition) {
    case null:
    case 'ok':
      return device.state === 'enabled' ? ((device.pendingJobs ?? 0) > 0 ? 'warn' : 'ok') : 'warn';
    case 'paper_low':
    case 'reconnecting':
      return 'warn';
    default:
      return 'error';
  }
}
