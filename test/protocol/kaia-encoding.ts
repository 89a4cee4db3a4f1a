// Kaia's encodings, with vectors derived by hand from Kaia's sources (kaiachain/kaia):
// - blockchain/types/receipt.go: the consensus encoding of a receipt is `receiptRLP{Status uint, GasUsed uint64,
//   Bloom, Logs}`, never typed; Status is an unsigned integer (1 success, 0 failed, 0x09 ErrExecutionReverted, ...).
// - blockchain/types/derivesha/orig.go (DeriveShaImpl 0): a StackTrie keyed by rlp.AppendUint64(i), the Ethereum trie.
// - blockchain/types/derivesha/concat.go (DeriveShaImpl 2): one keccak over the concatenated GetRlp(i) items.
import { expect } from "chai";
import { concat, encodeRlp, keccak256, zeroPadValue } from "ethers";

import { decodeReceipt, encodeReceipt, rootOf } from "../../src/proofs/index.js";

const ZERO_BLOOM = `0x${"00".repeat(256)}`;

describe("Kaia encodings (receipts and DeriveShaImpl roots)", function () {
  it("encodes a receipt as [status, gasUsed, bloom, logs], status an unsigned integer", function () {
    const success = encodeReceipt("kaia", { status: "0x1", gasUsed: "0x5208", logsBloom: ZERO_BLOOM, logs: [] });
    // list of 264 bytes: 01 | 82 5208 | b9 0100 <256 zero bytes> | c0
    expect(success).to.equal(`0xf9010801825208b90100${"00".repeat(256)}c0`);
    const reverted = encodeReceipt("kaia", { status: "0x9", gasUsed: "0x5208", logsBloom: ZERO_BLOOM, logs: [] });
    expect(reverted).to.equal(`0xf9010809825208b90100${"00".repeat(256)}c0`);
    expect(decodeReceipt("kaia", reverted)).to.deep.equal({ success: false, status: 9, gas: 21000n, logs: [] });
    // Kaia's RPC reports a failure as status 0 and the code in txError (api_public_blockchain.go)
    const fromRpc = encodeReceipt("kaia", { status: "0x0", txError: "0x9", gasUsed: "0x5208", logsBloom: ZERO_BLOOM, logs: [] });
    expect(fromRpc).to.equal(reverted);
    const failed = encodeReceipt("kaia", { status: "0x0", gasUsed: "0x5208", logsBloom: ZERO_BLOOM, logs: [] });
    expect(failed.slice(0, 12)).to.equal("0xf901088082");
  });

  it("round-trips a receipt with logs, and differs from Ethereum's (cumulative gas, type byte)", function () {
    const log = { address: `0x${"11".repeat(20)}`, topics: [keccak256("0x01"), zeroPadValue("0x02", 32)], data: "0x1234" };
    const kaia = encodeReceipt("kaia", { status: "0x1", gasUsed: "0xc350", logsBloom: ZERO_BLOOM, logs: [log] });
    expect(kaia).to.equal(encodeRlp(["0x01", "0xc350", ZERO_BLOOM, [[log.address, log.topics, log.data]]]));
    expect(decodeReceipt("kaia", kaia)).to.deep.equal({ success: true, status: 1, gas: 50000n, logs: [log] });
    const ethereum = encodeReceipt("ethereum", { type: "0x2", status: "0x1", cumulativeGasUsed: "0xc350", gasUsed: "0xc350", logsBloom: ZERO_BLOOM, logs: [log] });
    expect(ethereum).to.equal(`0x02${kaia.slice(2)}`);
  });

  it("builds the empty roots of both modes (Kaia's EmptyTxRootOriginal and EmptyTxRootConcat)", async function () {
    expect(await rootOf("trie", [])).to.equal("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    expect(await rootOf("concat", [])).to.equal(keccak256("0x"));
  });

  it("concat mode: one keccak over the concatenated items, in block order", async function () {
    const items = [encodeRlp(["0x01"]), encodeRlp(["0x02", "0x03"]), encodeRlp([])];
    expect(await rootOf("concat", items)).to.equal(keccak256(concat(items)));
    expect(await rootOf("concat", items)).to.not.equal(await rootOf("concat", [...items].reverse()));
  });

  it("trie mode: one item is a leaf keyed by rlp(0) = 0x80 (hex-prefix 0x2080)", async function () {
    const item = encodeRlp(["0x01", "0x5208", ZERO_BLOOM, []]);
    const leaf = encodeRlp(["0x2080", item]);
    expect(await rootOf("trie", [item])).to.equal(keccak256(leaf));
  });
});
