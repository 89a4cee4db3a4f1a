// The contract facts the TypeScript side depends on (src/protocol/constants.ts), checked against the contracts'
// sources: a change on one side without the other fails here.
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import {
  AFTER_PAYOUT_GAS,
  ERC721_INTERFACE_ID,
  MIN_GAS_BEFORE_PAYOUT,
  PAYOUT_GAS,
  VoteType,
} from "../../src/protocol/constants.js";

const root = path.resolve(import.meta.dirname, "../..");
const source = (file: string) => readFile(path.join(root, file), "utf8");

/** The value of `uint256 ... NAME = N;` in a Solidity source, as a bigint. */
function constantOf(text: string, name: string): bigint {
  const match = new RegExp(`\\b${name}\\s*=\\s*([0-9_]+)\\s*;`).exec(text);
  if (match === null) throw new Error(`no constant ${name}`);
  return BigInt(match[1].replace(/_/g, ""));
}

describe("protocol constants match the contracts", function () {
  it("the payout budget and what follows it (TokenCalls)", async function () {
    const tokenCalls = await source("contracts/bridge/libraries/TokenCalls.sol");
    expect(constantOf(tokenCalls, "PAYOUT_GAS")).to.equal(PAYOUT_GAS);
    expect(constantOf(tokenCalls, "AFTER_CALL")).to.equal(AFTER_PAYOUT_GAS);
    expect(tokenCalls).to.include("gasleft() < (PAYOUT_GAS * 64) / 63 + AFTER_CALL");
    expect(MIN_GAS_BEFORE_PAYOUT).to.equal((PAYOUT_GAS * 64n) / 63n + AFTER_PAYOUT_GAS);
  });

  it("the vote types (BridgeCore) and the ERC721 interface id the bridge asks about (BridgeTokens)", async function () {
    const core = await source("contracts/bridge/BridgeCore.sol");
    expect(constantOf(core, "VOTE_VALUE_TRANSFER")).to.equal(BigInt(VoteType.ValueTransfer));
    expect(constantOf(core, "VOTE_CONFIGURATION")).to.equal(BigInt(VoteType.Configuration));
    // the id itself is KIP17's published id, computed from the specification's functions in test/tokens/interface-ids.ts
    const tokens = await source("contracts/bridge/BridgeTokens.sol");
    expect(tokens.toLowerCase()).to.include(ERC721_INTERFACE_ID.slice(2));
  });
});
