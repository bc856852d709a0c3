/**
 * The files of a fresh project that uses the packed package the way a dApp developer would. Kept as
 * text (not .ts files under test/) because they import the package by its published name, which
 * resolves only inside that project.
 */

export const PACKAGE_NAME = "@pars-network/service-node-contracts";

/** The consumer's fixed inputs, so the test can compute the same values with the project's own helpers. */
export const INPUTS = {
  operator: "0x00000000000000000000000000000000000000a1",
  peer: "0x00000000000000000000000000000000000000b2",
  inboxLabel: "pars:inbox:alice",
  swarmCount: 7,
  /** Seeds of the deterministic keys: 32 (ML-DSA, BLS, heartbeat) or 64 (ML-KEM) copies of the byte. */
  seedByte: { mldsa: 1, mlkem: 2, bls: 3, heartbeat: 4 },
  heartbeatLength: 16,
  /** Where the consumer places a second, recorded set of precompile mocks. */
  recorded: {
    mldsa: "0x000000000000000000000000000000000000f601",
    mlkem: "0x000000000000000000000000000000000000f603",
    lxBook: "0x000000000000000000000000000000000000f200",
    lxFeed: "0x000000000000000000000000000000000000f230",
  },
};

/**
 * Strict, CommonJS output, Node's own resolution of "exports". skipLibCheck as most projects set it
 * (Hardhat's own declarations need @types/mocha otherwise); MAIN_TS checks that nothing it imports
 * from the package degraded to `any`, which is how an unresolvable import inside a .d.ts shows up.
 */
export const TSCONFIG = {
  compilerOptions: {
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    types: ["node"],
    rootDir: "src",
    outDir: "out",
  },
  include: ["src"],
};

/**
 * The same sources as an ES module project sees them: `moduleResolution: "bundler"`, the setting the
 * README gives ES module projects (see its "Module format").
 */
export const TSCONFIG_BUNDLER = {
  extends: "./tsconfig.json",
  compilerOptions: { module: "esnext", moduleResolution: "bundler", noEmit: true },
};

/**
 * The README's Hardhat test block, in a `test/` folder of its own: Mocha's globals, its own output.
 * The consumer's Hardhat config loads hardhat-ethers, whose `ethers` the block imports from "hardhat".
 */
export const TSCONFIG_README_TEST = {
  extends: "./tsconfig.json",
  compilerOptions: { types: ["node", "mocha"], rootDir: ".", outDir: "out-test" },
  include: ["test", "hardhat.config.d.ts"],
};

/**
 * An ES module TypeScript project (`"type": "module"`, `nodenext`) in a folder of the consumer: it
 * takes the package's `import` declarations (`.d.mts`), and Node imports the CommonJS build.
 */
export const ESM_PROJECT = {
  packageJson: { type: "module" },
  tsconfig: {
    extends: "../tsconfig.json",
    compilerOptions: { rootDir: ".", outDir: "out" },
    include: ["*.ts"],
  },
};

/** The code blocks of the README's "Using the package" section, in order: the script, then the Hardhat test. */
export function readmeBlocks(readme: string): { script: string; hardhatTest: string } {
  const start = readme.indexOf("## Using the package");
  const end = readme.indexOf("\n## ", start + 1);
  if (start < 0 || end < 0) throw new Error("README: no \"Using the package\" section");
  const blocks = [...readme.slice(start, end).matchAll(/\n```ts\n([\s\S]*?)\n```\n/g)].map((m) => m[1] + "\n");
  if (blocks.length !== 2) throw new Error(`README: expected 2 TypeScript blocks in "Using the package", found ${blocks.length}`);
  return { script: blocks[0], hardhatTest: blocks[1] };
}

/** The README's "Read the directory" client: the TypeScript block between its markers, exactly. */
export function readmeDirectoryClient(readme: string): string {
  const m = /<!-- directory-client:start -->\n```ts\n([\s\S]*?)\n```\n<!-- directory-client:end -->/.exec(readme);
  if (!m) throw new Error("README: no TypeScript block between the directory-client markers");
  return m[1] + "\n";
}

/** The same sources under the older "node10" resolution, which ignores "exports" and reads "typesVersions". */
export const TSCONFIG_NODE10 = {
  extends: "./tsconfig.json",
  compilerOptions: { module: "commonjs", moduleResolution: "node10", noEmit: true },
};

