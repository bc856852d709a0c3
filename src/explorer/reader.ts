/**
 * What the network page shows, read from the chain over JSON-RPC: the suite's views (through
 * `NodeLens`, the registry, coordinator, rewards, bridge and storage contracts) at one block, and the
 * suite's events up to that block (a node's heartbeats, penalties, storage, endpoint and key history).
 *
 * Every answer names the block it describes, and every view is read at that block (`blockTag`), so a
 * page, a script and a test that ask for the same block see the same numbers. Events are scanned
 * incrementally into memory (bounded `eth_getLogs` ranges that halve while the node refuses them);
 * PQ keys are kept as their hashes, and message ciphertexts not at all.
 *
 * Amounts are wei as decimal strings in the JSON (`toJson`); bps are numbers.
 */
import { Contract, Interface, ZeroAddress, isHexString, keccak256, type Log, type Provider } from "ethers";
import { DirectoryCache, NODE_LENS_ABI } from "../directory";
import { decodeMultiaddr } from "../multiaddr";
import { feeMultiplier as feeMultiplierOf } from "../sessions";
import { BRIDGE_ABI, CHALLENGE_STATUS, DECOMMISSION_REASON, DIRECTORY_ABI, NODE_STATUS, REGISTRY_ABI, REWARDS_ABI, SESSION_STATUS, STORAGE_ABI, SWARMS_ABI } from "./abi";

/** The contracts the page reads. Storage and bridge are optional (a deployment may predate them). */
export interface ExplorerAddresses {
  NodeLens: string;
  NodeDirectory: string;
  ServiceNodeRegistry: string;
  SwarmCoordinator: string;
  ServiceNodeRewards: string;
  StorageCommitment?: string;
  SessionBridge?: string;
}

export interface ExplorerReaderOptions {
  addresses: ExplorerAddresses;
  /** First block to scan for events (the deployment's first block). */
  fromBlock?: number;
  /** Blocks per eth_getLogs request to start with. */
  logRange?: number;
  /** Most swarms one `swarms` answer reads (each is one lens call). */
  maxSwarms?: number;
  /** Most points of a node's history chart (each is one historical call). */
  maxHistoryPoints?: number;
}

/** One event as the page keeps it. */
export interface ExplorerEvent {
  contract: string;
  name: string;
  block: number;
  logIndex: number;
  tx: string;
  nodeId?: bigint;
  args: Record<string, unknown>;
}

const NO_SWARM = 0xffffffff;
/** The coordinator's events that change the layout (every one is a join, a leave, a move, or a swarm made or removed). */
const SWARM_CHANGES = ["NodeJoinedSwarm", "NodeLeftSwarm", "NodeMovedSwarm", "SwarmCreated", "SwarmRemoved"];
const ZERO32 = "0x" + "00".repeat(32);

/** A key's fingerprint: the first 8 bytes of its keccak256, as four groups of four hex digits. */
export function fingerprint(hash: string): string {
  return hash.slice(2, 18).match(/.{4}/g)!.join(" ");
}

/** A JSON text of `value` with bigints as decimal strings. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), space);
}

type Rec = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function argsOf(iface: Interface, log: Log): { name: string; args: Record<string, unknown> } | undefined {
  const parsed = iface.parseLog(log);
  if (!parsed) return undefined;
  const args: Record<string, unknown> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    const v: unknown = parsed.args[i];
    args[input.name] = Array.isArray(v) ? [...v] : v;
  });
  return { name: parsed.name, args };
}

/**
 * What is kept of an event's arguments: PQ keys as their keccak256 (what the page shows and the chain
 * stores), no ciphertexts, no session participants' keys.
 */
function slim(name: string, args: Record<string, unknown>): Record<string, unknown> {
  if (name === "NodeKeysPublished" || name === "TransportKeyRotated") {
    const { mldsaPublicKey, mlkemPublicKey, ...rest } = args;
    return {
      ...rest,
      ...(mldsaPublicKey === undefined ? {} : { mldsaKeyHash: keccak256(mldsaPublicKey as string) }),
      mlkemKeyHash: keccak256(mlkemPublicKey as string),
    };
  }
  if (name === "MessageSent") return { ...args, ciphertext: undefined };
  if (name === "SessionCreated") return { ...args, mlkemPublicKeys: undefined };
  return args;
}

