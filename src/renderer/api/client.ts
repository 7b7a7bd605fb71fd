import type { AppError, EventName, EventPayload, MethodInput, MethodName, MethodOutput, Result, Role } from '../../shared/contract';

/** A failed call, carrying the serialisable error the main process sent. */
export class ApiError extends Error {
  readonly code: AppError['code'];
  readonly issues: AppError['issues'];
  constructor(error: AppError) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
    this.issues = error.issues;
  }
}

/**
 * What a screen sees of the main process, whatever carries it (Electron IPC,
 * the web bridge's WebSocket, an in-memory fake in tests).
 */
export interface ApiClient {
  readonly role: Role;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Connection state, for the small "reconnecting" banner of the browser mode. */
  onConnection(listener: (connected: boolean) => void): () => void;
}

/** The raw shape both transports share: a call returns a Result, never throws for app errors. */
export interface RawTransport {
  readonly role: Role;
  invoke(method: string, input: unknown): Promise<Result<unknown>>;
  on(listener: (name: string, payload: unknown) => void): () => void;
  onConnection(listener: (connected: boolean) => void): () => void;
}

export function clientFrom(transport: RawTransport): ApiClient {
  return {
    role: transport.role,
    async call(method, input) {
      const result = await transport.invoke(method, input);
      if (!result.ok) throw new ApiError(result.error);
      return result.value as never;
    },
    on(event, listener) {
      return transport.on((name, payload) => {
        if (name === event) listener(payload as never);
      });
    },
    onConnection: (listener) => transport.onConnection(listener),
  };
}
