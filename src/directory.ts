/**
 * The node directory from a client's side (DESIGN §13): "which nodes serve this inbox, how do I
 * reach them, and what key do I encrypt to?", answered from nothing but a JSON-RPC provider and the
 * deployment's addresses.
 *
 * State (swarm, members, status, endpoint, key hashes, the BLS key) comes from one NodeLens call at
 * the answered block; the ML-DSA and ML-KEM keys from the NodeDirectory's logs (`NodeKeysPublished`,
 * `TransportKeyRotated`), and the hash each registration proved from the registry's `NodeRegistered`.
 * A `DirectoryCache` scans those logs incrementally: `sync()` reads only the blocks after its cursor,
 * in bounded `eth_getLogs` ranges that halve while the node refuses them. Every key handed out is
 * checked against what the chain stores, and a mismatch throws `DirectoryKeyError`:
 *
 * - ML-DSA identity: `directory.nodeIdByMldsaKey(keccak256(key)) == nodeId`
 * - BLS (read from the attestation verifier's state through the lens): keccak256(abi.encode(key)) is
 *   the lens's hash and the `blsKeyHash` the node's `NodeRegistered` proved
 * - ML-KEM transport: keccak256(key) is the lens's current hash, or its previous hash while the
 *   answered block is before `previousValidUntil` (the rotation's grace).
 *
 * The ML-DSA key is reserved for good, so each is checked on chain once per cache.
 */
import { AbiCoder, Contract, Interface, getBytes, hexlify, keccak256, type BlockTag, type BytesLike, type Log, type Provider } from "ethers";
import { getDeployment } from "./deployments";
import { decodeMultiaddr } from "./multiaddr";

/** The lens's record type and the calls the resolver makes (pinned against the artifacts by the tests). */
const RECORD =
  "tuple(uint64 nodeId, uint8 status, address owner, address manager, address beneficiary, uint256 stake, uint16 penaltyBps, " +
  "uint256 uptimeBps, uint16 operatorFeeBps, tuple(uint16 feeBps, uint40 effectiveAt) pendingFee, uint32 swarmId, bytes endpoint, " +
  "tuple(bytes32 current, bytes32 previous, uint40 previousValidUntil) transportKeys, bytes32 blsKeyHash, " +
  "tuple(uint256 xIm, uint256 xRe, uint256 yIm, uint256 yRe) blsPublicKey)";
export const NODE_LENS_ABI = [
  `function nodes(uint64 fromId, uint256 count) view returns (${RECORD}[] records)`,
  `function swarm(uint32 swarmId) view returns (${RECORD}[] members)`,
  `function swarmForInbox(bytes32 inboxId) view returns (uint32 swarmId, ${RECORD}[] members)`,
  `function node(uint64 nodeId) view returns (${RECORD})`,
  "function DIRECTORY() view returns (address)",
  "function REGISTRY() view returns (address)",
] as const;
export const NODE_DIRECTORY_ABI = [
  "event NodeKeysPublished(uint64 indexed nodeId, bytes mldsaPublicKey, bytes mlkemPublicKey)",
  "event TransportKeyRotated(uint64 indexed nodeId, bytes mlkemPublicKey, bytes32 keyHash, bytes32 previousKeyHash, uint256 previousValidUntil)",
  "function nodeIdByMldsaKey(bytes32 keyHash) view returns (uint64)",
] as const;
export const NODE_REGISTERED_ABI = [
  "event NodeRegistered(uint64 indexed nodeId, address indexed operator, bytes32 mldsaKeyHash, bytes32 mlkemKeyHash, bytes32 blsKeyHash, bytes32 heartbeatAnchor, uint16 operatorFeeBps, uint256 requirement)",
] as const;

const directoryInterface = new Interface(NODE_DIRECTORY_ABI);
const KEYS_PUBLISHED = directoryInterface.getEvent("NodeKeysPublished")!.topicHash;
const KEY_ROTATED = directoryInterface.getEvent("TransportKeyRotated")!.topicHash;
const registryInterface = new Interface(NODE_REGISTERED_ABI);
const NODE_REGISTERED = registryInterface.getEvent("NodeRegistered")!.topicHash;
const coder = AbiCoder.defaultAbiCoder();

