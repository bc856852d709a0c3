/** DESIGN §11 gas targets (whole transaction, local network, precompile primitives not charged). */
export const GAS_TARGETS: Record<string, number> = {
  "registry.register": 600_000,
  "registry.contribute": 120_000,
  "registry.heartbeat": 50_000,
  "storage.commit": 160_000,
  "attest.deregister.nonSigners0": 300_000,
  "attest.deregister.nonSigners1": 315_000,
  "attest.deregister.nonSigners10": 450_000,
  "attest.deregister.nonSigners100": 1_800_000,
  "rewards.claim": 80_000,
  "bridge.createSession.2": 150_000,
  "bridge.sendMessage.1KiB": 80_000,
};

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
