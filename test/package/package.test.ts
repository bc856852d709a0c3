/**
 * The npm package as a dApp developer gets it: built, packed, installed into a fresh project from the
 * tarball (with the project's exact ethers, TypeScript 5.9.3 and @types/node), type-checked, compiled
 * and run against a real `hardhat node` on which the suite was deployed by the project's own
 * `deploy-suite` task. The consumer's own Hardhat tests use the project's pinned Hardhat (linked, not
 * downloaded: the package treats it as an optional peer).
 */
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import hre from "hardhat";
import { JsonRpcProvider, getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { buildPackage, INSTALLER_MOCKS, type BuildResult } from "../../scripts/package/build";
import { restoreManifest, stripManifest } from "../../scripts/package/manifest";
import { startHardhatNode, type LocalNode } from "../helpers/node-process";
import { addressesOf } from "../../src/deployments";
import { inboxToSwarm } from "../../src/swarm";
import { autoSalt, deriveSessionId, CREATE_FEE } from "../../src/sessions";
import { registrationDigest } from "../../src/registry";
import { blsKeyPair, g2ToTuple, proofOfPossession } from "../../src/bls";
import { mldsaKeyGen, mldsaSign, mlkemKeyGen } from "../../src/pq";
import { HeartbeatChain, epochOf } from "../../src/heartbeat";
import { encodeMultiaddr } from "../../src/multiaddr";
import { pqProfileOf } from "../../src/networks";
import { NodeDirectory__factory, ServiceNodeRegistry__factory, SwarmCoordinator__factory } from "../../typechain-types";
import * as consumerFiles from "./consumer";

const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");
/** The exact version the project pins (package.json pins every dependency exactly). */
const version = (pkg: string): string => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const v = manifest.devDependencies?.[pkg] ?? manifest.dependencies?.[pkg];
  if (!v || !/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`package.json does not pin ${pkg} exactly`);
  return v;
};

interface Ran {
  stdout: string;
  stderr: string;
}

