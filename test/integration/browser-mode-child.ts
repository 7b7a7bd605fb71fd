import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

export interface KioskChild {
  child: ChildProcessWithoutNullStreams;
  /** The banner's `HQ:` line. */
  hqLine: string;
  stdout: string[];
  stderr: string[];
  /** SIGTERM, then the exit status. */
  stop(): Promise<number | null>;
}

/** `src/main/web-bridge/cli.ts` as a child process, once its banner has named its HQ. */
export async function startKiosk(args: string[]): Promise<KioskChild> {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsx, 'src/main/web-bridge/cli.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const hqLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no HQ line in: ${stdout.join('\n')}`)), 90_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout.push(line);
      if (line.trim().startsWith('HQ:')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`kiosk exited with ${code}: ${stdout.join('\n')}\n${stderr.join('')}`)));
  });
  return {
    child,
    hqLine,
    stdout,
    stderr,
    stop() {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
