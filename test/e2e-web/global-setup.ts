import { execFileSync } from 'node:child_process';

/** The pages under test are the real build, the same one Electron loads. */
export default function globalSetup(): void {
  if (process.env.FIDELE_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
}
