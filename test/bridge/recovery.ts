// A handle whose payout fails is never stuck: it is recorded as handled and parked in the bridge's TransferRecovery,
// from where anyone retries it once the cause is gone, or the operators cancel it and the source bridge refunds it.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { CounterpartTokens, readRequestsOfTx } from "../../src/protocol/requests.js";
import { refundTransferOf } from "../../src/protocol/transfer.js";
import { cancelDigest, recoveryDomain, refundDigest, type SignedTransfer } from "../../src/signatures.js";
import { bothModes, ParkedStatus, TokenType, transferContentHash } from "../helpers/bridge.js";
import { signedBy } from "../helpers/signing.js";
import {
  cancelSignatures,
  failedArgs,
  handleBy,
  holdings,
  LIQUIDITY,
  ONE,
  paidArgs,
  parkedArgs,
  PATHS,
  recoveryDestination,
  refundSignatures,
  transferOf,
  vote,
  type Destination,
} from "../helpers/recovery.js";

const { ethers, networkHelpers } = await network.create();

const { lockMode, mintBurnMode, MODES } = bothModes((modeMintBurn) => recoveryDestination(ethers, modeMintBurn));
type Mode = (typeof MODES)[number][0];

/** What a token returns from a call that answered `false`. */
const FALSE_WORD = ethers.ZeroHash;
const KIP17_RECEIVED = "0x6745782b";

/** Where the ledger has `t`: its status, and whether the recorded hash is that of exactly `t`. */
async function parked(f: Destination, t: SignedTransfer) {
  const [status, hash] = await f.recovery.parkedTransfer(t.requestNonce);
  return { status: Number(status), exact: hash === transferContentHash(t) };
}

/** A failure kind: the transfer whose payout fails, what the recipient or token returns, and how to fix the cause. */
interface FailureCase {
  name: string;
  modes: Mode[];
  /** Whether `make` returns a `fix`. */
  fixable?: true;
  make(f: Destination): Promise<{ t: SignedTransfer; reason: string; fix?: () => Promise<unknown> }>;
}

async function registered(f: Destination, name: string, args: unknown[] = []) {
  const token = await ethers.deployContract(name, args);
  await f.bridge.registerToken(token, ethers.Wallet.createRandom().address);
  return token;
}

type Token = Awaited<ReturnType<typeof registered>>;

/**
 * A KIP7 `contract` (deployed with `args` and registered; in lock mode the bridge holds 1,000 of it) whose payout of 600
 * to the user fails with `reason` once `breaks` ran, and succeeds again once `fixes` ran.
 */
function failingKIP7(
  name: string,
  modes: Mode[],
  contract: string,
  args: unknown[],
  failure: { breaks: (token: Token) => Promise<unknown>; fixes: (token: Token) => Promise<unknown>; reason: (token: Token) => string },
): FailureCase {
  return {
    name,
    fixable: true,
    modes,
    async make(f) {
      const token = await registered(f, contract, args);
      if (!f.modeMintBurn) await token.getFunction("transfer")(f.bridge, 1_000n);
      await failure.breaks(token);
      return {
        t: transferOf(0n, f.user.address, { tokenType: TokenType.ERC20, tokenAddress: token.target as string, valueOrTokenId: 600n }),
        reason: failure.reason(token),
        fix: () => failure.fixes(token),
      };
    },
  };
}

