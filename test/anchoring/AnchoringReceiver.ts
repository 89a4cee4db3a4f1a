import { expect } from "chai";
import type { Signer, TypedDataDomain } from "ethers";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import type { AnchoringReceiver } from "../../types/ethers-contracts/index.js";
import { ANCHOR_TYPES, anchoringDomain } from "../../src/signatures.js";
import type { Anchor } from "../../src/signatures.js";
import { submitAnchorArgs } from "../../src/protocol/anchor.js";

const { ethers, networkHelpers } = await network.create();

/** The secp256k1 group order: a signature with s above n/2 has a malleable twin (n - s, v flipped). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;



/** A made-up child block: every hash is derived from the block number and `fork`, so two forks differ everywhere. */
function makeAnchor(blockNumber: number, fork = "main"): Anchor {
  const field = (name: string) => ethers.id(`${fork}:${blockNumber}:${name}`);
  return {
    blockHash: field("blockHash"),
    parentHash: field("parentHash"),
    transactionsRoot: field("transactionsRoot"),
    receiptsRoot: field("receiptsRoot"),
    stateRoot: field("stateRoot"),
    blocksRoot: field("blocksRoot"),
    blockNumber: BigInt(blockNumber),
    blockCount: 10n,
    txCount: BigInt(blockNumber * 3 + 1),
  };
}

/**
 * The ABI types and values of `anchor`'s fields in the order of the protocol's `Anchor` type (src/protocol/eip712.ts),
 * which must be the order of the Solidity struct: the vote content hash encodes them so.
 */
function fieldsInStructOrder(anchor: Anchor): { types: string[]; values: unknown[] } {
  const fields = ANCHOR_TYPES.Anchor;
  return { types: fields.map((field) => field.type), values: fields.map((field) => anchor[field.name as keyof Anchor]) };
}

/** One operator's vote, through the Klaytn-style entry point. */
function vote(receiver: AnchoringReceiver, operator: Signer, anchor: Anchor) {
  return receiver
    .connect(operator)
    .submitAnchor(...submitAnchorArgs(anchor));
}

async function domainOf(receiver: AnchoringReceiver): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return anchoringDomain(chainId, await receiver.getAddress());
}

/** 65-byte r ‖ s ‖ v signatures of `anchor` by `signers`, in the order given (sort first where the test wants). */
async function signEach(signers: Signer[], domain: TypedDataDomain, anchor: Anchor): Promise<string[]> {
  return Promise.all(signers.map((signer) => signer.signTypedData(domain, ANCHOR_TYPES, anchor)));
}

async function sortedByAddress(signers: Signer[]): Promise<Signer[]> {
  const withAddress = await Promise.all(
    signers.map(async (signer) => ({ signer, address: await signer.getAddress() }))
  );
  withAddress.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  return withAddress.map(({ signer }) => signer);
}

/** The signatures of `signers` (sorted by address) over `anchor` in `receiver`'s domain, concatenated. */
async function signAnchor(receiver: AnchoringReceiver, signers: Signer[], anchor: Anchor): Promise<string> {
  return ethers.concat(await signEach(await sortedByAddress(signers), await domainOf(receiver), anchor));
}

async function deployOneOfOne() {
  const [owner, op2, op3, stranger] = await ethers.getSigners();
  const receiver = await ethers.deployContract("AnchoringReceiver", owner);
  return { receiver, owner, op2, op3, stranger };
}

/** Three operators (the deployer and two more), anchoring threshold 2. */
async function deployTwoOfThree() {
  const fixture = await deployOneOfOne();
  const { receiver, op2, op3 } = fixture;
  await receiver.registerOperator(op2.address);
  await receiver.registerOperator(op3.address);
  await receiver.setOperatorThreshold(0, 2);
  return fixture;
}

function anchorStructHash(anchor: Anchor): string {
  return ethers.TypedDataEncoder.hashStruct("Anchor", ANCHOR_TYPES, anchor);
}

async function expectStored(receiver: AnchoringReceiver, anchor: Anchor) {
  expect(await receiver.anchorHash(anchor.blockNumber)).to.equal(anchorStructHash(anchor));
  expect(await receiver.verifyAnchor(anchor)).to.equal(true);
  expect(await receiver.isAnchored(anchor.blockNumber)).to.equal(true);
}

