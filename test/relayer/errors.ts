/**
 * How the relayer reads failures: decoded custom errors, "already handled", insufficient funds, and RPC failures
 * retried with backoff.
 */
import { expect } from "chai";

import { Bridge__factory } from "../../types/ethers-contracts/index.js";
import {
  decodeRevert,
  isAlreadyHandled,
  isInsufficientFunds,
  isNonceCollision,
  isTransientRpcError,
  withRetry,
} from "../../src/relayer/index.js";

describe("relayer error handling", function () {
  const bridgeInterface = Bridge__factory.createInterface();

  it("decodes custom errors nested anywhere in a provider error", function () {
    const data = bridgeInterface.encodeErrorResult("KLAYTransferFailed", ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 5n]);
    const revert = decodeRevert({ code: "CALL_EXCEPTION", info: { error: { data } } }, bridgeInterface);
    expect(revert?.text).to.equal("KLAYTransferFailed(0x70997970C51812dc3A010C7d01b50e0d17dc79C8, 5)");
    expect(isAlreadyHandled(revert)).to.equal(false);
    const closed = decodeRevert({ data: bridgeInterface.encodeErrorResult("VoteClosed", [3n]) }, bridgeInterface);
    const passed = decodeRevert({ error: { data: bridgeInterface.encodeErrorResult("NonceAlreadyPassed", [3n, 5n]) } }, bridgeInterface);
    expect(isAlreadyHandled(closed)).to.equal(true);
    expect(isAlreadyHandled(passed)).to.equal(true);
    expect(decodeRevert({ data: "0xdeadbeef" }, bridgeInterface)?.text).to.equal("unknown revert 0xdeadbeef");
    expect(decodeRevert(new Error("no data"), bridgeInterface)).to.equal(undefined);
  });

  it("tells insufficient funds and transient RPC failures from reverts", function () {
    expect(isInsufficientFunds({ code: "INSUFFICIENT_FUNDS" })).to.equal(true);
    expect(isInsufficientFunds(new Error("Sender doesn't have enough funds to send tx. The max upfront cost is: 1"))).to.equal(true);
    expect(isTransientRpcError({ code: "NETWORK_ERROR" })).to.equal(true);
    expect(isTransientRpcError(new Error("connect ECONNREFUSED 127.0.0.1:8545"))).to.equal(true);
    expect(isTransientRpcError({ code: "CALL_EXCEPTION", message: "timeout" })).to.equal(false);
  });

  it("tells a nonce taken by another transaction of the same key (the operator's other relayer) from a failure", function () {
    // as Hardhat's nodes, geth and Kaia's nodes say it, directly or wrapped by ethers
    for (const message of [
      "Nonce too low. Expected nonce to be 1 but got 0. Note that transactions can't be queued when automining.",
      "Transaction nonce too low. Expected nonce to be at least 11 but got 10.",
      "Known transaction: 0xf8e46ed222e6aadffa51aeddb2eb162063ae8efad5d92a5ced2cc74b7ee35737",
      "already known",
      "replacement transaction underpriced",
      "there is another tx which has the same nonce in the tx pool",
    ]) {
      expect(isNonceCollision(new Error(message)), message).to.equal(true);
      expect(isNonceCollision({ message: "could not coalesce error", error: { message } }), message).to.equal(true);
    }
    expect(isNonceCollision({ code: "NONCE_EXPIRED" })).to.equal(true);
    expect(isNonceCollision({ code: "TRANSACTION_REPLACED" })).to.equal(true);
    expect(isNonceCollision(new Error("nonce too high"))).to.equal(false);
    expect(isNonceCollision({ code: "CALL_EXCEPTION", message: "execution reverted" })).to.equal(false);
  });

  it("retries transient failures with growing delays, and gives up on the others at once", async function () {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(
      () => {
        calls += 1;
        return calls < 4 ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545")) : Promise.resolve("answer");
      },
      { retries: 5, baseDelayMs: 1, maxDelayMs: 3, onRetry: (_error, _attempt, delayMs) => delays.push(delayMs) },
    );
    expect(result).to.equal("answer");
    expect(delays).to.deep.equal([1, 2, 3]);

    let reverts = 0;
    let failure: unknown;
    try {
      await withRetry(() => {
        reverts += 1;
        return Promise.reject(Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION" }));
      });
    } catch (error) {
      failure = error;
    }
    expect(reverts).to.equal(1);
    expect((failure as Error).message).to.equal("execution reverted");

    let attempts = 0;
    try {
      await withRetry(
        () => {
          attempts += 1;
          return Promise.reject(new Error("fetch failed"));
        },
        { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
      );
    } catch {
      // gave up
    }
    expect(attempts).to.equal(3);
  });
});