/** A dApp against a live node: helpers, typed bindings, an ABI file and the recorded deployment. */
export const MAIN_TS = `
import { Interface, JsonRpcProvider, getBytes, keccak256, toUtf8Bytes } from "ethers";
import {
  NETWORKS,
  PRECOMPILES,
  PQ_PRECOMPILES,
  HeartbeatChain,
  addressesOf,
  assertChainId,
  attestations,
  buildDeregistration,
  autoSalt,
  bls,
  deriveSessionId,
  inboxToSwarm,
  mldsaKeyGen,
  mldsaSign,
  mldsaVerify,
  mlkemKeyGen,
  quoteCreateSession,
  readUtilisation,
  registrationDigest,
  swarm,
  type NetworkHealth,
} from "${PACKAGE_NAME}";
import {
  IMLDSA__factory,
  NodeDirectory__factory,
  ServiceNodeRegistry__factory,
  SessionBridge__factory,
  SwarmCoordinator__factory,
  type ServiceNodeRegistry,
  type SwarmCoordinator,
} from "${PACKAGE_NAME}/typechain";
import { installParsPrecompiles, mldsaInterface } from "${PACKAGE_NAME}/precompiles";
import registryAbi from "${PACKAGE_NAME}/abi/ServiceNodeRegistry.json";

/** true when T is \`any\`. */
type IsAny<T> = 0 extends 1 & T ? true : false;
const resolvedTypes: [
  IsAny<typeof ServiceNodeRegistry__factory>,
  IsAny<ServiceNodeRegistry>,
  IsAny<typeof registrationDigest>,
  IsAny<typeof bls.blsKeyPair>,
  IsAny<typeof buildDeregistration>,
  IsAny<typeof attestations.deregistrationMessage>,
  IsAny<typeof mldsaKeyGen>,
  IsAny<typeof installParsPrecompiles>,
  IsAny<typeof registryAbi>,
] = [false, false, false, false, false, false, false, false, false];
void resolvedTypes;

const filled = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);
const OPERATOR = "${INPUTS.operator}";
const PEER = "${INPUTS.peer}";
/** Where this script places a second, recorded set of precompile mocks. */
const RECORDED = ${JSON.stringify(INPUTS.recorded)};

async function main(): Promise<void> {
  const url = process.env.PARS_RPC_URL;
  if (!url) throw new Error("PARS_RPC_URL is not set");
  const provider = new JsonRpcProvider(url);
  const eip1193 = {
    request: ({ method, params }: { method: string; params?: unknown[] }): Promise<unknown> => provider.send(method, params ?? []),
  };
  const chainId = await assertChainId(eip1193, "localhost", NETWORKS.localhost.chainId);

  // Addresses from the recorded deployment (PARS_DEPLOYMENTS_DIR), contracts through typed bindings.
  const addresses = addressesOf(chainId);
  const registry: ServiceNodeRegistry = ServiceNodeRegistry__factory.connect(addresses.ServiceNodeRegistry, provider);
  const swarms: SwarmCoordinator = SwarmCoordinator__factory.connect(addresses.SwarmCoordinator, provider);
  const bridge = SessionBridge__factory.connect(addresses.SessionBridge, provider);

  const h = await swarms.networkHealth();
  const health: NetworkHealth = {
    totalNodes: h.totalNodes,
    activeNodes: h.activeNodes,
    swarmCount: h.swarmCount,
    averageSwarmSizeWad: h.averageSwarmSizeWad,
    minSwarmSize: h.minSwarmSize,
    maxSwarmSize: h.maxSwarmSize,
    storageCapacity: h.storageCapacity,
    storageUsed: h.storageUsed,
    replicationOk: h.replicationOk,
    healthy: h.healthy,
  };
  const stakingRequirement: bigint = await registry.stakingRequirement();

  // An inbox's swarm: the helper and the contract's own linear hashing.
  const inbox = keccak256(toUtf8Bytes("${INPUTS.inboxLabel}"));
  const swarmOfInbox = inboxToSwarm(inbox, ${INPUTS.swarmCount});
  const swarmOfInboxOnChain = Number(await swarms.inboxToSwarm(inbox, ${INPUTS.swarmCount}));
  const swarmNow = inboxToSwarm(inbox, Number(await swarms.swarmCount()));
  const swarmNowOnChain = Number(await swarms.swarmForInbox(inbox));

  // A session id known before the session is created.
  const salt = autoSalt(0);
  const saltOnChain = await bridge.nextAutoSalt(OPERATOR);
  const sessionId = deriveSessionId({ chainId, bridge: addresses.SessionBridge, creator: OPERATOR, salt, participants: [OPERATOR, PEER] });
  const quote = quoteCreateSession(await readUtilisation(swarms));
  const quoteOnChain = await bridge.quoteCreateSession();

  // A registration's digest, signed with a fresh ML-DSA-65 key; the ML-DSA precompile checks it.
  const mldsa = mldsaKeyGen(65, filled(${INPUTS.seedByte.mldsa}, 32));
  const mlkem = mlkemKeyGen(1, filled(${INPUTS.seedByte.mlkem}, 64));
  const blsKey = bls.blsKeyPair(filled(${INPUTS.seedByte.bls}, 32));
  const anchor = HeartbeatChain.create({ length: ${INPUTS.heartbeatLength}, anchorEpoch: 0, seed: filled(${INPUTS.seedByte.heartbeat}, 32) }).anchor;
  const digest = registrationDigest({
    chainId,
    registry: addresses.ServiceNodeRegistry,
    operator: OPERATOR,
    mldsaPublicKey: mldsa.publicKey,
    mlkemPublicKey: mlkem.publicKey,
    blsPublicKey: bls.g2ToTuple(blsKey.publicKey),
    heartbeatAnchor: anchor,
  });
  // The registry hands registrations to the directory, which computes the digest the proofs sign.
  const digestOnChain = await NodeDirectory__factory.connect(addresses.NodeDirectory, provider).registrationDigest(OPERATOR, mldsa.publicKey, mlkem.publicKey, blsKey.publicKey, anchor);
  // The IMLDSA binding is the pip interface: sign under its (empty) context, call its address.
  const signature = mldsaSign(mldsa.secretKey, getBytes(digest), { profile: "pip" });
  const verified = mldsaVerify(mldsa.publicKey, getBytes(digest), signature, "pip");
  const verifiedByPrecompile = await IMLDSA__factory.connect(PQ_PRECOMPILES.pip.mldsa, provider).verify(mldsa.publicKey, digest, signature);

  // The ABI file describes the same contract as the binding.
  const abiMatchesBinding = new Interface(registryAbi).getFunction("register")?.selector === registry.interface.getFunction("register").selector;

  // The installer in recorded mode (a node without the call-override hook): its mocks load from the package.
  const installed = await installParsPrecompiles(eip1193, {
    mode: "recorded",
    addresses: { lxBook: RECORDED.lxBook, lxFeed: RECORDED.lxFeed },
    profiles: { pip: { mldsa: RECORDED.mldsa, mlkem: RECORDED.mlkem } },
  });
  await installed.record("mldsa", mldsaInterface.encodeFunctionData("verify", [mldsa.publicKey, digest, signature]), { profile: "pip" });
  const verifiedByRecordedMock = await IMLDSA__factory.connect(RECORDED.mldsa, provider).verify(mldsa.publicKey, digest, signature);
  const recordedMocksPlaced = (await Promise.all(Object.values(RECORDED).map((a) => provider.getCode(a)))).every((c) => c.length > 2);

  provider.destroy();
  console.log(
    JSON.stringify(
      {
        chainId,
        addresses,
        health,
        healthyByHelper: swarm.isHealthy(health),
        stakingRequirement,
        inbox,
        swarmOfInbox,
        swarmOfInboxOnChain,
        swarmNow,
        swarmNowOnChain,
        salt,
        saltOnChain,
        sessionId,
        quote,
        quoteOnChain,
        digest,
        digestOnChain,
        signatureBytes: signature.length,
        verified,
        verifiedByPrecompile,
        abiMatchesBinding,
        installedMode: installed.mode,
        verifiedByRecordedMock,
        recordedMocksPlaced,
      },
      (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
`;

