import { expect } from "chai";
import { TypedDataEncoder, ZeroAddress, hexlify, randomBytes } from "ethers";

import { Bridge__factory } from "../../types/ethers-contracts/index.js";
import {
  HANDLE_BATCH_TYPES,
  batchDigest,
  bridgeDomain,
  encodeHandleSignedTransfers,
  type SignedTransfer,
} from "../../src/signatures.js";

describe("batch digest", function () {
  const domain = bridgeDomain(31338n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  const transfer = (i: number): SignedTransfer => ({
    requestTxHash: hexlify(randomBytes(32)),
    tokenType: i % 3,
    from: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    to: i % 2 === 0 ? "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" : ZeroAddress,
    tokenAddress: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    valueOrTokenId: 2n ** 255n + BigInt(i),
    requestNonce: 2n ** 64n - 1n - BigInt(i),
    requestBlockNumber: BigInt(i),
    tokenURI: i % 2 === 0 ? "" : `ipfs://é-${i}`,
    extraData: i % 2 === 0 ? "0x" : hexlify(randomBytes(i)),
  });

  it("is the EIP-712 hash TypedDataEncoder computes, for mixed batches", function () {
    for (const size of [1, 2, 7, 100]) {
      const transfers = Array.from({ length: size }, (_, i) => transfer(i));
      expect(batchDigest(domain, transfers)).to.equal(TypedDataEncoder.hash(domain, HANDLE_BATCH_TYPES, { transfers }));
    }
  });

  it("handleSignedTransfers calldata is what the bridge's ABI encodes, for mixed batches", function () {
    const bridge = Bridge__factory.createInterface();
    for (const size of [0, 1, 2, 7, 100]) {
      const transfers = Array.from({ length: size }, (_, i) => transfer(i));
      const signatures = hexlify(randomBytes(65 * (size % 4)));
      expect(encodeHandleSignedTransfers(transfers, signatures)).to.equal(
        bridge.encodeFunctionData("handleSignedTransfers", [transfers, signatures]),
      );
    }
    expect(() => encodeHandleSignedTransfers([{ ...transfer(0), requestNonce: 2n ** 64n }], "0x")).to.throw();
    expect(() => encodeHandleSignedTransfers([{ ...transfer(0), from: "0x1234" }], "0x")).to.throw();
    expect(() => encodeHandleSignedTransfers([transfer(0)], "0xabc")).to.throw();
  });

  it("refuses values out of their type's range, as TypedDataEncoder does", function () {
    expect(() => batchDigest(domain, [{ ...transfer(0), requestNonce: 2n ** 64n }])).to.throw();
    expect(() => batchDigest(domain, [{ ...transfer(0), tokenType: 256 }])).to.throw();
    expect(() => batchDigest(domain, [{ ...transfer(0), valueOrTokenId: -1n }])).to.throw();
    expect(() => batchDigest(domain, [{ ...transfer(0), requestTxHash: "0x1234" }])).to.throw();
    expect(() => batchDigest(domain, [{ ...transfer(0), extraData: "0xabc" }])).to.throw();
  });
});
