/**
 * ABI of the Pars PQ precompiles, shared by the TypeScript host, the recorded fallback mocks and
 * the tooling. It matches contracts/precompiles/IMLDSA.sol and IMLKEM.sol exactly.
 */
import { Interface } from "ethers";

export const MLDSA_ABI = [
  "function keyGen(uint8 mode) returns (bytes publicKey, bytes secretKey)",
  "function keyGenFromSeed(uint8 mode, bytes32 seed) view returns (bytes publicKey, bytes secretKey)",
  "function sign(bytes secretKey, bytes message) view returns (bytes signature)",
  "function verify(bytes publicKey, bytes message, bytes signature) view returns (bool valid)",
] as const;

export const MLKEM_ABI = [
  "function keyGen(uint8 parameterSet) returns (bytes publicKey, bytes secretKey)",
  "function keyGenFromSeed(uint8 parameterSet, bytes seed) view returns (bytes publicKey, bytes secretKey)",
  "function encapsulate(bytes publicKey) view returns (bytes cipherText, bytes sharedSecret)",
  "function decapsulate(bytes secretKey, bytes cipherText) view returns (bytes sharedSecret)",
] as const;

export const WARP_ABI = [
  "function sendWarpMessage(bytes payload) returns (bytes32 messageID)",
  "function getBlockchainID() view returns (bytes32 blockchainID)",
] as const;

export const mldsaInterface = new Interface(MLDSA_ABI);
export const mlkemInterface = new Interface(MLKEM_ABI);
