/** DESIGN §11 gas targets (whole transaction, local network, precompile primitives not charged). */
export const GAS_TARGETS: Record<string, number> = {
  "registry.register": 625_000,
  "registry.contribute": 120_000,
  "registry.heartbeat": 50_000,
  "directory.setEndpoint": 60_000,
  "storage.commit": 160_000,
  "attest.deregister.nonSigners0": 300_000,
  "attest.deregister.nonSigners1": 315_000,
  "attest.deregister.nonSigners10": 450_000,
  "attest.deregister.nonSigners100": 1_800_000,
  "rewards.claim": 80_000,
  "bridge.createSession.2": 150_000,
  "bridge.sendMessage.1KiB": 80_000,
};

/** DESIGN §11 targets of `+precompile` entries (local gas plus the `lux` profile's precompile prices). */
export const PRECOMPILE_TARGETS: Record<string, number> = {
  // Per node ≤ 180,000: a swarm of five commits together.
  "storage.commitBatch5+precompile": 5 * 180_000,
  "upkeep.nodeYear+precompile": 1_500_000_000,
  "directory.rotateTransportKey+precompile": 200_000,
};

/**
 * One node's year on the real chain, from measured entries (DESIGN §11): its registration and the one
 * publication of its identity key, 8,760 heartbeats relayed in batches of ten, 8,760 storage
 * commitments as its swarm of five commits together, twelve claims. Returns the total and its parts.
 */
export function nodeYear(snapshot: Record<string, number>, suffix = ""): { total: number; parts: Record<string, number> } | undefined {
  const get = (name: string) => snapshot[name.replace(/(\+precompile)?$/, `${suffix}$1`)];
  const register = get("registry.register+precompile");
  const publish = get("storage.publishIdentityKey");
  const heartbeats = get("registry.heartbeatBatch10");
  const batch = get("storage.commitBatch5+precompile");
  const claim = get("rewards.claim");
  if ([register, publish, heartbeats, batch, claim].some((x) => x === undefined)) return undefined;
  const parts = {
    "registration (+precompile)": register,
    "identity key published once": publish,
    "8,760 heartbeats (876 batches of 10, a tenth each)": Math.round((8_760 / 10) * heartbeats),
    "8,760 commitments (a fifth of a batch of 5, +precompile)": Math.round((8_760 * batch) / 5),
    "12 claims": 12 * claim,
  };
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

/**
 * Allowed ratio of an operation's gas at 1,000 active nodes to the same at 10, either way: nothing may
 * cost more with more nodes, and a cost that falls with N means the two scales took different paths.
 */
export const SCALE_RATIO_LIMIT = 1.05;

/**
 * Paths whose work differs between the two networks by the network's shape, with the reason. Their
 * ratio is shown and not judged; what bounds them is named in the reason and tested.
 */
export const SHAPE_DEPENDENT: Record<string, string> = {
  "registry.register.formsSwarm":
    "a new swarm takes floor(N / S) nodes, each from a largest swarm: 3 moves from 2 swarms at 11 nodes, " +
    "4 moves from 21 nodes on, each from a different swarm (at most MAX_MOVES_PER_CHANGE, tested)",
};

/** Whether the gas at 1,000 nodes is within SCALE_RATIO_LIMIT of the gas at 10, either way. */
export function flat(ratio: number): boolean {
  return ratio <= SCALE_RATIO_LIMIT && ratio >= 1 / SCALE_RATIO_LIMIT;
}