/** The network page's reader. */
export class ExplorerReader {
  readonly lens: Contract;
  readonly registry: Contract;
  readonly swarms: Contract;
  readonly rewards: Contract;
  readonly storage?: Contract;
  readonly bridge?: Contract;
  /** Events seen so far, in chain order. */
  readonly events: ExplorerEvent[] = [];
  cursor: number;
  private range: number;
  private readonly interfaces = new Map<string, { name: string; iface: Interface }>();
  private directory?: DirectoryCache;
  private syncing: Promise<number> = Promise.resolve(0);
  private readonly maxSwarms: number;
  private readonly maxHistoryPoints: number;
  private readonly historyCache = new Map<string, { uptimeBps: number; penaltyBps: number; stake: bigint }>();
  private readonly blockTimes = new Map<number, number>();

  constructor(
    readonly provider: Provider,
    private readonly options: ExplorerReaderOptions,
  ) {
    const a = options.addresses;
    this.lens = new Contract(a.NodeLens, NODE_LENS_ABI, provider);
    this.registry = new Contract(a.ServiceNodeRegistry, REGISTRY_ABI, provider);
    this.swarms = new Contract(a.SwarmCoordinator, SWARMS_ABI, provider);
    this.rewards = new Contract(a.ServiceNodeRewards, REWARDS_ABI, provider);
    if (a.StorageCommitment) this.storage = new Contract(a.StorageCommitment, STORAGE_ABI, provider);
    if (a.SessionBridge) this.bridge = new Contract(a.SessionBridge, BRIDGE_ABI, provider);
    const add = (name: string, address: string | undefined, abi: readonly string[]) => {
      if (address) this.interfaces.set(address.toLowerCase(), { name, iface: new Interface(abi) });
    };
    add("ServiceNodeRegistry", a.ServiceNodeRegistry, REGISTRY_ABI);
    add("NodeDirectory", a.NodeDirectory, DIRECTORY_ABI);
    add("SwarmCoordinator", a.SwarmCoordinator, SWARMS_ABI);
    add("ServiceNodeRewards", a.ServiceNodeRewards, REWARDS_ABI);
    add("StorageCommitment", a.StorageCommitment, STORAGE_ABI);
    add("SessionBridge", a.SessionBridge, BRIDGE_ABI);
    this.cursor = (options.fromBlock ?? 0) - 1;
    this.range = options.logRange ?? 5_000;
    this.maxSwarms = options.maxSwarms ?? 256;
    this.maxHistoryPoints = options.maxHistoryPoints ?? 48;
  }

  /** The block an answer describes: `block` when given (never past the head), else the head. */
  async resolveBlock(block?: number): Promise<{ number: number; timestamp: number }> {
    const head = await this.provider.getBlockNumber();
    const n = block === undefined ? head : Math.min(block, head);
    const b = await this.provider.getBlock(n);
    if (!b) throw new Error(`no block ${n}`);
    await this.sync(b.number);
    return { number: b.number, timestamp: b.timestamp };
  }

  /** Scans the suite's events up to `toBlock` (one scan at a time). */
  sync(toBlock: number): Promise<number> {
    this.syncing = this.syncing.then(
      () => this.scan(toBlock),
      () => this.scan(toBlock),
    );
    return this.syncing;
  }

  private async scan(to: number): Promise<number> {
    let from = this.cursor + 1;
    const addresses = [...this.interfaces.keys()];
    while (from <= to) {
      const end = Math.min(to, from + this.range - 1);
      let logs: Log[];
      try {
        logs = await this.provider.getLogs({ address: addresses, fromBlock: from, toBlock: end });
      } catch (e) {
        if (this.range === 1) throw new Error(`eth_getLogs refused even a single block (${from}): ${(e as Error).message}`);
        this.range = Math.ceil(this.range / 2);
        continue;
      }
      for (const log of logs) {
        const c = this.interfaces.get(log.address.toLowerCase());
        if (!c) continue;
        let parsed: ReturnType<typeof argsOf>;
        try {
          parsed = argsOf(c.iface, log);
        } catch {
          continue;
        }
        if (!parsed) continue;
        const nodeId = parsed.args.nodeId;
        this.events.push({
          contract: c.name,
          name: parsed.name,
          block: log.blockNumber,
          logIndex: log.index,
          tx: log.transactionHash,
          nodeId: typeof nodeId === "bigint" ? nodeId : undefined,
          args: slim(parsed.name, parsed.args),
        });
      }
      this.cursor = end;
      from = end + 1;
    }
    return this.cursor;
  }

