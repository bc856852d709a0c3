/**
 * The Pars service-node suite as a list of steps, in order. `deploy-suite` runs it; re-running it
 * deploys nothing that is already on chain and re-checks everything; `deploy:check` only checks.
 *
 * After the list, the engine hands every `administered` contract over to the timelock: it grants
 * the timelock DEFAULT_ADMIN_ROLE and the deployer renounces its own. The checks then rebuild the
 * holders of every role of every contract from the role events and require exactly the accounts
 * this list names (`grant`, `expectRole`, `expectRoles`; the timelock alone as admin): a role held
 * by an account the list does not name fails, so every role a contract uses must appear here.
 *
 * Deployments are sent first, in list order, then every other step in list order.
 *
 * Adding a contract: a `deploy(...)` step in the deployments section (the address of an earlier
 * contract is `c.addr("Name")`), its wiring in the wiring section, and what must be read back in the
 * checks section. Nothing else changes: recording, idempotence, the hand-over and the checks follow.
 * The SessionBridge and StorageCommitment entries are examples of exactly that.
 */
import { ZeroAddress } from "ethers";
import { pqProfileId } from "../src/networks";
import { deploy, expectRole, expectRoles, expectValue, grant, once, set, TIMELOCK, type Step } from "./steps";

const TIMELOCK_ARTIFACT = "@openzeppelin/contracts/governance/TimelockController.sol:TimelockController";
const SWARMS = "contracts/swarm/SwarmCoordinator.sol:SwarmCoordinator";
const ATTESTATIONS = "contracts/attestations/NetworkAttestations.sol:NetworkAttestations";
const REGISTRY = "contracts/registry/ServiceNodeRegistry.sol:ServiceNodeRegistry";
const DIRECTORY = "contracts/registry/NodeDirectory.sol:NodeDirectory";
const REWARDS = "contracts/rewards/ServiceNodeRewards.sol:ServiceNodeRewards";
const BRIDGE = "contracts/bridge/SessionBridge.sol:SessionBridge";
const STORAGE = "contracts/storage/StorageCommitment.sol:StorageCommitment";
const LENS = "contracts/lens/NodeLens.sol:NodeLens";

