import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys } from "../../test/helpers/suite";
import { operatorMinimum } from "../../src/registry";
import { hashToG1Tries, type BLSKeyPair } from "../../src/bls";
import { buildDeregistration, deregistrationMessage } from "../../src/attestations";
import { TX, type Benchmark } from "./meter";
import { flushPlacements, leaver, leaverAtEdge } from "./draws";

const HOUR = 3600;

/** The node lifecycle: register, contribute, heartbeats, penalty, exit and withdrawal. */
export const registryBench: Benchmark = {
  name: "registry",
  async run(meter, net) {
    const { registry, swarms } = net.suite;
    const [op, contributor] = [net.suite.operators[0], net.suite.others[0]];

    // With 10 or 1,000 active nodes the next one makes the swarm count grow (S = ceil(N / 5)): that
    // registration also forms a swarm from the largest ones. After an unmeasured one, the next
    // registration and activation are common joins, among 3 and then 2 smallest swarms at both scales
    // (13 / 1,003 and 14 / 1,004 nodes). Every measured join finds the placement queue empty (draws.ts).
    const keys = nodeKeys("bench-new-node", await currentEpoch());
    const reg = await buildRegistration(registry, op.address, keys);
    await flushPlacements(swarms);
    await meter.measure("registry.register.formsSwarm", () => registry.connect(op).register(reg, { ...TX, value: REQUIREMENT }));
    const filler = nodeKeys("bench-filler-node", await currentEpoch());
    await (await registry.connect(op).register(await buildRegistration(registry, op.address, filler), { ...TX, value: REQUIREMENT })).wait();
    const keys2 = nodeKeys("bench-new-node-2", await currentEpoch());
    const reg2 = await buildRegistration(registry, op.address, keys2);
    await flushPlacements(swarms);
    await meter.measure("registry.register", () => registry.connect(op).register(reg2, { ...TX, value: REQUIREMENT }));
    const registeredId = await registry.lastNodeId();

    // The directory: the owner sets the node's endpoint (a fresh slot), changes it, and rotates the
    // transport key (validated through the ML-KEM precompile).
    const { directory } = net.suite;
    const quic = "0x04cb00710791025609cd03"; // /ip4/203.0.113.7/udp/22025/quic-v1
    const dns = "0x360a" + Buffer.from("n1.example").toString("hex") + "0601bbde03"; // /dns4/n1.example/tcp/443/wss
    await meter.measure("directory.setEndpoint", () => directory.connect(op).setEndpoint(registeredId, quic, TX));
    await meter.measure("directory.setEndpoint.change", () => directory.connect(op).setEndpoint(registeredId, dns, TX));
    const rotated = nodeKeys("bench-rotated-transport-key", 0).mlkem.publicKey;
    await meter.measure("directory.rotateTransportKey", () => directory.connect(op).rotateTransportKey(registeredId, rotated, TX));

    const partialKeys = nodeKeys("bench-partial-node", await currentEpoch());
    const partial = await buildRegistration(registry, op.address, partialKeys);
    await (await registry.connect(op).register(partial, { ...TX, value: operatorMinimum(REQUIREMENT) })).wait();
    const partialId = await registry.lastNodeId();
    const min = await registry.minimumContribution(partialId);
    await meter.measure("registry.contribute", () => registry.connect(contributor).contribute(partialId, { ...TX, value: min }));
    const rest = REQUIREMENT - operatorMinimum(REQUIREMENT) - min;
    await flushPlacements(swarms);
    await meter.measure("registry.contributeAndActivate", () =>
      registry.connect(net.suite.others[1]).contribute(partialId, { ...TX, value: rest }),
    );

    await time.increase(HOUR);
    const e = await currentEpoch();
    // The single heartbeat comes from the node registered above (its chain was anchored in the epoch
    // the network's nodes last proved, so it bridges one epoch as they do), and the batch from ten
    // network nodes: the 10-node network has exactly ten, so a batch must not include the single one.
    await meter.measure("registry.heartbeat", () => registry.heartbeat(registeredId, keys2.chain.valueForEpoch(e), TX));
    const batch = net.nodes.slice(0, 10);
    await meter.measure("registry.heartbeatBatch10", () =>
      registry.heartbeatBatch(
        batch.map((n) => n.nodeId),
        batch.map((n) => n.keys.chain.valueForEpoch(e)),
        TX,
      ),
    );

    await time.increase(3 * HOUR);
    const silent = net.nodes[net.nodes.length - 1];
    await meter.measure("registry.penalize", () => registry.penalize(silent.nodeId, TX));

    // Exits leave a network of 5k + 4 active nodes at both scales (k swarms of 5 and one of 4: 14 or
    // 1,004), so that a leave from a largest swarm can stand away from its class's edge and a leave
    // from the smallest swarm pulls one node over, as in any large network. The leaver proves
    // liveness first, so the exit settles no missed epoch.
    const benchNodes = [
      { nodeId: registeredId - 2n, keys, operator: op },
      { nodeId: registeredId - 1n, keys: filler, operator: op },
      { nodeId: registeredId, keys: keys2, operator: op },
      { nodeId: partialId, keys: partialKeys, operator: op },
    ];
    await flushPlacements(swarms);
    const candidates = [...net.nodes.filter((n) => n !== silent), ...benchNodes];
    for (const [name, from] of [["registry.requestExit", "largest"], ["registry.requestExit.rebalances", "smallest"]] as const) {
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      const leaving = await leaver(swarms, candidates, from);
      await (await registry.heartbeat(leaving.nodeId, leaving.keys.chain.valueForEpoch(await currentEpoch()), TX)).wait();
      await meter.measure(name, () => registry.connect(leaving.operator).requestExit(leaving.nodeId, TX));
      if (from === "largest") {
        await time.increase(30 * 24 * HOUR);
        await meter.measure("registry.withdraw", () => registry.connect(leaving.operator).withdraw(leaving.nodeId, TX));
      }
      await ethers.provider.send("evm_revert", [snapshot]);
    }
  },
};