  private eventsUpTo(block: number, filter: (e: ExplorerEvent) => boolean): ExplorerEvent[] {
    return this.events.filter((e) => e.block <= block && filter(e));
  }

  private async directoryCache(): Promise<DirectoryCache> {
    this.directory ??= await DirectoryCache.create(this.provider, {
      addresses: {
        NodeLens: this.options.addresses.NodeLens,
        NodeDirectory: this.options.addresses.NodeDirectory,
        ServiceNodeRegistry: this.options.addresses.ServiceNodeRegistry,
      },
      fromBlock: this.options.fromBlock,
    });
    return this.directory;
  }

  // ------------------------------------------------------------------ views

  /** PIP-0008 §4.1 network health, with the fee multiplier the storage utilisation implies. */
  async health(blockArg?: number) {
    const b = await this.resolveBlock(blockArg);
    const blockTag = b.number;
    const h = (await this.swarms.networkHealth({ blockTag })) as Rec;
    const utilisation = { storageUsed: h.storageUsed as bigint, storageCapacity: h.storageCapacity as bigint };
    const multiplier = this.bridge ? ((await this.bridge.feeMultiplier({ blockTag })) as bigint) : feeMultiplierOf(utilisation);
    const [totalActiveStake, pending] = await Promise.all([
      this.registry.totalActiveStake({ blockTag }) as Promise<bigint>,
      this.swarms.pendingPlacements({ blockTag }) as Promise<[bigint[], bigint[]]>,
    ]);
    const capacity = h.storageCapacity as bigint;
    return {
      block: b.number,
      timestamp: b.timestamp,
      totalNodes: Number(h.totalNodes),
      activeNodes: Number(h.activeNodes),
      swarmCount: Number(h.swarmCount),
      averageSwarmSizeWad: h.averageSwarmSizeWad as bigint,
      averageSwarmSize: Number((h.averageSwarmSizeWad as bigint) / 10n ** 14n) / 10_000,
      minSwarmSize: Number(h.minSwarmSize),
      maxSwarmSize: Number(h.maxSwarmSize),
      storageCapacity: capacity,
      storageUsed: h.storageUsed as bigint,
      /** Used / capacity, basis points. */
      storageUtilisationBps: capacity === 0n ? 0 : Number(((h.storageUsed as bigint) * 10_000n) / capacity),
      replicationOk: h.replicationOk as boolean,
      isHealthy: h.healthy as boolean,
      feeMultiplier: Number(multiplier),
      totalActiveStake,
      pendingPlacements: pending[0].map(Number),
    };
  }

  private record(r: Rec) {
    const tk = r.transportKeys as Rec;
    return {
      nodeId: Number(r.nodeId),
      status: NODE_STATUS[Number(r.status)] ?? String(r.status),
      owner: r.owner as string,
      manager: r.manager === ZeroAddress ? null : (r.manager as string),
      beneficiary: r.beneficiary as string,
      stake: r.stake as bigint,
      penaltyBps: Number(r.penaltyBps),
      uptimeBps: Number(r.uptimeBps),
      operatorFeeBps: Number(r.operatorFeeBps),
      pendingFee: Number((r.pendingFee as Rec).effectiveAt) === 0 ? null : { feeBps: Number((r.pendingFee as Rec).feeBps), effectiveAt: Number((r.pendingFee as Rec).effectiveAt) },
      swarmId: Number(r.swarmId) === NO_SWARM ? null : Number(r.swarmId),
      endpoint: safeMultiaddr(r.endpoint as string),
      transportKeyHash: tk.current as string,
      transportKeyFingerprint: tk.current === ZERO32 ? null : fingerprint(tk.current as string),
      previousTransportKey: tk.previous === ZERO32 ? null : { hash: tk.previous as string, fingerprint: fingerprint(tk.previous as string), validUntil: Number(tk.previousValidUntil) },
      blsKeyHash: r.blsKeyHash as string,
    };
  }

