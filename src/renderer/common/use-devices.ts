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
