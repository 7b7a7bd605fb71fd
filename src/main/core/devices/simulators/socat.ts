import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';

/**
 * A pair of connected pseudo-terminals made by socat, each reachable by a
 * stable symlink: the app opens one end as if it were /dev/ttyACM0, a
 * simulator speaks the device's protocol at the other. Killing socat is
 * pulling the cable; starting it again under the same links is plugging it
 * back. Stopped by its own pid, never by name.
 */
export class SocatPair {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    /** The end the app opens. */
    readonly appPath: string,
    /** The end the simulator opens. */
    readonly devicePath: string,
    private readonly socatBin = '/usr/bin/socat',
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 3_000): Promise<void> {
    if (this.child) throw new Error('socat already running');
    // A SIGKILLed socat leaves its links behind, and socat will not replace them.
    for (const link of [this.appPath, this.devicePath]) removeStaleLink(link);
    const child = spawn(
      this.socatBin,
      ['-d', '-d', `pty,raw,echo=0,link=${this.appPath}`, `pty,raw,echo=0,link=${this.devicePath}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4_000) stderr += chunk.toString();
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(this.appPath) && existsSync(this.devicePath))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await this.stop();
        throw new Error(`socat did not create ${this.appPath} and ${this.devicePath}: ${stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Ends socat (SIGTERM lets it remove its links; SIGKILL is the harsher unplug). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await this.exited;
  }
}

function removeStaleLink(path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}
