import { expect } from "chai";
import { Signature, Wallet } from "ethers";
import { network } from "hardhat";

import type { Bridge, SignatureBoard } from "../../types/ethers-contracts/index.js";
import { BoardKind, MAX_BOARD_POSTS, anchorName, batchName, parseBatchName } from "../../src/protocol/board.js";
import { deployBridge } from "../helpers/bridge.js";

const { ethers } = await network.create();
const key = Wallet.createRandom();

type Account = Awaited<ReturnType<typeof ethers.getSigners>>[number];

describe("SignatureBoard", function () {
  let bridge: Bridge;
  let board: SignatureBoard;
  let operator: Account;
  let stranger: Account;

  /** A post of a real signature over a digest made from `label` (the board checks no signature: readers do). */
  function signedPost(label: string, kind: number = BoardKind.Batch, name = batchName("parent", 0n, 199n)) {
    const digest = ethers.id(label);
    const signature = Signature.from(key.signingKey.sign(digest)).serialized;
    return { kind, name, digest, signature };
  }

  beforeEach(async function () {
    [, operator, stranger] = await ethers.getSigners();
    bridge = await deployBridge(ethers);
    await bridge.registerOperator(operator.address);
    board = await ethers.deployContract("SignatureBoard", [await bridge.getAddress()]);
  });

  it("refuses a bridge address that holds no contract", async function () {
    const factory = await ethers.getContractFactory("SignatureBoard");
    await expect(factory.deploy(stranger.address))
      .to.be.revertedWithCustomError(board, "BridgeNotContract")
      .withArgs(stranger.address);
  });

  it("emits one Posted event per post of a current operator, several per transaction", async function () {
    const posts = [signedPost("a"), signedPost("b", BoardKind.Anchor, anchorName(42n))];
    const tx = board.connect(operator).post(posts);
    await expect(tx)
      .to.emit(board, "Posted")
      .withArgs(operator.address, BoardKind.Batch, posts[0].name, posts[0].digest, posts[0].signature);
    await expect(tx)
      .to.emit(board, "Posted")
      .withArgs(operator.address, BoardKind.Anchor, posts[1].name, posts[1].digest, posts[1].signature);
  });

  it("refuses an account that is not an operator of the child bridge", async function () {
    await expect(board.connect(stranger).post([signedPost("a")]))
      .to.be.revertedWithCustomError(board, "NotBridgeOperator")
      .withArgs(stranger.address);
  });

  it("refuses an operator once it is removed from the bridge", async function () {
    await board.connect(operator).post([signedPost("a")]);
    await bridge.deregisterOperator(operator.address);
    await expect(board.connect(operator).post([signedPost("b")]))
      .to.be.revertedWithCustomError(board, "NotBridgeOperator")
      .withArgs(operator.address);
  });

  it("refuses an empty list, too many posts, a signature that is not 65 bytes and an unknown kind", async function () {
    await expect(board.connect(operator).post([])).to.be.revertedWithCustomError(board, "NoPosts");
    const one = signedPost("a");
    await expect(board.connect(operator).post(Array(MAX_BOARD_POSTS + 1).fill(one)))
      .to.be.revertedWithCustomError(board, "TooManyPosts")
      .withArgs(MAX_BOARD_POSTS + 1, MAX_BOARD_POSTS);
    await expect(board.connect(operator).post([one, { ...one, signature: one.signature.slice(0, -2) }]))
      .to.be.revertedWithCustomError(board, "InvalidSignatureLength")
      .withArgs(1, 64);
    await expect(board.connect(operator).post([{ ...one, kind: 4 }])).to.be.revert(ethers);
  });

  it("stores nothing: the same posts again cost the same gas", async function () {
    const post = signedPost("a");
    const first = await (await board.connect(operator).post([post])).wait();
    const second = await (await board.connect(operator).post([post])).wait();
    expect(second!.gasUsed).to.equal(first!.gasUsed);
  });

  it("costs at most 40,000 gas per operator for one batch, and less per post when several share a transaction", async function () {
    const one = await (await board.connect(operator).post([signedPost("a")])).wait();
    const posts = Array.from({ length: 8 }, (_, i) => signedPost(`p${i}`));
    const eight = await (await board.connect(operator).post(posts)).wait();
    expect(one!.gasUsed).to.be.at.most(40_000n);
    expect(eight!.gasUsed / 8n).to.be.below(one!.gasUsed / 2n);
  });

  it("names a batch by its source side and nonce run, and reads the name back", function () {
    expect(parseBatchName(batchName("child", 200n, 399n))).to.deep.equal({ source: "child", first: 200n, last: 399n });
    expect(parseBatchName(ethers.ZeroHash.slice(0, -2) + "01")).to.equal("bytes after the nonces are not zero");
    expect(parseBatchName("0x02" + "00".repeat(31))).to.match(/neither parent/);
    expect(() => batchName("parent", 5n, 4n)).to.throw(/not a batch run/);
  });
});
