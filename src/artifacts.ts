/**
 * Loads compiled contract artifacts (ABI and bytecode) without a Hardhat runtime, from this
 * package's `artifacts/` folder, whether running from source (`src/`) or from the build (`dist/src/`).
 */
import * as fs from "fs";
import * as path from "path";

export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

const ROOTS = [path.resolve(__dirname, ".."), path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")];

function findArtifact(dir: string, file: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const hit = findArtifact(p, file);
      if (hit) return hit;
    } else if (entry.name === file) {
      return p;
    }
  }
  return undefined;
}

const cache = new Map<string, ContractArtifact>();

/** The artifact of a contract by its name, e.g. `LXBook__Mock`. */
export function loadArtifact(contractName: string): ContractArtifact {
  const cached = cache.get(contractName);
  if (cached) return cached;
  for (const root of ROOTS) {
    const hit = findArtifact(path.join(root, "artifacts", "contracts"), `${contractName}.json`);
    if (hit) {
      const artifact = JSON.parse(fs.readFileSync(hit, "utf8")) as ContractArtifact;
      cache.set(contractName, artifact);
      return artifact;
    }
  }
  throw new Error(`artifact ${contractName} not found: run \`npx hardhat compile\` first`);
}
