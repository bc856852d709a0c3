/**
 * The Hardhat side of output and errors: the shared ones of src/cli/io.ts, and a task body's failure
 * turned into the plugin error Hardhat's CLI prints as a message (once, without a stack trace unless
 * `--show-stack-traces`).
 */
import { inspect } from "util";
import { HardhatPluginError } from "hardhat/plugins";
import { asTaskError, Declined, type Output, type ParsTaskError } from "../../src/cli/io";
import type { DecodedRevert } from "../../src/revert";

export * from "../../src/cli/io";

export const PLUGIN = "pars";

/** A ParsTaskError as Hardhat's CLI expects it: same message and details. */
export class ParsPluginError extends HardhatPluginError {
  readonly details: { revert?: DecodedRevert; [k: string]: unknown };

  constructor(readonly error: ParsTaskError) {
    super(PLUGIN, error.message, error.parent ?? error);
    // HardhatPluginError resets the prototype to its own; restore ours so `instanceof` works.
    Object.setPrototypeOf(this, ParsPluginError.prototype);
    this.name = "ParsTaskError";
    this.details = error.details;
  }

  /**
   * What Hardhat's CLI prints after `Error in plugin pars: <message>` where it shows stack traces by
   * default (it treats Linux without a display server, where operators run, as CI): nothing, since
   * the message is the operator's to act on and was just printed; the stack with
   * `--show-stack-traces`.
   */
  [inspect.custom](): string {
    if (!process.argv.includes("--show-stack-traces")) return "";
    // Hardhat's own rendering: the stack, then the parent error's.
    const hardhat = Object.getPrototypeOf(ParsPluginError.prototype) as { [inspect.custom](this: ParsPluginError): string };
    return hardhat[inspect.custom].call(this);
  }
}

/**
 * Runs a task body; any error becomes a ParsPluginError (printed as JSON with --json). A "no" at
 * the prompt is not an error: its message is printed and the task ends normally (exit code 0),
 * with `{ "ok": true, "sent": false, "declined": true }` under --json.
 */
export async function runTask<T>(out: Output, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof Declined) {
      out.line(e.message);
      return out.result({ sent: false, declined: true, message: e.message }) as T;
    }
    if (e instanceof ParsPluginError) throw e;
    throw new ParsPluginError(asTaskError(out, e));
  }
}
