import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { mlkemKeyGen } from "../../src/pq";
import { deriveSessionId } from "../../src/sessions";
import { inboxToSwarm } from "../../src/swarm";
import { TX, type Benchmark } from "./meter";
import { deployBridge } from "../../test/bridge/fixture";

function ciphertext(size: number, tag: string): Uint8Array {
  // Random-looking bytes (a real ciphertext): calldata costs 16 gas per non-zero byte.
  const out = new Uint8Array(size);
  let block = ethers.getBytes(ethers.id(tag));
  for (let i = 0; i < size; i++) {
    if (i % 32 === 0 && i > 0) block = ethers.getBytes(ethers.keccak256(block));
    out[i] = block[i % 32];
  }
  return out;
}

/**
 * SessionBridge on the full suite with `nodes` active nodes: create a session of 2 and of 10
 * participants (every ML-KEM-768 key given, so 1,184 bytes of key per participant in calldata and in
 * the event), and send a 1 KiB and a 16 KiB message, each paying the exact quote (no refund).
 *
 * Steady state, as on a live network: before measuring, the serving swarm's fee accumulator and the
 * treasury's share are non-zero (an earlier fee), the expiry bucket of the hour already holds a session,
 * and the measured message is not the session's first (the first one writes the session's message word,
 * count and head, from zero: `bridge.sendMessage.1KiB.first`); it is sent by the second participant
 * (both sides of a two-party session cost the same). No Warp messenger is configured.
 */
export const bridgeBench: Benchmark = {
  name: "bridge",
  async run(meter, net) {
    const s = net.suite;
    const bridge = await deployBridge(s);
    const bridgeAddress = await bridge.getAddress();
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const swarmCount = Number(await s.swarms.swarmCount());
    const users: HardhatEthersSigner[] = s.others.slice(0, 10);
    const creator = users[0];
    const keyOf = (i: number) => mlkemKeyGen(1, ethers.getBytes(ethers.concat([ethers.id(`user ${i}/d`), ethers.id(`user ${i}/z`)]))).publicKey;
    const keys = users.map((_, i) => keyOf(i));
    const createFee = await bridge.quoteCreateSession();
    const warmUp = async (id: string) => {
      // An earlier fee for the serving swarm (its accumulator and the treasury share are non-zero).
      await (await s.rewards.depositFees(inboxToSwarm(id, swarmCount), { value: 1_000_000n })).wait();
      // The bridge's collection slot for that swarm is already in use: an earlier session served by the
      // same swarm paid a fee that is not flushed yet.
      const target = inboxToSwarm(id, swarmCount);
      const pair = [users[2].address, users[3].address];
      for (let i = 0; ; i++) {
        const salt = ethers.id(`warm-up ${id} ${i}`);
        const other = deriveSessionId({ chainId, bridge: bridgeAddress, creator: creator.address, salt, participants: pair });
        if (inboxToSwarm(other, swarmCount) !== target) continue;
        await (await bridge.connect(creator)["createSession(address[],bytes[],bytes32)"](pair, [keys[2], keys[3]], salt, { value: createFee })).wait();
        break;
      }
    };

    // One session in the current expiry bucket first.
    await (await bridge.connect(creator)["createSession(address[])"]([users[0].address, users[1].address], { value: createFee })).wait();

    for (const n of [2, 10]) {
      const participants = users.slice(0, n).map((u) => u.address);
      const salt = ethers.id(`bench session of ${n}`);
      const id = deriveSessionId({ chainId, bridge: bridgeAddress, creator: creator.address, salt, participants });
      await warmUp(id);
      await meter.measure(`bridge.createSession.${n}`, () =>
        bridge.connect(creator)["createSession(address[],bytes[],bytes32)"](participants, keys.slice(0, n), salt, { ...TX, value: createFee }),
      );
    }

    const participants = [users[0].address, users[1].address];
    const id = await bridge.deriveSessionId(creator.address, ethers.id("bench session of 2"), participants);
    const send = (sender: HardhatEthersSigner, seq: bigint, size: number, fee: bigint) =>
      bridge.connect(sender)["sendMessage(bytes32,uint64,bytes)"](id, seq, ciphertext(size, `message ${seq}`), { ...TX, value: fee });
    const fee1 = await bridge.quoteMessage(1024);
    const fee16 = await bridge.quoteMessage(16 * 1024);
    await meter.measure("bridge.sendMessage.1KiB.first", () => send(users[0], 0n, 1024, fee1));
    await meter.measure("bridge.sendMessage.1KiB", () => send(users[1], 1n, 1024, fee1));
    await meter.measure("bridge.sendMessage.16KiB", () => send(users[0], 2n, 16 * 1024, fee16));
    // Collected fees reach the swarm's pool in one batch (anyone may flush).
    await meter.measure("bridge.flushFees", () => bridge.flushFees(inboxToSwarm(id, swarmCount), TX));
  },
};