/** Runs a command; a failure carries its output. */
async function run(file: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  try {
    return await promisify(execFile)(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 1 << 26,
      encoding: "utf8",
    });
  } catch (e) {
    const { stdout, stderr } = e as Partial<Ran>;
    throw new Error(`${path.basename(file)} ${args.join(" ")} failed in ${opts.cwd}: ${(e as Error).message}\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

/** The environment without the npm_* variables of an enclosing `npm test`, which would steer a nested npm. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

/** `npm install` with one retry after a clean slate: the registry is remote and may stumble once. */
async function npmInstall(cwd: string, specs: string[]): Promise<void> {
  // Peers are installed as listed: hardhat is linked in afterwards (see below), not downloaded.
  const args = ["install", ...specs, "--no-audit", "--no-fund", "--prefer-offline", "--legacy-peer-deps", "--loglevel=error"];
  try {
    await run("npm", args, { cwd, env: npmEnv(), timeoutMs: 120_000 });
  } catch (first) {
    console.warn(`    npm install failed once, retrying: ${(first as Error).message.split("\n")[0]}`);
    fs.rmSync(path.join(cwd, "node_modules"), { recursive: true, force: true });
    fs.rmSync(path.join(cwd, "package-lock.json"), { force: true });
    await run("npm", args, { cwd, env: npmEnv(), timeoutMs: 120_000 });
  }
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const filled = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);

describe("package: the packed npm package in a fresh consumer project", function () {
  this.timeout(300_000);

  let tmp: string;
  let node: LocalNode | undefined;
  let build: BuildResult;
  let packed: { filename: string; files: { path: string }[] };
  let packedManifest: Record<string, unknown>;
  let consumer: string;
  let deploymentsDir: string;
  const tsc = () => path.join(consumer, "node_modules", "typescript", "bin", "tsc");

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pars-package-"));
    const nodeStarted = startHardhatNode();
    nodeStarted.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
    try {
      build = await buildPackage(hre);

      // What `npm pack` runs around the packing (prepack's build is done above).
      stripManifest();
      try {
        const pack = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: ROOT, env: npmEnv() });
        [packed] = JSON.parse(pack.stdout) as (typeof packed)[];
      } finally {
        restoreManifest();
      }
      const tarball = path.join(tmp, packed.filename);

      consumer = path.join(tmp, "consumer");
      write(path.join(consumer, "package.json"), JSON.stringify({ name: "pars-package-consumer", version: "0.0.0", private: true }, null, 2));
      const installed = npmInstall(consumer, [
        tarball,
        `ethers@${version("ethers")}`,
        `typescript@${version("typescript")}`,
        `@types/node@${version("@types/node")}`,
        // What the README's Hardhat test block needs besides hardhat.
        `@nomicfoundation/hardhat-ethers@${version("@nomicfoundation/hardhat-ethers")}`,
        `chai@${version("chai")}`,
        `@types/chai@${version("@types/chai")}`,
        `@types/mocha@${version("@types/mocha")}`,
      ]);
      installed.catch(() => undefined);

      node = await nodeStarted;
      deploymentsDir = path.join(tmp, "deployments");
      const deployed = run(process.execPath, [HARDHAT_CLI, "deploy-suite", "--network", "localhost", "--yes", "--json"], {
        cwd: ROOT,
        env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", LOCALHOST_RPC_URL: node.url, PARS_DEPLOYMENTS_DIR: deploymentsDir },
      });
      await Promise.all([installed, deployed]);
    } catch (e) {
      // Never leave the node running, even when the failure came before it was awaited.
      node = node ?? (await nodeStarted.catch(() => undefined));
      await node?.stop();
      node = undefined;
      throw e;
    }

    packedManifest = JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", consumerFiles.PACKAGE_NAME, "package.json"), "utf8"));
    // The consumer's Hardhat project: hardhat linked in after npm install (which would prune it).
    fs.symlinkSync(path.dirname(require.resolve("hardhat/package.json")), path.join(consumer, "node_modules", "hardhat"), "dir");
    write(path.join(consumer, "tsconfig.json"), JSON.stringify(consumerFiles.TSCONFIG, null, 2));
    write(path.join(consumer, "tsconfig.node10.json"), JSON.stringify(consumerFiles.TSCONFIG_NODE10, null, 2));
    write(path.join(consumer, "tsconfig.bundler.json"), JSON.stringify(consumerFiles.TSCONFIG_BUNDLER, null, 2));
    write(path.join(consumer, "tsconfig.readme-test.json"), JSON.stringify(consumerFiles.TSCONFIG_README_TEST, null, 2));
    // The README's blocks exactly as a developer copies them.
    const readme = consumerFiles.readmeBlocks(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
    write(path.join(consumer, "src", "readme-script.ts"), readme.script);
    write(path.join(consumer, "src", "directory-client.ts"), consumerFiles.readmeDirectoryClient(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")));
    write(path.join(consumer, "test", "readme.test.ts"), readme.hardhatTest);
    write(path.join(consumer, "hardhat.config.d.ts"), consumerFiles.HARDHAT_CONFIG_DTS);
    write(path.join(consumer, "esm-ts", "package.json"), JSON.stringify(consumerFiles.ESM_PROJECT.packageJson, null, 2));
    write(path.join(consumer, "esm-ts", "tsconfig.json"), JSON.stringify(consumerFiles.ESM_PROJECT.tsconfig, null, 2));
    write(path.join(consumer, "esm-ts", "readme-script.ts"), readme.script);
    write(path.join(consumer, "src", "main.ts"), consumerFiles.MAIN_TS);
    write(path.join(consumer, "src", "hardhat-tests.ts"), consumerFiles.HARDHAT_TS);
    write(path.join(consumer, "hardhat.config.js"), consumerFiles.HARDHAT_CONFIG_JS);
    write(path.join(consumer, "esm.mjs"), consumerFiles.ESM_MJS);
    // A project as `tsc --init` (TypeScript 5.9) starts one: nodenext, noUncheckedIndexedAccess,
    // exactOptionalPropertyTypes, verbatimModuleSyntax; an ES module package, and the Node types
    // the README says to add (`"types": ["node"]`).
    const fresh = path.join(consumer, "fresh");
    write(path.join(fresh, "package.json"), JSON.stringify({ type: "module" }, null, 2));
    await run(process.execPath, [tsc(), "--init"], { cwd: fresh });
    const init = fs.readFileSync(path.join(fresh, "tsconfig.json"), "utf8");
    expect(init).to.match(/"noUncheckedIndexedAccess": true/);
    fs.writeFileSync(path.join(fresh, "tsconfig.json"), init.replace(/"types": \[\]/, '"types": ["node"]'));
    write(path.join(fresh, "readme-script.ts"), readme.script);
  });

  after(async () => {
    await node?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("packs a deliberate surface: built entry points, bindings, ABIs, deployments, Solidity interfaces; no mocks, tests, sources or caches", () => {
    const files = packed.files.map((f) => f.path).sort();
    const allowed = [/^package\.json$/, /^README\.md$/, /^SECURITY\.md$/, /^LICENSE$/, /^dist\//, /^contracts\/(interfaces|libraries|precompiles)\/[^/]+\.sol$/];
    expect(files.filter((f) => !allowed.some((r) => r.test(f))), "files outside the surface").to.deep.equal([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), "TypeScript sources").to.deep.equal([]);
    expect(files.filter((f) => /cache|build-info|\.dbg\.json|(^|\/)test\/|\/31337\.json$/.test(f)), "caches, tests, local deployments").to.deep.equal([]);
    // Mocks appear only as the runtime code the precompile installer places.
    expect(files.filter((f) => /mocks|__Mock|Harness/.test(f))).to.deep.equal(
      INSTALLER_MOCKS.map((m) => `dist/artifacts/contracts/mocks/${m}.sol/${m}.json`).sort(),
    );
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/precompiles.js", "dist/precompiles.d.ts", "dist/dex.js", "dist/typechain/index.js", "dist/typechain/index.d.ts"]) {
      expect(files, f).to.include(f);
    }
    for (const m of ["networks", "pq", "bls", "attestations", "heartbeat", "registry", "rewards", "swarm", "sessions", "storage", "deployments", "revert", "keystore", "multiaddr", "directory", "precompiles/install"]) {
      expect(files, m).to.include.members([`dist/src/${m}.js`, `dist/src/${m}.d.ts`]);
    }
    // One ABI and one typed factory per production contract and interface.
    expect(files.filter((f) => f.startsWith("dist/abi/"))).to.deep.equal(build.contracts.map((c) => `dist/abi/${c}.json`).sort());
    expect(build.contracts).to.include.members([
      "ServiceNodeRegistry",
      "SwarmCoordinator",
      "StorageCommitment",
      "ServiceNodeRewards",
      "SessionBridge",
      "NetworkAttestations",
      "TimelockController",
      "IServiceNodeRegistry",
      "ISwarmCoordinator",
      "IMLDSA",
      "IMLKEM",
    ]);
    for (const c of build.contracts) expect(files, c).to.include(`dist/typechain/factories/${c}__factory.d.ts`);
    expect(files).to.include("contracts/interfaces/IServiceNodeRegistry.sol");
  });

  it("declares what the built code needs at run time: @noble/* and the Merkle tree as dependencies, ethers as a peer, hardhat as an optional peer, not the tests' tooling", () => {
    const m = packedManifest as {
      private: boolean;
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      exports: Record<string, unknown>;
    };
    expect(m.private).to.equal(false);
    expect(Object.keys(m.dependencies).sort()).to.deep.equal(["@noble/curves", "@noble/hashes", "@noble/post-quantum", "@openzeppelin/merkle-tree"]);
    expect(m.peerDependencies).to.have.keys(["ethers", "hardhat"]);
    expect(m.peerDependenciesMeta.hardhat.optional).to.equal(true);
    // The tests' cast binary (an optional dependency of the project) is neither declared nor installed.
    expect(packedManifest).to.not.have.property("optionalDependencies");
    expect(fs.existsSync(path.join(consumer, "node_modules", "@foundry-rs"))).to.equal(false);
    const project = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { optionalDependencies: object; scripts: Record<string, string> };
    expect(project.optionalDependencies, "the project's manifest is restored").to.have.property("@foundry-rs/cast-linux-amd64");
    expect(project.scripts.prepack).to.match(/manifest\.ts strip$/);
    expect(project.scripts.postpack).to.match(/manifest\.ts restore$/);
    expect(Object.keys(m.exports)).to.deep.equal([".", "./typechain", "./precompiles", "./dex", "./abi/*.json", "./deployments/*.json", "./contracts/*", "./package.json"]);
    // Every runtime import of the build is declared.
    const declared = new Set([...Object.keys(m.dependencies), ...Object.keys(m.peerDependencies)]);
    const required = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".js")) {
          for (const [, spec] of fs.readFileSync(p, "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
            required.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
          }
        }
      }
    };
    walk(path.join(consumer, "node_modules", consumerFiles.PACKAGE_NAME, "dist"));
    const builtins = new Set(require("module").builtinModules as string[]);
    expect([...required].filter((r) => !declared.has(r) && !builtins.has(r)), "undeclared runtime imports").to.deep.equal([]);
  });

  it("type-checks strictly (exports; typesVersions for node10; ES module projects under nodenext and bundler; a fresh `tsc --init` project) and compiles, the README's blocks included", async () => {
    await Promise.all([
      run(process.execPath, [tsc(), "-p", "tsconfig.json"], { cwd: consumer }),
      run(process.execPath, [tsc(), "-p", "tsconfig.node10.json"], { cwd: consumer }),
      run(process.execPath, [tsc(), "-p", "tsconfig.bundler.json"], { cwd: consumer }),
      run(process.execPath, [tsc(), "-p", "tsconfig.readme-test.json"], { cwd: consumer }),
      run(process.execPath, [tsc(), "-p", path.join("esm-ts", "tsconfig.json")], { cwd: consumer }),
      run(process.execPath, [tsc(), "-p", path.join("fresh", "tsconfig.json"), "--noEmit"], { cwd: consumer }),
    ]);
    for (const f of ["out/main.js", "out/hardhat-tests.js", "out/readme-script.js", "out/directory-client.js", "out-test/test/readme.test.js", "esm-ts/out/readme-script.js"]) {
      expect(fs.existsSync(path.join(consumer, f)), f).to.equal(true);
    }
  });

  it("runs the README's script against the deployed suite, as CommonJS and as an ES module: its helpers agree with the contracts", async () => {
    for (const script of [path.join("out", "readme-script.js"), path.join("esm-ts", "out", "readme-script.js")]) {
      const { stdout } = await run(process.execPath, [script], {
        cwd: consumer,
        env: { ...process.env, PARS_RPC_URL: node!.url, PARS_DEPLOYMENTS_DIR: deploymentsDir },
      });
      const out = JSON.parse(stdout) as { activeNodes: string; swarm: number; swarmOnChain: number; fee: string; feeOnChain: string; sessionId: string; signatureBytes: number };
      expect(out.swarm, script).to.equal(out.swarmOnChain);
      expect(out.fee, script).to.equal(out.feeOnChain);
      expect(out.fee, script).to.equal(CREATE_FEE.toString());
      expect(out.sessionId, script).to.match(/^0x07[0-9a-f]{62}$/);
      expect(out.signatureBytes, script).to.equal(3309);
    }
  });

  it("runs the README's Hardhat test in the consumer's own Hardhat project", async () => {
    const consumerHardhat = path.join(consumer, "node_modules", "hardhat", "internal", "cli", "cli.js");
    const { stdout } = await run(process.execPath, [consumerHardhat, "test", path.join("out-test", "test", "readme.test.js")], {
      cwd: consumer,
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    });
    expect(stdout).to.match(/verifies ML-DSA-65 at 0x…0601/);
    expect(stdout).to.match(/1 passing/);
  });

  it("runs against the deployed suite: health and values through the bindings, helpers that agree with the contracts", async () => {
    const { stdout } = await run(process.execPath, [path.join("out", "main.js")], {
      cwd: consumer,
      env: { ...process.env, PARS_RPC_URL: node!.url, PARS_DEPLOYMENTS_DIR: deploymentsDir },
    });
    const out = JSON.parse(stdout) as Record<string, unknown> & { health: Record<string, string | boolean>; addresses: Record<string, string> };
    const { INPUTS } = consumerFiles;

    // What the project itself reads and computes.
    const addresses = addressesOf(31337, deploymentsDir);
    const provider = new JsonRpcProvider(node!.url);
    try {
      const swarms = SwarmCoordinator__factory.connect(addresses.SwarmCoordinator, provider);
      const registry = ServiceNodeRegistry__factory.connect(addresses.ServiceNodeRegistry, provider);
      const h = await swarms.networkHealth();
      const inbox = keccak256(toUtf8Bytes(INPUTS.inboxLabel));
      const mldsa = mldsaKeyGen(65, filled(INPUTS.seedByte.mldsa, 32));
      const mlkem = mlkemKeyGen(1, filled(INPUTS.seedByte.mlkem, 64));
      const blsKey = blsKeyPair(filled(INPUTS.seedByte.bls, 32));
      const anchor = HeartbeatChain.create({ length: INPUTS.heartbeatLength, anchorEpoch: 0, seed: filled(INPUTS.seedByte.heartbeat, 32) }).anchor;

      expect(out.chainId).to.equal(31337);
      expect(out.addresses).to.deep.equal(addresses);
      expect(Object.keys(out.addresses)).to.include.members(["ServiceNodeRegistry", "SwarmCoordinator", "SessionBridge"]);
      expect(out.health).to.deep.equal({
        totalNodes: h.totalNodes.toString(),
        activeNodes: h.activeNodes.toString(),
        swarmCount: h.swarmCount.toString(),
        averageSwarmSizeWad: h.averageSwarmSizeWad.toString(),
        minSwarmSize: h.minSwarmSize.toString(),
        maxSwarmSize: h.maxSwarmSize.toString(),
        storageCapacity: h.storageCapacity.toString(),
        storageUsed: h.storageUsed.toString(),
        replicationOk: h.replicationOk,
        healthy: h.healthy,
      });
      // A fresh deployment: no node yet, so not healthy.
      expect(out.health).to.include({ totalNodes: "0", activeNodes: "0", healthy: false });
      expect(out.healthyByHelper).to.equal(false);
      expect(out.stakingRequirement).to.equal((await registry.stakingRequirement()).toString());
      expect(BigInt(out.stakingRequirement as string) > 0n).to.equal(true);

      expect(out.inbox).to.equal(inbox);
      expect(out.swarmOfInbox).to.equal(inboxToSwarm(inbox, INPUTS.swarmCount));
      expect(out.swarmOfInboxOnChain).to.equal(out.swarmOfInbox);
      expect(out.swarmNow).to.equal(inboxToSwarm(inbox, Number(h.swarmCount)));
      expect(out.swarmNowOnChain).to.equal(out.swarmNow);

      expect(out.salt).to.equal(autoSalt(0));
      expect(out.saltOnChain).to.equal(out.salt);
      expect(out.sessionId).to.equal(
        deriveSessionId({ chainId: 31337, bridge: addresses.SessionBridge, creator: INPUTS.operator, salt: autoSalt(0), participants: [INPUTS.operator, INPUTS.peer] }),
      );
      expect(out.quote).to.equal(CREATE_FEE.toString());
      expect(out.quoteOnChain).to.equal(out.quote);

      const digest = registrationDigest({
        chainId: 31337,
        registry: addresses.ServiceNodeRegistry,
        operator: INPUTS.operator,
        mldsaPublicKey: mldsa.publicKey,
        mlkemPublicKey: mlkem.publicKey,
        blsPublicKey: g2ToTuple(blsKey.publicKey),
        heartbeatAnchor: anchor,
      });
      expect(out.digest).to.equal(digest);
      expect(out.digestOnChain).to.equal(digest);
      expect(getBytes(digest).length).to.equal(32);
      expect(out).to.include({
        signatureBytes: 3309,
        verified: true,
        verifiedByPrecompile: true,
        abiMatchesBinding: true,
        installedMode: "recorded",
        verifiedByRecordedMock: true,
        recordedMocksPlaced: true,
      });
    } finally {
      provider.destroy();
    }
  });

  it("installs the precompiles in the consumer's own Hardhat network with installParsPrecompiles(hre), also after hardhat_reset", async () => {
    const { stdout } = await run(process.execPath, [path.join("out", "hardhat-tests.js")], {
      cwd: consumer,
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    });
    expect(JSON.parse(stdout)).to.deep.equal({ mode: "hook", verified: true, tamperedVerified: false, lxFeedPlaced: true, verifiedAfterReset: true });
  });

  it("loads from an ES module: Node sees the CommonJS build's named exports", async () => {
    const { stdout } = await run(process.execPath, ["esm.mjs"], { cwd: consumer });
    expect(JSON.parse(stdout)).to.deep.equal({
      inboxToSwarm: "function",
      registrationDigest: "function",
      swarmNamespace: "function",
      chainId: 7071,
      factory: "function",
      installer: "function",
    });
  });

  it("runs the README's directory client against a node registered on the deployed suite: endpoint and keys as registered", async () => {
    const provider = new JsonRpcProvider(node!.url, undefined, { staticNetwork: true });
    try {
      const addresses = addressesOf(31337, deploymentsDir);
      const operator = await provider.getSigner(7);
      const registry = ServiceNodeRegistry__factory.connect(addresses.ServiceNodeRegistry, operator);
      const mldsa = mldsaKeyGen(65, filled(0x51, 32));
      const mlkem = mlkemKeyGen(1, filled(0x52, 64));
      const blsKey = blsKeyPair(filled(0x53, 32));
      const anchor = HeartbeatChain.create({ length: 50, anchorEpoch: epochOf((await provider.getBlock("latest"))!.timestamp), seed: filled(0x54, 32) }).anchor;
      const digest = registrationDigest({
        chainId: 31337,
        registry: addresses.ServiceNodeRegistry,
        operator: await operator.getAddress(),
        mldsaPublicKey: mldsa.publicKey,
        mlkemPublicKey: mlkem.publicKey,
        blsPublicKey: g2ToTuple(blsKey.publicKey),
        heartbeatAnchor: anchor,
      });
      const reg = {
        mldsaPublicKey: mldsa.publicKey,
        mldsaSignature: mldsaSign(mldsa.secretKey, getBytes(digest), { profile: await pqProfileOf(registry) }),
        mlkemPublicKey: mlkem.publicKey,
        blsPublicKey: blsKey.publicKey,
        blsSignature: proofOfPossession(blsKey.secretKey, digest),
        heartbeatAnchor: anchor,
        operatorFeeBps: 500,
        reserved: [],
      };
      await (await registry.register(reg, { value: await registry.stakingRequirement() })).wait();
      const nodeId = await registry.lastNodeId();
      const directory = NodeDirectory__factory.connect(addresses.NodeDirectory, operator);
      await (await directory.setEndpoint(nodeId, encodeMultiaddr("/ip4/203.0.113.7/udp/22025/quic-v1"))).wait();

      const { stdout } = await run(process.execPath, [path.join("out", "directory-client.js")], {
        cwd: consumer,
        env: { ...process.env, PARS_RPC_URL: node!.url, PARS_DEPLOYMENTS_DIR: deploymentsDir },
      });
      const out = JSON.parse(stdout) as { swarmId: number; block: number; cursor: number; nodes: Record<string, unknown>[] };
      expect(out.swarmId).to.equal(inboxToSwarm(keccak256(toUtf8Bytes("alice")), 1));
      expect(out.cursor).to.equal(out.block);
      expect(out.nodes).to.deep.equal([
        {
          nodeId: nodeId.toString(),
          status: 2,
          endpoint: "/ip4/203.0.113.7/udp/22025/quic-v1",
          verified: true,
          transportKey: hexlify(mlkem.publicKey),
          previousTransportKey: null,
          identityKey: hexlify(mldsa.publicKey),
          blsKey: g2ToTuple(blsKey.publicKey).map(String),
        },
      ]);
    } finally {
      provider.destroy();
    }
  });
  it("the installed package's pars-node command reads the network, a node, the swarm layout and an inbox's swarm from a `hardhat node`, without Hardhat", async () => {
    const env = { ...npmEnv(), PARS_DEPLOYMENTS_DIR: deploymentsDir };
    // As the README gives it: npx <package> pars-node <command> (the package's one bin).
    const npx = (...args: string[]) => run("npx", ["--no-install", consumerFiles.PACKAGE_NAME, "pars-node", ...args], { cwd: consumer, env });
    const bin = (...args: string[]) => run(path.join(consumer, "node_modules", ".bin", "pars-node"), args, { cwd: consumer, env });
    const health = JSON.parse((await npx("health", "--rpc", node!.url, "--json")).stdout) as Record<string, unknown>;
    expect(health).to.include({ ok: true, chainId: 31337 });
    expect(Number(health.activeNodes)).to.be.at.least(1);
    const status = await bin("status", "--node-id", "1", "--rpc", node!.url);
    expect(status.stdout).to.match(/node 1 on chain 31337/);
    expect(status.stdout).to.match(/stake\s+[\d,.]+ PARS of [\d,.]+ PARS/);
    const inbox = JSON.parse((await bin("inbox", "alice", "--rpc", node!.url, "--json")).stdout) as { swarmId: number; nodes: string[] };
    expect(inbox.swarmId).to.be.a("number");
    expect(inbox.nodes).to.be.an("array");
    const layout = JSON.parse((await bin("swarms", "--rpc", node!.url, "--json")).stdout) as { swarmCount: number };
    expect(layout.swarmCount).to.be.at.least(1);
    const missing = await bin("status", "--node-id", "99", "--rpc", node!.url).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(missing).to.include("pars-node: no node 99 on chain 31337");
    const nowhere = await bin("health", "--rpc", "http://127.0.0.1:9").then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(nowhere).to.include("pars-node: no node answers at http://127.0.0.1:9: pass --rpc <url> of a running node, or set PARS_RPC_URL");
  });
});