const FAILURES: FailureCase[] = [
  {
    name: "a KLAY recipient that rejects KLAY",
    modes: ["lock", "mint/burn"],
    async make() {
      const rejecter = await ethers.deployContract("KLAYRejecter");
      return { t: transferOf(0n, await rejecter.getAddress()), reason: rejecter.interface.encodeErrorResult("KLAYRejected", []) };
    },
  },
  {
    name: "the bridge short of KLAY",
    fixable: true,
    modes: ["lock"],
    make(f) {
      return Promise.resolve({
        t: transferOf(0n, f.user.address, { valueOrTokenId: LIQUIDITY + 1n }),
        reason: "0x",
        fix: () => f.bridge.chargeWithoutEvent({ value: 1n }),
      });
    },
  },
  {
    name: "a KLAY recipient that burns all the gas it gets",
    fixable: true,
    modes: ["lock"],
    async make() {
      const burner = await ethers.deployContract("GasBurningRecipient");
      return { t: transferOf(0n, await burner.getAddress()), reason: "0x", fix: () => burner.setMode(2) };
    },
  },
  failingKIP7("a KIP7 that reverts", ["lock"], "RevertingToken", ["Reverting", "REV", 1_000n], {
    breaks: (token) => token.getFunction("setReverting")(true),
    fixes: (token) => token.getFunction("setReverting")(false),
    reason: (token) => token.interface.encodeErrorResult("TransfersDisabled", []),
  }),
  failingKIP7("a KIP7 whose transfer returns false", ["lock"], "FalseReturnToken", ["False", "FLS", 1_000n], {
    breaks: (token) => token.getFunction("setFailing")(true),
    fixes: (token) => token.getFunction("setFailing")(false),
    reason: () => FALSE_WORD,
  }),
  failingKIP7("a paused KIP7", ["lock", "mint/burn"], "PausableToken", ["Pausable", "PSE", 1_000n], {
    breaks: (token) => token.getFunction("pause")(),
    fixes: (token) => token.getFunction("unpause")(),
    reason: (token) => token.interface.encodeErrorResult("EnforcedPause", []),
  }),
  {
    name: "a KIP7 mint that returns false",
    modes: ["mint/burn"],
    async make(f) {
      const minter = await registered(f, "FalseMinter");
      return {
        t: transferOf(0n, f.user.address, { tokenType: TokenType.ERC20, tokenAddress: minter.target as string, valueOrTokenId: 600n }),
        reason: FALSE_WORD,
      };
    },
  },
  {
    name: "a KIP17 mintWithTokenURI that returns false",
    modes: ["mint/burn"],
    async make(f) {
      const minter = await registered(f, "FalseNFTMinter");
      return {
        t: transferOf(0n, f.user.address, {
          tokenType: TokenType.ERC721,
          tokenAddress: minter.target as string,
          valueOrTokenId: 9n,
          tokenURI: "ipfs://9",
        }),
        reason: FALSE_WORD,
      };
    },
  },
  {
    name: "a KIP17 mint of an NFT that exists already",
    modes: ["mint/burn"],
    async make(f) {
      await f.kip17.getFunction("mintWithTokenURI")(f.stranger, 4n, "ipfs://4");
      return {
        t: transferOf(0n, f.user.address, { tokenType: TokenType.ERC721, tokenAddress: f.kip17.target as string, valueOrTokenId: 4n }),
        reason: f.kip17.interface.encodeErrorResult("ERC721InvalidSender", [ethers.ZeroAddress]),
      };
    },
  },
  {
    name: "an NFT recipient whose hook rejects",
    modes: ["lock"],
    async make(f) {
      const receiver = await ethers.deployContract("KIP17TestReceiver", [KIP17_RECEIVED, true]);
      return {
        t: transferOf(0n, await receiver.getAddress(), {
          tokenType: TokenType.ERC721,
          tokenAddress: f.kip17.target as string,
          valueOrTokenId: 1n,
          tokenURI: "ipfs://nft/1",
        }),
        reason: receiver.interface.encodeErrorResult("ReceiverRejected", []),
      };
    },
  },
  {
    name: "an NFT recipient without a receiver hook",
    modes: ["lock"],
    async make(f) {
      const silent = await ethers.deployContract("SilentReceiver");
      const to = await silent.getAddress();
      return {
        t: transferOf(0n, to, { tokenType: TokenType.ERC721, tokenAddress: f.kip17.target as string, valueOrTokenId: 2n }),
        reason: f.kip17.interface.encodeErrorResult("KIP17InvalidReceiver", [to]),
      };
    },
  },
];

/** Parks `t` as failed by `path` (the cases' common first step). */
async function parkFailed(f: Destination, t: SignedTransfer, path: (typeof PATHS)[number] = "signed") {
  await handleBy(f, path, t);
  expect((await parked(f, t)).status).to.equal(ParkedStatus.Failed);
}