describe("AnchoringReceiver", function () {
  describe("deployment and operators", function () {
    it("starts with the deployer as owner and sole operator, threshold 1, one vote type, no anchor", async function () {
      const { receiver, owner } = await networkHelpers.loadFixture(deployOneOfOne);
      expect(await receiver.owner()).to.equal(owner.address);
      expect(await receiver.getOperatorList()).to.deep.equal([owner.address]);
      expect(await receiver.operators(owner.address)).to.equal(true);
      expect(await receiver.operatorThresholds(0)).to.equal(1n);
      expect(await receiver.operatorThresholds(1)).to.equal(0n);
      expect(await receiver.hasAnyAnchor()).to.equal(false);
      expect(await receiver.latestAnchoredBlock()).to.equal(0n);
      expect(await receiver.anchoredBlockCount()).to.equal(0n);
      expect(await receiver.isAnchored(0)).to.equal(false);
      expect(await receiver.anchorHash(0)).to.equal(ethers.ZeroHash);
      expect(await receiver.verifyAnchor(makeAnchor(0))).to.equal(false);
    });

    it("registers operators (owner only, no zero address, no duplicate, at most 12)", async function () {
      const { receiver, op2, stranger } = await networkHelpers.loadFixture(deployOneOfOne);
      await expect(receiver.registerOperator(op2.address))
        .to.emit(receiver, "OperatorRegistered")
        .withArgs(op2.address);
      expect(await receiver.operators(op2.address)).to.equal(true);
      await expect(receiver.connect(stranger).registerOperator(stranger.address))
        .to.be.revertedWithCustomError(receiver, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(receiver.registerOperator(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        receiver,
        "ZeroAddress"
      );
      await expect(receiver.registerOperator(op2.address))
        .to.be.revertedWithCustomError(receiver, "OperatorAlreadyRegistered")
        .withArgs(op2.address);
      for (let i = 1; i <= 10; ++i) await receiver.registerOperator(ethers.zeroPadValue(ethers.toBeHex(i), 20));
      expect((await receiver.getOperatorList()).length).to.equal(12);
      await expect(receiver.registerOperator(stranger.address))
        .to.be.revertedWithCustomError(receiver, "TooManyOperators")
        .withArgs(12);
    });

    it("deregisters operators (owner only, known operators, never below the threshold)", async function () {
      const { receiver, op2, op3, stranger } = await networkHelpers.loadFixture(deployTwoOfThree);
      await expect(receiver.connect(op2).deregisterOperator(op3.address))
        .to.be.revertedWithCustomError(receiver, "OwnableUnauthorizedAccount")
        .withArgs(op2.address);
      await expect(receiver.deregisterOperator(stranger.address))
        .to.be.revertedWithCustomError(receiver, "OperatorNotRegistered")
        .withArgs(stranger.address);
      await expect(receiver.deregisterOperator(op3.address))
        .to.emit(receiver, "OperatorDeregistered")
        .withArgs(op3.address);
      expect(await receiver.operators(op3.address)).to.equal(false);
      await expect(receiver.deregisterOperator(op2.address))
        .to.be.revertedWithCustomError(receiver, "ThresholdAboveOperatorCount")
        .withArgs(0, 2, 1);
    });

    it("sets the anchoring threshold between 1 and the operator count; there is no vote type 1", async function () {
      const { receiver, op2 } = await networkHelpers.loadFixture(deployTwoOfThree);
      await expect(receiver.setOperatorThreshold(0, 0))
        .to.be.revertedWithCustomError(receiver, "InvalidThreshold")
        .withArgs(0, 3);
      await expect(receiver.setOperatorThreshold(0, 4))
        .to.be.revertedWithCustomError(receiver, "InvalidThreshold")
        .withArgs(4, 3);
      await expect(receiver.setOperatorThreshold(1, 1))
        .to.be.revertedWithCustomError(receiver, "InvalidVoteType")
        .withArgs(1);
      await expect(receiver.connect(op2).setOperatorThreshold(0, 1))
        .to.be.revertedWithCustomError(receiver, "OwnableUnauthorizedAccount")
        .withArgs(op2.address);
      await expect(receiver.setOperatorThreshold(0, 3)).to.emit(receiver, "OperatorThresholdChanged").withArgs(0, 3);
      expect(await receiver.operatorThresholds(0)).to.equal(3n);
    });

    it("stops counting a removed operator's pending vote, also after it is registered again", async function () {
      const { receiver, owner, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(7);
      await vote(receiver, op2, anchor);
      await receiver.deregisterOperator(op2.address);
      await expect(vote(receiver, op2, anchor))
        .to.be.revertedWithCustomError(receiver, "NotOperator")
        .withArgs(op2.address);
      await expect(vote(receiver, op3, anchor)).not.to.emit(receiver, "AnchorAccepted");
      expect(await receiver.isAnchored(7)).to.equal(false);

      // Registered again, op2 holds a fresh bit; a vote it cast before leaving is not revived when it comes back.
      await receiver.registerOperator(op2.address);
      const next = makeAnchor(8);
      await vote(receiver, op2, next);
      await receiver.deregisterOperator(op2.address);
      await receiver.registerOperator(op2.address);
      await expect(vote(receiver, op3, next)).not.to.emit(receiver, "AnchorAccepted");
      await expect(vote(receiver, owner, anchor)).to.emit(receiver, "AnchorAccepted");
    });
  });

  describe("votes", function () {
    it("accepts the sole operator's anchor at once and records it", async function () {
      const { receiver, owner } = await networkHelpers.loadFixture(deployOneOfOne);
      const anchor = makeAnchor(1000);
      // The vote's content hash is the anchor's EIP-712 struct hash: the type hash, then every field in order.
      const { types, values } = fieldsInStructOrder(anchor);
      const contentHash = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", ...types], [await receiver.ANCHOR_TYPEHASH(), ...values])
      );
      expect(contentHash).to.equal(anchorStructHash(anchor));
      await expect(vote(receiver, owner, anchor))
        .to.emit(receiver, "VoteCast")
        .withArgs(0, anchor.blockNumber, owner.address, contentHash)
        .and.to.emit(receiver, "AnchorAccepted")
        .withArgs(...submitAnchorArgs(anchor));
      await expectStored(receiver, anchor);
      expect(await receiver.isAnchored(1000)).to.equal(true);
      expect(await receiver.latestAnchoredBlock()).to.equal(1000n);
      expect(await receiver.anchoredBlockCount()).to.equal(1n);
      expect(await receiver.hasAnyAnchor()).to.equal(true);
    });

    it("2-of-3: one vote does not accept, a different second does not, an identical second does", async function () {
      const { receiver, owner, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(5);
      const other = { ...anchor, stateRoot: ethers.id("another state root") };
      await expect(vote(receiver, op2, anchor))
        .to.emit(receiver, "VoteCast")
        .and.not.to.emit(receiver, "AnchorAccepted");
      await expect(vote(receiver, op2, anchor)).not.to.emit(receiver, "AnchorAccepted"); // a repeat is one voter
      await expect(vote(receiver, op3, other)).not.to.emit(receiver, "AnchorAccepted");
      expect(await receiver.isAnchored(5)).to.equal(false);
      await expect(vote(receiver, owner, anchor)).to.emit(receiver, "AnchorAccepted");
      await expectStored(receiver, anchor);
      expect(await receiver.anchoredBlockCount()).to.equal(1n);
    });

    it("refuses a non-operator, a zero block hash, and the same anchor twice", async function () {
      const { receiver, owner, op2, op3, stranger } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(3);
      await expect(vote(receiver, stranger, anchor))
        .to.be.revertedWithCustomError(receiver, "NotOperator")
        .withArgs(stranger.address);
      await expect(vote(receiver, op2, { ...anchor, blockHash: ethers.ZeroHash }))
        .to.be.revertedWithCustomError(receiver, "ZeroBlockHash")
        .withArgs(3);
      await vote(receiver, op2, anchor);
      await vote(receiver, op3, anchor);
      await expect(vote(receiver, owner, anchor))
        .to.be.revertedWithCustomError(receiver, "AlreadyAnchored")
        .withArgs(3);
    });

    it("moves forward only: the first anchor may be block 0, later ones must be above the latest", async function () {
      const { receiver, owner } = await networkHelpers.loadFixture(deployOneOfOne);
      await expect(vote(receiver, owner, makeAnchor(0))).to.emit(receiver, "AnchorAccepted");
      expect(await receiver.hasAnyAnchor()).to.equal(true);
      await expect(vote(receiver, owner, makeAnchor(0)))
        .to.be.revertedWithCustomError(receiver, "AlreadyAnchored")
        .withArgs(0);
      await vote(receiver, owner, makeAnchor(10));
      await expect(vote(receiver, owner, makeAnchor(5)))
        .to.be.revertedWithCustomError(receiver, "AnchorNotAfterLatest")
        .withArgs(5, 10);
      await expect(vote(receiver, owner, makeAnchor(11))).to.emit(receiver, "AnchorAccepted");
      expect(await receiver.latestAnchoredBlock()).to.equal(11n);
      expect(await receiver.anchoredBlockCount()).to.equal(3n);
    });

    it("reports a conflicting anchor without reverting and keeps the anchored one", async function () {
      const { receiver, owner, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(20);
      await vote(receiver, op2, anchor);
      await vote(receiver, op3, anchor);
      const fork = makeAnchor(20, "fork");
      await expect(vote(receiver, owner, fork))
        .to.emit(receiver, "ConflictingAnchor")
        .withArgs(20, anchorStructHash(anchor), anchorStructHash(fork), owner.address)
        .and.not.to.emit(receiver, "VoteCast");
      // Same block hash, any other field different: still a different anchor.
      for (const sameHashOtherField of [
        { ...anchor, parentHash: ethers.id("forged parent") },
        { ...anchor, transactionsRoot: ethers.id("forged transactions") },
        { ...anchor, receiptsRoot: ethers.id("forged receipts") },
        { ...anchor, stateRoot: ethers.id("forged state") },
        { ...anchor, blockCount: anchor.blockCount + 1n },
        { ...anchor, txCount: anchor.txCount + 1n },
      ]) {
        await expect(vote(receiver, owner, sameHashOtherField))
          .to.emit(receiver, "ConflictingAnchor")
          .withArgs(20, anchorStructHash(anchor), anchorStructHash(sameHashOtherField), owner.address);
      }
      // No vote was counted for the conflicting content: a second operator's copy is reported again.
      await expect(vote(receiver, op2, fork)).to.emit(receiver, "ConflictingAnchor");
      await expectStored(receiver, anchor);
      expect(await receiver.anchoredBlockCount()).to.equal(1n);
      expect(await receiver.latestAnchoredBlock()).to.equal(20n);
    });

  });

  describe("signatures", function () {
    it("exposes the EIP-712 type hash and digest the relayer signs", async function () {
      const { receiver } = await networkHelpers.loadFixture(deployOneOfOne);
      const anchor = makeAnchor(1);
      expect(await receiver.ANCHOR_TYPEHASH()).to.equal(
        ethers.id(
          "Anchor(bytes32 blockHash,bytes32 parentHash,bytes32 transactionsRoot,bytes32 receiptsRoot," +
            "bytes32 stateRoot,bytes32 blocksRoot,uint64 blockNumber,uint64 blockCount,uint64 txCount)"
        )
      );
      expect(await receiver.anchorDigest(anchor)).to.equal(
        ethers.TypedDataEncoder.hash(await domainOf(receiver), ANCHOR_TYPES, anchor)
      );
      const domain = await receiver.eip712Domain();
      expect(domain.name).to.equal("AnchoringReceiver");
      expect(domain.version).to.equal("1");
    });

    it("accepts a 2-of-3 signed anchor from a non-operator submitter", async function () {
      const { receiver, op2, op3, stranger } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(42);
      const signatures = await signAnchor(receiver, [op2, op3], anchor);
      await expect(receiver.connect(stranger).submitSignedAnchors([anchor], [signatures]))
        .to.emit(receiver, "AnchorAccepted")
        .withArgs(...submitAnchorArgs(anchor));
      await expectStored(receiver, anchor);
      expect(await receiver.latestAnchoredBlock()).to.equal(42n);
      expect(await receiver.anchoredBlockCount()).to.equal(1n);
    });


    it("accepts several anchors in one transaction", async function () {
      const { receiver, op2, op3, stranger } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchors = [makeAnchor(100), makeAnchor(200), makeAnchor(300)];
      const signatures = await Promise.all(anchors.map((anchor) => signAnchor(receiver, [op2, op3], anchor)));
      const tx = receiver.connect(stranger).submitSignedAnchors(anchors, signatures);
      await expect(tx)
        .to.emit(receiver, "AnchorAccepted")
        .withArgs(...submitAnchorArgs(anchors[0]));
      await expect(tx)
        .to.emit(receiver, "AnchorAccepted")
        .withArgs(...submitAnchorArgs(anchors[2]));
      for (const anchor of anchors) await expectStored(receiver, anchor);
      expect(await receiver.latestAnchoredBlock()).to.equal(300n);
      expect(await receiver.anchoredBlockCount()).to.equal(3n);
    });

    it("refuses an empty batch, mismatched signature sets and anchors out of order", async function () {
      const { receiver, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const a = makeAnchor(10);
      const b = makeAnchor(11);
      const sigA = await signAnchor(receiver, [op2, op3], a);
      const sigB = await signAnchor(receiver, [op2, op3], b);
      await expect(receiver.submitSignedAnchors([], [])).to.be.revertedWithCustomError(receiver, "NoAnchors");
      await expect(receiver.submitSignedAnchors([a, b], [sigA]))
        .to.be.revertedWithCustomError(receiver, "SignatureSetCountMismatch")
        .withArgs(2, 1);
      await expect(receiver.submitSignedAnchors([b, a], [sigB, sigA]))
        .to.be.revertedWithCustomError(receiver, "AnchorsNotAscending")
        .withArgs(11, 10);
      await expect(receiver.submitSignedAnchors([a, a], [sigA, sigA]))
        .to.be.revertedWithCustomError(receiver, "AnchorsNotAscending")
        .withArgs(10, 10);
    });

    it("refuses one signature short, a repeated signer, unsorted signers and a non-operator signer", async function () {
      const { receiver, owner, op2, op3, stranger } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(9);
      const domain = await domainOf(receiver);
      const [low, high] = await sortedByAddress([op2, op3]);
      const [sigLow, sigHigh] = await signEach([low, high], domain, anchor);
      const lowAddress = await low.getAddress();
      const highAddress = await high.getAddress();

      await expect(receiver.submitSignedAnchors([anchor], [sigLow]))
        .to.be.revertedWithCustomError(receiver, "NotEnoughSignatures")
        .withArgs(1, 2);
      await expect(receiver.submitSignedAnchors([anchor], [ethers.concat([sigLow, sigLow])]))
        .to.be.revertedWithCustomError(receiver, "SignersNotSorted")
        .withArgs(lowAddress, lowAddress);
      await expect(receiver.submitSignedAnchors([anchor], [ethers.concat([sigHigh, sigLow])]))
        .to.be.revertedWithCustomError(receiver, "SignersNotSorted")
        .withArgs(highAddress, lowAddress);
      await expect(receiver.submitSignedAnchors([anchor], [await signAnchor(receiver, [owner, stranger], anchor)]))
        .to.be.revertedWithCustomError(receiver, "SignerNotOperator")
        .withArgs(stranger.address);
      // Three operators' signatures when two are needed are fine.
      await expect(
        receiver.submitSignedAnchors([anchor], [await signAnchor(receiver, [owner, op2, op3], anchor)])
      ).to.emit(receiver, "AnchorAccepted");
    });

    it("refuses the signature of a removed operator", async function () {
      const { receiver, owner, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(9);
      const signatures = await signAnchor(receiver, [op2, op3], anchor);
      await receiver.deregisterOperator(op3.address);
      await expect(receiver.submitSignedAnchors([anchor], [signatures]))
        .to.be.revertedWithCustomError(receiver, "SignerNotOperator")
        .withArgs(op3.address);
      await expect(receiver.submitSignedAnchors([anchor], [await signAnchor(receiver, [owner, op2], anchor)])).to.emit(
        receiver,
        "AnchorAccepted"
      );
    });

    it("refuses signatures for another chain id, another contract, or a tampered field", async function () {
      const { receiver, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(9);
      const domain = await domainOf(receiver);
      const signers = await sortedByAddress([op2, op3]);
      const otherChain = ethers.concat(await signEach(signers, { ...domain, chainId: 31338n }, anchor));
      const otherContract = ethers.concat(
        await signEach(signers, { ...domain, verifyingContract: ethers.Wallet.createRandom().address }, anchor)
      );
      const valid = ethers.concat(await signEach(signers, domain, anchor));
      // Each recovers to some unrelated address: the first signature is already refused.
      for (const signatures of [otherChain, otherContract]) {
        await expect(receiver.submitSignedAnchors([anchor], [signatures]))
          .to.be.revertedWithCustomError(receiver, "SignerNotOperator")
          .withArgs(anyValue);
      }
      for (const tampered of [
        { ...anchor, txCount: anchor.txCount + 1n },
        { ...anchor, blockNumber: anchor.blockNumber + 1n },
        { ...anchor, parentHash: ethers.id("other parent") },
      ]) {
        await expect(receiver.submitSignedAnchors([tampered], [valid]))
          .to.be.revertedWithCustomError(receiver, "SignerNotOperator")
          .withArgs(anyValue);
      }
      await expect(receiver.submitSignedAnchors([anchor], [valid])).to.emit(receiver, "AnchorAccepted");
    });

    it("refuses a high-s (malleable) signature, a bad v and a signature of 64 bytes", async function () {
      const { receiver, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(9);
      const [sigLow, sigHigh] = await signEach(await sortedByAddress([op2, op3]), await domainOf(receiver), anchor);

      // The twin (r, n - s, v flipped) recovers to the same signer; only the low-s form is accepted.
      const r = ethers.dataSlice(sigLow, 0, 32);
      const highS = SECP256K1_N - BigInt(ethers.dataSlice(sigLow, 32, 64));
      const flippedV = Number(ethers.dataSlice(sigLow, 64, 65)) === 27 ? 28 : 27;
      const malleable = ethers.concat([r, ethers.toBeHex(highS, 32), ethers.toBeHex(flippedV, 1)]);
      await expect(receiver.submitSignedAnchors([anchor], [ethers.concat([malleable, sigHigh])]))
        .to.be.revertedWithCustomError(receiver, "ECDSAInvalidSignatureS")
        .withArgs(ethers.toBeHex(highS, 32));

      const badV = ethers.concat([ethers.dataSlice(sigLow, 0, 64), "0x1d"]);
      await expect(
        receiver.submitSignedAnchors([anchor], [ethers.concat([badV, sigHigh])])
      ).to.be.revertedWithCustomError(receiver, "ECDSAInvalidSignature");

      const short = ethers.dataSlice(sigLow, 0, 64);
      await expect(receiver.submitSignedAnchors([anchor], [short]))
        .to.be.revertedWithCustomError(receiver, "InvalidSignaturesLength")
        .withArgs(64);
      await expect(receiver.submitSignedAnchors([anchor], [ethers.concat([sigLow, sigHigh, "0x00"])]))
        .to.be.revertedWithCustomError(receiver, "InvalidSignaturesLength")
        .withArgs(131);
    });

    it("applies the vote path's rules: zero hash, forward only, duplicates refused", async function () {
      const { receiver, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const sign = (anchor: Anchor) => signAnchor(receiver, [op2, op3], anchor);
      const zero = { ...makeAnchor(1), blockHash: ethers.ZeroHash };
      await expect(receiver.submitSignedAnchors([zero], [await sign(zero)]))
        .to.be.revertedWithCustomError(receiver, "ZeroBlockHash")
        .withArgs(1);
      const first = makeAnchor(0);
      await receiver.submitSignedAnchors([first], [await sign(first)]);
      expect(await receiver.hasAnyAnchor()).to.equal(true);
      await expect(receiver.submitSignedAnchors([first], [await sign(first)]))
        .to.be.revertedWithCustomError(receiver, "AlreadyAnchored")
        .withArgs(0);
      const ten = makeAnchor(10);
      const five = makeAnchor(5);
      await receiver.submitSignedAnchors([ten], [await sign(ten)]);
      await expect(receiver.submitSignedAnchors([five], [await sign(five)]))
        .to.be.revertedWithCustomError(receiver, "AnchorNotAfterLatest")
        .withArgs(5, 10);
      // One bad anchor reverts the whole batch.
      const eleven = makeAnchor(11);
      await expect(receiver.submitSignedAnchors([ten, eleven], [await sign(ten), await sign(eleven)]))
        .to.be.revertedWithCustomError(receiver, "AlreadyAnchored")
        .withArgs(10);
      expect(await receiver.isAnchored(11)).to.equal(false);
    });

    it("reports a signed conflicting anchor, skips it, and goes on with the batch", async function () {
      const { receiver, op2, op3, stranger } = await networkHelpers.loadFixture(deployTwoOfThree);
      const sign = (anchor: Anchor) => signAnchor(receiver, [op2, op3], anchor);
      const anchor = makeAnchor(30);
      await receiver.submitSignedAnchors([anchor], [await sign(anchor)]);
      const fork = makeAnchor(30, "fork");
      const next = makeAnchor(31);

      // Without the operators' signatures a conflict is not even reported.
      await expect(
        receiver.connect(stranger).submitSignedAnchors([fork], [await signAnchor(receiver, [stranger, op2], fork)])
      ).to.be.revertedWithCustomError(receiver, "SignerNotOperator");

      const tx = receiver.connect(stranger).submitSignedAnchors([fork, next], [await sign(fork), await sign(next)]);
      await expect(tx)
        .to.emit(receiver, "ConflictingAnchor")
        .withArgs(30, anchorStructHash(anchor), anchorStructHash(fork), stranger.address);
      await expect(tx)
        .to.emit(receiver, "AnchorAccepted")
        .withArgs(...submitAnchorArgs(next));
      await expectStored(receiver, anchor);
      expect(await receiver.anchoredBlockCount()).to.equal(2n);
      expect(await receiver.latestAnchoredBlock()).to.equal(31n);

      // A conflict alone changes nothing.
      const forkOfNext = makeAnchor(31, "fork");
      await expect(receiver.submitSignedAnchors([forkOfNext], [await sign(forkOfNext)]))
        .to.emit(receiver, "ConflictingAnchor")
        .and.not.to.emit(receiver, "AnchorAccepted");
      expect(await receiver.anchoredBlockCount()).to.equal(2n);
      await expectStored(receiver, next);
    });
  });

  describe("both paths", function () {
    it("accepts a block reached by votes and then by signatures once", async function () {
      const { receiver, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(50);
      await vote(receiver, op2, anchor);
      await expect(vote(receiver, op3, anchor)).to.emit(receiver, "AnchorAccepted");
      await expect(receiver.submitSignedAnchors([anchor], [await signAnchor(receiver, [op2, op3], anchor)]))
        .to.be.revertedWithCustomError(receiver, "AlreadyAnchored")
        .withArgs(50);
      expect(await receiver.anchoredBlockCount()).to.equal(1n);
    });

    it("accepts a block reached by signatures while votes are pending once", async function () {
      const { receiver, owner, op2, op3 } = await networkHelpers.loadFixture(deployTwoOfThree);
      const anchor = makeAnchor(60);
      await vote(receiver, op2, anchor); // pending
      await expect(receiver.submitSignedAnchors([anchor], [await signAnchor(receiver, [owner, op3], anchor)])).to.emit(
        receiver,
        "AnchorAccepted"
      );
      await expect(vote(receiver, op3, anchor)).to.be.revertedWithCustomError(receiver, "AlreadyAnchored").withArgs(60);
      expect(await receiver.anchoredBlockCount()).to.equal(1n);
      await expectStored(receiver, anchor);
    });
  });
});
