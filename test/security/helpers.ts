// Shared fixture of the attack suites in test/security/ (no tests in this file).
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { bridgeDomain, packSignatures, signBatch, type SignedTransfer } from "../../src/signatures.js";
import type { TypedDataDomain } from "ethers";

export const ONE = 10n ** 18n;
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * A lock-mode destination bridge with four operators (the owner, op2, op3, op4) and a value-transfer threshold of 3,
 * 100 KLAY of liquidity, a registered KIP7 (the bridge holds 1,000 of it) and a registered KIP17 (the bridge holds
 * NFTs 1..3). `attacker1` / `attacker2` are op2 / op3: the attacker of class 1 controls threshold - 1 operators.
 */
export async function destination(ethers: HardhatEthers, modeMintBurn = false) {
  const [owner, op2, op3, op4, outsider, user, submitter] = await ethers.getSigners();
  const bridge = await ethers.deployContract("Bridge", [modeMintBurn], { value: 100n * ONE });
  for (const op of [op2, op3, op4]) await bridge.registerOperator(op);
  await bridge.setOperatorThreshold(0, 3);
  const bridgeAddress = await bridge.getAddress();
  const kip7 = modeMintBurn
    ? await ethers.deployContract("ServiceChainKIP7", ["Child KIP7", "CK7", bridgeAddress])
    : await ethers.deployContract("KIP7Token", ["Parent KIP7", "PK7", 18, 10_000n * ONE]);
  const kip17 = modeMintBurn
    ? await ethers.deployContract("ServiceChainKIP17", ["Child KIP17", "CK17", bridgeAddress])
    : await ethers.deployContract("KIP17Token", ["Parent KIP17", "PK17"]);
  const kip7Counterpart = ethers.Wallet.createRandom().address;
  await bridge.registerToken(kip7, kip7Counterpart);
  await bridge.registerToken(kip17, ethers.Wallet.createRandom().address);
  if (!modeMintBurn) {
    await kip7.getFunction("transfer")(bridge, 1_000n * ONE);
    for (let id = 1n; id <= 3n; id++) await kip17.getFunction("mintWithTokenURI")(bridge, id, `ipfs://nft/${id}`);
  }
  const { chainId } = await ethers.provider.getNetwork();
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

/** Signatures of `signers` over `transfers` under `domain`, packed as the bridge takes them (sorted, deduplicated). */
export async function signedBy(
  domain: TypedDataDomain,
  transfers: SignedTransfer[],
  signers: HardhatEthersSigner[],
): Promise<string> {
  const signatures = await Promise.all(
    signers.map(async (s) => ({ signer: s.address, signature: await signBatch(s, domain, transfers) })),
  );
  return packSignatures(signatures);
}

/** `signers` sorted by address, ascending (the order the bridge wants signatures in). */
export function sortedByAddress<T extends { address: string }>(signers: T[]): T[] {
  return [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}
