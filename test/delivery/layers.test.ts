import { expect } from "chai";
import * as path from "path";
import { checkLayers, formatViolation, projectFiles, type SourceFile } from "../../scripts/ci/layers";

describe("delivery: layering (scripts/ci/layers.ts)", () => {
  it("the project imports only downwards: src/ below deploy/ below tasks/, no mock in production contracts", () => {
    const violations = checkLayers(projectFiles(path.join(__dirname, "..", "..")));
    expect(violations.map(formatViolation)).to.deep.equal([]);
  });

  it("names each wrong import: upwards from src/ or deploy/, hardhat in src/cli/, a mock in a production contract", () => {
    const files: SourceFile[] = [
      { path: "deploy/engine.ts", text: 'import type { Chain } from "../tasks/lib/chain";\nimport { x } from "../src/cli/tx";\n' },
      { path: "src/cli/tx.ts", text: '// import { no } from "../../tasks/lib/io";\nimport { HardhatPluginError } from "hardhat/plugins";\n' },
      { path: "src/registry.ts", text: 'const { plan } = await import("../deploy/engine");\nexport { y } from "../scripts/demo";\n' },
      { path: "contracts/registry/R.sol", text: 'import {MockToken} from "../mocks/MockToken.sol";\nimport "../libraries/L.sol";\n' },
      { path: "contracts/mocks/M.sol", text: 'import "./MockOther.sol";\n' },
      { path: "tasks/node.ts", text: 'import { engine } from "../deploy/engine";\n' },
    ];
    expect(checkLayers(files).map(formatViolation)).to.deep.equal([
      'deploy/engine.ts:1: imports "../tasks/lib/chain" (deploy/ imports nothing of tasks/)',
      'src/cli/tx.ts:2: imports "hardhat/plugins" (src/cli/ runs without Hardhat: no hardhat import)',
      'src/registry.ts:2: imports "../scripts/demo" (src/ imports nothing of scripts/)',
      'src/registry.ts:1: imports "../deploy/engine" (src/ imports nothing of deploy/)',
      'contracts/registry/R.sol:1: imports "../mocks/MockToken.sol" (contracts/ outside contracts/mocks/ imports no mock)',
    ]);
  });
});
