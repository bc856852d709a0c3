import { ethers } from "hardhat";
import { mldsaKeyGen, mldsaSign } from "../../src/pq";
import { TX, type Benchmark } from "./meter";
import { PQ_PRECOMPILES, pqProfileId } from "../../src/networks";

/** The PQ precompile call path itself, through PQPrecompiles in the lux profile (independent of the node count). */
export const precompileBench: Benchmark = {
  name: "precompiles",
  async run(meter) {
    const lux = PQ_PRECOMPILES.lux;
    const consumer = await ethers.deployContract("PQConsumer__Mock", [pqProfileId("lux"), lux.mldsa, lux.mlkem]);
    const kp = mldsaKeyGen(65, ethers.getBytes(ethers.id("gas")));
    const digest = ethers.getBytes(ethers.id("a 32-byte digest"));
    await meter.measure("pq.mldsa65.verify", () =>
      consumer.verifyAndCount(kp.publicKey, digest, mldsaSign(kp.secretKey, digest, { profile: "lux" }), TX),
    );
  },
};