/**
 * Deregistration by a BLS aggregate attestation of the active set, with 0 / 1 / 10 / 100 non-signers.
 * Each round starts from the same full network (a snapshot), so every measurement removes the same
 * node and none crosses a change of the swarm count (which would add the swarms' own rebalancing).
 * The node is one of the swarm at the end of its size class at both scales (`leaverAtEdge`).
 */
export const attestationBench: Benchmark = {
  name: "attest",
  async run(meter, net) {
    const { attestations, registry, slasher } = net.suite;
    const keys = new Map<bigint, BLSKeyPair>(net.nodes.map((n) => [n.nodeId, n.keys.bls]));
    const ids = net.nodes.map((n) => n.nodeId);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const verifier = await attestations.getAddress();
    const nodeId = await leaverAtEdge(net.suite.swarms);
    const others = ids.filter((id) => id !== nodeId);
    // "cold": the penalty is the first amount the registry owes the treasury, so it writes that slot
    // from zero (~17k more). The other rounds run in the steady state where the slot is nonzero, as
    // after any penalty since the last payout: an unmeasured 0.01% slash of another node sets it.
    // At most a third of the active set may be absent: 10 and 100 non-signers need 30 and 300 nodes,
    // so those two are measured on the 1,000-node network only (under their plain names).
    const rounds: [string, number][] = [["attest.deregister.nonSigners0.cold", 0]];
    for (const count of ids.length >= 300 ? [0, 1, 10, 100] : [0, 1]) rounds.push([`attest.deregister.nonSigners${count}`, count]);
    for (const [name, count] of rounds) {
      const snapshot = await ethers.provider.send("evm_snapshot", []);
      if (!name.endsWith(".cold")) await (await registry.connect(slasher).slash(others[0], 1, ethers.ZeroAddress, 0, TX)).wait();
      // The hash to G1 takes one modexp per try and a message needs two tries on average: issuedAt is
      // the latest second within the last two minutes whose message needs exactly two, so every
      // round (and every run of the script) measures a typical message, not a lucky or unlucky one.
      const latest = BigInt(await time.latest());
      const message = (at: bigint) => deregistrationMessage({ chainId, verifier, nodeId, issuedAt: at });
      let issuedAt = latest;
      while (hashToG1Tries(message(issuedAt)) !== 2) {
        if (--issuedAt < latest - 120n) throw new Error("no two-try message within two minutes");
      }
      // The target never signs and is not listed: `count` other nodes are the non-signers.
      const d = buildDeregistration({ keys, nodeId, issuedAt, chainId, verifier, absent: others.slice(0, count) });
      if ((await attestations.deregistrationMessage(nodeId, issuedAt)) !== d.message) throw new Error("message mismatch");
      const send = () => attestations.deregister(...d.args, TX);
      if (count >= 10) await meter.measureAs(name, send);
      else await meter.measure(name, send);
      await ethers.provider.send("evm_revert", [snapshot]);
    }
  },
};

/** Emission pool funding and a claim of accrued emission. */
export const rewardsBench: Benchmark = {
  name: "rewards",
  async run(meter, net) {
    const { rewards, admin } = net.suite;
    await (await rewards.connect(admin).start(TX)).wait();
    await meter.measure("rewards.fund", () => rewards.connect(admin).fund({ ...TX, value: ethers.parseEther("1000000") }));
    await time.increase(24 * HOUR);
    const node = net.nodes[0];
    // A first claim settles the node; the measured one is a steady-state claim a day later.
    await (await rewards.connect(node.operator).claim(node.nodeId, TX)).wait();
    await time.increase(24 * HOUR);
    await meter.measure("rewards.claim", () => rewards.connect(node.operator).claim(node.nodeId, TX));
  },
};
