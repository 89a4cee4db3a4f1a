// Shared helpers of the Bridge unit tests (no tests in this file).
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { getAddress, id, type ContractTransactionResponse } from "ethers";

import { VoteType } from "../../src/protocol/constants.js";
import { transferContentHash } from "../../src/protocol/transfer.js";
import type { SignedTransfer } from "../../src/signatures.js";
import type { Bridge, TransferRecovery } from "../../types/ethers-contracts/index.js";

export const TokenType = { KLAY: 0, ERC20: 1, ERC721: 2 } as const;
export { VoteType } from "../../src/protocol/constants.js";
export { ParkedStatus } from "../../src/protocol/transfer.js";

/**
 * The fixtures of both bridge modes that `deploy(modeMintBurn)` builds: `lockMode` and `mintBurnMode` (one function
 * each, so that `loadFixture` snapshots each once), and `MODES`, the two by name for the tests that run in both.
 */
export function bothModes<T>(deploy: (modeMintBurn: boolean) => Promise<T>) {
  const lockMode = () => deploy(false);
  const mintBurnMode = () => deploy(true);
  const MODES = [
    ["lock", lockMode],
    ["mint/burn", mintBurnMode],
  ] as const;
  return { lockMode, mintBurnMode, MODES };
}

/** A KLAY handle as the counterpart bridge's request describes it. */
export interface KlayTransfer {
  requestTxHash: string;
  from: string;
  to: string;
  value: bigint;
  nonce: bigint | number;
  blockNumber: bigint | number;
  extraData: string;
}

/** A deterministic request tx hash for request `nonce` (tests only need distinct hashes). */
export function requestTxHash(nonce: bigint | number, salt = "request"): string {
  return id(`${salt}:${nonce}`);
}

/** A KLAY transfer with sensible defaults; the fields given override them. */
export function klayTransfer(to: string, nonce: bigint | number, overrides: Partial<KlayTransfer> = {}): KlayTransfer {
  return {
    requestTxHash: requestTxHash(nonce),
    from: getAddress("0x000000000000000000000000000000000000f00d"),
    to,
    value: 1_000n,
    nonce,
    blockNumber: BigInt(nonce) + 100n,
    extraData: "0x",
    ...overrides,
  };
}

/** One operator's vote for a KLAY handle. */
export function handleKLAY(
  bridge: Bridge,
  operator: HardhatEthersSigner,
  t: KlayTransfer,
): Promise<ContractTransactionResponse> {
  return bridge
    .connect(operator)
    .handleKLAYTransfer(t.requestTxHash, t.from, t.to, t.value, t.nonce, t.blockNumber, t.extraData);
}

/** The call data of a KLAY handle (what the votes are keyed by). */
export function handleKLAYData(bridge: Bridge, t: KlayTransfer): string {
  return bridge.interface.encodeFunctionData("handleKLAYTransfer", [
    t.requestTxHash,
    t.from,
    t.to,
    t.value,
    t.nonce,
    t.blockNumber,
    t.extraData,
  ]);
}

/** Deploys a Bridge (lock mode unless `modeMintBurn`) from the first signer, optionally with KLAY liquidity. */
export async function deployBridge(ethers: HardhatEthers, modeMintBurn = false, liquidity = 0n): Promise<Bridge> {
  const bridge = await ethers.deployContract("Bridge", [modeMintBurn], { value: liquidity });
  await bridge.waitForDeployment();
  return bridge;
}

/**
 * A destination bridge (lock mode unless `modeMintBurn`) deployed by the first signer with `liquidity` wei, the
 * `operators` registered beside it and `threshold` for value transfers, a registered KIP7 and KIP17 (lock mode: the
 * bridge holds 1,000 of the KIP7 and NFTs 1..3; mint/burn mode: service-chain tokens it mints).
 */
export async function stockedDestination(
  ethers: HardhatEthers,
  { modeMintBurn, operators, threshold, liquidity }: { modeMintBurn: boolean; operators: HardhatEthersSigner[]; threshold: number; liquidity: bigint },
) {
  const ONE = 10n ** 18n;
  const bridge = await ethers.deployContract("Bridge", [modeMintBurn], { value: liquidity });
  for (const operator of operators) await bridge.registerOperator(operator);
  await bridge.setOperatorThreshold(VoteType.ValueTransfer, threshold);
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
    for (let nft = 1n; nft <= 3n; nft++) await kip17.getFunction("mintWithTokenURI")(bridge, nft, `ipfs://nft/${nft}`);
  }
  const { chainId } = await ethers.provider.getNetwork();
  return { bridge, kip7, kip17, kip7Counterpart, chainId };
}

/** The nonce bookkeeping a relayer reads, in one object. */
export async function handleState(bridge: Bridge) {
  return {
    lower: await bridge.lowerHandleNonce(),
    upper: await bridge.upperHandleNonce(),
    recovery: await bridge.recoveryBlockNumber(),
  };
}

/** A KLAY handle as a `Transfer` struct (what the signed path and the recovery ledger take). */
export function klayAsTransfer(t: KlayTransfer): SignedTransfer {
  return {
    requestTxHash: t.requestTxHash,
    tokenType: TokenType.KLAY,
    from: t.from,
    to: t.to,
    tokenAddress: "0x0000000000000000000000000000000000000000",
    valueOrTokenId: t.value,
    requestNonce: BigInt(t.nonce),
    requestBlockNumber: BigInt(t.blockNumber),
    tokenURI: "",
    extraData: t.extraData,
  };
}

/** What the recovery ledger records for a parked transfer: `keccak256(abi.encode(transfer))` (the protocol's). */
export { transferContentHash };

/** The bridge's `TransferRecovery` ledger. */
export async function recoveryOf(ethers: HardhatEthers, bridge: Bridge): Promise<TransferRecovery> {
  return ethers.getContractAt("TransferRecovery", await bridge.transferRecovery());
}

/** Where the ledger has request `t.requestNonce`: its status and, unless None, the hash of exactly `t`. */
export async function parkedState(ethers: HardhatEthers, bridge: Bridge, t: SignedTransfer) {
  const [status, hash] = await (await recoveryOf(ethers, bridge)).parkedTransfer(t.requestNonce);
  return { status: Number(status), matches: hash === transferContentHash(t) };
}
