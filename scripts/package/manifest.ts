/**
 * The manifest a packed tarball carries. The project's package.json lists `@foundry-rs/cast-linux-amd64`
 * as an optional dependency: the tests drive Foundry's cast against a local node, and the registry
 * has that binary only for Linux x64, so only an optional dependency lets `npm ci` pass elsewhere.
 * A consumer would install a dependency's optional dependencies too (a 60 MB binary), so the packed
 * manifest leaves them out.
 *
 *   ts-node scripts/package/manifest.ts strip     # prepack: back up package.json, write the packed manifest
 *   ts-node scripts/package/manifest.ts restore   # postpack: put the project's package.json back
 *   ts-node scripts/package/manifest.ts refuse    # prepublishOnly: publishing goes through the tarball
 *
 * `npm publish` sends the registry the manifest it reads after packing, which is the restored one, so
 * the package is published from its tarball: `npm pack`, then `npm publish <tarball>`.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const MANIFEST = path.join(ROOT, "package.json");
/** Outside cache/package, which every build clears. */
const BACKUP = path.join(ROOT, "cache", "package.json.project");

/** The project's manifest as it is packed: without the optional dependencies the tests use. */
export function packedManifest(project: Record<string, unknown>): Record<string, unknown> {
  const { optionalDependencies: _tooling, ...packed } = project;
  return packed;
}

/** Writes the packed manifest over package.json, keeping the project's for `restoreManifest`. */
export function stripManifest(): void {
  // A backup left by a pack that stopped half-way is the project's manifest: never overwrite it.
  if (!fs.existsSync(BACKUP)) {
    fs.mkdirSync(path.dirname(BACKUP), { recursive: true });
    fs.copyFileSync(MANIFEST, BACKUP);
  }
  const project = JSON.parse(fs.readFileSync(BACKUP, "utf8")) as Record<string, unknown>;
  fs.writeFileSync(MANIFEST, JSON.stringify(packedManifest(project), null, 2) + "\n");
}

/** Puts the project's package.json back (nothing to do when no pack is under way). */
export function restoreManifest(): void {
  if (fs.existsSync(BACKUP)) fs.renameSync(BACKUP, MANIFEST);
}

if (require.main === module) {
  const command = process.argv[2];
  if (command === "strip") stripManifest();
  else if (command === "restore") restoreManifest();
  else if (command === "refuse") {
    console.error("Publish the packed tarball, whose manifest leaves out the tests' tooling: `npm pack`, then `npm publish <tarball>`.");
    process.exitCode = 1;
  } else {
    console.error("usage: ts-node scripts/package/manifest.ts strip | restore | refuse");
    process.exitCode = 2;
  }
}
