// Attacks that drained real bridges, refused by ours (issue 6, classes 1 to 6; class 7, invariants, is in
// test/invariants/). Every test here would fail on the vulnerable variant named in its comment. Existing tests that
// already cover a class are not repeated; they are listed here with their file and title.
//
// 1. Too few or forged approvals (Ronin, Harmony)
//    existing: test/bridge/operators.ts "refuses 0, a threshold above the operator count, and a vote type other than 0
//      and 1"; "refuses to leave a threshold above the operators that remain (ThresholdAboveOperatorCount)";
//      "a removed operator's pending vote stops counting"; "a removed operator's vote does not count once the
//      threshold is lowered either"; "an operator registered again does not revive its old votes"; "a newcomer
//      given a departed operator's bit (after every bit was used) does not inherit its votes".
//      test/bridge/handle.ts "the same operator voting twice is still one vote"; "votes count only for identical call
//      data ..."; test/bridge/signed-handles.ts "refuses one signature short of the threshold"; "refuses a signature
//      of a removed operator, and accepts a newly added one"; test/anchoring/AnchoringReceiver.ts "stops counting a
//      removed operator's pending vote, also after it is registered again"; "refuses the signature of a removed
//      operator".
//    here (attacks.ts): "1. too few approvals" — balances unchanged one vote / one signature short, for KLAY, KIP7
//      and KIP17; threshold - 1 operators re-voting, switching content, mixing votes and signatures.
// 2. Signature verification bypass (Wormhole)
//    existing: test/bridge/signed-handles.ts "refuses a signature of an account that is not an operator"; "refuses
//      signatures made for another chain id or another bridge"; "refuses a batch whose content differs from what was
//      signed" (to, value, nonce, block number, extraData, request tx hash, an added transfer); "refuses a malleable
//      (high-s) signature and signatures of the wrong length" (129 bytes, r = 0); "refuses the same signer twice and
//      signers out of order"; test/anchoring/AnchoringReceiver.ts "refuses signatures for another chain id, another
//      contract, or a tampered field"; "refuses a high-s (malleable) signature, a bad v and a signature of 64 bytes".
//    here (attacks.ts): "2. signature verification bypass" — another domain name / version, the remaining fields
//      of Transfer (tokenType, from, tokenAddress, tokenURI) and the order of a batch, zero-recovering v / s,
//      lengths 0, 64, 66, 131, a valid signature repeated to fill the threshold, an empty blob at threshold 1.
// 3. Replay
//    existing: test/bridge/signed-handles.ts "executes a nonce once whichever path reaches it first" (both orders);
//      "replays of a whole signed batch execute nothing"; test/bridge/handle.ts "a vote after execution is refused:
//      NonceAlreadyPassed ..."; "a vote on a nonce executed ahead of lowerHandleNonce is refused with VoteClosed";
//      test/relayer/* (restart of the relayer).
//    here (attacks-replay.ts): a batch with a handled nonce slipped in beside a new one; a batch signed for the
//      parent bridge replayed on the child bridge at the same address; a vote for bridge A sent to bridge B.
// 4. Zero and uninitialised values (Nomad, Qubit)
//    existing: test/bridge/tokens.ts "refuses the zero token and the zero counterpart (ZeroAddress)"; "refuses the
//      zero address" (setCounterPartBridge); test/bridge/klay.ts "refuses the zero recipient (ZeroRecipient)",
//      "refuses a zero value (ZeroAmount) ..."; test/bridge/kip7.ts "refuses a zero value, a zero recipient, an
//      unregistered or locked token and a stopped bridge", "refuses the zero recipient (ZeroRecipient)" (handle),
//      "refuses an unregistered token (TokenNotRegistered), changing nothing"; test/bridge/kip17.ts "refuses without
//      approval, a zero recipient, ..."; test/bridge/handle.ts "a zero recipient is refused when the handle executes";
//      test/bridge/signed-handles.ts "refuses a signed transfer of a token not registered on this bridge";
//      test/anchoring/AnchoringReceiver.ts "refuses a non-operator, a zero block hash, and the same anchor twice",
//      "applies the vote path's rules: zero hash, forward only, duplicates refused".
//    here (attacks-data.ts): "4. zero and uninitialised values" — the zero token on every path, a token known only
//      as a counterpart, the zero recipient on the signed path and the KIP17 vote, a fresh bridge's views and a
//      handle with request tx hash 0.
// 5. Privileged calls through the bridge (Poly Network)
//    existing: test/bridge/handle.ts "a KLAY handle whose recipient is the bridge never turns into a new request".
//    here (attacks-data.ts): "5. privileged calls through the bridge" — extraData and token URIs carrying calldata
//      of registerOperator, setCounterPartBridge, transferOwnership, setOperatorThreshold on both paths; the bridge
//      and the token contract as recipients.
// 6. Reentrancy and hostile tokens
//    existing: test/bridge/handle.ts "reentrancy" (re-entering handleKLAYTransfer / requestKLAYTransfer from a
//      payout, a request from a change refund); test/bridge/kip7.ts "hostile tokens" (hook re-entering
//      requestERC20Transfer, no-return, false-return, fee-on-transfer, reverting token), "a KLAY request made from a
//      token hook ..."; test/bridge/kip17.ts "a KLAY request made from an NFT hook ..."; test/tokens/hostile-tokens.ts.
//    here (attacks-data.ts): "6. reentrancy" — a KLAY recipient re-entering handleSignedTransfers; NFT and KIP7
//      recipients whose receiver hooks re-enter handleSignedTransfers: never called in mint/burn mode; in lock mode
//      the NFT hook (safeTransferFrom) is refused re-entry and its payout parked as failed.
//    test/bridge/recovery.ts: every kind of failed payout parked, never stuck, on both handle paths.
import { expect } from "chai";
import { network } from "hardhat";

