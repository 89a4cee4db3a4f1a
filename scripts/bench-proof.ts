/**
 * `anchor.verifyReceipt`: the gas of verifying on chain one receipt proof from a 24-transaction child block (as in
 * LayerZero's measurement), against an anchor of a 10-block range: a transaction calling
 * `ReceiptVerifier.verifyReceipt`, less the 21,000 every transaction pays.
 */
import { dataSlice, getAddress, id } from "ethers";
import { network } from "hardhat";

import { proveTransaction, receiptProofArgs } from "../src/proofs/index.js";
import { readAnchor } from "../src/protocol/anchor.js";

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

const TRANSACTIONS = 24;

/**
 * The recipient of transfer `index`: an address as dense as a random one, the same in every run. The figure still
 * moves by a few hundred gas between runs: the block hashes in the proof follow the chain's clock, and each zero
 * byte of calldata costs 12 gas less than another.
 */
const recipient = (index: number) => getAddress(dataSlice(id(`bench-proof recipient ${index}`), 12));
const PERIOD = 10n;

export async function measureReceiptProof(parent: Ethers, gas: Record<string, number>): Promise<void> {
  const child = await network.create({ network: "child" });
  try {
    const [holder] = await child.ethers.getSigners();
    const token = await child.ethers.deployContract("TestERC20", ["Child token", "CT"]);
    await (await token.mint(holder.address, 10n ** 24n)).wait();
    await child.ethers.provider.send("evm_setAutomine", [false]);
    const hashes: string[] = [];
    let nonce = await holder.getNonce();
    for (let index = 0; index < TRANSACTIONS; index++) {
      hashes.push((await token.transfer(recipient(index), 1000n + BigInt(index), { nonce: nonce++ })).hash);
    }
    await child.ethers.provider.send("evm_mine", []);
    await child.ethers.provider.send("evm_setAutomine", [true]);
    const head = BigInt(await child.ethers.provider.getBlockNumber());
    const anchored = ((head + PERIOD - 1n) / PERIOD) * PERIOD;
    if (anchored > head) await child.networkHelpers.mine(anchored - head);

    const receiver = await parent.deployContract("AnchoringReceiver");
    const receiverDeployedBlock = (await receiver.deploymentTransaction()!.wait())!.blockNumber;
    const anchor = await readAnchor(child.ethers.provider, anchored, PERIOD);
    await (
      await receiver.submitAnchor(anchor.blockNumber, anchor.blockHash, anchor.parentHash, anchor.transactionsRoot, anchor.receiptsRoot, anchor.stateRoot, anchor.blocksRoot, anchor.blockCount, anchor.txCount)
    ).wait();
    const verifier = await parent.deployContract("ReceiptVerifier", [await receiver.getAddress()]);
    const proof = await proveTransaction(hashes[TRANSACTIONS - 2], {
      child: child.ethers.provider,
      parent: parent.provider,
      receiver: await receiver.getAddress(),
      receiverDeployedBlock,
    });
    gas["anchor.verifyReceipt"] = Number(await verifier.verifyReceipt.estimateGas(receiptProofArgs(proof))) - 21_000;
  } finally {
    await child.close();
  }
}
