// Shared fixtures of the recovery and limits tests (no tests in this file): a destination bridge with two of three
// operators as threshold, handles by either path, and signatures of recovery approvals.
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Contract, getAddress, id, type ContractTransactionResponse, type TypedDataDomain } from "ethers";

import {
  bridgeDomain,
  recoveryDomain,
  signCancel,
  signRefund,
  type SignedTransfer,
} from "../../src/signatures.js";
import { sendHandleVote } from "../../src/protocol/handle-vote.js";
import type { Bridge } from "../../types/ethers-contracts/index.js";
import { stockedDestination, TokenType } from "./bridge.js";
import { packedSignatures, signedBy } from "./signing.js";

export const ONE = 10n ** 18n;
export const LIQUIDITY = 10n * ONE;
export const FROM = getAddress("0x000000000000000000000000000000000000f00d");

/** The two ways a handle reaches the bridge. */
export const PATHS = ["votes", "signed"] as const;
export type Path = (typeof PATHS)[number];

/**
 * A destination bridge (lock mode unless `modeMintBurn`) with operators owner, op2, op3 and a value-transfer
 * threshold of 2, 10 KLAY of liquidity, a registered KIP7 and KIP17 (lock mode: the bridge holds 1,000 KIP7 and
 * NFTs 1..3; mint/burn mode: service-chain tokens it mints).
 */
export async function recoveryDestination(ethers: HardhatEthers, modeMintBurn: boolean) {
  const [owner, op2, op3, outsider, user, submitter, stranger] = await ethers.getSigners();
  const { bridge, kip7, kip17, chainId } = await stockedDestination(ethers, {
    modeMintBurn,
    operators: [op2, op3],
    threshold: 2,
    liquidity: LIQUIDITY,
  });
  const bridgeAddress = await bridge.getAddress();
  const recovery = await ethers.getContractAt("TransferRecovery", await bridge.transferRecovery());
  return {
    bridge,
    recovery,
    kip7,
    kip17,
    owner,
    op2,
    op3,
    outsider,
    user,
    submitter,
    stranger,
    chainId,
    modeMintBurn,
    domain: bridgeDomain(chainId, bridgeAddress),
    recoveryDomain: recoveryDomain(chainId, await recovery.getAddress()),
  };
}
export type Destination = Awaited<ReturnType<typeof recoveryDestination>>;

/** A transfer for request `nonce` (KLAY, 1 KLAY, from FROM, unless overridden). */
export function transferOf(nonce: bigint, to: string, overrides: Partial<SignedTransfer> = {}): SignedTransfer {
  return {
    requestTxHash: id(`recovery request ${nonce}`),
    tokenType: TokenType.KLAY,
    from: FROM,
    to,
    tokenAddress: "0x0000000000000000000000000000000000000000",
    valueOrTokenId: ONE,
    requestNonce: nonce,
    requestBlockNumber: 500n + nonce,
    tokenURI: "",
    extraData: "0x",
    ...overrides,
  };
}


/** One operator's vote for `t` through the per-operator handle function of its token type. */
export function vote(bridge: Bridge, operator: HardhatEthersSigner, t: SignedTransfer): Promise<ContractTransactionResponse> {
  return sendHandleVote(bridge.connect(operator), t);
}

/**
 * Handles `t` by `path`: the owner's vote, then op2's, which executes (returned); or a batch of `t` signed by the
 * owner and op2, submitted by the submitter.
 */
export async function handleBy(f: Destination, path: Path, t: SignedTransfer): Promise<ContractTransactionResponse> {
  if (path === "votes") {
    await vote(f.bridge, f.owner, t);
    return vote(f.bridge, f.op2, t);
  }
  const signatures = await signedBy(f.domain, [t], [f.owner, f.op2]);
  return f.bridge.connect(f.submitter).handleSignedTransfers([t], signatures);
}

/** `signers`' signatures cancelling `t` under `domain` (the destination recovery's unless given), packed. */
export async function cancelSignatures(
  domain: TypedDataDomain,
  t: SignedTransfer,
  signers: HardhatEthersSigner[],
): Promise<string> {
  return packedSignatures(signers, (s) => signCancel(s, domain, t));
}

/** `signers`' signatures refunding `t` under the source recovery's `domain`, packed. */
export async function refundSignatures(
  domain: TypedDataDomain,
  t: SignedTransfer,
  signers: HardhatEthersSigner[],
): Promise<string> {
  return packedSignatures(signers, (s) => signRefund(s, domain, t));
}

/** The `TransferHeld` / `TransferCancelled` arguments of `t`: the fields every handle event of `t` starts with. */
export function parkedArgs(t: SignedTransfer) {
  return [
    t.requestTxHash,
    t.tokenType,
    getAddress(t.from),
    getAddress(t.to),
    getAddress(t.tokenAddress),
    t.valueOrTokenId,
    t.requestNonce,
  ] as const;
}

/** The `HandleValueTransferFailed` arguments of `t`, failed with `reason`. */
export function failedArgs(t: SignedTransfer, reason: string) {
  return [...parkedArgs(t), reason] as const;
}

/** The `HandleValueTransfer` arguments of `t`, paid when `lowerHandleNonce` was `lower`. */
export function paidArgs(t: SignedTransfer, lower: bigint) {
  return [...parkedArgs(t), lower, t.extraData] as const;
}

const VIEWS = [
  "function balanceOf(address) view returns (uint256)",
  "function totalSupply() view returns (uint256)",
  "function ownerOf(uint256) view returns (address)",
];

/**
 * Everything a payout of `t` could move: the KLAY of the bridge and of the recipient, and for a token its balances
 * (bridge, recipient) and supply, or the NFT's owner (null when it does not exist or the token cannot say).
 */
export async function holdings(ethers: HardhatEthers, bridge: Bridge, t: SignedTransfer) {
  const out: Record<string, unknown> = {
    bridgeKlay: await ethers.provider.getBalance(bridge),
    recipientKlay: await ethers.provider.getBalance(t.to),
  };
  if (t.tokenType === TokenType.KLAY) return out;
  const token = new Contract(t.tokenAddress, VIEWS, ethers.provider);
  const read = async (name: string, ...args: unknown[]) => {
    try {
      return (await token.getFunction(name)(...args)) as unknown;
    } catch {
      return null;
    }
  };
  if (t.tokenType === TokenType.ERC20) {
    out.bridgeToken = await read("balanceOf", await bridge.getAddress());
    out.recipientToken = await read("balanceOf", t.to);
    out.supply = await read("totalSupply");
  } else {
    out.owner = await read("ownerOf", t.valueOrTokenId);
  }
  return out;
}
