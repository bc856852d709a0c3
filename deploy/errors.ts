/**
 * The one error the deploy engine throws: a message for people and the details a caller reports
 * with it (machine-readable, e.g. the revert decoded from a failed transaction). The engine never
 * prints; the task that runs it turns this into its own error type.
 */
export class DeployError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DeployError";
  }
}
