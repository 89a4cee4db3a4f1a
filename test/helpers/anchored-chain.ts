/**
 * A child chain anchored on a parent, both in process: the child has ERC20 transfers (each with a Transfer log)
 * spread over its blocks; the parent's AnchoringReceiver has three operators, threshold 2, and anchors every
 * `PERIOD` child blocks, by signatures (the first range) and by votes (the second), built with the protocol's one
 * anchor definition.
 */
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { proveTransaction, type TransactionProofJson } from "../../src/proofs/index.js";
import { ANCHOR_TYPES, readAnchor, type AnchorData } from "../../src/protocol/anchor.js";
import { anchoringDomain, packSignatures } from "../../src/signatures.js";
import type { AnchoringReceiver, TestERC20 } from "../../types/ethers-contracts/index.js";

export const PERIOD = 10n;

type Connection = Awaited<ReturnType<typeof network.create>>;

export interface AnchoredChains {
  parent: Connection;
  child: Connection;
  receiver: AnchoringReceiver;
  receiverDeployedBlock: number;
  operators: HardhatEthersSigner[];
  token: TestERC20;
  /** Child transactions by role: in the first anchored block, between anchors, after the latest anchor. */
  txs: { anchoredBlock: string; betweenAnchors: string; afterLatest: string; busyBlock: string[] };
  anchors: AnchorData[];
  close(): Promise<void>;
}

async function mineTo(child: Connection, target: bigint) {
  const head = BigInt(await child.ethers.provider.getBlockNumber());
  if (head < target) await child.networkHelpers.mine(target - head);
}

/** Sends `count` token transfers into one child block; returns their hashes. */
async function transfersInOneBlock(child: Connection, token: TestERC20, count: number): Promise<string[]> {
  const [holder] = await child.ethers.getSigners();
  await child.ethers.provider.send("evm_setAutomine", [false]);
  const hashes: string[] = [];
  let nonce = await holder.getNonce();
  for (let index = 0; index < count; index++) {
    const tx = await token.connect(holder).transfer(child.ethers.Wallet.createRandom().address, 1000n + BigInt(index), { nonce: nonce++ });
    hashes.push(tx.hash);
  }
  await child.ethers.provider.send("evm_mine", []);
  await child.ethers.provider.send("evm_setAutomine", [true]);
  return hashes;
}

export async function anchoredChains(busyBlockSize = 3): Promise<AnchoredChains> {
  const parent = await network.create({ network: "parent" });
  const child = await network.create({ network: "child" });
  const operators = (await parent.ethers.getSigners()).slice(0, 3);
  const receiver = (await parent.ethers.deployContract("AnchoringReceiver", operators[0]));
  const receiverDeployedBlock = (await receiver.deploymentTransaction()!.wait())!.blockNumber;
  await (await receiver.registerOperator(operators[1].address)).wait();
  await (await receiver.registerOperator(operators[2].address)).wait();
  await (await receiver.setOperatorThreshold(0, 2)).wait();

  const [holder] = await child.ethers.getSigners();
  const token = (await child.ethers.deployContract("TestERC20", ["Child token", "CT"]));
  await (await token.mint(holder.address, 10n ** 24n)).wait();
  // block PERIOD (anchored itself) holds a transfer; a busy block between anchors holds many
  await mineTo(child, PERIOD - 1n);
  const anchoredBlock = (await token.transfer(child.ethers.Wallet.createRandom().address, 5n)).hash;
  await mineTo(child, PERIOD + 3n);
  const busyBlock = await transfersInOneBlock(child, token, busyBlockSize);
  await mineTo(child, PERIOD + 6n);
  const betweenAnchors = (await token.transfer(child.ethers.Wallet.createRandom().address, 7n)).hash;
  await mineTo(child, 2n * PERIOD + 2n);
  const afterLatest = (await token.transfer(child.ethers.Wallet.createRandom().address, 9n)).hash;

  // the first range by operator signatures, the second by votes
  const first = await readAnchor(child.ethers.provider, PERIOD, PERIOD);
  const domain = anchoringDomain((await parent.ethers.provider.getNetwork()).chainId, await receiver.getAddress());
  const signatures = await Promise.all(
    operators.slice(1).map(async (signer) => ({ signer: signer.address, signature: await signer.signTypedData(domain, ANCHOR_TYPES, first) })),
  );
  await (await receiver.submitSignedAnchors([first], [packSignatures(signatures)])).wait();
  const second = await readAnchor(child.ethers.provider, 2n * PERIOD, PERIOD);
  for (const operator of operators.slice(0, 2)) {
    await (
      await receiver
        .connect(operator)
        .submitAnchor(second.blockNumber, second.blockHash, second.parentHash, second.transactionsRoot, second.receiptsRoot, second.stateRoot, second.blocksRoot, second.blockCount, second.txCount)
    ).wait();
  }
  return {
    parent,
    child,
    receiver,
    receiverDeployedBlock,
    operators,
    token,
    txs: { anchoredBlock, betweenAnchors, afterLatest, busyBlock },
    anchors: [first, second],
    close: async () => {
      await child.close();
      await parent.close();
    },
  };
}

/** The portable proof of child transaction `txHash` against the anchors of `chains`, as `bridge prove` builds it. */
export function proveOn(chains: AnchoredChains, txHash: string): Promise<TransactionProofJson> {
  return proveTransaction(txHash, {
    child: chains.child.ethers.provider,
    parent: chains.parent.ethers.provider,
    receiver: chains.receiver.target as string,
    receiverDeployedBlock: chains.receiverDeployedBlock,
  });
}
