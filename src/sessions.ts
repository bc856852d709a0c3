/**
 * Sessions (DESIGN §9, LP-042, PIP-0007): the TypeScript side of the SessionBridge.
 *
 * - `deriveSessionId`, `autoSalt`, `messageId`, `nextMessageHead`, `participantFingerprint`,
 *   `isSessionParticipant`: identical to the contract.
 * - `feeMultiplier`, `quoteCreateSession`, `quoteMessage`, `channelPriceAt`, `channelFillCost`: the
 *   contract's fee rules, to the wei.
 * - `encodeWarpPayload` / `decodeWarpPayload`: the versioned Warp payload the bridge forwards.
 * - `decodeBridgeLogs` and `SessionIndex`: turn the bridge's logs into sessions and messages, which
 *   is what a swarm node runs to pick up the ciphertexts of the inboxes it serves.
 */
import { AbiCoder, Interface, getAddress, getBytes, hexlify, keccak256, toUtf8Bytes, type BytesLike } from "ethers";
import { inboxToSwarm } from "./swarm";

const coder = AbiCoder.defaultAbiCoder();

// ---------------------------------------------------------------------------------------------
// Constants (the contract's)
// ---------------------------------------------------------------------------------------------

/** First byte of every session id (LP-042 idPrefix "07": post-quantum session). */
export const SESSION_ID_PREFIX = 0x07;
/** Most participants per session (Session's closed-group limit). */
export const MAX_PARTICIPANTS = 100;
/** Largest ciphertext: 16 KiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** ML-KEM-768 encapsulation key length. */
export const MLKEM768_PUBLIC_KEY_BYTES = 1184;
/** 0.001 PARS per session, before the multiplier. */
export const CREATE_FEE = 10n ** 15n;
/** 0.0001 PARS per started KiB of ciphertext, before the multiplier. */
export const MESSAGE_FEE_PER_KIB = 10n ** 14n;
/** LP-042 configuration defaults. */
export const DEFAULT_SESSION_TTL = 86_400;
export const DEFAULT_MAX_MESSAGES = 10_000;
export const DEFAULT_MAX_CHANNELS = 1_000;
/** Channel price curve defaults: base fee below 50% of the pool, then 20 doublings up to a full pool. */
export const DEFAULT_CHANNEL_SURGE_FROM_BPS = 5_000;
export const DEFAULT_CHANNEL_DOUBLINGS = 20;
/** Ring of expiry buckets behind `health()`; a bucket is ceil(TTL / 24) seconds. */
export const BUCKET_COUNT = 25;

export const SESSION_ID_DOMAIN = keccak256(toUtf8Bytes("ParsSessionBridge.sessionId"));
export const AUTO_SALT_DOMAIN = keccak256(toUtf8Bytes("ParsSessionBridge.autoSalt"));

/** The contract's `SessionStatus`. */
export enum SessionStatus {
  None = 0,
  Pending = 1,
  Active = 2,
  Expired = 3,
  Closed = 4,
}

// ---------------------------------------------------------------------------------------------
// Ids and hashes
// ---------------------------------------------------------------------------------------------

export interface SessionIdInput {
  chainId: bigint | number;
  bridge: string;
  creator: string;
  salt: BytesLike;
  participants: readonly string[];
}

/**
 * 0x07 ‖ the low 31 bytes of keccak256(abi.encode(SESSION_ID_DOMAIN, chainId, bridge, creator, salt,
 * participants)). The id commits to the participant list in order.
 */
export function deriveSessionId(i: SessionIdInput): string {
  const h = keccak256(
    coder.encode(
      ["bytes32", "uint256", "address", "address", "bytes32", "address[]"],
      [SESSION_ID_DOMAIN, i.chainId, i.bridge, i.creator, hexlify(getBytes(i.salt)), i.participants],
    ),
  );
  return "0x07" + h.slice(4);
}

