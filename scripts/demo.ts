/**
 * `npm run demo`: the Pars precompiles at work on the in-process network, end to end.
 * Exits non-zero if any result is wrong.
 */
import hre, { ethers } from "hardhat";
import { installParsPrecompiles } from "../src/precompiles/install";
import { mldsaKeyGen, mldsaSign, mlkemDecapsulate, mlkemKeyGen } from "../src/pq";
import { mlkemInterface } from "../src/precompiles/abi";

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`demo check failed: ${what}`);
  console.log(`  ok  ${what}`);
}

async function main() {
  console.log("Pars precompiles on the in-process network");
  const pc = await installParsPrecompiles(hre);
  const consumer = await ethers.deployContract("PQConsumer__Mock", [pc.addresses.mldsa, pc.addresses.mlkem]);

  const node = mldsaKeyGen(65);
  const msg = ethers.toUtf8Bytes("register node 1");
  const sig = mldsaSign(node.secretKey, msg);
  check(await consumer.verify(node.publicKey, msg, sig), "ML-DSA-65 signature made in TypeScript verifies on chain");
  const tampered = Uint8Array.from(sig);
  tampered[0] ^= 1;
  check(!(await consumer.verify(node.publicKey, msg, tampered)), "a tampered ML-DSA-65 signature does not");

  const kem = mlkemKeyGen(1);
  check(await consumer.validateKemKey(kem.publicKey), "an ML-KEM-768 transport key is accepted by the precompile");
  const [ct, ss] = mlkemInterface.decodeFunctionResult(
    "encapsulate",
    await ethers.provider.call({ to: pc.addresses.mlkem, data: mlkemInterface.encodeFunctionData("encapsulate", [kem.publicKey]) }),
  );
  check(
    ethers.hexlify(mlkemDecapsulate(kem.secretKey, ethers.getBytes(ct))) === ss,
    "the node decapsulates the on-chain encapsulation to the same shared secret",
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
