import type { DeviceInfo } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { deviceKindLabel, deviceStateLabel, deviceStatusLabel } from '../common/use-devices';

/** Every device, where it is plugged, its state and condition: the Diagnostic dialog's table, and the IT view's. */
export function DeviceTable({ devices, testId }: { devices: ReadonlyArray<DeviceInfo & { endpoint: string | null }>; testId: string }) {
  const { t } = useApp();
  if (devices.length === 0) return <p className="muted">{t('cashier.devices.none')}</p>;
  return (
    <table className="diag-table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('cashier.diagnostics.device')}</th>
          <th scope="col">{t('cashier.diagnostics.state')}</th>
          <th scope="col">{t('cashier.diagnostics.condition')}</th>
          <th scope="col">{t('cashier.diagnostics.endpoint')}</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id}>
            <td>
              <strong>{d.name}</strong>
              <br />
              <span className="muted">
                {deviceKindLabel(t, d)} · {d.id}
                {d.simulated && ` · ${t('sim.device.simulated')}`}
              </span>
            </td>
            <td>{deviceStateLabel(t, d)}</td>
            <td>
              {d.condition === null ? '–' : deviceStatusLabel(t, d)}
              {(d.pendingJobs ?? 0) > 0 && (
                <>
                  <br />
                  {t('cashier.devices.pending', { count: d.pendingJobs ?? 0 })}
                </>
              )}
            </td>
            <td className="mono">{d.endpoint ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