/** The salt of a creator's `nonce`-th session through the PIP-0007 overload `createSession(address[])`. */
export function autoSalt(nonce: bigint | number): string {
  return keccak256(coder.encode(["bytes32", "uint256"], [AUTO_SALT_DOMAIN, nonce]));
}

/** True if `id` is a 32-byte id with the post-quantum session prefix. */
export function isSessionId(id: BytesLike): boolean {
  const b = getBytes(id);
  return b.length === 32 && b[0] === SESSION_ID_PREFIX;
}

/** keccak256(abi.encode(sessionId, sequence, sender, keccak256(ciphertext))). */
export function messageId(sessionId: string, sequence: bigint | number, sender: string, ciphertext: BytesLike): string {
  return keccak256(
    coder.encode(["bytes32", "uint64", "address", "bytes32"], [sessionId, sequence, sender, keccak256(getBytes(ciphertext))]),
  );
}

/**
 * The session's message hash chain, from a zero head: the first 28 bytes of
 * keccak256(abi.encode(head, messageId)) followed by 4 zero bytes (the contract keeps the message
 * count in those 32 bits of the same storage word).
 */
export function nextMessageHead(head: string, id: string): string {
  const h = keccak256(coder.encode(["bytes32", "bytes32"], [head, id]));
  return h.slice(0, 2 + 56) + "00000000";
}

export const ZERO_HEAD = "0x" + "00".repeat(32);

/** Width of the participant fingerprints a two-party session keeps on chain. */
export const FINGERPRINT_BITS = 104;

/** The low 104 bits of keccak256(abi.encode(sessionId, account)): a two-party session's membership record. */
export function participantFingerprint(sessionId: string, account: string): bigint {
  const h = BigInt(keccak256(coder.encode(["bytes32", "address"], [sessionId, account])));
  return h & ((1n << BigInt(FINGERPRINT_BITS)) - 1n);
}

/**
 * Whether the bridge takes `account` for a participant of the session with this participant list: by
 * fingerprint in a two-party session (as the contract stores it), by address in a channel.
 */
export function isSessionParticipant(sessionId: string, participants: readonly string[], account: string): boolean {
  if (participants.length === 2) {
    const fp = participantFingerprint(sessionId, account);
    return participants.some((p) => participantFingerprint(sessionId, p) === fp);
  }
  const a = getAddress(account);
  return participants.some((p) => getAddress(p) === a);
}

// ---------------------------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------------------------

/** Utilisation tiers (PIP-0008 §4.2): below `belowPercent` of capacity, the multiplier applies. */
export const FEE_TIERS: readonly { belowPercent: bigint; multiplier: bigint }[] = [
  { belowPercent: 50n, multiplier: 1n },
  { belowPercent: 70n, multiplier: 2n },
  { belowPercent: 85n, multiplier: 5n },
  { belowPercent: 95n, multiplier: 10n },
];
/** Multiplier at 95% utilisation and above. */
export const TOP_MULTIPLIER = 50n;

export interface StorageUtilisation {
  storageUsed: bigint;
  storageCapacity: bigint;
}

/**
 * The fee multiplier for `used / capacity`, compared exactly (used × 100 < capacity × percent).
 * Zero capacity (no active node, so nothing stored) counts as 0% utilisation: ×1.
 */
export function feeMultiplier(u: StorageUtilisation): bigint {
  if (u.storageCapacity === 0n) return 1n;
  for (const t of FEE_TIERS) if (u.storageUsed * 100n < u.storageCapacity * t.belowPercent) return t.multiplier;
  return TOP_MULTIPLIER;
}

/** Started KiB of a ciphertext of `size` bytes (1..16 KiB); throws like the contract otherwise. */
export function messageKiB(size: number | bigint): bigint {
  const s = BigInt(size);
  if (s === 0n) throw new RangeError("EmptyMessage");
  if (s > BigInt(MAX_MESSAGE_BYTES)) throw new RangeError(`MessageTooLarge(${s}, ${MAX_MESSAGE_BYTES})`);
  return (s + 1023n) / 1024n;
}

