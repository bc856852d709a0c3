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

/** Allowed ratio of an operation's gas at 1,000 active nodes to the same at 10. */
export const SCALE_RATIO_LIMIT = 1.05;
