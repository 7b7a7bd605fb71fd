import type { Session } from 'electron';

/**
 * The screens need no browser permission at all (camera, notifications,
 * HID, serial… devices are the main process's business), so every request
 * and check is refused, and nothing is ever downloaded.
 */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
}