  /** Every swarm with its members (in the coordinator's order), and the nodes awaiting placement. */
  async swarmsView(blockArg?: number) {
    const b = await this.resolveBlock(blockArg);
    const blockTag = b.number;
    const count = Number(await this.swarms.swarmCount({ blockTag }));
    const ids = Array.from({ length: Math.min(count, this.maxSwarms) }, (_, i) => i);
    const swarms = await Promise.all(ids.map((id) => this.swarmAt(id, blockTag)));
    const changes = this.eventsUpTo(b.number, (e) => e.contract === "SwarmCoordinator" && SWARM_CHANGES.includes(e.name))
      .slice(-20)
      .reverse()
      .map((e) => ({
        block: e.block,
        event: e.name,
        nodeId: e.nodeId === undefined ? null : Number(e.nodeId),
        swarmId: e.args.swarmId === undefined ? null : Number(e.args.swarmId),
        fromSwarm: e.args.fromSwarm === undefined ? null : Number(e.args.fromSwarm),
        toSwarm: e.args.toSwarm === undefined ? null : Number(e.args.toSwarm),
      }));
    return { block: b.number, timestamp: b.timestamp, swarmCount: count, truncated: count > ids.length, swarms, recentChanges: changes };
  }

  private async swarmAt(swarmId: number, blockTag: number) {
    const [members, feePerStake, swarmStake, pendingFees] = await Promise.all([
      this.lens.swarm(swarmId, { blockTag }) as Promise<Rec[]>,
      this.rewards.feePerStake(swarmId, { blockTag }) as Promise<bigint>,
      this.rewards.swarmStake(swarmId, { blockTag }) as Promise<bigint>,
      this.bridge ? (this.bridge.pendingFees(swarmId, { blockTag }) as Promise<bigint>) : Promise.resolve(0n),
    ]);
    const nodes = members.map((m) => this.record(m));
    return { swarmId, size: nodes.length, stake: swarmStake, feePerStake, pendingFees, nodes };
  }

  /** One swarm with its members. */
  async swarm(swarmId: number, blockArg?: number) {
    const b = await this.resolveBlock(blockArg);
    const count = Number(await this.swarms.swarmCount({ blockTag: b.number }));
    if (!Number.isInteger(swarmId) || swarmId < 0 || swarmId >= count) throw new NotFound(`swarm ${swarmId} does not exist at block ${b.number} (${count} swarms)`);
    return { block: b.number, timestamp: b.timestamp, ...(await this.swarmAt(swarmId, b.number)) };
  }

  /** A page of nodes from `fromId` (the lens's `nodes`). */
  async nodes(fromId = 1, count = 100, blockArg?: number) {
    const b = await this.resolveBlock(blockArg);
    const records = (await this.lens.nodes(fromId, Math.min(count, 100), { blockTag: b.number })) as Rec[];
    return { block: b.number, timestamp: b.timestamp, nodes: records.map((r) => this.record(r)) };
  }

  /**
   * The swarm serving an inbox and its members, as the package's directory resolver answers it:
   * endpoints, and transport / identity keys verified against the chain's hashes.
   */
  async inbox(inboxId: string, blockArg?: number) {
    if (!isHexString(inboxId, 32)) throw new BadRequest(`inbox id must be 32 bytes of hex (0x + 64 digits), got "${inboxId}"`);
    const b = await this.resolveBlock(blockArg);
    const answer = await (await this.directoryCache()).resolveInbox(inboxId, b.number);
    return {
      block: answer.block,
      timestamp: b.timestamp,
      inboxId: inboxId.toLowerCase(),
      swarmId: answer.swarmId,
      nodes: answer.nodes.map((n) => ({
        nodeId: Number(n.nodeId),
        status: NODE_STATUS[n.status] ?? String(n.status),
        endpoint: n.endpoint,
        transportKeyHash: keccak256(n.transportKey.current),
        transportKeyFingerprint: fingerprint(keccak256(n.transportKey.current)),
        transportKey: n.transportKey.current,
        previousTransportKey: n.transportKey.previous
          ? { fingerprint: fingerprint(keccak256(n.transportKey.previous.key)), validUntil: n.transportKey.previous.validUntil }
          : null,
        identityKeyHash: keccak256(n.identityKey),
        identityKeyFingerprint: fingerprint(keccak256(n.identityKey)),
        identityKey: n.identityKey,
        verified: n.verified,
      })),
    };
  }