/** Blocks per eth_getLogs request to start with; halved while the node refuses the range. */
export const DIRECTORY_LOG_RANGE = 5_000;
/**
 * Blocks every sync reads again below its cursor: a shallow reorg, or an RPC that answered `getLogs` a
 * few blocks behind the head it reported, cannot leave a key unread (reading a log twice changes nothing).
 */
export const DIRECTORY_REORG_OVERLAP = 32;

/** A BN254 G2 public key, EIP-197 order. */
export interface G2Key {
  xIm: bigint;
  xRe: bigint;
  yIm: bigint;
  yRe: bigint;
}

/** keccak256(abi.encode(G2Point)): how the directory and the lens hash a BLS key. */
export function blsKeyHashOf(key: G2Key): string {
  return keccak256(coder.encode(["tuple(uint256,uint256,uint256,uint256)"], [[key.xIm, key.xRe, key.yIm, key.yRe]]));
}

/** A key from the logs does not match what the chain stores (or the logs lack the key of a stored hash). */
export class DirectoryKeyError extends Error {
  constructor(
    readonly nodeId: bigint,
    readonly key: "mldsa" | "mlkem" | "bls",
    readonly detail: string,
  ) {
    super(`node ${nodeId}: ${key} key ${detail}`);
    this.name = "DirectoryKeyError";
  }
}

/** One member of an answer, every key checked against the chain at the answered block. */
export interface ResolvedNode {
  nodeId: bigint;
  /** IServiceNodeRegistry.Status (2: Active). */
  status: number;
  owner: string;
  manager: string;
  swarmId: number;
  /** The endpoint as a text multiaddr ("" when none is set). */
  endpoint: string;
  /** The ML-KEM-768 transport keys: the current one, and the replaced one while its grace lasts. */
  transportKey: { current: string; previous?: { key: string; validUntil: number } };
  /** The ML-DSA-65 identity key. */
  identityKey: string;
  /** The BLS (BN254 G2) key. */
  blsKey: G2Key;
  /** Always true: a key that fails a check throws DirectoryKeyError instead. */
  verified: true;
}

export interface InboxAnswer {
  swarmId: number;
  /** The block the answer describes. */
  block: number;
  nodes: ResolvedNode[];
}

/** Where to read the directory: the lens, and the directory and registry (read from the lens when left out). */
export interface DirectoryAddresses {
  NodeLens: string;
  NodeDirectory?: string;
  ServiceNodeRegistry?: string;
}

export interface DirectoryCacheOptions {
  /** The addresses; default: the recorded deployment of the provider's chain (src/deployments.ts). */
  addresses?: DirectoryAddresses;
  /** First block to scan; default: the directory's deployment block when recorded, else 0. */
  fromBlock?: number;
  /** Blocks per eth_getLogs request to start with. */
  logRange?: number;
  /** The deployments folder to read (default: the package's, or PARS_DEPLOYMENTS_DIR). */
  deploymentsDir?: string;
}

interface PublishedKeys {
  mldsa?: string;
  /** The BLS key hash the registration proved (NodeRegistered). */
  blsHash?: string;
}

type LensRecord = {
  nodeId: bigint;
  status: bigint;
  owner: string;
  manager: string;
  swarmId: bigint;
  endpoint: string;
  transportKeys: { current: string; previous: string; previousValidUntil: bigint };
  blsKeyHash: string;
  blsPublicKey: G2Key;
};

/**
 * The directory's keys, learnt from its logs and kept up to date incrementally, and the resolver
 * that answers inboxes with them.
 */
export class DirectoryCache {
  /** The last block scanned (fromBlock − 1 before the first sync). */
  cursor: number;
  private range: number;
  private readonly firstBlock: number;
  private readonly published = new Map<bigint, PublishedKeys>();
  /** Every transport key seen, by its hash. */
  private readonly transport = new Map<string, string>();
  /** Identity keys already checked against the directory's reverse maps. */
  private readonly verifiedIdentity = new Set<bigint>();
  private readonly lens: Contract;
  private readonly directory: Contract;

  private constructor(
    readonly provider: Provider,
    readonly addresses: Required<DirectoryAddresses>,
    fromBlock: number,
    logRange: number,
  ) {
    this.cursor = fromBlock - 1;
    this.firstBlock = fromBlock;
    this.range = logRange;
    this.lens = new Contract(addresses.NodeLens, NODE_LENS_ABI, provider);
    this.directory = new Contract(addresses.NodeDirectory, NODE_DIRECTORY_ABI, provider);
  }

