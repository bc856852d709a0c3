/**
 * Whether a recorded contract is the artifact it claims to be, deployed by the transaction the record
 * names: its runtime code equals the artifact's outside the immutables, and the recorded transaction
 * is the deployer's contract creation of exactly that address, sending the artifact's creation code
 * followed by the recorded constructor arguments.
 *
 * The immutables are masked in the code comparison, yet they are pinned too: a creation transaction
 * runs the artifact's constructor on the recorded arguments, and the code at the address it created
 * is what that constructor returned. What the arguments must be is the config's business: the read
 * backs of `deploy/suite.ts` compare the immutables' getters and the roles with it.
 */
import * as fs from "fs";
import * as path from "path";
import { AbiCoder, Interface, getAddress, getBytes, hexlify, keccak256, type InterfaceAbi, type JsonRpcApiProvider } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractDeployment } from "../src/deployments";

export interface ArtifactCode {
  artifact: string;
  abi: InterfaceAbi;
  /** Creation code (what a deployment transaction starts with). */
  bytecode: string;
  /** Runtime code, with zeros where the immutables go. */
  deployedBytecode: string;
  /** Where the constructor writes the immutables into the runtime code. */
  immutables: { start: number; length: number }[];
}

export interface ProvenanceCheck {
  check: string;
  ok: boolean;
  expected: string;
  actual: string;
}

const cache = new Map<string, ArtifactCode>();

/**
 * The artifact's code and where its immutables are (`evm.deployedBytecode.immutableReferences` of
 * the build info; a Hardhat artifact does not keep them). Build infos are large: each is parsed once
 * per artifact and build.
 */
export async function readArtifactCode(hre: HardhatRuntimeEnvironment, fqn: string): Promise<ArtifactCode> {
  const artifact = await hre.artifacts.readArtifact(fqn);
  const key = `${fqn}:${keccak256(artifact.deployedBytecode)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (Object.keys(artifact.deployedLinkReferences).length > 0 || Object.keys(artifact.linkReferences).length > 0) {
    throw new Error(`${fqn} links libraries; the deploy engine deploys no library, so it cannot be part of the suite`);
  }
  const artifactPath = hre.artifacts.formArtifactPathFromFullyQualifiedName(fqn);
  const dbg = JSON.parse(fs.readFileSync(artifactPath.replace(/\.json$/, ".dbg.json"), "utf8")) as { buildInfo: string };
  const buildInfo = JSON.parse(fs.readFileSync(path.resolve(path.dirname(artifactPath), dbg.buildInfo), "utf8")) as {
    output: {
      contracts: Record<string, Record<string, { evm: { deployedBytecode: { immutableReferences?: Record<string, { start: number; length: number }[]> } } }>>;
    };
  };
  const refs = buildInfo.output.contracts[artifact.sourceName]?.[artifact.contractName]?.evm.deployedBytecode.immutableReferences ?? {};
  const immutables = Object.values(refs)
    .flat()
    .map((p) => ({ start: p.start, length: p.length }));
  const code: ArtifactCode = { artifact: fqn, abi: artifact.abi as InterfaceAbi, bytecode: artifact.bytecode, deployedBytecode: artifact.deployedBytecode, immutables };
  cache.set(key, code);
  return code;
}

/** The first byte at which `a` and `b` differ, outside the masked ranges; undefined when equal. */
function firstDifference(a: Uint8Array, b: Uint8Array, masked: { start: number; length: number }[] = []): number | undefined {
  const skip = new Uint8Array(Math.max(a.length, b.length));
  for (const m of masked) skip.fill(1, m.start, m.start + m.length);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!skip[i] && a[i] !== b[i]) return i;
  return a.length === b.length ? undefined : n;
}

function bytesSummary(code: Uint8Array): string {
  return `${code.length} bytes, keccak ${keccak256(code).slice(0, 18)}…`;
}

/** The runtime code at the recorded address against the artifact's, immutables masked. */
export async function checkRuntimeCode(provider: JsonRpcApiProvider, name: string, rec: ContractDeployment, code: ArtifactCode, atBlock: number): Promise<ProvenanceCheck> {
  const onChain = getBytes(await provider.getCode(rec.address, atBlock));
  const want = getBytes(code.deployedBytecode);
  const diff = firstDifference(onChain, want, code.immutables);
  return {
    check: `${name}: the code at ${rec.address} is the artifact's (${code.artifact})`,
    ok: diff === undefined,
    expected: `${want.length} bytes, equal outside the immutables`,
    actual: diff === undefined ? `${onChain.length} bytes, equal` : `${bytesSummary(onChain)}, different from byte ${diff}`,
  };
}