describe("Transfer recovery: failed payouts are parked, retried, cancelled and refunded", function () {
  describe("every failure kind is parked, on both handle paths, paying nothing", function () {
    for (const c of FAILURES) {
      for (const [mode, fixture] of MODES.filter(([m]) => c.modes.includes(m))) {
        for (const path of PATHS) {
          it(`${c.name} (${mode} mode, ${path})`, async function () {
            const f = await networkHelpers.loadFixture(fixture);
            const { t, reason } = await c.make(f);
            const before = await holdings(ethers, f.bridge, t);
            const tx = handleBy(f, path, t);
            await expect(tx)
              .to.emit(f.bridge, "HandleValueTransferFailed")
              .withArgs(...failedArgs(t, reason))
              .and.not.to.emit(f.bridge, "HandleValueTransfer");
            expect(await holdings(ethers, f.bridge, t)).to.deep.equal(before);
            expect(await f.bridge.isHandled(0n)).to.equal(true);
            expect(await f.bridge.lowerHandleNonce()).to.equal(1n);
            expect(await f.bridge.handledRequestTx(t.requestTxHash)).to.equal(path === "votes");
            expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
            // the same content cannot be handled again, by either path
            await expect(vote(f.bridge, f.op3, t)).to.be.revertedWithCustomError(f.bridge, "NonceAlreadyPassed").withArgs(0n, 1n);
            await expect(handleBy(f, "signed", t)).not.to.emit(f.bridge, "HandleValueTransferFailed");
            // a retry while the cause lasts fails again, reverting: it stays failed and nothing moves
            await expect(f.recovery.connect(f.stranger).retryTransfer(t))
              .to.be.revertedWithCustomError(f.recovery, "PayoutFailed")
              .withArgs(0n, reason);
            expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
            expect(await holdings(ethers, f.bridge, t)).to.deep.equal(before);
          });
        }
      }
    }
  });

  describe("retry", function () {
    for (const c of FAILURES.filter((c) => c.fixable)) {
      for (const [mode, fixture] of MODES.filter(([m]) => c.modes.includes(m))) {
        it(`by anyone, once the cause is gone, pays: ${c.name} (${mode} mode)`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const { t, fix } = await c.make(f);
          await parkFailed(f, t, "votes");
          await fix!();
          const before = await holdings(ethers, f.bridge, t);
          const tx = f.recovery.connect(f.stranger).retryTransfer(t);
          await expect(tx).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(t, 1n));
          await expect(tx).to.emit(f.recovery, "TransferRetried").withArgs(0n, f.stranger.address);
          const after = await holdings(ethers, f.bridge, t);
          if (t.tokenType === TokenType.KLAY) {
            expect(after.recipientKlay).to.equal((before.recipientKlay as bigint) + t.valueOrTokenId);
            expect(after.bridgeKlay).to.equal((before.bridgeKlay as bigint) - t.valueOrTokenId);
          } else {
            expect(after.recipientToken).to.equal((before.recipientToken as bigint) + t.valueOrTokenId);
            expect(after.bridgeToken).to.equal(f.modeMintBurn ? 0n : (before.bridgeToken as bigint) - t.valueOrTokenId);
          }
          expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.None, exact: false });
          // paid once: a second retry finds nothing parked
          await expect(f.recovery.retryTransfer(t))
            .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
            .withArgs(0n, ParkedStatus.None);
        });
      }
    }

    /** Lock mode: a KIP17 transfer to a receiver that accepts NFTs, parked as failed because the bridge did not hold
     * NFT 9 yet; the bridge holds it now. */
    async function nftParkedThenHeld() {
      const f = await lockMode();
      const receiver = await ethers.deployContract("ERC721OnlyReceiver");
      const t = transferOf(0n, await receiver.getAddress(), {
        tokenType: TokenType.ERC721,
        tokenAddress: f.kip17.target as string,
        valueOrTokenId: 9n,
      });
      await parkFailed(f, t);
      await f.kip17.getFunction("mintWithTokenURI")(f.bridge, 9n, "ipfs://9");
      return { f, receiver, t };
    }

    it("an NFT retried to a recipient that accepts (lock mode): the bridge's NFT goes to it", async function () {
      const { f, receiver, t } = await networkHelpers.loadFixture(nftParkedThenHeld);
      await expect(f.recovery.retryTransfer(t))
        .to.emit(receiver, "ERC721Received")
        .withArgs(f.kip17.target, await f.bridge.getAddress(), await f.bridge.getAddress(), 9n, "0x");
      expect(await f.kip17.getFunction("ownerOf")(9n)).to.equal(t.to);
    });

    it("pays nothing for a token deregistered meanwhile (TokenNotRegistered) until it is registered again", async function () {
      const { f, t } = await networkHelpers.loadFixture(nftParkedThenHeld);
      const counterpart = ethers.Wallet.createRandom().address;
      await f.bridge.deregisterToken(f.kip17);
      await expect(f.recovery.connect(f.stranger).retryTransfer(t))
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(f.kip17.target);
      expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
      expect(await f.kip17.getFunction("ownerOf")(9n)).to.equal(await f.bridge.getAddress());
      await f.bridge.registerToken(f.kip17, counterpart);
      await expect(f.recovery.connect(f.stranger).retryTransfer(t)).to.emit(f.recovery, "TransferRetried");
      expect(await f.kip17.getFunction("ownerOf")(9n)).to.equal(t.to);
    });

    it("refuses other content than the parked one (TransferNotParked), whatever field differs", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const t = transferOf(0n, f.user.address, { valueOrTokenId: LIQUIDITY + 1n });
      await parkFailed(f, t);
      await f.bridge.chargeWithoutEvent({ value: ONE });
      for (const other of [
        { ...t, to: f.stranger.address },
        { ...t, valueOrTokenId: ONE },
        { ...t, requestBlockNumber: 1n },
        { ...t, extraData: "0x01" },
        { ...t, requestTxHash: ethers.ZeroHash },
        { ...t, requestNonce: 1n },
      ]) {
        await expect(f.recovery.connect(f.stranger).retryTransfer(other))
          .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
          .withArgs(other.requestNonce, other.requestNonce === 0n ? ParkedStatus.Failed : ParkedStatus.None);
      }
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(LIQUIDITY + ONE);
      await expect(f.recovery.retryTransfer(t)).to.changeEtherBalance(ethers, f.user, t.valueOrTokenId);
    });

    it("a transfer paid at once is not parked: nothing to retry", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const t = transferOf(0n, f.user.address);
      await expect(handleBy(f, "signed", t)).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(t, 1n));
      expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.None, exact: false });
      await expect(f.recovery.retryTransfer(t))
        .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.None);
    });
  });

  describe("the payout gas budget", function () {
    for (const path of PATHS) {
      it(`a handle sent with too little gas reverts InsufficientGasForPayout, recording nothing (${path})`, async function () {
        const f = await networkHelpers.loadFixture(lockMode);
        const t = transferOf(0n, f.user.address);
        const overrides = { gasLimit: 250_000n };
        let tx;
        if (path === "votes") {
          await vote(f.bridge, f.owner, t);
          tx = f.bridge
            .connect(f.op2)
            .handleKLAYTransfer(t.requestTxHash, t.from, t.to, t.valueOrTokenId, t.requestNonce, t.requestBlockNumber, t.extraData, overrides);
        } else {
          const signatures = await signedBy(f.domain, [t], [f.owner, f.op2]);
          tx = f.bridge.connect(f.submitter).handleSignedTransfers([t], signatures, overrides);
        }
        await expect(tx).to.be.revertedWithCustomError(f.bridge, "InsufficientGasForPayout");
        expect(await f.bridge.isHandled(0n)).to.equal(false);
        expect(await f.bridge.lowerHandleNonce()).to.equal(0n);
        expect(await f.bridge.handledRequestTx(t.requestTxHash)).to.equal(false);
        expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.None, exact: false });
        expect(await ethers.provider.getBalance(f.bridge)).to.equal(LIQUIDITY);
        // with enough gas the same handle (op2's vote again, or the batch) pays
        await expect(handleBy(f, path === "votes" ? "votes" : "signed", t)).to.changeEtherBalance(ethers, f.user, ONE);
      });
    }

    it("a recipient gets exactly the payout budget, however much gas the handle brings", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const burner = await ethers.deployContract("GasBurningRecipient");
      await burner.setMode(1); // Report: reverts with the gas it got
      const seen: bigint[] = [];
      for (const [nonce, gasLimit] of [
        [0n, 600_000n],
        [1n, 5_000_000n],
      ] as const) {
        const t = transferOf(nonce, await burner.getAddress());
        const signatures = await signedBy(f.domain, [t], [f.owner, f.op2]);
        const receipt = await (await f.bridge.handleSignedTransfers([t], signatures, { gasLimit })).wait();
        const failed = receipt!.logs.map((l) => f.bridge.interface.parseLog(l)).find((e) => e?.name === "HandleValueTransferFailed");
        const error = burner.interface.parseError(failed!.args.reason as string);
        expect(error?.name).to.equal("GasAtEntry");
        seen.push(error!.args[0] as bigint);
      }
      // 300,000 plus the 2,300 stipend of a call with value, less the few instructions before `gasleft()`
      expect(seen[0]).to.equal(seen[1]);
      expect(seen[0]).to.be.within(302_300n - 100n, 302_300n);
    });

    it("at the least gas a handle goes through with, the recipient still gets the whole budget", async function () {
      // the failure is the recipient's, never the submitter's: either the handle reverts (too little gas, nothing
      // recorded) or the payout had its whole budget
      const f = await networkHelpers.loadFixture(lockMode);
      const burner = await ethers.deployContract("GasBurningRecipient");
      await burner.setMode(1);
      const gasAt = async (t: SignedTransfer, gasLimit?: bigint) => {
        const signatures = await signedBy(f.domain, [t], [f.owner, f.op2]);
        const least = gasLimit ?? (await f.bridge.handleSignedTransfers.estimateGas([t], signatures));
        const receipt = await (await f.bridge.handleSignedTransfers([t], signatures, { gasLimit: least })).wait();
        const failed = receipt!.logs.map((l) => f.bridge.interface.parseLog(l)).find((e) => e?.name === "HandleValueTransferFailed");
        return burner.interface.parseError(failed!.args.reason as string)!.args[0] as bigint;
      };
      const atLeast = await gasAt(transferOf(0n, await burner.getAddress()));
      expect(atLeast).to.equal(await gasAt(transferOf(1n, await burner.getAddress()), 8_000_000n));
      expect(atLeast).to.be.within(302_300n - 100n, 302_300n);
    });

    it("what a refusing recipient returns is kept to its first 256 bytes", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const shouter = await ethers.deployContract("GasBurningRecipient");
      await shouter.setMode(3); // Shout: reverts with 1,000 bytes of message
      const t = transferOf(0n, await shouter.getAddress());
      const whole = shouter.interface.encodeErrorResult("Refusal", [new Uint8Array(1_000)]);
      expect(ethers.dataLength(whole)).to.be.greaterThan(1_000);
      await expect(handleBy(f, "signed", t))
        .to.emit(f.bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(t, ethers.dataSlice(whole, 0, 256)));
      expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
    });

    it("a recipient burning all its gas costs the handle the budget, not the gas the submitter sent", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const burner = await ethers.deployContract("GasBurningRecipient");
      const t = transferOf(0n, await burner.getAddress());
      const signatures = await signedBy(f.domain, [t], [f.owner, f.op2]);
      const tx = await f.bridge.handleSignedTransfers([t], signatures, { gasLimit: 10_000_000n });
      await expect(tx).to.emit(f.bridge, "HandleValueTransferFailed").withArgs(...failedArgs(t, "0x"));
      const { gasUsed } = (await tx.wait())!;
      expect(gasUsed).to.be.within(300_000n, 500_000n);
    });
  });

  describe("a batch mixing a failing and a succeeding transfer", function () {
    for (const [mode, fixture] of MODES) {
      it(`pays the good one, parks the bad one, handles both nonces (${mode} mode)`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const rejecter = await ethers.deployContract("KLAYRejecter");
        const bad = transferOf(0n, await rejecter.getAddress());
        const good = transferOf(1n, f.user.address, { tokenType: TokenType.ERC20, tokenAddress: f.kip7.target as string, valueOrTokenId: 5n * ONE });
        const later = transferOf(2n, f.user.address, { valueOrTokenId: 2n * ONE });
        const transfers = [later, bad, good];
        const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2]);
        const tx = f.bridge.connect(f.submitter).handleSignedTransfers(transfers, signatures);
        const reason = rejecter.interface.encodeErrorResult("KLAYRejected", []);
        await expect(tx).to.emit(f.bridge, "HandleValueTransferFailed").withArgs(...failedArgs(bad, reason));
        // nonce 2 first (ahead: lower stays 0), then 0 (lower 1), then 1 (lower passes 2 too: 3)
        await expect(tx).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(later, 0n));
        await expect(tx).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(good, 3n));
        await expect(tx).to.changeEtherBalances(ethers, [f.bridge, f.user, rejecter], [-2n * ONE, 2n * ONE, 0n]);
        await expect(tx).to.changeTokenBalance(ethers, f.kip7, f.user, 5n * ONE);
        expect(await f.bridge.lowerHandleNonce()).to.equal(3n);
        expect(await f.bridge.upperHandleNonce()).to.equal(2n);
        for (const n of [0n, 1n, 2n]) expect(await f.bridge.isHandled(n)).to.equal(true);
        expect(await parked(f, bad)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
        expect(await parked(f, good)).to.deep.equal({ status: ParkedStatus.None, exact: false });
      });
    }
  });

  describe("cancel by operator votes (threshold 2 of 3)", function () {
    async function failed() {
      const f = await lockMode();
      const rejecter = await ethers.deployContract("KLAYRejecter");
      const t = transferOf(0n, await rejecter.getAddress());
      await handleBy(f, "votes", t);
      const digest = await f.recovery.cancelDigest(t);
      return { ...f, t, digest };
    }

    it("the digest is the EIP-712 CancelTransfer of the recovery's domain", async function () {
      const f = await networkHelpers.loadFixture(failed);
      expect(f.digest).to.equal(cancelDigest(f.recoveryDomain, f.t));
      expect(f.recoveryDomain.verifyingContract).to.equal(await f.bridge.transferRecovery());
    });

    it("the first approval does not cancel; the second does, and then nothing can be retried, released or cancelled", async function () {
      const f = await networkHelpers.loadFixture(failed);
      await expect(f.recovery.connect(f.op3).cancelTransfer(f.t, "0x"))
        .to.emit(f.recovery, "ApprovalCast")
        .withArgs(f.digest, f.op3.address)
        .and.not.to.emit(f.recovery, "TransferCancelled");
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([f.op3.address]);
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
      await expect(f.recovery.connect(f.op3).cancelTransfer(f.t, "0x"))
        .to.be.revertedWithCustomError(f.recovery, "AlreadyApproved")
        .withArgs(f.op3.address);
      await expect(f.recovery.connect(f.op2).cancelTransfer(f.t, "0x"))
        .to.emit(f.recovery, "TransferCancelled")
        .withArgs(...parkedArgs(f.t));
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Cancelled, exact: true });
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([]);
      await expect(f.recovery.retryTransfer(f.t))
        .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.Cancelled);
      await expect(f.recovery.connect(f.owner).releaseHeldTransfer(f.t))
        .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.Cancelled);
      await expect(f.recovery.connect(f.owner).cancelTransfer(f.t, "0x"))
        .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.Cancelled);
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(LIQUIDITY);
    });

    it("refuses a non-operator, and other content than the parked one", async function () {
      const f = await networkHelpers.loadFixture(failed);
      await expect(f.recovery.connect(f.outsider).cancelTransfer(f.t, "0x"))
        .to.be.revertedWithCustomError(f.recovery, "NotOperator")
        .withArgs(f.outsider.address);
      await expect(f.recovery.connect(f.op2).cancelTransfer({ ...f.t, valueOrTokenId: 1n }, "0x"))
        .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.Failed);
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([]);
    });

    it("a removed operator's approval stops counting", async function () {
      const f = await networkHelpers.loadFixture(failed);
      await f.recovery.connect(f.op3).cancelTransfer(f.t, "0x");
      await f.bridge.deregisterOperator(f.op3);
      await expect(f.recovery.connect(f.op2).cancelTransfer(f.t, "0x"))
        .to.emit(f.recovery, "ApprovalCast")
        .withArgs(f.digest, f.op2.address)
        .and.not.to.emit(f.recovery, "TransferCancelled");
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
      await expect(f.recovery.connect(f.owner).cancelTransfer(f.t, "0x")).to.emit(f.recovery, "TransferCancelled");
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Cancelled, exact: true });
    });
    // Vulnerable variant: approvals kept by address and recounted against `operators(voter)`; an operator removed
    // and registered again would bring its old approval back with it.
    it("a removed operator's approval does not count again when it is registered again", async function () {
      const f = await networkHelpers.loadFixture(failed);
      await f.recovery.connect(f.op3).cancelTransfer(f.t, "0x");
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([f.op3.address]);
      await f.bridge.deregisterOperator(f.op3);
      await f.bridge.registerOperator(f.op3);
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([]);
      await expect(f.recovery.connect(f.op2).cancelTransfer(f.t, "0x")).not.to.emit(f.recovery, "TransferCancelled");
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
      await expect(f.recovery.connect(f.op3).cancelTransfer(f.t, "0x")).to.emit(f.recovery, "TransferCancelled");
    });

    it("any operator change voids the approvals pending: they are given again under the new set", async function () {
      const f = await networkHelpers.loadFixture(failed);
      await f.recovery.connect(f.op2).cancelTransfer(f.t, "0x");
      await f.bridge.registerOperator(f.outsider);
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([]);
      await expect(f.recovery.connect(f.op3).cancelTransfer(f.t, "0x")).not.to.emit(f.recovery, "TransferCancelled");
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([f.op3.address]);
      await expect(f.recovery.connect(f.op2).cancelTransfer(f.t, "0x")).to.emit(f.recovery, "TransferCancelled");
      expect(await f.recovery.approvalsOf(f.digest)).to.deep.equal([]);
    });
  });

  describe("cancel by operator signatures", function () {
    async function failed() {
      const f = await mintBurnMode();
      const t = transferOf(0n, f.user.address, { valueOrTokenId: LIQUIDITY + 1n });
      await handleBy(f, "signed", t);
      return { ...f, t, digest: await f.recovery.cancelDigest(t) };
    }

    it("the threshold of signatures, submitted by anyone, cancels", async function () {
      const f = await networkHelpers.loadFixture(failed);
      const signatures = await cancelSignatures(f.recoveryDomain, f.t, [f.op3, f.owner]);
      await expect(f.recovery.connect(f.stranger).cancelTransfer(f.t, signatures))
        .to.emit(f.recovery, "TransferCancelled")
        .withArgs(...parkedArgs(f.t))
        .and.not.to.emit(f.recovery, "ApprovalCast");
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Cancelled, exact: true });
      await expect(f.recovery.connect(f.stranger).cancelTransfer(f.t, signatures))
        .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.Cancelled);
      await f.bridge.chargeWithoutEvent({ value: ONE });
      await expect(f.recovery.retryTransfer(f.t)).to.be.revertedWithCustomError(f.recovery, "TransferNotParked");
    });

    it("refuses too few signatures, a non-operator's, and signatures out of order", async function () {
      const f = await networkHelpers.loadFixture(failed);
      const one = await cancelSignatures(f.recoveryDomain, f.t, [f.op2]);
      await expect(f.recovery.cancelTransfer(f.t, one))
        .to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures")
        .withArgs(1n, 2n);
      await expect(f.recovery.cancelTransfer(f.t, await cancelSignatures(f.recoveryDomain, f.t, [f.op2, f.outsider])))
        .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
        .withArgs(f.outsider.address);
      const [low, high] = [f.op2, f.op3].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
      const unsorted = ethers.concat([
        await cancelSignatures(f.recoveryDomain, f.t, [high]),
        await cancelSignatures(f.recoveryDomain, f.t, [low]),
      ]);
      await expect(f.recovery.cancelTransfer(f.t, unsorted))
        .to.be.revertedWithCustomError(f.bridge, "SignersNotSorted")
        .withArgs(high.address, low.address);
      await expect(f.recovery.cancelTransfer(f.t, ethers.dataSlice(unsorted, 0, 100)))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSignaturesLength")
        .withArgs(100n);
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
    });

    it("refuses signatures made for another chain id, for the bridge's domain, or for a refund", async function () {
      const f = await networkHelpers.loadFixture(failed);
      const signers = [f.op2, f.op3];
      const wrong = [
        await cancelSignatures({ ...f.recoveryDomain, chainId: f.chainId + 1n }, f.t, signers),
        await cancelSignatures(f.domain, f.t, signers),
        await refundSignatures(f.recoveryDomain, f.t, signers),
        await signedBy(f.domain, [f.t], signers),
      ];
      for (const signatures of wrong) {
        // the first signature recovers to an unknown address over the real digest
        const recovered = ethers.recoverAddress(f.digest, ethers.dataSlice(signatures, 0, 65));
        await expect(f.recovery.cancelTransfer(f.t, signatures))
          .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
          .withArgs(recovered);
      }
      expect(await parked(f, f.t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
    });
  });

  describe("refund on the source bridge", function () {
    /** A source bridge (lock mode or mint/burn) with operators owner, op2, op3 (threshold 2) and requests made. */
    async function source(modeMintBurn: boolean) {
      const f = await recoveryDestination(ethers, modeMintBurn);
      const requester = f.stranger;
      const bridge = f.bridge.connect(requester);
      const kip7 = f.kip7.connect(requester);
      const kip17 = f.kip17.connect(requester);
      if (modeMintBurn) {
        await f.kip7.getFunction("mint")(requester, 100n * ONE);
        await f.kip17.getFunction("mintWithTokenURI")(requester, 7n, "ipfs://nft/7");
      } else {
        await f.kip7.getFunction("transfer")(requester, 100n * ONE);
        await f.kip17.getFunction("mintWithTokenURI")(requester, 7n, "ipfs://nft/7");
      }
      const to = f.user.address;
      const txs = [];
      txs.push(await bridge.requestKLAYTransfer(to, 3n * ONE, "0x", { value: 3n * ONE }));
      await kip7.getFunction("approve")(f.bridge, 40n * ONE);
      txs.push(await bridge.requestERC20Transfer(f.kip7, to, 40n * ONE, 0n, "0x01"));
      await kip17.getFunction("approve")(f.bridge, 7n);
      txs.push(await bridge.requestERC721Transfer(f.kip17, to, 7n, "0x"));
      // the requests as the source bridge made them (this chain's token, from = the requester), read from its logs
      const requests: SignedTransfer[] = [];
      for (const tx of txs) {
        await tx.wait();
        const made = await readRequestsOfTx("parent", f.bridge, new CounterpartTokens(f.bridge), ethers.provider, tx.hash);
        requests.push(...made.map(refundTransferOf));
      }
      expect(requests.map((request) => [request.requestNonce, request.tokenType]), "the three requests").to.deep.equal([
        [0n, TokenType.KLAY],
        [1n, TokenType.ERC20],
        [2n, TokenType.ERC721],
      ]);
      return { ...f, requester, requests };
    }
    const { lockMode: lockSource, MODES: sourceModes } = bothModes(source);

    /** The `ValueTransferRefunded` arguments of request `t`. */
    const refundedArgs = (t: SignedTransfer) =>
      [t.requestTxHash, t.tokenType, ethers.getAddress(t.from), ethers.getAddress(t.tokenAddress), t.valueOrTokenId, t.requestNonce] as const;

    for (const [mode, fixture] of sourceModes) {
      describe(`${mode} mode`, function () {
        it("KLAY: two operator approvals return it to the requester, once", async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const t = f.requests[0];
          const digest = await f.recovery.refundDigest(t);
          expect(digest).to.equal(refundDigest(f.recoveryDomain, t));
          await expect(f.recovery.connect(f.op2).refundTransfer(t, "0x"))
            .to.emit(f.recovery, "ApprovalCast")
            .withArgs(digest, f.op2.address)
            .and.not.to.emit(f.recovery, "ValueTransferRefunded");
          expect(await f.recovery.isRefunded(0n)).to.equal(false);
          const tx = f.recovery.connect(f.owner).refundTransfer(t, "0x");
          await expect(tx).to.emit(f.recovery, "ValueTransferRefunded").withArgs(...refundedArgs(t));
          await expect(tx).to.changeEtherBalances(ethers, [f.bridge, f.requester], [-3n * ONE, 3n * ONE]);
          expect(await f.recovery.isRefunded(0n)).to.equal(true);
          await expect(f.recovery.connect(f.op3).refundTransfer(t, "0x"))
            .to.be.revertedWithCustomError(f.recovery, "AlreadyRefunded")
            .withArgs(0n);
          await expect(f.recovery.refundTransfer(t, await refundSignatures(f.recoveryDomain, t, [f.op2, f.op3])))
            .to.be.revertedWithCustomError(f.recovery, "AlreadyRefunded")
            .withArgs(0n);
        });

        it("KIP7: signatures return the tokens to the requester (released or minted back), once", async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const t = f.requests[1];
          const supply = await f.kip7.getFunction("totalSupply")();
          const signatures = await refundSignatures(f.recoveryDomain, t, [f.owner, f.op3]);
          const tx = f.recovery.connect(f.submitter).refundTransfer(t, signatures);
          await expect(tx).to.emit(f.recovery, "ValueTransferRefunded").withArgs(...refundedArgs(t));
          await expect(tx).to.changeTokenBalances(
            ethers,
            f.kip7,
            [f.requester, f.bridge],
            [40n * ONE, f.modeMintBurn ? 0n : -40n * ONE],
          );
          expect(await f.kip7.getFunction("totalSupply")()).to.equal(supply + (f.modeMintBurn ? 40n * ONE : 0n));
          expect(await f.kip7.getFunction("balanceOf")(f.requester)).to.equal(100n * ONE);
          await expect(f.recovery.connect(f.submitter).refundTransfer(t, signatures))
            .to.be.revertedWithCustomError(f.recovery, "AlreadyRefunded")
            .withArgs(1n);
        });

        it("KIP17: the NFT goes back to the requester, once", async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const t = f.requests[2];
          if (f.modeMintBurn) {
            await expect(f.kip17.getFunction("ownerOf")(7n)).to.be.revertedWithCustomError(f.kip17, "ERC721NonexistentToken");
          } else {
            expect(await f.kip17.getFunction("ownerOf")(7n)).to.equal(await f.bridge.getAddress());
          }
          await f.recovery.connect(f.op3).refundTransfer(t, "0x");
          await expect(f.recovery.connect(f.op2).refundTransfer(t, "0x"))
            .to.emit(f.recovery, "ValueTransferRefunded")
            .withArgs(...refundedArgs(t));
          expect(await f.kip17.getFunction("ownerOf")(7n)).to.equal(f.requester.address);
          if (f.modeMintBurn) expect(await f.kip17.getFunction("tokenURI")(7n)).to.equal("ipfs://nft/7");
          await expect(f.recovery.connect(f.owner).refundTransfer(t, "0x"))
            .to.be.revertedWithCustomError(f.recovery, "AlreadyRefunded")
            .withArgs(2n);
        });
      });
    }

    it("refuses a request nonce not made here (UnknownRequest), a non-operator, too few and foreign signatures", async function () {
      const f = await networkHelpers.loadFixture(lockSource);
      const t = f.requests[0];
      await expect(f.recovery.connect(f.op2).refundTransfer({ ...t, requestNonce: 3n }, "0x"))
        .to.be.revertedWithCustomError(f.recovery, "UnknownRequest")
        .withArgs(3n);
      await expect(f.recovery.connect(f.outsider).refundTransfer(t, "0x"))
        .to.be.revertedWithCustomError(f.recovery, "NotOperator")
        .withArgs(f.outsider.address);
      await expect(f.recovery.refundTransfer(t, await refundSignatures(f.recoveryDomain, t, [f.op3])))
        .to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures")
        .withArgs(1n, 2n);
      await expect(f.recovery.refundTransfer(t, await refundSignatures(f.recoveryDomain, t, [f.op3, f.outsider])))
        .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
        .withArgs(f.outsider.address);
      // a cancellation is no refund
      const cancel = await cancelSignatures(f.recoveryDomain, t, [f.op2, f.op3]);
      await expect(f.recovery.refundTransfer(t, cancel))
        .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
        .withArgs(ethers.recoverAddress(await f.recovery.refundDigest(t), ethers.dataSlice(cancel, 0, 65)));
      // signatures for another chain's recovery
      const other = recoveryDomain(f.chainId + 1n, f.recoveryDomain.verifyingContract as string);
      const foreign = await refundSignatures(other, t, [f.op2, f.op3]);
      await expect(f.recovery.refundTransfer(t, foreign)).to.be.revertedWithCustomError(f.bridge, "SignerNotOperator");
      expect(await f.recovery.isRefunded(0n)).to.equal(false);
    });

    it("a refund the requester refuses reverts RefundFailed and stays refundable", async function () {
      const f = await networkHelpers.loadFixture(lockSource);
      const rejecter = await ethers.deployContract("KLAYRejecter");
      await rejecter.execute(f.bridge, f.bridge.interface.encodeFunctionData("requestKLAYTransfer", [f.user.address, ONE, "0x"]), {
        value: ONE,
      });
      const t = transferOf(3n, f.user.address, { from: await rejecter.getAddress(), valueOrTokenId: ONE });
      const signatures = await refundSignatures(f.recoveryDomain, t, [f.owner, f.op2]);
      await expect(f.recovery.refundTransfer(t, signatures))
        .to.be.revertedWithCustomError(f.recovery, "RefundFailed")
        .withArgs(3n, rejecter.interface.encodeErrorResult("KLAYRejected", []));
      expect(await f.recovery.isRefunded(3n)).to.equal(false);
    });
  });

  describe("who may call what", function () {
    it("only the recovery ledger may ask the bridge to pay (NotTransferRecovery)", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const t = transferOf(0n, f.outsider.address);
      for (const action of [0, 1, 2]) {
        for (const caller of [f.owner, f.op2, f.outsider]) {
          await expect(f.bridge.connect(caller).recoveryPayout(t, action))
            .to.be.revertedWithCustomError(f.bridge, "NotTransferRecovery")
            .withArgs(caller.address);
        }
      }
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(LIQUIDITY);
    });

    it("only the bridge may park a transfer (NotBridge)", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      for (const caller of [f.owner, f.op2, f.outsider] as HardhatEthersSigner[]) {
        await expect(f.recovery.connect(caller).park(0n, ethers.id("x"), false))
          .to.be.revertedWithCustomError(f.recovery, "NotBridge")
          .withArgs(caller.address);
      }
      expect(await f.recovery.bridge()).to.equal(await f.bridge.getAddress());
      expect((await f.recovery.parkedTransfer(0n))[0]).to.equal(BigInt(ParkedStatus.None));
    });
  });
});
