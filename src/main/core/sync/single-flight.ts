/**
 * One run at a time: a call while a run is in flight joins it instead of
 * starting a second one (two pushes or pulls in parallel would race over the
 * same cursor).
 */
export class SingleFlight<T> {
  private current: Promise<T> | null = null;

  constructor(private readonly run: () => Promise<T>) {}

  get busy(): boolean {
    return this.current !== null;
  }

  /** The run in flight, or a new one. */
  join(): Promise<T> {
    this.current ??= this.run().finally(() => {
      this.current = null;
    });
    return this.current;
  }
}
