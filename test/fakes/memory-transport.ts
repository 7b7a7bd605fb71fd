import type { Role } from '../../src/shared/contract';
import { roleReceives, type EventName } from '../../src/shared/contract';
import type { Core } from '../../src/main/core/core';
import type { RawTransport } from '../../src/renderer/api/client';

/**
 * The third adapter: a screen's transport wired straight to the core in the
 * same process, for tests of screens and handlers without Electron or a
 * socket. Like the others it goes through `dispatch` and delivers only the
 * events its role receives; inputs and outputs are copied as if serialised.
 */
export function memoryTransport(core: Pick<Core, 'dispatch' | 'bus'>, role: Role): RawTransport {
  const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
  return {
    role,
    invoke: async (method, input) => clone(await core.dispatch(role, method, clone(input))),
    on(listener) {
      return core.bus.subscribe((name: EventName, payload) => {
        if (roleReceives(role, name)) listener(name, clone(payload));
      });
    },
    onConnection(listener) {
      listener(true);
      return () => undefined;
    },
  };
}
