/**
 * Output, prompts and errors shared by the Hardhat tasks, the deployment engine and the `pars-node`
 * command. Nothing here depends on Hardhat (tasks/lib/io.ts adapts it to Hardhat's CLI).
 *
 * - Results go to stdout: one JSON document with `--json`, readable lines otherwise.
 * - Progress (waiting for a receipt, plans) goes to stderr, so `--json` output stays parseable.
 * - Failures are `ParsTaskError`s: a message for the operator to act on (printed without a stack
 *   trace unless `--show-stack-traces`), and with `--json` a `{ "ok": false, "error": … }` document
 *   printed to stdout first.
 */
import * as readline from "readline";
import type { DecodedRevert } from "../revert";

/** A failure the operator can act on: its message says what happened and what to do. */
export class ParsTaskError extends Error {
  constructor(
    message: string,
    readonly details: { revert?: DecodedRevert; [k: string]: unknown } = {},
    readonly parent?: Error,
  ) {
    super(message, parent ? { cause: parent } : undefined);
    this.name = "ParsTaskError";
  }
}

/**
 * Not an error: the operator answered "no" at a prompt. The caller prints `message` and exits 0.
 */
export class Declined extends Error {
  constructor(readonly what: string) {
    super(`not sent: ${what} declined at the prompt`);
    this.name = "Declined";
  }
}

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

export class Output {
  constructor(readonly json: boolean) {}

  /** A line for people (stdout), suppressed with --json. */
  line(text = ""): void {
    if (!this.json) console.log(text);
  }

  /** Aligned `key  value` rows for people. */
  table(rows: [string, unknown][]): void {
    if (this.json) return;
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${typeof v === "bigint" ? v.toString() : String(v)}`);
  }

  /** Progress and notices: stderr, in both modes. */
  progress(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The final result: printed as JSON with --json. */
  result<T>(value: T): T {
    if (this.json) console.log(toJson({ ok: true, ...(value as object) }));
    return value;
  }

  /** Prints a failure as JSON (with --json) and returns the error to throw. */
  fail(err: ParsTaskError): ParsTaskError {
    if (this.json) console.log(toJson({ ok: false, error: { message: err.message, ...err.details } }));
    return err;
  }
}

/** Any failure as a ParsTaskError (printed as JSON with --json). */
export function asTaskError(out: Output, e: unknown): ParsTaskError {
  if (e instanceof ParsTaskError) return out.fail(e);
  const err = e as Error;
  return out.fail(new ParsTaskError(err?.message ?? String(e), {}, err instanceof Error ? err : undefined));
}

function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Asks a yes/no question on the terminal; refuses (throws) when there is no terminal to ask on. */
export async function confirm(question: string): Promise<boolean> {
  if (!interactive()) {
    throw new ParsTaskError(`${question}: no terminal to confirm on; pass --yes to send without a prompt`);
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Reads a line without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let asked = false;
  out._writeToOutput = (s: string) => {
    if (!asked) {
      process.stderr.write(s);
      asked = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}

/** A secret from an environment variable, else asked on the terminal without echo. */
export async function secretFromEnvOrPrompt(env: string, question: string): Promise<string> {
  const fromEnv = process.env[env];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (!interactive()) throw new ParsTaskError(`no password: set ${env} or run the task on a terminal`);
  return promptHidden(question);
}

export const PASSWORD_ENV = "PARS_KEYSTORE_PASSWORD";

/**
 * The keystore password: from PARS_KEYSTORE_PASSWORD, else asked on the terminal (twice when
 * creating a keystore). Never printed.
 */
export async function keystorePassword(opts: { confirmNew?: boolean } = {}): Promise<string> {
  const fromEnv = process.env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (!interactive()) {
    throw new ParsTaskError(`no keystore password: set ${PASSWORD_ENV} or run the task on a terminal`);
  }
  const password = await promptHidden("Keystore password: ");
  if (opts.confirmNew) {
    const again = await promptHidden("Repeat the password: ");
    if (again !== password) throw new ParsTaskError("the passwords differ");
  }
  return password;
}