  /** A cache for the provider's chain; nothing is scanned until the first `sync` or answer. */
  static async create(provider: Provider, options: DirectoryCacheOptions = {}): Promise<DirectoryCache> {
    let addresses = options.addresses;
    let fromBlock = options.fromBlock;
    if (!addresses) {
      const { chainId } = await provider.getNetwork();
      const d = getDeployment(chainId, options.deploymentsDir);
      const lens = d?.contracts.NodeLens;
      if (!d || !lens) throw new Error(`no NodeLens recorded for chain ${chainId}: pass { addresses }`);
      addresses = { NodeLens: lens.address, NodeDirectory: d.contracts.NodeDirectory?.address, ServiceNodeRegistry: d.contracts.ServiceNodeRegistry?.address };
      fromBlock ??= d.contracts.NodeDirectory?.blockNumber;
    }
    const lens = new Contract(addresses.NodeLens, NODE_LENS_ABI, provider);
    const directory = addresses.NodeDirectory ?? ((await lens.getFunction("DIRECTORY")()) as string);
    const registry = addresses.ServiceNodeRegistry ?? ((await lens.getFunction("REGISTRY")()) as string);
    return new DirectoryCache(
      provider,
      { NodeLens: addresses.NodeLens, NodeDirectory: directory, ServiceNodeRegistry: registry },
      fromBlock ?? 0,
      options.logRange ?? DIRECTORY_LOG_RANGE,
    );
  }

  /**
   * Scans the directory's logs of the blocks after the cursor up to `toBlock` (default: latest), and
   * the last DIRECTORY_REORG_OVERLAP blocks before it again. Nothing new: no request.
   */
  async sync(toBlock?: number): Promise<number> {
    const to = toBlock ?? (await this.provider.getBlockNumber());
    if (to <= this.cursor) return this.cursor;
    let from = Math.max(this.firstBlock, this.cursor + 1 - DIRECTORY_REORG_OVERLAP);
    while (from <= to) {
      const end = Math.min(to, from + this.range - 1);
      let logs: Log[];
      try {
        logs = await this.provider.getLogs({
          address: [this.addresses.NodeDirectory, this.addresses.ServiceNodeRegistry],
          topics: [[KEYS_PUBLISHED, KEY_ROTATED, NODE_REGISTERED]],
          fromBlock: from,
          toBlock: end,
        });
      } catch (e) {
        // Public RPCs cap the blocks or results of one request: ask again with half the range.
        if (this.range === 1) throw new Error(`eth_getLogs refused even a single block (${from}): ${(e as Error).message}`);
        this.range = Math.ceil(this.range / 2);
        continue;
      }
      for (const log of logs) this.apply(log);
      this.cursor = end;
      from = end + 1;
    }
    return this.cursor;
  }

  private apply(log: Log): void {
    const address = log.address.toLowerCase();
    const fromRegistry = address === this.addresses.ServiceNodeRegistry.toLowerCase();
    if (!fromRegistry && address !== this.addresses.NodeDirectory.toLowerCase()) return;
    const parsed = fromRegistry ? registryInterface.parseLog(log) : directoryInterface.parseLog(log);
    if (!parsed) return;
    const nodeId = parsed.args.nodeId as bigint;
    const entry = this.published.get(nodeId) ?? {};
    this.published.set(nodeId, entry);
    if (parsed.name === "NodeRegistered") {
      entry.blsHash = parsed.args.blsKeyHash as string;
    } else if (parsed.name === "NodeKeysPublished") {
      const mlkem = hexlify(parsed.args.mlkemPublicKey as string);
      entry.mldsa = hexlify(parsed.args.mldsaPublicKey as string);
      this.verifiedIdentity.delete(nodeId);
      this.transport.set(keccak256(mlkem), mlkem);
    } else {
      const mlkem = hexlify(parsed.args.mlkemPublicKey as string);
      this.transport.set(keccak256(mlkem), mlkem);
    }
  }

  /** The swarm serving `inboxId` (32 bytes) and its members, at `blockTag` (default: latest). */
  async resolveInbox(inboxId: BytesLike, blockTag?: BlockTag): Promise<InboxAnswer> {
    const block = await this.answerBlock(blockTag);
    const [swarmId, members] = (await this.lens.getFunction("swarmForInbox").staticCall(hexlify(getBytes(inboxId)), { blockTag: block.number })) as [
      bigint,
      LensRecord[],
    ];
    return { swarmId: Number(swarmId), block: block.number, nodes: await this.resolveMembers(members, block) };
  }