/** The consumer's own Hardhat tests: one call installs the Pars precompiles on the in-process network. */
export const HARDHAT_TS = `
import hre from "hardhat";
import { BrowserProvider, toUtf8Bytes } from "ethers";
import { PQ_PRECOMPILES, PRECOMPILES, mldsaKeyGen, mldsaSign } from "${PACKAGE_NAME}";
import { installParsPrecompiles } from "${PACKAGE_NAME}/precompiles";
import { IMLDSA__factory } from "${PACKAGE_NAME}/typechain";

async function main(): Promise<void> {
  const installed = await installParsPrecompiles(hre);
  const provider = new BrowserProvider(hre.network.provider);
  const mldsa = IMLDSA__factory.connect(PQ_PRECOMPILES.pip.mldsa, provider);
  const key = mldsaKeyGen(65);
  const message = toUtf8Bytes("a consumer's own hardhat test");
  const signature = mldsaSign(key.secretKey, message, { profile: "pip" });
  const tampered = Uint8Array.from(signature);
  tampered[0] ^= 1;
  const verified = await mldsa.verify(key.publicKey, message, signature);
  const tamperedVerified = await mldsa.verify(key.publicKey, message, tampered);
  const lxFeedPlaced = (await provider.getCode(PRECOMPILES.lxFeed)).length > 2;
  await hre.network.provider.request({ method: "hardhat_reset", params: [] });
  const verifiedAfterReset = await mldsa.verify(key.publicKey, message, signature);
  console.log(JSON.stringify({ mode: installed.mode, verified, tamperedVerified, lxFeedPlaced, verifiedAfterReset }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
`;

export const HARDHAT_CONFIG_JS = `// The consumer's Hardhat project: the default in-process network, and hre.ethers.
require("@nomicfoundation/hardhat-ethers");
module.exports = {};
`;

/** What the config gives TypeScript: hardhat-ethers' additions to the runtime environment. */
export const HARDHAT_CONFIG_DTS = `import "@nomicfoundation/hardhat-ethers";
`;

/** An ES module consumer: Node finds the CommonJS package's named exports. */
export const ESM_MJS = `
import { inboxToSwarm, registrationDigest, swarm, NETWORKS } from "${PACKAGE_NAME}";
import { ServiceNodeRegistry__factory } from "${PACKAGE_NAME}/typechain";
import { installParsPrecompiles } from "${PACKAGE_NAME}/precompiles";
console.log(JSON.stringify({
  inboxToSwarm: typeof inboxToSwarm,
  registrationDigest: typeof registrationDigest,
  swarmNamespace: typeof swarm.inboxToSwarm,
  chainId: NETWORKS.parsTestnet.chainId,
  factory: typeof ServiceNodeRegistry__factory.connect,
  installer: typeof installParsPrecompiles,
}));
`;
