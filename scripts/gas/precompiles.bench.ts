import { ethers } from "hardhat";
import { mldsaKeyGen, mldsaSign } from "../../src/pq";
import { TX, type Benchmark } from "./meter";
import { PRECOMPILES } from "../../src/networks";

/** The PQ precompile call path itself, through PQPrecompiles (independent of the node count). */
export const precompileBench: Benchmark = {
  name: "precompiles",
  async run(meter) {
    const consumer = await ethers.deployContract("PQConsumer__Mock", [PRECOMPILES.mldsa, PRECOMPILES.mlkem]);
    const kp = mldsaKeyGen(65, ethers.getBytes(ethers.id("gas")));
    const msg = ethers.getBytes(ethers.id("a 32-byte digest"));
    await meter.measure("pq.mldsa65.verify", () =>
      consumer.verifyAndCount(kp.publicKey, msg, mldsaSign(kp.secretKey, msg), TX),
    );
  },
};
