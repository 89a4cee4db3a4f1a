// The relayer's store trusts nothing it reads back: a row or a request damaged on disk is an error that names what is
// wrong, and the transfer codec refuses a field of the wrong type or out of its range.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { requestFromJson, requestToJson, transferFromJson } from "../../src/protocol/transfer-json.js";
import { TokenType } from "../../src/protocol/transfer.js";
import type { TransferRequest } from "../../src/protocol/transfer.js";
import { RelayerStore } from "../../src/relayer/index.js";

const request: TransferRequest = {
  source: "parent",
  tokenType: TokenType.KIP7,
  sourceToken: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  requestTxHash: `0x${"ab".repeat(32)}`,
  from: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  to: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  tokenAddress: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  valueOrTokenId: 10n ** 30n,
  requestNonce: 7n,
  requestBlockNumber: 12n,
  tokenURI: "",
  extraData: "0xbeef",
};

describe("relayer store and transfer codec", function () {
  let directory: string;
  beforeEach(function () {
    directory = mkdtempSync(join(tmpdir(), "relayer-store-"));
  });
  afterEach(function () {
    rmSync(directory, { recursive: true, force: true });
  });

  it("gives back a recorded request exactly, as a camelCase record", function () {
    const store = new RelayerStore(join(directory, "store.sqlite"));
    try {
      store.recordScan("parent", [request], 20);
      const stored = store.getTransfer("parent", 7n);
      expect(stored?.request).to.deep.equal(request);
      expect(stored).to.include({ state: "seen", voteTx: null, attempts: 0, retryAt: 0 });
      store.recordAnchor(100, `0x${"11".repeat(32)}`, "signed", null, 5);
      expect(store.anchorsInState("signed")).to.deep.equal([
        { block: 100, blockHash: `0x${"11".repeat(32)}`, state: "signed", tx: null, signedAt: 5 },
      ]);
    } finally {
      store.close();
    }
  });

  it("refuses a row damaged on disk, naming the column", async function () {
    const path = join(directory, "store.sqlite");
    const store = new RelayerStore(path);
    store.recordScan("parent", [request, { ...request, requestNonce: 8n }], 20);
    store.close();
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path);
    db.exec("UPDATE transfers SET state = 'paid-twice' WHERE nonce = 7");
    db.exec(`UPDATE transfers SET data = '{"source":"parent","requestNonce":"8"}' WHERE nonce = 8`);
    db.close();
    const reopened = new RelayerStore(path);
    try {
      expect(() => reopened.getTransfer("parent", 7n)).to.throw(/state "paid-twice" is not one of/);
      expect(() => reopened.getTransfer("parent", 8n)).to.throw(/cannot read: requestTxHash is not a string/);
    } finally {
      reopened.close();
    }
  });

  it("reads a transfer's JSON back only when every field is in range", function () {
    const json = requestToJson(request);
    expect(requestFromJson(JSON.parse(JSON.stringify(json)))).to.deep.equal(request);
    expect(() => transferFromJson({ ...json, requestNonce: (1n << 64n).toString() })).to.throw(/requestNonce out of range/);
    expect(() => transferFromJson({ ...json, tokenType: 3 })).to.throw(/tokenType 3 is not a token type/);
    expect(() => transferFromJson({ ...json, to: "0x1234" })).to.throw(/to is not an address/);
    expect(() => transferFromJson({ ...json, extraData: "0xabc" })).to.throw(/extraData is not hex bytes/);
    expect(() => transferFromJson({ ...json, valueOrTokenId: "-1" })).to.throw(/valueOrTokenId is not a decimal number/);
    expect(() => requestFromJson({ ...json, source: "sideways" })).to.throw(/source is not parent or child/);
    expect(() => transferFromJson([json])).to.throw(/not an object/);
  });
});