  /** A node's page: state, roles, stake and contributors, fee, liveness, storage, income and history. */
  async node(nodeId: number, blockArg?: number) {
    const b = await this.resolveBlock(blockArg);
    const blockTag = b.number;
    const rec = (await this.lens.node(nodeId, { blockTag })) as Rec;
    if (rec.owner === ZeroAddress) throw new NotFound(`node ${nodeId} is not registered at block ${b.number}`);
    const [view, contributors, epoch] = await Promise.all([
      this.registry.getNode(nodeId, { blockTag }) as Promise<Rec>,
      this.registry.getContributors(nodeId, { blockTag }) as Promise<Rec[]>,
      this.registry.currentEpoch({ blockTag }) as Promise<bigint>,
    ]);
    const id = BigInt(nodeId);
    const mine = this.eventsUpTo(b.number, (e) => e.nodeId === id);
    const of = (...names: string[]) => mine.filter((e) => names.includes(e.name));
    const record = this.record(rec);

    const operator = (view.operator as string).toLowerCase();
    // A reserved slot is a contributor entry from registration on, with nothing paid until it is filled.
    const reservedFor = new Map(of("SlotReserved").map((e) => [(e.args.contributor as string).toLowerCase(), e.args.amount as bigint]));
    const contributorRows = await Promise.all(
      contributors.map(async (c, i) => ({
        address: c.addr as string,
        amount: c.amount as bigint,
        isOperator: i === 0 || (c.addr as string).toLowerCase() === operator,
        reserved: reservedFor.get((c.addr as string).toLowerCase()) ?? null,
        claimable: (await this.rewards.claimable(nodeId, c.addr, { blockTag })) as bigint,
      })),
    );
    const paid = new Map(contributorRows.map((c) => [c.address.toLowerCase(), c.amount]));
    const reserved = [...reservedFor].map(([contributor, amount]) => ({
      contributor: contributors.find((c) => (c.addr as string).toLowerCase() === contributor)?.addr ?? contributor,
      amount,
      filled: (paid.get(contributor) ?? 0n) >= amount,
    }));

    const heartbeats = of("HeartbeatAccepted").map((e) => ({ epoch: Number(e.args.epoch), block: e.block }));
    const penalties = [
      ...of("NodePenalized").map((e) => ({ kind: "missed epochs", block: e.block, bps: Number(e.args.penaltyBps), missedEpochs: Number(e.args.missedEpochs), amount: e.args.amount as bigint })),
      ...of("NodeSlashed").map((e) => ({ kind: "slash", block: e.block, bps: Number(e.args.bps), missedEpochs: 0, amount: e.args.amount as bigint })),
    ].sort((x, y) => x.block - y.block);
    const commitments = of("StorageCommitted").map((e) => ({
      epoch: Number(e.args.epoch),
      swarmId: Number(e.args.swarmId),
      merkleRoot: e.args.merkleRoot as string,
      messageCount: Number(e.args.messageCount),
      usedBytes: e.args.usedBytes as bigint,
      block: e.block,
    }));
    const challenges = await Promise.all(
      of("ChallengeOpened").map(async (e) => {
        const cid = e.args.challengeId as string;
        const c = this.storage ? ((await this.storage.getChallenge(cid, { blockTag })) as Rec) : undefined;
        return {
          challengeId: cid,
          epoch: Number(e.args.epoch),
          challenger: e.args.challenger as string,
          bond: e.args.bond as bigint,
          deadline: Number(e.args.deadline),
          status: c ? (CHALLENGE_STATUS[Number(c.status)] ?? String(c.status)) : "unknown",
          block: e.block,
        };
      }),
    );
    const endpoints = of("EndpointSet").map((e) => ({ endpoint: safeMultiaddr(e.args.endpoint as string), block: e.block }));
    const transportKeys = of("NodeKeysPublished", "TransportKeyRotated").map((e) => {
      const hash = e.args.mlkemKeyHash as string;
      return { hash, fingerprint: fingerprint(hash), block: e.block, kind: e.name === "NodeKeysPublished" ? "registered" : "rotated" };
    });
    const identity = of("NodeKeysPublished")[0];
    const identityHash = identity ? (identity.args.mldsaKeyHash as string) : null;
    const feeChanges = of("OperatorFeeChanged", "FeeChangeScheduled").map((e) => ({
      kind: e.name === "OperatorFeeChanged" ? "applied" : "scheduled",
      feeBps: Number(e.args.feeBps),
      effectiveAt: e.args.effectiveAt === undefined ? null : Number(e.args.effectiveAt),
      block: e.block,
    }));
    const lifecycle = of("NodeRegistered", "NodeActivated", "NodeDecommissioned", "NodeRetired", "RegistrationCancelled", "NodeJoinedSwarm", "NodeLeftSwarm", "NodeMovedSwarm").map((e) => ({
      event: e.name,
      block: e.block,
      detail:
        e.name === "NodeDecommissioned"
          ? (DECOMMISSION_REASON[Number(e.args.reason)] ?? String(e.args.reason))
          : e.name === "NodeJoinedSwarm" || e.name === "NodeLeftSwarm"
            ? `swarm ${e.args.swarmId}`
            : e.name === "NodeMovedSwarm"
              ? `swarm ${e.args.fromSwarm} → ${e.args.toSwarm}`
              : "",
    }));
    const operatorClaimable = (await this.rewards.claimable(nodeId, view.operator, { blockTag })) as bigint;
    return {
      block: b.number,
      timestamp: b.timestamp,
      epoch: Number(epoch),
      ...record,
      operator: view.operator as string,
      requirement: view.requirement as bigint,
      activatedAt: Number(view.activatedAt),
      unlockAt: Number(view.unlockAt),
      decommissionedAt: Number(view.decommissionedAt),
      lastHeartbeatEpoch: Number(view.lastHeartbeatEpoch),
      identityKeyHash: identityHash,
      identityKeyFingerprint: identityHash ? fingerprint(identityHash) : null,
      contributors: contributorRows,
      reservedSlots: reserved,
      openSlots: 10 - contributorRows.length,
      claimable: { operator: operatorClaimable, total: contributorRows.reduce((s, c) => s + c.claimable, 0n) },
      heartbeats,
      penalties,
      history: await this.history(nodeId, mine, b.number),
      storage: { commitments, challenges, storageUsed: (await this.swarms.nodeStorageUsed(nodeId, { blockTag })) as bigint },
      endpointHistory: endpoints,
      transportKeyHistory: transportKeys,
      feeHistory: feeChanges,
      lifecycle,
    };
  }