import { ONE, destination, signedBy, signedKlay, sortedByAddress } from "./helpers.js";
import { signBatch, type SignedTransfer } from "../../src/signatures.js";
import { VoteType } from "../../src/protocol/constants.js";

const { ethers, networkHelpers } = await network.create();

const fixture = () => destination(ethers);

describe("Security: attacks that drained bridges", function () {
  describe("1. too few approvals (Ronin, Harmony)", function () {
    it("threshold - 1 votes move no value of any kind (KLAY, KIP7, KIP17)", async function () {
      // Vulnerable variant: a bridge that executes at `votes >= threshold - 1` or counts the proposer twice.
      const f = await networkHelpers.loadFixture(fixture);
      const bridgeKlay = await ethers.provider.getBalance(f.bridge);
      const bridgeKip7 = await f.kip7.balanceOf(f.bridge);
      for (const op of [f.owner, f.op2]) {
        await f.bridge.connect(op).handleKLAYTransfer(ethers.ZeroHash, f.owner, f.user, ONE, 0n, 1n, "0x");
        await f.bridge.connect(op).handleERC20Transfer(ethers.ZeroHash, f.owner, f.user, f.kip7, ONE, 1n, 1n, "0x");
        await f.bridge.connect(op).handleERC721Transfer(ethers.ZeroHash, f.owner, f.user, f.kip17, 1n, 2n, 1n, "", "0x");
      }
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(bridgeKlay);
      expect(await f.kip7.balanceOf(f.bridge)).to.equal(bridgeKip7);
      expect(await f.kip7.balanceOf(f.user)).to.equal(0n);
      expect(await f.kip17.ownerOf(1n)).to.equal(await f.bridge.getAddress());
      for (const n of [0n, 1n, 2n]) expect(await f.bridge.isHandled(n)).to.equal(false);
    });

    it("threshold - 1 signatures move no value, whoever submits and however often", async function () {
      // Vulnerable variant: a bridge that compares the signature count with `>` threshold - 1, or accepts a batch
      // when the submitter is itself an operator (counting the sender as an extra approval).
      const f = await networkHelpers.loadFixture(fixture);
      const transfers = [
        signedKlay(f.user.address, 0n),
        { ...signedKlay(f.user.address, 1n), tokenType: 1, tokenAddress: await f.kip7.getAddress() },
        { ...signedKlay(f.user.address, 2n, 1n), tokenType: 2, tokenAddress: await f.kip17.getAddress() },
      ];
      const two = await signedBy(f.domain, transfers, [f.op2, f.op3]);
      const before = await ethers.provider.getBalance(f.user);
      for (const sender of [f.outsider, f.op4]) {
        await expect(f.bridge.connect(sender).handleSignedTransfers(transfers, two))
          .to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures")
          .withArgs(2n, 3n);
      }
      expect(await ethers.provider.getBalance(f.user)).to.equal(before);
      expect(await f.kip7.balanceOf(f.user)).to.equal(0n);
      expect(await f.kip17.ownerOf(1n)).to.equal(await f.bridge.getAddress());
    });

    it("an attacker with threshold - 1 operators cannot execute by re-voting or switching content", async function () {
      // Vulnerable variants: a bridge that counts votes per (nonce) rather than per (nonce, content), so votes for
      // different recipients add up; or one that counts an operator's repeated vote again.
      const f = await networkHelpers.loadFixture(fixture);
      const [a1, a2] = [f.op2, f.op3];
      const to = [f.outsider.address, f.submitter.address, f.user.address];
      for (let round = 0; round < 3; round++) {
        for (const a of [a1, a2]) {
          for (const recipient of to) {
            await expect(
              f.bridge.connect(a).handleKLAYTransfer(ethers.ZeroHash, f.owner, recipient, ONE, 0n, 1n, "0x"),
            ).not.to.emit(f.bridge, "HandleValueTransfer");
            // switching the amount or the extra data is another content too
            await expect(
              f.bridge.connect(a).handleKLAYTransfer(ethers.ZeroHash, f.owner, recipient, 2n * ONE, 0n, 1n, "0x01"),
            ).not.to.emit(f.bridge, "HandleValueTransfer");
          }
        }
      }
      expect(await f.bridge.isHandled(0n)).to.equal(false);
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(100n * ONE);
      // the third, honest operator's vote completes only the content three operators agree on
      await expect(
        f.bridge.connect(f.op4).handleKLAYTransfer(ethers.ZeroHash, f.owner, f.user.address, ONE, 0n, 1n, "0x"),
      ).to.changeEtherBalance(ethers, f.user, ONE);
    });

    it("an attacker with threshold - 1 operators cannot mix its votes with its signatures", async function () {
      // Vulnerable variant: a bridge whose two paths share one approval tally, so a pending vote counts toward a
      // signed batch (or a signature toward a vote): two attackers would reach 3 with a vote plus two signatures.
      const f = await networkHelpers.loadFixture(fixture);
      const [a1, a2] = [f.op2, f.op3];
      const t = signedKlay(f.outsider.address, 0n);
      const voteArgs = [t.requestTxHash, t.from, t.to, t.valueOrTokenId, t.requestNonce, t.requestBlockNumber, "0x"] as const;
      await f.bridge.connect(a1).handleKLAYTransfer(...voteArgs);
      await f.bridge.connect(a2).handleKLAYTransfer(...voteArgs);
      // both signatures, submitted by an attacker whose vote is pending
      await expect(f.bridge.connect(a1).handleSignedTransfers([t], await signedBy(f.domain, [t], [a1, a2])))
        .to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures")
        .withArgs(2n, 3n);
      // the same signature twice, in place of a missing third
      const [low] = sortedByAddress([a1, a2]);
      const once = await signBatch(low, f.domain, [t]);
      await expect(
        f.bridge.handleSignedTransfers([t], ethers.concat([once, once, await signBatch(a1 === low ? a2 : a1, f.domain, [t])])),
      ).to.be.revertedWithCustomError(f.bridge, "SignersNotSorted");
      // a signed batch landing after the votes does not close the vote either: the nonce stays open
      expect(await f.bridge.isHandled(0n)).to.equal(false);
      expect(await ethers.provider.getBalance(f.outsider)).to.equal(ethers.parseEther("10000"));
    });
  });

  describe("2. signature verification bypass (Wormhole)", function () {
    it("refuses signatures over another domain name or version", async function () {
      // Vulnerable variant: a bridge whose domain separator leaves out name or version (or hashes a constant), so a
      // signature made for another contract of the operators (an AnchoringReceiver, a version 2 bridge) passes.
      const f = await networkHelpers.loadFixture(fixture);
      const transfers = [signedKlay(f.user.address, 0n)];
      const signers = [f.owner, f.op2, f.op3];
      for (const domain of [
        { ...f.domain, name: "AnchoringReceiver" },
        { ...f.domain, version: "2" },
        { ...f.domain, name: undefined },
      ]) {
        await expect(
          f.bridge.handleSignedTransfers(transfers, await signedBy(domain, transfers, signers)),
        ).to.be.revertedWithCustomError(f.bridge, "SignerNotOperator");
      }
      expect(await f.bridge.isHandled(0n)).to.equal(false);
      // control: the right domain passes
      await expect(
        f.bridge.handleSignedTransfers(transfers, await signedBy(f.domain, transfers, signers)),
      ).to.changeEtherBalance(ethers, f.user, ONE);
    });

    it("binds every field of Transfer and the order of the batch", async function () {
      // Vulnerable variant: a struct hash that leaves out a field (tokenType, from, tokenAddress or tokenURI), or a
      // batch hash over an unordered set. The existing signed-handles test covers the other fields.
      const f = await networkHelpers.loadFixture(fixture);
      const kip7 = await f.kip7.getAddress();
      const t0 = { ...signedKlay(f.user.address, 0n, 5n), tokenType: 1, tokenAddress: kip7 };
      const t1 = { ...signedKlay(f.user.address, 1n, 2n), tokenType: 2, tokenAddress: await f.kip17.getAddress(), tokenURI: "ipfs://a" };
      const signed = [t0, t1];
      const signatures = await signedBy(f.domain, signed, [f.owner, f.op2, f.op3]);
      const stray = await ethers.deployContract("KIP7Token", ["Stray", "S", 18, ONE]);
      const tampered: SignedTransfer[][] = [
        [{ ...t0, tokenType: 0 }, t1], // pay the amount in KLAY instead
        [{ ...t0, from: f.outsider.address }, t1],
        [{ ...t0, tokenAddress: await stray.getAddress() }, t1],
        [t0, { ...t1, tokenURI: "ipfs://b" }],
        [t0, { ...t1, tokenType: 1, tokenAddress: kip7 }],
        [t1, t0],
        [t0],
      ];
      for (const batch of tampered) {
        await expect(f.bridge.handleSignedTransfers(batch, signatures)).to.be.revertedWithCustomError(
          f.bridge,
          "SignerNotOperator",
        );
      }
      await f.bridge.handleSignedTransfers(signed, signatures);
      expect(await f.kip7.balanceOf(f.user)).to.equal(5n);
      expect(await f.kip17.ownerOf(2n)).to.equal(f.user.address);
    });

    it("refuses signatures that recover to the zero address, whatever makes them so", async function () {
      // Vulnerable variant: a bridge that uses raw ecrecover and treats its 0 result as a signer (Wormhole's class):
      // with an unset slot or a zero-address entry anywhere it would count. Also that does not check v in {27, 28}.
      const f = await networkHelpers.loadFixture(fixture);
      const transfers = [signedKlay(f.user.address, 0n)];
      const [low, mid, high] = sortedByAddress([f.owner, f.op2, f.op3]);
      const rest = ethers.concat([await signBatch(mid, f.domain, transfers), await signBatch(high, f.domain, transfers)]);
      const good = ethers.Signature.from(await signBatch(low, f.domain, transfers));
      const forged = [
        ethers.concat([good.r, good.s, "0x00"]), // v = 0
        ethers.concat([good.r, good.s, "0x1d"]), // v = 29
        ethers.concat([good.r, ethers.ZeroHash, ethers.toBeHex(good.v)]), // s = 0
        ethers.concat([ethers.ZeroHash, ethers.ZeroHash, "0x1b"]), // all zero
      ];
      for (const bad of forged) {
        await expect(
          f.bridge.handleSignedTransfers(transfers, ethers.concat([bad, rest])),
        ).to.be.revertedWithCustomError(f.bridge, "ECDSAInvalidSignature");
      }
      expect(await f.bridge.isHandled(0n)).to.equal(false);
    });

    it("refuses blobs of 0, 64, 66 and 131 bytes, and a blob of 0 bytes at threshold 1", async function () {
      // Vulnerable variants: a bridge that reads `length / 65` signatures and ignores the rest (a 66-byte blob would
      // pass with trailing garbage, 131 bytes as two), one that parses 64-byte compact signatures without checks, or
      // one whose signature loop accepts zero signatures when it never reaches a "not enough" check.
      const f = await networkHelpers.loadFixture(fixture);
      const transfers = [signedKlay(f.user.address, 0n)];
      const three = await signedBy(f.domain, transfers, [f.owner, f.op2, f.op3]);
      const first = ethers.dataSlice(three, 0, 65);
      for (const blob of [ethers.dataSlice(first, 0, 64), ethers.concat([first, "0x00"]), ethers.concat([ethers.dataSlice(three, 0, 130), "0x1b"])]) {
        await expect(f.bridge.handleSignedTransfers(transfers, blob))
          .to.be.revertedWithCustomError(f.bridge, "InvalidSignaturesLength")
          .withArgs(BigInt(ethers.dataLength(blob)));
      }
      await expect(f.bridge.handleSignedTransfers(transfers, ethers.concat([three, "0x00"])))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSignaturesLength")
        .withArgs(196n);
      await expect(f.bridge.handleSignedTransfers(transfers, "0x"))
        .to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures")
        .withArgs(0n, 3n);

      // threshold 1 (a single operator left): the empty blob still needs one signature
      const single = await ethers.deployContract("Bridge", [false], { value: ONE });
      const domain = { ...f.domain, verifyingContract: await single.getAddress() };
      await expect(single.connect(f.outsider).handleSignedTransfers(transfers, "0x"))
        .to.be.revertedWithCustomError(single, "NotEnoughSignatures")
        .withArgs(0n, 1n);
      expect(await single.isHandled(0n)).to.equal(false);
      await expect(
        single.connect(f.outsider).handleSignedTransfers(transfers, await signedBy(domain, transfers, [f.owner])),
      ).to.changeEtherBalance(ethers, f.user, ONE);
    });

    it("a signer removed after signing and replaced by a newcomer cannot be counted through the newcomer", async function () {
      // Vulnerable variant: a bridge that checks signers against a cached roster (or an operator bitmap whose bit is
      // handed to the newcomer) without refreshing it, so the removed operator's signature still verifies.
      const f = await networkHelpers.loadFixture(fixture);
      const transfers = [signedKlay(f.user.address, 0n)];
      const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2, f.op3]);
      await f.bridge.deregisterOperator(f.op4); // threshold 3 of 3
      await f.bridge.setOperatorThreshold(VoteType.ValueTransfer, 2);
      await f.bridge.deregisterOperator(f.op3);
      await f.bridge.registerOperator(f.outsider);
      await f.bridge.setOperatorThreshold(VoteType.ValueTransfer, 3);
      await expect(f.bridge.handleSignedTransfers(transfers, signatures))
        .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
        .withArgs(f.op3.address);
      expect(await f.bridge.isHandled(0n)).to.equal(false);
    });
  });
});
