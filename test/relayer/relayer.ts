/**
 * The "mocked relayer" suite: the real relayer library driven step by step by the test on two in-process chains.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { memoryLogger } from "../../src/relayer/index.js";
import type { Relayer } from "../../src/relayer/index.js";
import {
  ONE,
  deployPair,
  expectConservation,
  mine,
  relayerFor,
  requestEachKind,
  stepAll,
  temporaryDirectory,
} from "./helpers.js";
import type { Connection, Pair } from "./helpers.js";

describe("relayer (two in-process chains, driven step by step)", function () {
  let parent: Connection;
  let child: Connection;
  let directory: { path: string; cleanup: () => void };
  let relayers: Relayer[] = [];

  before(async function () {
    parent = await network.create("parent");
    child = await network.create("child");
  });

  after(async function () {
    await parent?.close();
    await child?.close();
  });

  beforeEach(function () {
    directory = temporaryDirectory("relayer-test-");
    relayers = [];
  });

  afterEach(function () {
    for (const relayer of relayers) relayer.close();
    directory.cleanup();
  });

  async function three(pair: Pair, signed: boolean): Promise<Relayer[]> {
    const signatureDir = signed ? `${directory.path}/signatures` : undefined;
    relayers = [
      await relayerFor(pair, 0, directory.path, { signatureDir }),
      await relayerFor(pair, 1, directory.path, { signatureDir }),
      await relayerFor(pair, 2, directory.path, { signatureDir }),
    ];
    return relayers;
  }

  for (const childMintBurn of [true, false]) {
    for (const signed of [false, true]) {
      const mode = childMintBurn ? "parent lock / child mint-burn" : "lock on both sides";
      const path = signed ? "signed batches" : "per-operator votes";
      it(`relays KLAY, KIP7 and KIP17 both ways, 2 of 3 relayers, ${mode}, ${path}`, async function () {
        const pair = await deployPair(parent, child, { childMintBurn });
        const [first, second, third] = await three(pair, signed);
        await requestEachKind(pair, "parent", 1n);
        await requestEachKind(pair, "parent", 2n);
        await stepAll([first]);
        // one operator alone never executes anything
        expect(await pair.child.bridge.lowerHandleNonce()).to.equal(0n);
        await stepAll([second, third]);
        expect(await pair.child.bridge.lowerHandleNonce()).to.equal(6n);
        expect(await pair.child.kip17.ownerOf(2n)).to.equal(pair.user);
        expect(await pair.child.kip17.tokenURI(2n)).to.equal("ipfs://token/2");
        // votes: exactly two operators' votes per transfer; signed: no vote at all, one batch
        const votes = await pair.child.bridge.queryFilter(pair.child.bridge.filters.VoteCast(), pair.child.deployedBlock);
        expect(votes.length).to.equal(signed ? 0 : 12);

        await requestEachKind(pair, "child", 1n);
        await stepAll([third, first, second]);
        expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(3n);
        expect(await pair.parent.kip17.ownerOf(1n)).to.equal(pair.user);
        await stepAll([first, second, third]);
        for (const relayer of [first, second, third]) expect(relayer.pendingCount()).to.deep.equal({ parent: 0, child: 0 });
        await expectConservation(pair);
      });
    }
  }
});
