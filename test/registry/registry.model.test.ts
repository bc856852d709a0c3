import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys, type NodeKeys } from "../helpers/suite";
import { RegistryModel, type ModelNode } from "./model";
import { NodeStatus, minimumContribution, operatorMinimum } from "../../src/registry";
import { decayUptime, uptimeBps } from "../../src/uptime";
import { calculateSwarmCount, inboxToSwarm } from "../../src/swarm";
import { propertyRuns } from "../helpers/coverage";

const HOUR = 3600;
const DAY = 24 * HOUR;

type Action =
  | { kind: "register"; op: number; full: boolean }
  | { kind: "contribute"; node: number; who: number; rest: boolean }
  | { kind: "heartbeat"; node: number }
  | { kind: "wait"; hours: number }
  | { kind: "penalize"; node: number }
  | { kind: "exit"; node: number }
  | { kind: "withdraw"; node: number; who: number };

describe("ServiceNodeRegistry and SwarmCoordinator against the reference model (property)", () => {
  it("conserve PARS, agree with the model on every node, and keep swarms balanced", async function () {
    this.timeout(240_000);
    const s = await loadFixture(deploySuite);
    const registryAddress = await s.registry.getAddress();
    const chainId = (await ethers.provider.getNetwork()).chainId;
    let labelCounter = 0;

    const pick = (n: number, max: number) => (max === 0 ? -1 : n % max);
    const action: fc.Arbitrary<Action> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("register" as const), op: fc.nat(19), full: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("contribute" as const), node: fc.nat(), who: fc.nat(9), rest: fc.boolean() }) },
      { weight: 5, arbitrary: fc.record({ kind: fc.constant("heartbeat" as const), node: fc.nat() }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant("wait" as const),
          hours: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) }, fc.constant(70), fc.constant(31 * 24)),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("penalize" as const), node: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("exit" as const), node: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), node: fc.nat(), who: fc.nat(10) }) },
    );

    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 8, maxLength: 24 }), async (tail) => {
        // Every sequence starts with a small active network, so that the rest exercises it.
        const actions: Action[] = [
          { kind: "register", op: 0, full: true },
          { kind: "register", op: 1, full: true },
          { kind: "register", op: 2, full: false },
          { kind: "register", op: 3, full: true },
          ...tail,
        ];
        const snap = await ethers.provider.send("evm_snapshot", []);
        try {
          const model = new RegistryModel(REQUIREMENT, 50n, 30n * BigInt(DAY));
          const chains = new Map<number, NodeKeys>();
          const contributors = s.others.slice(0, 10);
          for (const a of actions) {
            const now = async () => BigInt(await time.latest());
            const nodes = [...model.nodes.values()];
            if (a.kind === "wait") {
              await time.increase(a.hours * HOUR);
              continue;
            }
            if (a.kind === "register") {
              const op = s.operators[a.op];
              const keys = nodeKeys(`model-${labelCounter++}`, await currentEpoch());
              const reg = await buildRegistration(s.registry, op.address, keys, { chainId, registryAddress });
              const value = a.full ? REQUIREMENT : operatorMinimum(REQUIREMENT);
              await (await s.registry.connect(op).register(reg, { value })).wait();
              const id = Number(await s.registry.lastNodeId());
              const info = await s.registry.getNode(id);
              chains.set(id, { ...keys, chain: keys.chain.withAnchorEpoch(Number(info.lastHeartbeatEpoch)) });
              model.register(op.address, value, Number(info.lastHeartbeatEpoch), await now());
            } else {
              const n: ModelNode | undefined = nodes[pick(a.node, nodes.length)];
              if (!n) continue;
              const id = BigInt(n.id);
              if (a.kind === "contribute") {
                if (n.status !== NodeStatus.AwaitingContributions) continue;
                const c = contributors[a.who];
                const existing = n.contributors.find((x) => x.addr === c.address);
                const count = BigInt(n.contributors.length);
                if (!existing && count >= 10n) continue;
                const min = minimumContribution(n.requirement, n.stake, 0n, count);
                const value = a.rest || existing ? n.requirement - n.stake : min;
                if (value === 0n) continue;
                await (await s.registry.connect(c).contribute(id, { value })).wait();
                model.contribute(n, c.address, value, await currentEpoch(), await now());
              } else if (a.kind === "heartbeat") {
                const e = await currentEpoch();
                if (n.status !== NodeStatus.Active || n.lastEpoch === e || e - n.lastEpoch > 64) continue;
                await (await s.registry.connect(s.others[11]).heartbeat(id, chains.get(n.id)!.chain.valueForEpoch(e))).wait();
                model.heartbeat(n, e, await now());
              } else if (a.kind === "penalize") {
                const e = await currentEpoch();
                if (n.status !== NodeStatus.Active || e - 1 <= n.settledEpoch) continue;
                await (await s.registry.penalize(id)).wait();
                model.settle(n, e, false, await now());
              } else if (a.kind === "exit") {
                if (n.status !== NodeStatus.Active || (await now()) < n.activatedAt + 7200n) continue;
                const op = s.operators.find((o) => o.address === n.operator)!;
                await (await s.registry.connect(op).requestExit(id)).wait();
                model.requestExit(n, await currentEpoch(), await now());
              } else if (a.kind === "withdraw") {
                const holders = n.contributors.map((c) => c.addr).filter((x) => !n.withdrawn.has(x));
                const who = holders[pick(a.who, holders.length)];
                if (!who) continue;
                if (n.status === NodeStatus.Decommissioning && (await now()) + 1n < n.unlockAt) continue;
                if (![NodeStatus.AwaitingContributions, NodeStatus.Cancelled, NodeStatus.Decommissioning].includes(n.status)) continue;
                if (n.status === NodeStatus.AwaitingContributions && who !== n.operator && (n.contributors.find((c) => c.addr === who)!.amount === 0n)) continue;
                const signer = [...s.operators, ...contributors].find((x) => x.address === who)!;
                const before = await ethers.provider.getBalance(who);
                const r = await (await s.registry.connect(signer).withdraw(id)).wait();
                const paid = await ethers.provider.getBalance(who) - before + r!.gasUsed * r!.gasPrice;
                expect(paid).to.equal(model.withdraw(n, who), "withdrawal amount");
              }
            }

            // Every node agrees with the model.
            const epochNow = await currentEpoch();
            for (const n of model.nodes.values()) {
              const v = await s.registry.getNode(n.id);
              expect(Number(v.status)).to.equal(n.status, `status of node ${n.id}`);
              expect(v.stake).to.equal(n.stake, `stake of node ${n.id}`);
              expect(v.penaltyBps).to.equal(n.penaltyBps, `penalty of node ${n.id}`);
              if (n.status === NodeStatus.Active) {
                expect(Number(v.lastHeartbeatEpoch)).to.equal(n.lastEpoch);
                expect(Number(v.penalizedThroughEpoch)).to.equal(n.settledEpoch);
                const missed = epochNow - 1 > n.settledEpoch ? epochNow - 1 - n.settledEpoch : 0;
                expect(v.uptimeBps).to.equal(uptimeBps(decayUptime(n.uptime, BigInt(missed))), `uptime of node ${n.id}`);
              }
            }
            // PARS is conserved: the registry holds exactly stakes still held plus penalties not yet paid.
            expect(await ethers.provider.getBalance(registryAddress)).to.equal(model.expectedBalance(), "registry balance");
            expect(await s.registry.treasuryOwed()).to.equal(model.treasuryOwed, "treasury owed");
            expect(await s.registry.activeNodes()).to.equal(BigInt(model.activeNodes));
            expect(await s.registry.totalNodes()).to.equal(BigInt(model.totalNodes));

            // Swarms: S(N) swarms, balanced, 3..10 when at least 3 nodes are active, each active node in exactly one.
            const active = [...model.nodes.values()].filter((n) => n.status === NodeStatus.Active);
            const count = Number(await s.swarms.swarmCount());
            expect(count).to.equal(Number(calculateSwarmCount(active.length)));
            const seen = new Set<bigint>();
            const sizes: number[] = [];
            for (let w = 0; w < count; w++) {
              const members = await s.swarms.swarmMembers(w);
              sizes.push(members.length);
              for (const m of members) {
                expect(seen.has(m), `node ${m} in two swarms`).to.equal(false);
                seen.add(m);
                expect(await s.swarms.swarmOf(m)).to.equal(BigInt(w));
              }
            }
            expect(seen.size).to.equal(active.length);
            for (const n of active) expect(seen.has(BigInt(n.id))).to.equal(true);
            if (active.length >= 3) {
              expect(Math.max(...sizes) - Math.min(...sizes)).to.be.lessThanOrEqual(1);
              expect(Math.min(...sizes)).to.be.greaterThanOrEqual(3);
              expect(Math.max(...sizes)).to.be.lessThanOrEqual(10);
            }
          }
          // Inbox mapping: Solidity equals TypeScript for random ids at the current swarm count.
          const count = Number(await s.swarms.swarmCount());
          for (let i = 0; i < 3; i++) {
            const id = ethers.hexlify(ethers.randomBytes(32));
            expect(await s.swarms.swarmForInbox(id)).to.equal(BigInt(inboxToSwarm(id, count)));
          }
        } finally {
          await ethers.provider.send("evm_revert", [snap]);
        }
      }),
      { numRuns: propertyRuns(25) },
    );
  });
});