/** `quoteCreateSession()`: CREATE_FEE × multiplier. */
export function quoteCreateSession(u: StorageUtilisation): bigint {
  return CREATE_FEE * feeMultiplier(u);
}

/** `quoteMessage(size)`: MESSAGE_FEE_PER_KIB × ceil(size / 1024) × multiplier. */
export function quoteMessage(size: number | bigint, u: StorageUtilisation): bigint {
  return MESSAGE_FEE_PER_KIB * messageKiB(size) * feeMultiplier(u);
}

/** What the channel price depends on besides storage utilisation (`maxChannels()`, `channelPricing()`). */
export interface ChannelPricing {
  maxChannels: bigint | number;
  surgeFromBps: bigint | number;
  doublings: bigint | number;
}

export const DEFAULT_CHANNEL_PRICING: ChannelPricing = {
  maxChannels: DEFAULT_MAX_CHANNELS,
  surgeFromBps: DEFAULT_CHANNEL_SURGE_FROM_BPS,
  doublings: DEFAULT_CHANNEL_DOUBLINGS,
};

/**
 * `channelPriceAt(slotsTaken)`: the fee of a channel created while `slotsTaken` slots are taken.
 * base = CREATE_FEE × multiplier; knee = floor(maxChannels × surgeFromBps / 10,000); below the knee,
 * base; above, with j = slotsTaken − knee and step = ceil((maxChannels − knee) / doublings),
 * ceil(base × 2^floor(j / step) × (step + j mod step) / step). Throws like the contract
 * (TooManyChannels) when no slot is free.
 */
export function channelPriceAt(slotsTaken: bigint | number, p: ChannelPricing, u: StorageUtilisation): bigint {
  const taken = BigInt(slotsTaken);
  const max = BigInt(p.maxChannels);
  if (taken >= max) throw new RangeError(`TooManyChannels(${taken}, ${max})`);
  const base = CREATE_FEE * feeMultiplier(u);
  const knee = (max * BigInt(p.surgeFromBps)) / 10_000n;
  if (taken < knee) return base;
  const d = BigInt(p.doublings);
  const step = (max - knee + d - 1n) / d;
  const j = taken - knee;
  const scaled = (base * (step + (j % step))) << (j / step);
  return (scaled + step - 1n) / step;
}

/** What taking every free slot costs, one channel after another, from `slotsTaken` taken (default: an empty pool). */
export function channelFillCost(p: ChannelPricing, u: StorageUtilisation, slotsTaken: bigint | number = 0): bigint {
  let total = 0n;
  for (let k = BigInt(slotsTaken); k < BigInt(p.maxChannels); k++) total += channelPriceAt(k, p, u);
  return total;
}

/** Reads the channel price inputs from a SessionBridge. */
export async function readChannelPricing(bridge: {
  maxChannels(): Promise<bigint>;
  channelPricing(): Promise<[bigint, bigint] & { surgeFromBps: bigint; doublings: bigint }>;
}): Promise<ChannelPricing> {
  const [maxChannels, [surgeFromBps, doublings]] = await Promise.all([bridge.maxChannels(), bridge.channelPricing()]);
  return { maxChannels, surgeFromBps, doublings };
}

/** Reads the utilisation inputs from a SwarmCoordinator (anything with the two views). */
export async function readUtilisation(swarms: {
  storageUsed(): Promise<bigint>;
  storageCapacity(): Promise<bigint>;
}): Promise<StorageUtilisation> {
  const [storageUsed, storageCapacity] = await Promise.all([swarms.storageUsed(), swarms.storageCapacity()]);
  return { storageUsed, storageCapacity };
}

// ---------------------------------------------------------------------------------------------
// Warp payload (version 1)
// ---------------------------------------------------------------------------------------------

export const WARP_PAYLOAD_VERSION = 1;

