import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  MAX_MESSAGE_BYTES,
  SESSION_BRIDGE_EVENTS,
  SessionIndex,
  SessionIndexError,
  SessionStatus,
  WarpKind,
  autoSalt,
  decodeBridgeLogs,
  decodeWarpPayload,
  deriveSessionId,
  encodeWarpPayload,
  isSessionId,
  isSessionParticipant,
  nextMessageHead,
  participantFingerprint,
  messageKiB,
  sessionBridgeEvents,
  type WarpAction,
} from "../../src/sessions";
import { inboxToSwarm } from "../../src/swarm";
import { bytes, deployBridgeSuite, keyOf, openSession, send } from "./fixture";

const arbAddress = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.getAddress(ethers.hexlify(b)));
const arbBytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b));
const arbHex = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => ethers.hexlify(b));
const arbSessionId = arbBytes32.map((h) => "0x07" + h.slice(4));

const arbWarpAction: fc.Arbitrary<WarpAction> = fc.oneof(
  fc.record({
    kind: fc.constant(WarpKind.SessionCreated as const),
    sessionId: arbSessionId,
    creator: arbAddress,
    expiresAt: fc.bigInt({ min: 0n, max: 2n ** 40n - 1n }),
    participants: fc.array(arbAddress, { minLength: 2, maxLength: 6 }),
    mlkemPublicKeys: fc.array(fc.oneof(fc.constant("0x"), arbHex(1184)), { minLength: 2, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant(WarpKind.ParticipantJoined as const), sessionId: arbSessionId, participant: arbAddress, mlkemPublicKey: arbHex(1184) }),
  fc.record({
    kind: fc.constant(WarpKind.MessageSent as const),
    sessionId: arbSessionId,
    sender: arbAddress,
    sequence: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    messageId: arbBytes32,
    ciphertext: arbHex(2048),
  }),
  fc.record({ kind: fc.constant(WarpKind.SessionClosed as const), sessionId: arbSessionId, by: arbAddress }),
);

describe("src/sessions", () => {
  it("derives the contract's session ids and auto salts, always with the 0x07 prefix", async () => {
    const f = await loadFixture(deployBridgeSuite);
    const bridge = await f.bridge.getAddress();
    await fc.assert(
      fc.asyncProperty(arbAddress, arbBytes32, fc.array(arbAddress, { minLength: 0, maxLength: 12 }), fc.nat(1000), async (creator, salt, participants, nonce) => {
        const id = deriveSessionId({ chainId: f.chainId, bridge, creator, salt, participants });
        expect(isSessionId(id)).to.equal(true);
        expect(await f.bridge.deriveSessionId(creator, salt, participants)).to.equal(id);
        expect(autoSalt(nonce)).to.equal(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [await f.bridge.AUTO_SALT_DOMAIN(), nonce])));
      }),
      { numRuns: 30 },
    );
    // Bound to the chain and the bridge.
    const base = { chainId: f.chainId, bridge, creator: f.users[0].address, salt: ethers.ZeroHash, participants: [f.users[0].address, f.users[1].address] };
    const id = deriveSessionId(base);
    expect(deriveSessionId({ ...base, chainId: 7070n })).not.to.equal(id);
    expect(deriveSessionId({ ...base, bridge: f.users[2].address })).not.to.equal(id);
  });

  it("computes the contract's participant fingerprints and membership rule; heads keep 224 bits", async () => {
    const f = await loadFixture(deployBridgeSuite);
    await fc.assert(
      fc.asyncProperty(arbSessionId, arbAddress, async (id, account) => {
        const fp = participantFingerprint(id, account);
        expect(fp < 1n << 104n).to.equal(true);
        expect(await f.bridge.participantFingerprint(id, account)).to.equal(fp);
      }),
      { numRuns: 30 },
    );
    expect(await f.bridge.FINGERPRINT_BITS()).to.equal(104n);
    fc.assert(
      fc.property(arbSessionId, fc.uniqueArray(arbAddress, { minLength: 2, maxLength: 5 }), arbAddress, (id, ps, other) => {
        for (const p of ps) expect(isSessionParticipant(id, ps, p.toLowerCase())).to.equal(true);
        expect(isSessionParticipant(id, ps, other)).to.equal(ps.includes(other));
      }),
    );
    fc.assert(
      fc.property(arbBytes32, arbBytes32, (head, mid) => {
        const next = nextMessageHead(head, mid);
        expect(next.length).to.equal(66);
        expect(next.slice(-8)).to.equal("00000000");
        expect(next.slice(0, 58)).to.equal(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [head, mid])).slice(0, 58));
      }),
    );
  });

  it("counts started KiB like the contract", () => {
    expect(messageKiB(1)).to.equal(1n);
    expect(messageKiB(1024)).to.equal(1n);
    expect(messageKiB(1025)).to.equal(2n);
    expect(messageKiB(MAX_MESSAGE_BYTES)).to.equal(16n);
    expect(() => messageKiB(0)).to.throw("EmptyMessage");
    expect(() => messageKiB(MAX_MESSAGE_BYTES + 1)).to.throw("MessageTooLarge");
  });

  it("encodes and decodes every Warp payload kind (round trip), and refuses unknown versions and kinds", () => {
    fc.assert(
      fc.property(arbWarpAction, (a) => {
        expect(decodeWarpPayload(encodeWarpPayload(a))).to.deep.equal(a);
      }),
      { numRuns: 100 },
    );
    const coder = ethers.AbiCoder.defaultAbiCoder();
    const body = coder.encode(["address"], [ethers.ZeroAddress]);
    expect(() => decodeWarpPayload(coder.encode(["uint8", "uint8", "bytes32", "bytes"], [2, 4, ethers.ZeroHash, body]))).to.throw("version 2");
    expect(() => decodeWarpPayload(coder.encode(["uint8", "uint8", "bytes32", "bytes"], [1, 9, ethers.ZeroHash, body]))).to.throw("kind 9");
  });

  it("declares the bridge's events exactly as the compiled contract does", async () => {
    const f = await loadFixture(deployBridgeSuite);
    for (const fragment of SESSION_BRIDGE_EVENTS) {
      const name = fragment.slice(6, fragment.indexOf("("));
      expect(sessionBridgeEvents.getEvent(name)!.topicHash, name).to.equal(f.bridge.interface.getEvent(name as never).topicHash);
    }
  });

  describe("SessionIndex (a swarm node's view of the bridge)", () => {
    async function scenario() {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c, d] = f.users;
      const s1 = await openSession(f, a, [a, b]);
      const s2 = await openSession(f, b, [b, c, d], { withKeys: [0] });
      const s3 = await openSession(f, c, [c, a]);
      await f.bridge.connect(c).joinSession(s2.sessionId, keyOf(c));
      await f.bridge.connect(d).joinSession(s2.sessionId, keyOf(d));
      const sent: { sessionId: string; sender: string; ciphertext: string }[] = [];
      const plan: [typeof a, string, number][] = [
        [a, s1.sessionId, 200],
        [b, s1.sessionId, 1024],
        [d, s2.sessionId, 3000],
        [c, s3.sessionId, 16_384],
        [b, s2.sessionId, 1],
        [a, s1.sessionId, 77],
      ];
      for (const [i, [sender, sessionId, size]] of plan.entries()) {
        const ct = bytes(size, i + 11);
        await send(f, sender, sessionId, ct);
        sent.push({ sessionId, sender: sender.address, ciphertext: ethers.hexlify(ct) });
      }
      await f.bridge.connect(a).closeSession(s3.sessionId);
      const logs = await ethers.provider.getLogs({ address: await f.bridge.getAddress(), fromBlock: 0 });
      return { f, s1, s2, s3, sent, logs, users: [a, b, c, d] };
    }

    it("rebuilds sessions, keys, statuses, ciphertexts and message heads from the logs", async () => {
      const { f, s1, s2, s3, sent, logs, users } = await loadFixture(scenario);
      const [, b, c, d] = users;
      const index = new SessionIndex(await f.bridge.getAddress());
      index.ingest(logs);
      expect(index.sessions.size).to.equal(3);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      for (const { sessionId } of [s1, s2, s3]) {
        const onChain = await f.bridge.getSession(sessionId);
        const s = index.session(sessionId)!;
        expect(s.messageHead, "head").to.equal(onChain.messageHead);
        expect(BigInt(s.messages.length)).to.equal(onChain.messageCount);
        expect(s.expiresAt).to.equal(onChain.expiresAt);
        expect(index.status(sessionId, now)).to.equal(Number(onChain.status));
        for (const [i, p] of s.participants.entries()) {
          const [isParticipant, hasKey] = await f.bridge.participantStatus(sessionId, p);
          expect(isParticipant).to.equal(true);
          expect(hasKey).to.equal(ethers.getBytes(s.mlkemPublicKeys[i]).length > 0);
        }
      }
      expect(index.session(s2.sessionId)!.participants).to.deep.equal([b.address, c.address, d.address]);
      expect(index.status(s3.sessionId, now)).to.equal(SessionStatus.Closed);
      expect(index.status(s1.sessionId, index.session(s1.sessionId)!.expiresAt)).to.equal(SessionStatus.Expired);
      const all = [...index.sessions.values()].flatMap((s) => s.messages);
      expect(all.map((m) => m.ciphertext).sort()).to.deep.equal(sent.map((m) => m.ciphertext).sort());
      expect(index.session(s1.sessionId)!.messages.map((m) => [m.sender, m.ciphertext])).to.deep.equal(
        sent.filter((m) => m.sessionId === s1.sessionId).map((m) => [m.sender, m.ciphertext]),
      );
    });

    it("gives each swarm exactly the messages of the sessions it serves", async () => {
      const { f, logs, sent } = await loadFixture(scenario);
      const index = new SessionIndex(await f.bridge.getAddress());
      index.ingest(logs);
      const count = Number(await f.swarms.swarmCount());
      let total = 0;
      for (let sw = 0; sw < count; sw++) {
        const mine = index.messagesForSwarm(sw, count);
        total += mine.length;
        for (const m of mine) {
          expect(inboxToSwarm(m.sessionId, count)).to.equal(sw);
          expect(m.swarmId).to.equal(sw); // the swarm named in the event (no swarm change since)
        }
      }
      expect(total).to.equal(sent.length);
    });

    it("decodes only the bridge's session events and refuses logs out of order", async () => {
      const { f, logs } = await loadFixture(scenario);
      const events = decodeBridgeLogs(logs);
      expect(events.map((e) => e.name)).to.include.members(["SessionCreated", "ParticipantJoined", "SessionActivated", "MessageSent", "SessionClosed"]);
      expect(decodeBridgeLogs(logs, f.users[0].address)).to.deep.equal([]);
      // Fee events of the rewards contract in the same receipts are skipped.
      const rewardsLogs = await ethers.provider.getLogs({ address: await f.rewards.getAddress(), fromBlock: 0 });
      expect(decodeBridgeLogs(rewardsLogs)).to.deep.equal([]);

      const messages = events.filter((e) => e.name === "MessageSent");
      const creates = events.filter((e) => e.name !== "MessageSent");
      const swapped = new SessionIndex();
      swapped.ingest(creates.filter((e) => e.name === "SessionCreated" || e.name === "ParticipantJoined"));
      expect(() => swapped.ingest([messages[1], messages[0]])).to.throw(SessionIndexError, "sequence 1");
      const forged = new SessionIndex();
      forged.ingest(creates.filter((e) => e.name === "SessionCreated"));
      const m = messages[0];
      expect(() => forged.ingest([{ ...m, ciphertext: "0x00" }] as typeof events)).to.throw(SessionIndexError, "message id mismatch");
      expect(() => new SessionIndex().ingest([m])).to.throw(SessionIndexError, "unknown session");
    });
  });
});
