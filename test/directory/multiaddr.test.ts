import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite, registerActive } from "../helpers/suite";
import {
  InvalidMultiaddrError,
  MAX_ENDPOINT_BYTES,
  checkEndpoint,
  decodeMultiaddr,
  encodeMultiaddr,
  type EndpointCheck,
} from "../../src/multiaddr";

/** The accepted shapes, as text: host, port, and the modifiers each transport allows. */
const hostArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((b) => `/ip4/${b.join(".")}`),
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
    .map((g) => `/ip6/${g.map((x) => x.toString(16)).join(":")}`),
  fc
    .tuple(fc.constantFrom("dns", "dns4", "dns6"), fc.stringMatching(/^[a-zA-Z0-9.-]{1,40}$/))
    .map(([p, name]) => `/${p}/${name}`),
);
const tailArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom("", "/quic", "/quic-v1")).map(([port, m]) => `/udp/${port}${m}`),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom("", "/tls"), fc.constantFrom("", "/ws", "/wss"))
    .map(([port, t, w]) => `/tcp/${port}${t}${w}`),
);
const validText = fc.tuple(hostArb, tailArb).map(([h, t]) => h + t);

/** Bytes near the grammar: valid endpoints mutated (bytes changed, cut, inserted, appended), and noise. */
const nearBytes = fc.oneof(
  fc.tuple(validText, fc.array(fc.tuple(fc.nat(80), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "cut", "insert", "append")), { maxLength: 3 })).map(([text, edits]) => {
    const b = Array.from(ethers.getBytes(encodeMultiaddr(text)));
    for (const [at, value, op] of edits) {
      const i = at % (b.length + 1);
      if (op === "set" && i < b.length) b[i] = value;
      else if (op === "cut") b.length = Math.min(b.length, i);
      else if (op === "insert") b.splice(i, 0, value);
      else b.push(value);
    }
    return ethers.hexlify(new Uint8Array(b));
  }),
  fc.uint8Array({ maxLength: MAX_ENDPOINT_BYTES + 4 }).map((b) => ethers.hexlify(b)),
  // A valid code byte first, then noise: reaches past the host check.
  fc.tuple(fc.constantFrom(0x04, 0x29, 0x35, 0x36, 0x37), fc.uint8Array({ maxLength: 30 })).map(([c, b]) => ethers.hexlify(new Uint8Array([c, ...b]))),
);

