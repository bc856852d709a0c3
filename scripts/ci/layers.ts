/**
 * Layering check: which directory may import which.
 *
 * - `src/` (the package's helpers and the shared send flow) imports nothing of `deploy/`, `tasks/`
 *   or `scripts/`; `src/cli/` (which the `pars-node` command runs without Hardhat) imports no
 *   `hardhat` module either.
 * - `deploy/` (the deployment engine) imports nothing of `tasks/` (the Hardhat tasks drive it, not
 *   the other way round).
 * - `contracts/` other than `contracts/mocks/` imports no mock.
 *
 * Usage: `ts-node --transpile-only scripts/ci/layers.ts [root]`; exits 1 and lists each offending
 * import otherwise. `checkLayers` takes the files themselves, so a test can hand it any tree.
 */
import * as fs from "fs";
import * as path from "path";

export interface SourceFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

/** Each import specifier of a TypeScript or Solidity file, with its line. */
export function importsOf(file: SourceFile): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  const patterns = file.path.endsWith(".sol")
    ? [/\bimport\s+(?:[^"';]*?\bfrom\s+)?"([^"]+)"/g, /\bimport\s+(?:[^"';]*?\bfrom\s+)?'([^']+)'/g]
    : [
        /\b(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\bfrom\s+)?["']([^"']+)["']/g,
        /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
        /\brequire(?:\.resolve)?\s*\(\s*["']([^"']+)["']\s*\)/g,
      ];
  // Comments are not imports: blank them out (keeping line breaks, so line numbers stay right).
  const text = file.text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/(^|[^:"'])\/\/[^\n]*/g, (c, p: string) => p + " ".repeat(c.length - p.length));
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const line = text.slice(0, m.index).split("\n").length;
      found.push({ specifier: m[1], line });
    }
  }
  return found;
}

/** Where an import points: a project path for relative ones, the package name otherwise. */
function target(from: string, specifier: string): { project?: string; pkg?: string } {
  if (specifier.startsWith(".")) return { project: path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)) };
  return { pkg: specifier };
}

const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

/** The violations among `files` (paths relative to the project root). */
export function checkLayers(files: SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    const f = file.path;
    for (const { specifier, line } of importsOf(file)) {
      const t = target(f, specifier);
      const bad = (rule: string) => out.push({ file: f, line, specifier, rule });
      if (under(f, "src")) {
        for (const dir of ["deploy", "tasks", "scripts"]) {
          if (t.project && under(t.project, dir)) bad(`src/ imports nothing of ${dir}/`);
        }
        if (under(f, "src/cli") && t.pkg && (t.pkg === "hardhat" || t.pkg.startsWith("hardhat/"))) bad("src/cli/ runs without Hardhat: no hardhat import");
      }
      if (under(f, "deploy") && t.project && under(t.project, "tasks")) bad("deploy/ imports nothing of tasks/");
      if (under(f, "contracts") && !under(f, "contracts/mocks") && f.endsWith(".sol")) {
        const resolved = t.project ?? specifier;
        if (/(^|\/)mocks\//.test(resolved) || /(^|\/)Mock[A-Z]\w*\.sol$/.test(resolved)) bad("contracts/ outside contracts/mocks/ imports no mock");
      }
    }
  }
  return out;
}

/** Every .ts and .sol file under the checked directories of `root`. */
export function projectFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(p);
      } else if (/\.(ts|sol)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push({ path: p, text: fs.readFileSync(path.join(root, p), "utf8") });
      }
    }
  };
  for (const dir of ["src", "deploy", "contracts"]) walk(dir);
  return files;
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}: imports "${v.specifier}" (${v.rule})`;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".."));
  const files = projectFiles(root);
  const violations = checkLayers(files);
  if (violations.length > 0) {
    console.error(`layers: ${violations.length} import${violations.length === 1 ? "" : "s"} against the layering:`);
    for (const v of violations) console.error(`  ${formatViolation(v)}`);
    process.exit(1);
  }
  console.log(`layers: ${files.length} files of src/, deploy/ and contracts/ import only downwards`);
}
