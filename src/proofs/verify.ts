/**
 * `verifyProof`: checks a portable transaction proof with only a parent-chain RPC, and says what it proves. Every
 * step that fails throws a `BridgeTaskError` whose one-line message names what did not match.
 */
import { keccak256 } from "ethers";
import type { Provider } from "ethers";

import { BridgeTaskError } from "../errors.js";
import { anchorFromJson, verifyAnchoredBlock, type AnchoredBlock } from "../protocol/anchor.js";
import { approvalOf, rangeStart, readReceiver } from "./anchors.js";
import { decodeEthereumHeader, decodeReceipt, transactionHash } from "./encoding.js";
import { provenItem, rootOf } from "./roots.js";
import { TRANSACTION_PROOF_FORMAT, type TransactionProofJson, type VerifiedTransaction } from "./types.js";

function blockOf(json: TransactionProofJson["block"]): AnchoredBlock {
  return { number: BigInt(json.number), hash: json.hash, transactionsRoot: json.transactionsRoot, receiptsRoot: json.receiptsRoot };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The item at `index` of a block's list, proven against `root` in the proof's mode. */
async function provenAt(proof: TransactionProofJson, root: string, what: "transaction" | "receipt"): Promise<string> {
  const index = proof.transactionIndex;
  if (proof.mode === "trie") {
    const nodes = what === "transaction" ? proof.transactionProof : proof.receiptProof;
    if (nodes === undefined) throw new BridgeTaskError(`the proof has no ${what} trie proof`);
    try {
      return await provenItem(root, index, nodes);
    } catch (error) {
      throw new BridgeTaskError(`${what} mismatch: ${(error as Error).message}`, { cause: error });
    }
  }
  const items = what === "transaction" ? proof.transactions : proof.receipts;
  if (items === undefined) throw new BridgeTaskError(`the proof has no ${what}s of the block (concat mode)`);
  if ((await rootOf("concat", items)) !== root.toLowerCase()) {
    throw new BridgeTaskError(`${what} mismatch: the block's ${what}s do not hash to its ${what}s root ${root}`);
  }
  if (index < 0 || index >= items.length) throw new BridgeTaskError(`${what} mismatch: the block has no item ${index}`);
  return items[index];
}

/** Checks `proof` against the anchors on the parent chain that `parent` serves. */
export async function verifyProof(proof: TransactionProofJson, parent: Provider): Promise<VerifiedTransaction> {
  if (proof.format !== TRANSACTION_PROOF_FORMAT) throw new BridgeTaskError(`unknown proof format ${String(proof.format)}`);
  const parentChainId = (await parent.getNetwork()).chainId;
  if (String(parentChainId) !== proof.parentChainId) {
    throw new BridgeTaskError(`the proof is anchored on chain ${proof.parentChainId}; this parent RPC serves chain ${parentChainId}`);
  }
  const receiver = readReceiver(proof.receiver, parent);
  if ((await parent.getCode(proof.receiver)) === "0x") throw new BridgeTaskError(`no anchoring receiver at ${proof.receiver} on chain ${parentChainId}`);

  // the anchor: exactly the one accepted for its block
  const anchor = anchorFromJson(proof.anchor);
  if (!(await receiver.verifyAnchor(anchor))) {
    const recorded = await receiver.anchorHash(anchor.blockNumber);
    throw new BridgeTaskError(
      BigInt(recorded) === 0n
        ? `anchor mismatch: child block ${anchor.blockNumber} is not anchored on the parent`
        : `anchor mismatch: the proof's anchor of child block ${anchor.blockNumber} conflicts with the one accepted on the parent`,
    );
  }

  // the block: a leaf of the anchor's range
  const block = blockOf(proof.block);
  if (block.number < rangeStart(anchor) || block.number > anchor.blockNumber || !verifyAnchoredBlock(anchor.blocksRoot, block, proof.blockProof)) {
    throw new BridgeTaskError(`block mismatch: child block ${block.number} ${block.hash} is not in the range of the anchor of block ${anchor.blockNumber}`);
  }
  let headerChecked = false;
  if (proof.header !== undefined) {
    const header = decodeEthereumHeader(proof.header);
    if (!same(keccak256(proof.header), block.hash)) throw new BridgeTaskError(`block mismatch: the header does not hash to block hash ${block.hash}`);
    if (header.number !== block.number || !same(header.transactionsRoot, block.transactionsRoot) || !same(header.receiptsRoot, block.receiptsRoot)) {
      throw new BridgeTaskError(`block mismatch: the header's number or roots differ from the anchored block ${block.number}`);
    }
    headerChecked = true;
  }

  // the transaction and its receipt: items of the block's roots
  const transaction = await provenAt(proof, block.transactionsRoot, "transaction");
  if (!same(transaction, proof.transaction) || !same(transactionHash(transaction), proof.transactionHash)) {
    throw new BridgeTaskError(`transaction mismatch: item ${proof.transactionIndex} of block ${block.number} is not transaction ${proof.transactionHash}`);
  }
  const receiptItem = await provenAt(proof, block.receiptsRoot, "receipt");
  if (!same(receiptItem, proof.receipt)) {
    throw new BridgeTaskError(`receipt mismatch: the proof's receipt is not receipt ${proof.transactionIndex} of block ${block.number}`);
  }
  const receipt = decodeReceipt(proof.encoding, receiptItem);
  const approvals = await approvalOf(receiver, proof.parentFromBlock, {
    anchor,
    transactionHash: proof.anchorTransaction,
    parentBlockNumber: await anchorBlockNumber(parent, proof.anchorTransaction),
  });
  return {
    transactionHash: proof.transactionHash,
    childChainId: BigInt(proof.childChainId),
    blockNumber: block.number,
    blockHash: block.hash,
    transactionIndex: proof.transactionIndex,
    receipt,
    anchor: { blockNumber: anchor.blockNumber, firstBlock: rangeStart(anchor), transactionHash: proof.anchorTransaction },
    approvals,
    encoding: proof.encoding,
    mode: proof.mode,
    headerChecked,
  };
}

async function anchorBlockNumber(parent: Provider, txHash: string): Promise<number> {
  const receipt = await parent.getTransactionReceipt(txHash);
  if (receipt === null) throw new BridgeTaskError(`the anchoring transaction ${txHash} is not on the parent chain`);
  return receipt.blockNumber;
}