describe("multiaddr endpoints: the TypeScript codec and check against NodeDirectory", () => {
  async function directoryWithNode() {
    const s = await deploySuite();
    const { nodeId } = await registerActive(s, s.operators[0], "multiaddr");
    return { directory: s.directory.connect(s.operators[0]), nodeId };
  }

  /** What the contract answers for `bytes`, in the shape of checkEndpoint's verdict. */
  async function contractVerdict(bytes: string): Promise<EndpointCheck> {
    const { directory, nodeId } = await loadFixture(directoryWithNode);
    try {
      await directory.setEndpoint.staticCall(nodeId, bytes);
      return { ok: true };
    } catch (e) {
      const parsed = directory.interface.parseError((e as { data: string }).data);
      if (parsed?.name === "InvalidEndpoint") return { ok: false, error: "InvalidEndpoint", offset: Number(parsed.args[0]) };
      if (parsed?.name === "EndpointTooLong") {
        return { ok: false, error: "EndpointTooLong", length: Number(parsed.args[0]), maxLength: Number(parsed.args[1]) };
      }
      throw e;
    }
  }

  it("encodes the common forms to the exact multicodec bytes, and decodes them back", () => {
    const cases: [string, string][] = [
      ["/ip4/203.0.113.7/udp/22025/quic-v1", "0x04cb00710791025609cd03"],
      ["/dns4/n1.example/tcp/443/wss", "0x360a6e312e6578616d706c650601bbde03"],
      ["/ip6/2001:db8::1/tcp/443/tls/ws", "0x2920010db8000000000000000000000001" + "0601bb" + "c003" + "dd03"],
      ["/ip4/10.0.0.1/tcp/80", "0x040a0000010600" + "50"],
      ["/dns/a/udp/1/quic", "0x350161910200" + "01cc03"],
    ];
    for (const [text, hex] of cases) {
      expect(encodeMultiaddr(text), text).to.equal(hex);
      expect(decodeMultiaddr(hex), hex).to.equal(text);
    }
    expect(encodeMultiaddr("")).to.equal("0x");
    expect(decodeMultiaddr("0x")).to.equal("");
    // The common forms fit one storage slot.
    expect(ethers.getBytes(encodeMultiaddr("/ip4/203.0.113.7/udp/22025/quic-v1")).length).to.be.lessThan(32);
  });

  it("writes IPv6 in RFC 5952 form and reads dotted-quad tails", () => {
    expect(decodeMultiaddr(encodeMultiaddr("/ip6/2001:0DB8:0:0:1:0:0:1/udp/1"))).to.equal("/ip6/2001:db8::1:0:0:1/udp/1");
    expect(decodeMultiaddr(encodeMultiaddr("/ip6/::/tcp/1"))).to.equal("/ip6/::/tcp/1");
    expect(decodeMultiaddr(encodeMultiaddr("/ip6/::ffff:192.0.2.1/tcp/1"))).to.equal("/ip6/::ffff:c000:201/tcp/1");
    expect(decodeMultiaddr(encodeMultiaddr("/ip6/1:2:3:4:5:6:7:8/tcp/1"))).to.equal("/ip6/1:2:3:4:5:6:7:8/tcp/1");
  });

  it("refuses text outside the accepted shape with InvalidMultiaddrError", () => {
    for (const text of [
      "ip4/1.2.3.4/tcp/1", // no leading slash
      "/ip4/1.2.3.4", // no port
      "/ip4/1.2.3/tcp/1",
      "/ip4/1.2.3.256/tcp/1",
      "/ip4/1.2.3.4/tcp/65536",
      "/ip4/1.2.3.4/tcp/01",
      "/ip4/1.2.3.4/udp/1/ws", // ws only after tcp
      "/ip4/1.2.3.4/tcp/1/quic", // quic only after udp
      "/ip4/1.2.3.4/tcp/1/ws/tls", // tls before ws
      "/ip4/1.2.3.4/tcp/1/p2p/x",
      "/dns4/bad_name/tcp/1",
      `/dns4/${"a".repeat(64)}/tcp/1`,
      "/ip6/1::2::3/tcp/1",
      "/ip6/1:2:3:4:5:6:7/tcp/1",
      "/tcp/1",
    ]) {
      expect(() => encodeMultiaddr(text), text).to.throw(InvalidMultiaddrError);
    }
    expect(() => decodeMultiaddr("0x0506")).to.throw(InvalidMultiaddrError, /InvalidEndpoint\(0\)/);
  });

  it("names the contract's offsets and errors", () => {
    expect(checkEndpoint("0x07")).to.deep.equal({ ok: false, error: "InvalidEndpoint", offset: 0 });
    expect(checkEndpoint("0x04010203")).to.deep.equal({ ok: false, error: "InvalidEndpoint", offset: 0 }); // address cut short
    expect(checkEndpoint("0x040102030406")).to.deep.equal({ ok: false, error: "InvalidEndpoint", offset: 5 }); // port cut short
    expect(checkEndpoint("0x36")).to.deep.equal({ ok: false, error: "InvalidEndpoint", offset: 0 });
    expect(checkEndpoint("0x3603615f62060001")).to.deep.equal({ ok: false, error: "InvalidEndpoint", offset: 3 });
    expect(checkEndpoint("0x" + "00".repeat(65))).to.deep.equal({ ok: false, error: "EndpointTooLong", length: 65, maxLength: 64 });
  });

  it("agrees with the contract on every example above", async () => {
    for (const bytes of ["0x", "0x07", "0x04010203", "0x040102030406", "0x36", "0x3603615f62060001", "0x" + "00".repeat(65), encodeMultiaddr("/ip6/::/tcp/1/tls/wss")]) {
      expect(checkEndpoint(bytes), bytes).to.deep.equal(await contractVerdict(bytes));
    }
  });

  it("property: every valid text encodes to bytes the contract accepts, and decodes to an encoding of the same bytes", async () => {
    await fc.assert(
      fc.asyncProperty(validText, async (text) => {
        const bytes = encodeMultiaddr(text);
        expect(checkEndpoint(bytes)).to.deep.equal({ ok: true });
        expect(await contractVerdict(bytes)).to.deep.equal({ ok: true });
        expect(encodeMultiaddr(decodeMultiaddr(bytes))).to.equal(bytes);
      }),
      { numRuns: 150 },
    );
  });

  it("property: on random and mutated bytes the TypeScript check and setEndpoint agree, error and offset included", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(nearBytes, async (bytes) => {
        const ts = checkEndpoint(bytes);
        expect(ts, bytes).to.deep.equal(await contractVerdict(bytes));
        if (ts.ok) {
          accepted++;
          expect(encodeMultiaddr(decodeMultiaddr(bytes))).to.equal(ethers.hexlify(bytes));
        }
      }),
      { numRuns: 400 },
    );
    expect(accepted, "some mutated endpoints stay valid").to.be.greaterThan(0);
  });
});
