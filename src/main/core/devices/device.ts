/**
 * The device port. Real drivers (serial and HID scanners, NFC readers, ESC/POS
 * printers) and the simulators implement the same small interface, in the
 * UnifiedPOS spirit: a device is opened, claimed and enabled before it
 * delivers data, and reports its state as it changes.
 */
export type DeviceKind = 'scanner' | 'nfc' | 'printer';
export type DeviceState = 'closed' | 'opened' | 'claimed' | 'enabled' | 'error';

export interface ScanData {
  deviceId: string;
  /** What was read, as text (a barcode's content, a QR payload). */
  data: string;
  /** Epoch ms when the last byte arrived. */
  at: number;
}

export interface DeviceStatus {
  id: string;
  kind: DeviceKind;
  name: string;
  state: DeviceState;
  simulated: boolean;
}

export interface InputDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly name: string;
  readonly simulated: boolean;
  status(): DeviceStatus;
  /** Brings the device to `enabled`; resolves once it can deliver data. */
  enable(): Promise<void>;
  close(): Promise<void>;
  onData(listener: (scan: ScanData) => void): () => void;
  onStatus(listener: (status: DeviceStatus) => void): () => void;
}