export const SUITE: Step[] = [
  // ------------------------------------------------------------------ deployments
  // The timelock administers itself (admin argument zero): no account ever holds its admin role.
  deploy(TIMELOCK, TIMELOCK_ARTIFACT, false, (c) => [c.cfg.timelock.minDelay, c.cfg.timelock.proposers, c.cfg.timelock.executors, ZeroAddress]),
  deploy("SwarmCoordinator", SWARMS, true, (c) => [c.deployer]),
  deploy("NetworkAttestations", ATTESTATIONS, true, (c) => [c.deployer]),
  // No admin: its deployer sets the registry once (below), and nothing else is settable.
  deploy("NodeDirectory", DIRECTORY, false, (c) => [
    pqProfileId(c.cfg.pqProfile),
    c.cfg.precompiles.mldsa,
    c.cfg.precompiles.mlkem,
    c.addr("NetworkAttestations"),
  ]),
  deploy("ServiceNodeRegistry", REGISTRY, true, (c) => [
    c.deployer,
    c.cfg.guardian,
    c.addr("NodeDirectory"),
    c.addr("SwarmCoordinator"),
    c.addr("NetworkAttestations"),
    c.cfg.treasury,
  ]),
  deploy("ServiceNodeRewards", REWARDS, true, (c) => [
    c.deployer,
    c.addr("ServiceNodeRegistry"),
    c.addr("SwarmCoordinator"),
    c.cfg.treasury,
    c.cfg.emissionBase,
  ]),
  deploy("SessionBridge", BRIDGE, true, (c) => [
    c.deployer,
    c.cfg.guardian,
    c.addr("SwarmCoordinator"),
    c.addr("ServiceNodeRewards"),
    c.cfg.bridge.messenger,
    c.cfg.bridge.sessionTTL,
  ]),
  // Its constructor reads the registry's epoch and the coordinator's NO_SWARM: after both.
  deploy("StorageCommitment", STORAGE, true, (c) => [
    c.deployer,
    c.cfg.guardian,
    c.addr("ServiceNodeRegistry"),
    c.addr("SwarmCoordinator"),
    pqProfileId(c.cfg.pqProfile),
    c.cfg.precompiles.mldsa,
  ]),
  // Views only, no admin: its constructor reads the registry's DIRECTORY.
  deploy("NodeLens", LENS, false, (c) => [c.addr("ServiceNodeRegistry"), c.addr("SwarmCoordinator"), c.addr("NetworkAttestations")]),
  // ==> a further contract: its deploy(...) step goes here.

  // ------------------------------------------------------------------ wiring
  set("NodeDirectory", "registry", "setRegistry", (c) => c.addr("ServiceNodeRegistry")),
  set("SwarmCoordinator", "registry", "setRegistry", (c) => c.addr("ServiceNodeRegistry")),
  set("NetworkAttestations", "registry", "setRegistry", (c) => c.addr("ServiceNodeRegistry")),
  grant("ServiceNodeRegistry", "SLASHER_ROLE", (c) => c.addr("NetworkAttestations")),
  set("ServiceNodeRegistry", "lifecycleListener", "setLifecycleListener", (c) => c.addr("ServiceNodeRewards")),
  set("SwarmCoordinator", "swarmListener", "setSwarmListener", (c) => c.addr("ServiceNodeRewards")),
  set("ServiceNodeRegistry", "treasury", "setTreasury", (c) => c.cfg.treasury),
  set("ServiceNodeRewards", "treasury", "setTreasury", (c) => c.cfg.treasury),
  set("ServiceNodeRewards", "emissionBase", "setEmissionBase", (c) => c.cfg.emissionBase),
  grant("ServiceNodeRegistry", "GUARDIAN_ROLE", (c) => c.cfg.guardian),
  set("SessionBridge", "messenger", "setMessenger", (c) => c.cfg.bridge.messenger),
  grant("SessionBridge", "GUARDIAN_ROLE", (c) => c.cfg.guardian),
  // StorageCommitment slashes nodes that fail a challenge and reports what each node stores.
  grant("ServiceNodeRegistry", "SLASHER_ROLE", (c) => c.addr("StorageCommitment")),
  grant("SwarmCoordinator", "STORAGE_ROLE", (c) => c.addr("StorageCommitment")),
  grant("StorageCommitment", "GUARDIAN_ROLE", (c) => c.cfg.guardian),
  // ==> a further contract: its wiring goes here.

  // ------------------------------------------------------------------ governance parameters (only those in the config)
  set("ServiceNodeRegistry", "stakingRequirement", "setStakingRequirement", (c) => c.cfg.parameters.stakingRequirement),
  set("ServiceNodeRegistry", "lockPeriod", "setLockPeriod", (c) => c.cfg.parameters.lockPeriod),
  set("ServiceNodeRegistry", "missedEpochPenaltyBps", "setMissedEpochPenaltyBps", (c) => c.cfg.parameters.missedEpochPenaltyBps),
  set("NetworkAttestations", "maxNonSigners", "setMaxNonSigners", (c) => c.cfg.parameters.maxNonSigners),
  set("NetworkAttestations", "deregistrationPenaltyBps", "setDeregistrationPenaltyBps", (c) => c.cfg.parameters.deregistrationPenaltyBps),
  set("ServiceNodeRewards", "claimThreshold", "setClaimThreshold", (c) => c.cfg.parameters.claimThreshold),
  set("ServiceNodeRewards", "claimCycle", "setClaimCycle", (c) => c.cfg.parameters.claimCycle),
  set("StorageCommitment", "challengeBond", "setChallengeBond", (c) => c.cfg.parameters.challengeBond),
  set("StorageCommitment", "failedChallengePenaltyBps", "setFailedChallengePenaltyBps", (c) => c.cfg.parameters.failedChallengePenaltyBps),
  set("StorageCommitment", "challengerShareBps", "setChallengerShareBps", (c) => c.cfg.parameters.challengerShareBps),
  once("ServiceNodeRewards", "start", "startTime", (c) => c.cfg.startEmission),

  // ------------------------------------------------------------------ read back: constructor values and immutables
  expectValue("NodeDirectory", "PQ_PROFILE", (c) => BigInt(pqProfileId(c.cfg.pqProfile))),
  expectValue("NodeDirectory", "MLDSA", (c) => c.cfg.precompiles.mldsa),
  expectValue("NodeDirectory", "MLKEM", (c) => c.cfg.precompiles.mlkem),
  expectValue("NodeDirectory", "BLS_KEYS", (c) => c.addr("NetworkAttestations")),
  expectValue("ServiceNodeRegistry", "DIRECTORY", (c) => c.addr("NodeDirectory")),
  expectValue("ServiceNodeRegistry", "swarms", (c) => c.addr("SwarmCoordinator")),
  expectValue("ServiceNodeRegistry", "BLS_KEYS", (c) => c.addr("NetworkAttestations")),
  expectRole("SwarmCoordinator", "REGISTRY_ROLE", (c) => c.addr("ServiceNodeRegistry")),
  expectRole("NetworkAttestations", "REGISTRY_ROLE", (c) => c.addr("ServiceNodeRegistry")),
  expectValue("ServiceNodeRewards", "REGISTRY", (c) => c.addr("ServiceNodeRegistry")),
  expectValue("ServiceNodeRewards", "SWARMS", (c) => c.addr("SwarmCoordinator")),
  expectValue(TIMELOCK, "getMinDelay", (c) => c.cfg.timelock.minDelay),
  expectRoles(TIMELOCK, "PROPOSER_ROLE", (c) => c.cfg.timelock.proposers),
  expectRoles(TIMELOCK, "CANCELLER_ROLE", (c) => c.cfg.timelock.proposers),
  expectRoles(TIMELOCK, "EXECUTOR_ROLE", (c) => c.cfg.timelock.executors),
  // The timelock administers its own roles; no account does.
  expectRoles(TIMELOCK, "DEFAULT_ADMIN_ROLE", (c) => [c.addr(TIMELOCK)]),
  expectValue("SessionBridge", "SWARMS", (c) => c.addr("SwarmCoordinator")),
  expectValue("SessionBridge", "REWARDS", (c) => c.addr("ServiceNodeRewards")),
  expectValue("SessionBridge", "sessionTTL", (c) => c.cfg.bridge.sessionTTL),
  expectValue("StorageCommitment", "REGISTRY", (c) => c.addr("ServiceNodeRegistry")),
  expectValue("StorageCommitment", "SWARMS", (c) => c.addr("SwarmCoordinator")),
  expectValue("StorageCommitment", "PQ_PROFILE", (c) => BigInt(pqProfileId(c.cfg.pqProfile))),
  expectValue("StorageCommitment", "MLDSA", (c) => c.cfg.precompiles.mldsa),
  expectValue("NodeLens", "REGISTRY", (c) => c.addr("ServiceNodeRegistry")),
  expectValue("NodeLens", "DIRECTORY", (c) => c.addr("NodeDirectory")),
  expectValue("NodeLens", "SWARMS", (c) => c.addr("SwarmCoordinator")),
  expectValue("NodeLens", "BLS_KEYS", (c) => c.addr("NetworkAttestations")),
  // ==> a further contract: its read-backs go here.
];
