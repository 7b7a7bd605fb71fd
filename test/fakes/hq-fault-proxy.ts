import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'hang' | 'drop';

/**
 * A TCP proxy in front of HQ, for a terminal configured with its address:
 * `forward` passes bytes both ways; `hang` accepts connections and never
 * answers (an HQ wedged behind a load balancer); `drop` destroys every
 * connection as it arrives. Switching mode closes the connections open so far,
 * so a kept-alive connection does not carry requests past the new mode.
 */
export class HqFaultProxy {
  private mode: ProxyMode = 'forward';
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: () => number): Promise<HqFaultProxy> {
    let proxy: HqFaultProxy | null = null;
    const server = createServer((client) => proxy!.accept(client, target()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    proxy = new HqFaultProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  set(mode: ProxyMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private accept(client: Socket, port: number): void {
    if (this.mode === 'drop') {
      client.destroy();
      return;
    }
    this.track(client);
    client.on('error', () => {});
    if (this.mode === 'hang') return;
    const upstream = connect(port, '127.0.0.1');
    this.track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  async close(): Promise<void> {
    this.set('drop');
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
