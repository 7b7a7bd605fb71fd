/**
 * How long a till waits on HQ. A cashier's request (a till API call, a scan,
 * a redemption on the screens) gets its answer within TILL_ANSWER_BOUND_MS
 * whatever HQ does — hung, paused, dropping connections: the calls to HQ it
 * makes on the way share HQ_CALL_BUDGET_MS, well inside the bound so the
 * local work and the answer fit after them, and then the offline rules (HQ's
 * signed allowance) or a clear refusal apply. The background loops (push,
 * pull) keep their own, longer timeout: nobody waits on them.
 *
 * These are real-time budgets (AbortSignal.timeout), not the sync client's
 * injected timers: the promise is to a person standing at the till.
 */
export const TILL_ANSWER_BOUND_MS = 5_000;
/** Every HQ call one till request makes (push-through, voids heard late, the hold, a card lookup and its pull). */
export const HQ_CALL_BUDGET_MS = 2_500;
/** Of that, what waiting for this terminal's unsent entries to reach HQ may take before the hold is asked for. */
export const PUSH_THROUGH_BUDGET_MS = 1_000;
/** Voiding a hold after the sale was written or refused: HQ's timeout frees it if this is not enough. */
export const VOID_BUDGET_MS = 1_000;
/** Reading HQ's current chain-wide balance when a customer is identified; the local view after it. */
export const FRESH_BALANCE_BUDGET_MS = 1_000;

/**
 * `work`, or `late()` once `signal` aborts — whichever comes first. The work
 * is not cancelled: what it does when it ends (a pull applied, a push acked)
 * still lands, just without anyone waiting for it.
 */
export function within<T>(work: Promise<T>, signal: AbortSignal, late: () => T): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.resolve(late());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(late());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
