export const FUSE_NAMES: string[];

export interface PackagedLayout {
  /** Paths inside app.asar, without a leading slash (directories included). */
  asarFiles: string[];
  /** Files under resources/app.asar.unpacked, relative to it. */
  unpackedFiles: string[];
  /** The executable's fuse wire by name: true, false, or the raw state ('114' = removed); null without an executable. */
  fuses: Record<string, boolean | string> | null;
  appUpdateYml: string | null;
  mainBundle: string | null;
}

export function makeStandInElectron(dir: string): string;
export function electronVersion(): string;
export function inspectLayout(appOutDir: string, executableName?: string): Promise<PackagedLayout>;
export function packagesImportedBy(bundle: string): string[];
export function layoutProblems(layout: PackagedLayout, expected: { nativeFiles: string[]; fuses: Record<string, boolean> }): string[];
export function nativeFilesFor(platform: string, arch: string): string[];
export function preflight(facts: {
  electronZip: string;
  electronLocal: string | null;
  cacheDir: string;
  downloadHost: string;
  unreachable: string | null;
  targets: string;
  tools: string;
}): { ok: true } | { ok: false; message: string };
export function failureParagraph(error: unknown): string;
export function verifyOnly(options: { outDir: string; skipBuild?: boolean }): Promise<{ appOutDir: string; layout: PackagedLayout; problems: string[] }>;