  /** The members of `swarmId`, at `blockTag` (default: latest). */
  async resolveSwarm(swarmId: number, blockTag?: BlockTag): Promise<InboxAnswer> {
    const block = await this.answerBlock(blockTag);
    const members = (await this.lens.getFunction("swarm").staticCall(swarmId, { blockTag: block.number })) as LensRecord[];
    return { swarmId, block: block.number, nodes: await this.resolveMembers(members, block) };
  }

  /** One node, at `blockTag` (default: latest). */
  async resolveNode(nodeId: bigint | number, blockTag?: BlockTag): Promise<ResolvedNode> {
    const block = await this.answerBlock(blockTag);
    const record = (await this.lens.getFunction("node").staticCall(nodeId, { blockTag: block.number })) as LensRecord;
    if (record.owner === "0x0000000000000000000000000000000000000000") throw new Error(`node ${nodeId} is not registered`);
    return (await this.resolveMembers([record], block))[0];
  }

  private async answerBlock(blockTag?: BlockTag): Promise<{ number: number; timestamp: number }> {
    const block = await this.provider.getBlock(blockTag ?? "latest");
    if (!block) throw new Error(`no block ${String(blockTag)}`);
    if (this.cursor < block.number) await this.sync(block.number);
    return { number: block.number, timestamp: block.timestamp };
  }

  private async resolveMembers(records: LensRecord[], block: { number: number; timestamp: number }): Promise<ResolvedNode[]> {
    return Promise.all(records.map((r) => this.resolveRecord(r, block)));
  }

  private async resolveRecord(r: LensRecord, block: { number: number; timestamp: number }): Promise<ResolvedNode> {
    const nodeId = r.nodeId;
    const keys = this.published.get(nodeId);
    const mldsa = keys?.mldsa;
    if (!mldsa) throw new DirectoryKeyError(nodeId, "mldsa", "is not in the directory's logs (NodeKeysPublished not found)");
    const k = r.blsPublicKey;
    const blsKey: G2Key = { xIm: k.xIm, xRe: k.xRe, yIm: k.yIm, yRe: k.yRe };
    const blsHash = blsKeyHashOf(blsKey);
    if (blsHash !== r.blsKeyHash || blsHash !== keys.blsHash) {
      throw new DirectoryKeyError(nodeId, "bls", `hash ${blsHash} differs from the lens's ${r.blsKeyHash} or the registered ${keys.blsHash ?? "(no NodeRegistered)"}`);
    }
    if (!this.verifiedIdentity.has(nodeId)) {
      const owner = (await this.directory.getFunction("nodeIdByMldsaKey").staticCall(keccak256(mldsa), { blockTag: block.number })) as bigint;
      if (owner !== nodeId) throw new DirectoryKeyError(nodeId, "mldsa", `belongs to node ${owner} on chain`);
      this.verifiedIdentity.add(nodeId);
    }
    const tk = r.transportKeys;
    const current = this.transportKey(nodeId, tk.current);
    const validUntil = Number(tk.previousValidUntil);
    const inGrace = tk.previous !== "0x" + "00".repeat(32) && block.timestamp < validUntil;
    return {
      nodeId,
      status: Number(r.status),
      owner: r.owner,
      manager: r.manager,
      swarmId: Number(r.swarmId),
      endpoint: decodeMultiaddr(r.endpoint),
      transportKey: inGrace ? { current, previous: { key: this.transportKey(nodeId, tk.previous), validUntil } } : { current },
      identityKey: mldsa,
      blsKey,
      verified: true,
    };
  }

  /** The logged ML-KEM key whose keccak256 is `hash` (a key is found by its hash, so it matches it). */
  private transportKey(nodeId: bigint, hash: string): string {
    const key = this.transport.get(hash);
    if (!key) throw new DirectoryKeyError(nodeId, "mlkem", `of hash ${hash} is not in the directory's logs`);
    if (keccak256(key) !== hash) throw new DirectoryKeyError(nodeId, "mlkem", `does not hash to ${hash}`);
    return key;
  }
}
