// Shared fixture of the attack suites in test/security/ (no tests in this file).
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import { bridgeDomain, type SignedTransfer } from "../../src/signatures.js";
import { stockedDestination } from "../helpers/bridge.js";

export { signedBy, sortedByAddress } from "../helpers/signing.js";

export const ONE = 10n ** 18n;
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * A lock-mode destination bridge with four operators (the owner, op2, op3, op4) and a value-transfer threshold of 3,
 * 100 KLAY of liquidity, a registered KIP7 (the bridge holds 1,000 of it) and a registered KIP17 (the bridge holds
 * NFTs 1..3). `attacker1` / `attacker2` are op2 / op3: the attacker of class 1 controls threshold - 1 operators.
 */
export async function destination(ethers: HardhatEthers, modeMintBurn = false) {
  const [owner, op2, op3, op4, outsider, user, submitter] = await ethers.getSigners();
  const { bridge, kip7, kip17, kip7Counterpart, chainId } = await stockedDestination(ethers, {
    modeMintBurn,
    operators: [op2, op3, op4],
    threshold: 3,
    liquidity: 100n * ONE,
  });
  const bridgeAddress = await bridge.getAddress();
  const domain = bridgeDomain(chainId, bridgeAddress);
  return { bridge, kip7, kip17, kip7Counterpart, owner, op2, op3, op4, outsider, user, submitter, domain, chainId };
}

/** A signed-path KLAY transfer of `value` to `to` for request `nonce`. */
export function signedKlay(to: string, nonce: bigint, value = ONE, overrides: Partial<SignedTransfer> = {}): SignedTransfer {
  return {
    requestTxHash: `0x${(nonce + 1n).toString(16).padStart(64, "a")}`,
    tokenType: 0,
    from: "0x000000000000000000000000000000000000f00d",
    to,
    tokenAddress: "0x0000000000000000000000000000000000000000",
    valueOrTokenId: value,
    requestNonce: nonce,
    requestBlockNumber: 1000n + nonce,
    tokenURI: "",
    extraData: "0x",
    ...overrides,
  };
}