export enum WarpKind {
  SessionCreated = 1,
  ParticipantJoined = 2,
  MessageSent = 3,
  SessionClosed = 4,
}

export type WarpAction =
  | {
      kind: WarpKind.SessionCreated;
      sessionId: string;
      creator: string;
      expiresAt: bigint;
      participants: string[];
      /** One per participant, hex; "0x" for a key that will join. */
      mlkemPublicKeys: string[];
    }
  | { kind: WarpKind.ParticipantJoined; sessionId: string; participant: string; mlkemPublicKey: string }
  | { kind: WarpKind.MessageSent; sessionId: string; sender: string; sequence: bigint; messageId: string; ciphertext: string }
  | { kind: WarpKind.SessionClosed; sessionId: string; by: string };

const ENVELOPE = ["uint8", "uint8", "bytes32", "bytes"];
const BODY: Record<WarpKind, string[]> = {
  [WarpKind.SessionCreated]: ["address", "uint40", "address[]", "bytes[]"],
  [WarpKind.ParticipantJoined]: ["address", "bytes"],
  [WarpKind.MessageSent]: ["address", "uint64", "bytes32", "bytes"],
  [WarpKind.SessionClosed]: ["address"],
};

/** abi.encode(uint8 version, uint8 kind, bytes32 sessionId, bytes body), as the bridge sends it. */
export function encodeWarpPayload(a: WarpAction): string {
  let body: unknown[];
  switch (a.kind) {
    case WarpKind.SessionCreated:
      body = [a.creator, a.expiresAt, a.participants, a.mlkemPublicKeys];
      break;
    case WarpKind.ParticipantJoined:
      body = [a.participant, a.mlkemPublicKey];
      break;
    case WarpKind.MessageSent:
      body = [a.sender, a.sequence, a.messageId, a.ciphertext];
      break;
    case WarpKind.SessionClosed:
      body = [a.by];
      break;
  }
  return coder.encode(ENVELOPE, [WARP_PAYLOAD_VERSION, a.kind, a.sessionId, coder.encode(BODY[a.kind], body)]);
}

/** Decodes a bridge Warp payload; throws on an unknown version or kind. */
export function decodeWarpPayload(payload: BytesLike): WarpAction {
  const [version, kindRaw, sessionId, body] = coder.decode(ENVELOPE, payload);
  if (Number(version) !== WARP_PAYLOAD_VERSION) throw new Error(`unknown Warp payload version ${version}`);
  const kind = Number(kindRaw) as WarpKind;
  if (!(kind in BODY)) throw new Error(`unknown Warp payload kind ${kind}`);
  const f = coder.decode(BODY[kind], body);
  switch (kind) {
    case WarpKind.SessionCreated:
      return {
        kind,
        sessionId,
        creator: f[0],
        expiresAt: f[1],
        participants: [...f[2]],
        mlkemPublicKeys: [...f[3]],
      };
    case WarpKind.ParticipantJoined:
      return { kind, sessionId, participant: f[0], mlkemPublicKey: f[1] };
    case WarpKind.MessageSent:
      return { kind, sessionId, sender: f[0], sequence: f[1], messageId: f[2], ciphertext: f[3] };
    case WarpKind.SessionClosed:
      return { kind, sessionId, by: f[0] };
  }
}

// ---------------------------------------------------------------------------------------------
// Bridge events
// ---------------------------------------------------------------------------------------------

/** The bridge's session events (the ABI a swarm node needs, without the artifacts). */
export const SESSION_BRIDGE_EVENTS = [
  "event SessionCreated(bytes32 indexed sessionId, address indexed creator, uint32 indexed swarmId, uint40 expiresAt, address[] participants, bytes[] mlkemPublicKeys, uint256 fee)",
  "event ParticipantJoined(bytes32 indexed sessionId, address indexed participant, bytes mlkemPublicKey)",
  "event SessionActivated(bytes32 indexed sessionId)",
  "event MessageSent(bytes32 indexed sessionId, uint32 indexed swarmId, address indexed sender, uint64 sequence, bytes32 messageId, bytes ciphertext, uint256 fee)",
  "event SessionClosed(bytes32 indexed sessionId, address indexed by)",
] as const;

