/**
 * Time budgets of the bundled handlers (`handlers/asya_http.py` holds the same rules in Python; a test
 * compares the two).
 *
 * Upstream: the sidecar gives each message one deadline, `ASYA_RUNTIME_TIMEOUT` = the actor's
 * `spec.timeout.processing` (deliveryhero/asya src/asya-operator/internal/controller/asya_controller.go:880
 * @ v0.1.1); on expiry it routes the message to error-end and exits with the message un-acked, which is
 * then redelivered (src/asya-sidecar/internal/router/router.go:339-355). So the processing timeout must
 * cover the handler's real worst case, or a model call that would have succeeded is repeated.
 */

/** Longest sleep between two attempts (`asya_http.MAX_SLEEP_SECONDS`): Retry-After and backoff are capped to it. */
export const HANDLER_MAX_SLEEP_SECONDS = 30;

/** Seconds added to the handler's worst case for the runtime, the sidecar and the result's way back. */
export const HANDLER_BUDGET_MARGIN_SECONDS = 30;

/** What one handler call may spend. */
export interface HandlerBudgetInput {
  /** Deadline of one attempt, in seconds (connect, send and the whole answer). */
  readonly requestTimeoutSeconds: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /**
   * Seconds from the first attempt during which connection errors, 429, 502 and 503 keep being retried
   * (a model scaled to zero is starting).
   * @default 0
   */
  readonly coldStartSeconds?: number;
}

/**
 * The longest one handler call can take: `cold start + t * (r + 1) + 30 * r` seconds. The handler
 * enforces it as the deadline of the whole message (`asya_http.worst_case_seconds`; the job launcher's
 * POST and the GET after a 409 share it), so it is exact, not an estimate.
 */
export function handlerWorstCaseSeconds(b: HandlerBudgetInput): number {
  const t = b.requestTimeoutSeconds;
  const r = b.maxRetries;
  return (b.coldStartSeconds ?? 0) + t * (r + 1) + HANDLER_MAX_SLEEP_SECONDS * r;
}

/**
 * The actor's processing timeout (`spec.timeout.processing`, whole seconds) for a handler with this
 * budget: its worst case plus a margin for the runtime and the sidecar.
 */
export function handlerProcessingTimeoutSeconds(b: HandlerBudgetInput): number {
  return Math.ceil(handlerWorstCaseSeconds(b) + HANDLER_BUDGET_MARGIN_SECONDS);
}

/**
 * The pod's graceful shutdown (terminationGracePeriodSeconds) for a handler with this request timeout:
 * long enough for a call in progress to finish on scale-in (TIM-4), and never below the actor default (30 s).
 */
export function handlerGracefulShutdownSeconds(requestTimeoutSeconds: number): number {
  return Math.max(30, Math.ceil(requestTimeoutSeconds + HANDLER_BUDGET_MARGIN_SECONDS));
}