  /**
   * Uptime, penalty and stake over time: the registry's `getNode` read at the blocks of the node's own
   * events (and at the answered block), at most `maxHistoryPoints` of them. A node without archive
   * state answers only the points it can.
   */
  private async history(nodeId: number, mine: ExplorerEvent[], block: number) {
    let blocks = [...new Set([...mine.map((e) => e.block), block])].sort((x, y) => x - y);
    if (blocks.length > this.maxHistoryPoints) {
      const step = blocks.length / (this.maxHistoryPoints - 1);
      blocks = [...new Set([...Array.from({ length: this.maxHistoryPoints - 1 }, (_, i) => blocks[Math.floor(i * step)]), block])];
    }
    const points = await Promise.all(
      blocks.map(async (n) => {
        const key = `${nodeId}@${n}`;
        try {
          let v = this.historyCache.get(key);
          let timestamp = this.blockTimes.get(n);
          if (timestamp === undefined) {
            timestamp = (await this.provider.getBlock(n))?.timestamp ?? 0;
            this.blockTimes.set(n, timestamp);
          }
          if (!v) {
            const view = (await this.registry.getNode(nodeId, { blockTag: n })) as Rec;
            v = { uptimeBps: Number(view.uptimeBps), penaltyBps: Number(view.penaltyBps), stake: view.stake as bigint };
            if (n !== block) this.historyCache.set(key, v);
          }
          return { block: n, timestamp, ...v };
        } catch {
          return undefined;
        }
      }),
    );
    return points.filter((p) => p !== undefined);
  }