/** What a transaction did, in the words the creation check compares. */
function describeTx(tx: { from: string; to: string | null } | null, created: string | null | undefined, status: number | null | undefined, block: { number: number; hash: string } | undefined): string {
  if (!tx) return "no such transaction";
  const what = tx.to !== null ? `a call to ${getAddress(tx.to)}` : created ? `the creation of ${getAddress(created)}` : "a creation that made no contract";
  return `${what} by ${getAddress(tx.from)}${block ? ` in block ${block.number} (${block.hash})` : " (not mined)"}${status === 0 ? ", reverted" : ""}`;
}

/**
 * The recorded transaction created the recorded address, from the deployer, in the recorded block
 * (the engine deploys with plain CREATE transactions from the deployer's account); and it sent the
 * artifact's creation code followed by exactly the recorded constructor arguments.
 */
export async function checkCreation(provider: JsonRpcApiProvider, name: string, rec: ContractDeployment, code: ArtifactCode, deployer: string): Promise<ProvenanceCheck[]> {
  const [tx, receipt] = await Promise.all([provider.getTransaction(rec.transactionHash), provider.getTransactionReceipt(rec.transactionHash)]);
  const block = receipt ? { number: receipt.blockNumber, hash: receipt.blockHash } : undefined;
  const expected = describeTx({ from: deployer, to: null }, rec.address, 1, { number: rec.blockNumber, hash: rec.blockHash });
  const actual = describeTx(tx, receipt?.contractAddress, receipt?.status, block);
  const created: ProvenanceCheck = { check: `${name}: transaction ${rec.transactionHash} created ${rec.address}`, ok: actual === expected, expected, actual };

  const input = tx ? getBytes(tx.data) : new Uint8Array();
  const init = getBytes(code.bytecode);
  const sends: ProvenanceCheck = {
    check: `${name}: transaction ${rec.transactionHash} sends the artifact's creation code and the recorded constructor arguments`,
    ok: false,
    expected: `the artifact's creation code (${init.length} bytes), then the ${rec.args.length} recorded arguments`,
    actual: "",
  };
  const codeDiff = firstDifference(input.slice(0, init.length), init);
  if (!tx) sends.actual = "no such transaction";
  else if (codeDiff !== undefined) sends.actual = `other creation code (${input.length} bytes of input, different from byte ${codeDiff})`;
  else sends.actual = compareArguments(code.abi, rec.args, input.slice(init.length));
  sends.ok = sends.actual === "the same";
  return [created, sends];
}

/** "the same", or where the transaction's constructor arguments differ from the recorded ones. */
function compareArguments(abi: InterfaceAbi, recorded: unknown[], sent: Uint8Array): string {
  const inputs = new Interface(abi).deploy.inputs;
  let want: string;
  try {
    want = AbiCoder.defaultAbiCoder().encode(inputs, recorded);
  } catch (e) {
    return `the recorded arguments do not encode for the constructor: ${(e as Error).message}`;
  }
  if (want === hexlify(sent)) return "the same";
  let decoded: unknown[];
  try {
    decoded = [...AbiCoder.defaultAbiCoder().decode(inputs, sent)];
  } catch {
    return `${sent.length} bytes of arguments that do not decode for the constructor`;
  }
  const norm = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : typeof x === "string" && /^0x[0-9a-fA-F]{40}$/.test(x) ? getAddress(x) : x));
  const reDecoded = [...AbiCoder.defaultAbiCoder().decode(inputs, want)];
  const i = inputs.findIndex((_p, k) => norm(decoded[k]) !== norm(reDecoded[k]));
  if (i < 0) return `the recorded arguments, followed by ${sent.length - getBytes(want).length} more byte(s)`;
  return `argument ${i} (${inputs[i].name || inputs[i].type}) ${norm(decoded[i])} where the record has ${norm(reDecoded[i])}`;
}
