import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PRINTER_PROFILE_IDS, resolvePrinterSetup } from './printer-profiles';

/**
 * Which devices a terminal drives and how to find them: the defaults shipped
 * in resources/devices.default.json with a per-terminal file laid over them,
 * device by device (same `id`). A USB device is named by vendor id, product
 * id and, when two of a kind are plugged, serial number, because /dev/ttyACM0
 * may be another device after a replug; a fixed path (a udev symlink, a
 * /dev/serial/by-id link, a socat pty) works too.
 */

const hex4 = z
  .string()
  .regex(/^[0-9a-fA-F]{4}$/, 'four hex digits')
  .transform((v) => v.toLowerCase());

export const UsbMatch = z.strictObject({
  vendorId: hex4,
  productId: hex4,
  serialNumber: z.string().min(1).max(128).optional(),
});
export type UsbMatch = z.infer<typeof UsbMatch>;

const SerialConnection = z.strictObject({
  kind: z.literal('serial'),
  match: z.union([UsbMatch, z.strictObject({ path: z.string().min(1) })]),
  baudRate: z.number().int().min(1_200).max(921_600).default(9_600),
  rtscts: z.boolean().default(false),
  xon: z.boolean().default(false),
});
const UsbLpConnection = z.strictObject({ kind: z.literal('usblp'), path: z.string().regex(/^\/[\w/.-]+$/, 'an absolute path, e.g. /dev/usb/lp0') });
const TcpConnection = z.strictObject({
  kind: z.literal('tcp'),
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535).default(9_100),
});
const HidConnection = z.strictObject({
  kind: z.literal('hid'),
  match: z.union([UsbMatch, z.strictObject({ path: z.string().min(1) })]),
});

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
  name: z.string().min(1).max(60),
  enabled: z.boolean().default(true),
};

export const DeviceEntry = z.discriminatedUnion('role', [
  z.strictObject({
    ...base,
    role: z.literal('serial-scanner'),
    connection: SerialConnection,
    prefix: z.string().max(8).default(''),
    suffix: z.enum(['CR', 'LF', 'CRLF', 'TAB', 'none']).default('CR'),
  }),
  z.strictObject({
    ...base,
    role: z.literal('hid-scanner'),
    connection: HidConnection,
    /** A feature report sent on open to select HID POS mode (Honeywell: [254, 1]). */
    modeFeatureReport: z.array(z.number().int().min(0).max(255)).max(64).optional(),
  }),
  z.strictObject({ ...base, role: z.literal('pn532'), connection: SerialConnection }),
  z.strictObject({
    ...base,
    role: z.literal('printer'),
    connection: z.discriminatedUnion('kind', [SerialConnection, UsbLpConnection, TcpConnection]),
    /** The model (printer-profiles.ts); without it, the 58 mm Epson for 42 columns, the 80 mm one otherwise. */
    profile: z.enum(PRINTER_PROFILE_IDS).optional(),
    /** Without it, 42 on 58 mm paper and 48 on 80 mm. */
    columns: z.union([z.literal(42), z.literal(48)]).optional(),
    /** Chinese-market clones start in Kanji mode: send FS . after each ESC @ (the profile's default). */
    cancelKanji: z.boolean().optional(),
  }),
]);
export type DeviceEntry = z.infer<typeof DeviceEntry>;

export const DevicesConfig = z
  .strictObject({
    /** How often the USB buses are listed again for devices that came or went. */
    rescanMs: z.number().int().min(500).max(60_000).default(3_000),
    devices: z.array(DeviceEntry).max(16),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.devices.forEach((d, i) => {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `duplicate device id ${d.id}` });
      seen.add(d.id);
      if (d.role === 'printer') {
        try {
          resolvePrinterSetup(d);
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: ['devices', i, 'columns'], message: (error as Error).message });
        }
      }
    });
  });
export type DevicesConfig = z.infer<typeof DevicesConfig>;

export class DevicesConfigError extends Error {
  constructor(source: string, detail: string) {
    super(`invalid device configuration (${source}): ${detail}`);
    this.name = 'DevicesConfigError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lays a terminal's file over the defaults: top-level fields replace, and each
 * device in the override replaces the default with the same id field by field
 * (its `connection` as a whole), or is added when the id is new.
 */
export function mergeDevicesConfig(defaults: unknown, override: unknown): unknown {
  if (!isObject(defaults) || !isObject(override)) return override ?? defaults;
  const baseDevices = Array.isArray(defaults.devices) ? (defaults.devices as unknown[]) : [];
  const overDevices = Array.isArray(override.devices) ? (override.devices as unknown[]) : [];
  const merged = baseDevices.map((d) => {
    if (!isObject(d)) return d;
    const over = overDevices.find((o) => isObject(o) && o.id === d.id);
    return isObject(over) ? { ...d, ...over } : d;
  });
  for (const o of overDevices) if (!isObject(o) || !baseDevices.some((d) => isObject(d) && d.id === o.id)) merged.push(o);
  return { ...defaults, ...override, devices: merged };
}

export function parseDevicesConfig(value: unknown, source: string): DevicesConfig {
  const parsed = DevicesConfig.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DevicesConfigError(source, detail);
  }
  return parsed.data;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DevicesConfigError(path, (error as Error).message);
  }
}

/** The shipped defaults, then the terminal's own file if there is one. */
export function loadDevicesConfig(defaultsPath: string, overridePath?: string): DevicesConfig {
  const defaults = readJson(defaultsPath);
  const merged = overridePath ? mergeDevicesConfig(defaults, readJson(overridePath)) : defaults;
  return parseDevicesConfig(merged, overridePath ?? defaultsPath);
}

/** The environment variable naming a terminal's own devices file, laid over resources/devices.default.json. */
export const DEVICES_CONFIG_ENV = 'FIDELE_DEVICES_CONFIG';

/** The configuration a terminal with `devices: 'real'` runs: the shipped defaults, then the file $FIDELE_DEVICES_CONFIG names. */
export function loadTerminalDevicesConfig(resourcesDir: string, env: Readonly<Record<string, string | undefined>>): DevicesConfig {
  const override = env[DEVICES_CONFIG_ENV];
  return loadDevicesConfig(`${resourcesDir}/devices.default.json`, override && override.length > 0 ? override : undefined);
}