  /** Fees and sessions: swarm fee pools, the treasury's share, utilisation, sessions and channels. */
  async fees(blockArg?: number) {
    const b = await this.resolveBlock(blockArg);
    const blockTag = b.number;
    const count = Number(await this.swarms.swarmCount({ blockTag }));
    const ids = Array.from({ length: Math.min(count, this.maxSwarms) }, (_, i) => i);
    const deposits = this.eventsUpTo(b.number, (e) => e.name === "FeesDeposited");
    const pools = await Promise.all(
      ids.map(async (swarmId) => {
        const mineD = deposits.filter((e) => Number(e.args.swarmId) === swarmId);
        return {
          swarmId,
          stake: (await this.rewards.swarmStake(swarmId, { blockTag })) as bigint,
          feePerStake: (await this.rewards.feePerStake(swarmId, { blockTag })) as bigint,
          pendingFees: this.bridge ? ((await this.bridge.pendingFees(swarmId, { blockTag })) as bigint) : 0n,
          paidToSwarm: mineD.reduce((s, e) => s + (e.args.toSwarm as bigint), 0n),
          paidToTreasury: mineD.reduce((s, e) => s + (e.args.toTreasury as bigint), 0n),
        };
      }),
    );
    const h = (await this.swarms.networkHealth({ blockTag })) as Rec;
    const capacity = h.storageCapacity as bigint;
    const utilisation = { storageUsed: h.storageUsed as bigint, storageCapacity: capacity };
    const [treasury, treasuryOwed, registryTreasuryOwed, emissionUnallocated] = await Promise.all([
      this.rewards.treasury({ blockTag }) as Promise<string>,
      this.rewards.treasuryOwed({ blockTag }) as Promise<bigint>,
      this.registry.treasuryOwed({ blockTag }) as Promise<bigint>,
      this.rewards.emissionUnallocated({ blockTag }) as Promise<bigint>,
    ]);
    let sessions: Rec | null = null;
    if (this.bridge) {
      const [health, multiplier, quoteCreate, quote1k, maxChannels] = await Promise.all([
        this.bridge.health({ blockTag }) as Promise<[boolean, bigint, bigint]>,
        this.bridge.feeMultiplier({ blockTag }) as Promise<bigint>,
        this.bridge.quoteCreateSession({ blockTag }) as Promise<bigint>,
        this.bridge.quoteMessage(1024, { blockTag }) as Promise<bigint>,
        this.bridge.maxChannels({ blockTag }) as Promise<bigint>,
      ]);
      const created = this.eventsUpTo(b.number, (e) => e.name === "SessionCreated").slice(-50);
      const messages = this.eventsUpTo(b.number, (e) => e.name === "MessageSent");
      const list = await Promise.all(
        created.map(async (e) => {
          const sid = e.args.sessionId as string;
          const info = (await this.bridge!.getSession(sid, { blockTag })) as Rec;
          return {
            sessionId: sid,
            swarmId: Number(e.args.swarmId),
            participants: (e.args.participants as string[]).length,
            status: SESSION_STATUS[Number(info.status)] ?? String(info.status),
            channel: info.channel as boolean,
            messageCount: Number(info.messageCount),
            expiresAt: Number(info.expiresAt),
            feesPaid: (e.args.fee as bigint) + messages.filter((m) => m.args.sessionId === sid).reduce((s, m) => s + (m.args.fee as bigint), 0n),
          };
        }),
      );
      sessions = {
        healthy: health[0],
        activeSessions: Number(health[1]),
        activeChannels: Number(health[2]),
        maxChannels: Number(maxChannels),
        feeMultiplier: Number(multiplier),
        quoteCreateSession: quoteCreate,
        quoteMessage1KiB: quote1k,
        recent: list,
      };
    }
    return {
      block: b.number,
      timestamp: b.timestamp,
      storageUsed: h.storageUsed as bigint,
      storageCapacity: capacity,
      storageUtilisationBps: capacity === 0n ? 0 : Number(((h.storageUsed as bigint) * 10_000n) / capacity),
      feeMultiplier: Number(sessions ? sessions.feeMultiplier : feeMultiplierOf(utilisation)),
      treasury,
      treasuryOwed: { fees: treasuryOwed, penalties: registryTreasuryOwed },
      treasuryShareOfFeesBps: 2_000,
      emissionUnallocated,
      pools,
      totalPaidToSwarms: pools.reduce((s, p) => s + p.paidToSwarm, 0n),
      totalPaidToTreasury: pools.reduce((s, p) => s + p.paidToTreasury, 0n),
      sessions,
    };
  }
}

function safeMultiaddr(bytes: string): string {
  if (!bytes || bytes === "0x") return "";
  try {
    return decodeMultiaddr(bytes);
  } catch {
    return bytes;
  }
}

/** The asked-for thing does not exist (HTTP 404). */
export class NotFound extends Error {}
/** The request is malformed (HTTP 400). */
export class BadRequest extends Error {}
