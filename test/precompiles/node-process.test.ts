import { expect } from "chai";
import { execFile } from "child_process";
import { promisify } from "util";
import { ethers } from "ethers";
import { startHardhatNode, type LocalNode } from "../helpers/node-process";
import { PQ_PRECOMPILES } from "../../src/networks";
import { luxVerifyInput } from "../../src/precompiles/lux";

/** The ABI-level calls below speak the `pip` interface at its addresses. */
const PRECOMPILES = PQ_PRECOMPILES.pip;
import { mldsaKeyGen, mldsaSign, mlkemDecapsulate, mlkemKeyGen } from "../../src/pq";
import { mldsaInterface } from "../../src/precompiles/abi";

const run = promisify(execFile);

/** A third-party JSON-RPC client (Foundry's cast) calls the precompiles of `npx hardhat node`. */
describe("precompiles on `hardhat node`, called from other processes", function () {
  this.timeout(120_000);
  let node: LocalNode;

  before(async () => {
    node = await startHardhatNode();
  });
  after(async () => {
    await node?.stop();
  });

  it("plain ethers over JSON-RPC: ML-DSA-65 verify answers true for a valid signature, false for a tampered one", async () => {
    const provider = new ethers.JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const kp = mldsaKeyGen(65);
    const msg = ethers.toUtf8Bytes("over JSON-RPC");
    const sig = mldsaSign(kp.secretKey, msg, { profile: "pip" });
    const call = async (s: Uint8Array) =>
      mldsaInterface.decodeFunctionResult(
        "verify",
        await provider.call({ to: PRECOMPILES.mldsa, data: mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, s]) }),
      )[0];
    expect(await call(sig)).to.equal(true);
    const bad = Uint8Array.from(sig);
    bad[10] ^= 1;
    expect(await call(bad)).to.equal(false);
    // The lux profile at its own address: raw bytes, the chain's context.
    const luxSig = mldsaSign(kp.secretKey, msg, { profile: "lux" });
    const luxCall = async (s: Uint8Array) => BigInt(await provider.call({ to: PQ_PRECOMPILES.lux.mldsa, data: ethers.hexlify(luxVerifyInput(kp.publicKey, msg, s)) }));
    expect(await luxCall(luxSig)).to.equal(1n);
    expect(await luxCall(sig)).to.equal(0n);
    provider.destroy();
  });

  it("cast: ML-DSA-65 verify and ML-KEM-768 encapsulate give the right answers", async function () {
    // Hardhat rejects cast's eth_call object (it sends both `input` and `data`), so cast sends a raw
    // JSON-RPC eth_call it encodes itself and decodes the answer with its own ABI decoder.
    // Foundry's cast binary for Linux x64 (an optional dependency: the registry serves no other build).
    let castBin: string;
    try {
      castBin = require.resolve("@foundry-rs/cast-linux-amd64/bin/cast", { paths: [process.cwd()] });
    } catch {
      this.skip();
    }
    const cast = async (...args: string[]) => {
      const out = await run(castBin, args, { maxBuffer: 1 << 24 });
      return out.stdout.trim();
    };
    const ethCall = async (to: string, data: string) =>
      JSON.parse(await cast("rpc", "--rpc-url", node.url, "eth_call", JSON.stringify({ to, data }), "latest")) as string;

    const kp = mldsaKeyGen(65);
    const msg = ethers.toUtf8Bytes("from cast");
    const sig = mldsaSign(kp.secretKey, msg, { profile: "pip" });
    const hex = ethers.hexlify;
    const verifyData = await cast("calldata", "verify(bytes,bytes,bytes)", hex(kp.publicKey), hex(msg), hex(sig));
    expect(verifyData).to.equal(mldsaInterface.encodeFunctionData("verify", [kp.publicKey, msg, sig]));
    const verified = await ethCall(PRECOMPILES.mldsa, verifyData);
    expect(await cast("abi-decode", "verify(bytes,bytes,bytes)(bool)", verified)).to.equal("true");

    const kem = mlkemKeyGen(1);
    const encData = await cast("calldata", "encapsulate(bytes)", hex(kem.publicKey));
    const encapsulated = await ethCall(PRECOMPILES.mlkem, encData);
    const [ct, ss] = (await cast("abi-decode", "encapsulate(bytes)(bytes,bytes)", encapsulated)).split(/\s+/);
    expect(hex(mlkemDecapsulate(kem.secretKey, ethers.getBytes(ct)))).to.equal(ss);
  });
});