export const sessionBridgeEvents = new Interface(SESSION_BRIDGE_EVENTS);

/** A log as ethers and JSON-RPC give it (only these fields are read). */
export interface LogLike {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber?: number;
  transactionHash?: string;
  index?: number;
}

export type BridgeEvent =
  | {
      name: "SessionCreated";
      sessionId: string;
      creator: string;
      swarmId: number;
      expiresAt: bigint;
      participants: string[];
      mlkemPublicKeys: string[];
      fee: bigint;
      log: LogLike;
    }
  | { name: "ParticipantJoined"; sessionId: string; participant: string; mlkemPublicKey: string; log: LogLike }
  | { name: "SessionActivated"; sessionId: string; log: LogLike }
  | {
      name: "MessageSent";
      sessionId: string;
      swarmId: number;
      sender: string;
      sequence: bigint;
      messageId: string;
      ciphertext: string;
      fee: bigint;
      log: LogLike;
    }
  | { name: "SessionClosed"; sessionId: string; by: string; log: LogLike };

/**
 * Decodes the bridge's session events among `logs` (in the order given), skipping logs of other
 * contracts (when `bridge` is given) and events that are not session events.
 */
export function decodeBridgeLogs(logs: readonly LogLike[], bridge?: string): BridgeEvent[] {
  const only = bridge ? getAddress(bridge) : undefined;
  const out: BridgeEvent[] = [];
  for (const log of logs) {
    if (only && getAddress(log.address) !== only) continue;
    let parsed;
    try {
      parsed = sessionBridgeEvents.parseLog({ topics: [...log.topics], data: log.data });
    } catch {
      continue;
    }
    if (!parsed) continue;
    const a = parsed.args;
    switch (parsed.name) {
      case "SessionCreated":
        out.push({
          name: "SessionCreated",
          sessionId: a.sessionId,
          creator: a.creator,
          swarmId: Number(a.swarmId),
          expiresAt: a.expiresAt,
          participants: [...a.participants],
          mlkemPublicKeys: [...a.mlkemPublicKeys],
          fee: a.fee,
          log,
        });
        break;
      case "ParticipantJoined":
        out.push({ name: "ParticipantJoined", sessionId: a.sessionId, participant: a.participant, mlkemPublicKey: a.mlkemPublicKey, log });
        break;
      case "SessionActivated":
        out.push({ name: "SessionActivated", sessionId: a.sessionId, log });
        break;
      case "MessageSent":
        out.push({
          name: "MessageSent",
          sessionId: a.sessionId,
          swarmId: Number(a.swarmId),
          sender: a.sender,
          sequence: a.sequence,
          messageId: a.messageId,
          ciphertext: a.ciphertext,
          fee: a.fee,
          log,
        });
        break;
      case "SessionClosed":
        out.push({ name: "SessionClosed", sessionId: a.sessionId, by: a.by, log });
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Session index: what a swarm node keeps
// ---------------------------------------------------------------------------------------------

export interface IndexedMessage {
  sessionId: string;
  sequence: bigint;
  sender: string;
  messageId: string;
  ciphertext: string;
  fee: bigint;
  swarmId: number;
}

export interface IndexedSession {
  sessionId: string;
  creator: string;
  expiresAt: bigint;
  participants: string[];
  /** Per participant (same order): its ML-KEM key, or "0x" until it joins. */
  mlkemPublicKeys: string[];
  closed: boolean;
  messages: IndexedMessage[];
  /** Mirror of the contract's `messageHead`. */
  messageHead: string;
}

/** Thrown when logs contradict the bridge's rules (a gap in sequences, a forged id, an unknown session). */
export class SessionIndexError extends Error {}

/**
 * Sessions and messages rebuilt from the bridge's events. Logs must be fed in chain order. Every
 * message is checked: its session exists, its sender is a participant, its sequence is the next one
 * and its id matches the ciphertext, so a node never stores a message the bridge did not accept.
 */
export class SessionIndex {
  readonly sessions = new Map<string, IndexedSession>();

  constructor(readonly bridge?: string) {}

  /** Applies decoded events or raw logs. */
  ingest(input: readonly LogLike[] | readonly BridgeEvent[]): void {
    const events = input.length > 0 && "name" in input[0] ? (input as readonly BridgeEvent[]) : decodeBridgeLogs(input as readonly LogLike[], this.bridge);
    for (const e of events) this.apply(e);
  }

  session(sessionId: string): IndexedSession | undefined {
    return this.sessions.get(sessionId.toLowerCase());
  }

  /** The status at time `now` (seconds), as the contract computes it. */
  status(sessionId: string, now: bigint | number): SessionStatus {
    const s = this.session(sessionId);
    if (!s) return SessionStatus.None;
    if (s.closed) return SessionStatus.Closed;
    if (BigInt(now) >= s.expiresAt) return SessionStatus.Expired;
    return s.mlkemPublicKeys.some((k) => getBytes(k).length === 0) ? SessionStatus.Pending : SessionStatus.Active;
  }

  /** Every message whose session is served by `swarmId` when there are `swarmCount` swarms. */
  messagesForSwarm(swarmId: number, swarmCount: number): IndexedMessage[] {
    const out: IndexedMessage[] = [];
    for (const s of this.sessions.values()) {
      if (inboxToSwarm(s.sessionId, swarmCount) === swarmId) out.push(...s.messages);
    }
    return out;
  }

  private apply(e: BridgeEvent): void {
    const key = e.sessionId.toLowerCase();
    if (e.name === "SessionCreated") {
      if (this.sessions.has(key)) throw new SessionIndexError(`session ${e.sessionId} created twice`);
      this.sessions.set(key, {
        sessionId: e.sessionId,
        creator: e.creator,
        expiresAt: e.expiresAt,
        participants: e.participants.map((p) => getAddress(p)),
        mlkemPublicKeys: e.mlkemPublicKeys.map((k) => hexlify(getBytes(k))),
        closed: false,
        messages: [],
        messageHead: ZERO_HEAD,
      });
      return;
    }
    const s = this.sessions.get(key);
    if (!s) throw new SessionIndexError(`${e.name} for unknown session ${e.sessionId}`);
    switch (e.name) {
      case "ParticipantJoined": {
        const i = s.participants.indexOf(getAddress(e.participant));
        if (i < 0) throw new SessionIndexError(`${e.participant} joined ${e.sessionId} without being a participant`);
        s.mlkemPublicKeys[i] = hexlify(getBytes(e.mlkemPublicKey));
        break;
      }
      case "SessionActivated":
        break;
      case "MessageSent": {
        if (!isSessionParticipant(s.sessionId, s.participants, e.sender)) {
          throw new SessionIndexError(`message from non-participant ${e.sender} in ${e.sessionId}`);
        }
        if (e.sequence !== BigInt(s.messages.length)) {
          throw new SessionIndexError(`sequence ${e.sequence} in ${e.sessionId}, expected ${s.messages.length}`);
        }
        const id = messageId(s.sessionId, e.sequence, e.sender, e.ciphertext);
        if (id !== e.messageId) throw new SessionIndexError(`message id mismatch at ${e.sessionId}#${e.sequence}`);
        s.messages.push({
          sessionId: s.sessionId,
          sequence: e.sequence,
          sender: getAddress(e.sender),
          messageId: id,
          ciphertext: hexlify(getBytes(e.ciphertext)),
          fee: e.fee,
          swarmId: e.swarmId,
        });
        s.messageHead = nextMessageHead(s.messageHead, id);
        break;
      }
      case "SessionClosed":
        s.closed = true;
        break;
    }
  }
}
